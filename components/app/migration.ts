/**
 * A service's gated migration (issue 19): a one-shot Job with the service's image that runs the migration
 * command against the writer before the new version rolls out. Pure specs, testable without Pulumi;
 * app-service.ts creates the objects and makes the Deployment depend on the Job.
 *
 * Why this shape:
 * - pulumi-kubernetes awaits a Job until its `Complete` condition and fails the update on `Failed`
 *   ("Job" in https://www.pulumi.com/registry/packages/kubernetes/api-docs/batch/v1/job/), so a Deployment
 *   that depends on it is updated only after the migration succeeded. The Job carries no
 *   `pulumi.com/skipAwait` (which would turn the gate off, same page), and a failed Job is replaced on the
 *   next `up` (`pulumi.com/replaceUnready`, same page) instead of being awaited again.
 * - The provider's default wait is 10 minutes; `customTimeouts` (same page) sets it above the Job's own
 *   `activeDeadlineSeconds`, so Kubernetes ends a hung migration, and Pulumi reports its failure, not a timeout.
 * - One Job per image: its name is a hash of the image reference alone, so the same image never migrates
 *   twice and anything else about the migration (command, bounds, env) applies from the next image on.
 * - No `ttlSecondsAfterFinished`: a Job deleted by its TTL is forgotten by the next refresh and recreated
 *   by the next `up`, running the migration again for an unchanged image.
 */
import type { Input } from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes/types/input";
import { createHash } from "crypto";
import { CA_BUNDLE_VOLUME, caBundleMount } from "../shared/ca-bundle";
import { selectorLabels } from "../shared/labels";
import { restrictedPodSecurityContext, restrictedSecurityContext } from "../shared/security-context";
import type { ResolvedService } from "./spec";
import { writableVolumeName as volumeName } from "./workload";

/** A key of a Kubernetes Secret in the service's namespace. */
export interface SecretKeyArgs {
    /** Name of the Secret. */
    secret: string;
    /** Key in that Secret. */
    key: string;
}

/** A service's migration, as the stack file's `app.services[].migration` gives it. */
export interface MigrationArgs {
    /** Command the Job runs in the service's image (replacing its entrypoint), e.g. `["/app/migrate", "up"]`. */
    command: string[];
    /** Longest the migration may run before Kubernetes fails the Job. @default 900 */
    activeDeadlineSeconds?: number;
    /**
     * Retries of a failed migration pod before the Job fails: one, for a transient failure (a node drained, a
     * connection reset). @default 1
     */
    backoffLimit?: number;
    /**
     * The Secret key the Job reads as `DATABASE_URL`: the writer itself, never a connection pooler (a
     * migration holds session state: advisory locks, `SET`, long transactions). Platform sets
     * `data-tier`/`DATABASE_WRITER_URL`. @default the service's own DATABASE_URL
     */
    writerUrl?: SecretKeyArgs;
}

/** The defaults `MigrationArgs` documents. */
export const MIGRATION_DEFAULTS = { activeDeadlineSeconds: 900, backoffLimit: 1 };

/** PostgreSQL's port, where Platform's data egress opens it (platform/mappers.ts `appTierArgs`). */
export const MIGRATION_DATABASE_PORT = 5432;

/** Seconds Pulumi waits beyond the Job's deadline: the pod's scheduling and the provider's polling. */
export const AWAIT_MARGIN_SECONDS = 300;

/** Kubernetes puts the Job's name in its pods' `job-name` label: at most 63 characters. */
export const JOB_NAME_MAX = 63;

const SUFFIX = "-migrate-";
const HASH_LENGTH = 10;

/**
 * `<service>-migrate-<hash>`: the hash is the first 10 hex digits of SHA-256 of the image reference, and
 * nothing else, so the name (and the Job) changes with the image and only then. The service name is cut to
 * keep the whole within 63 characters.
 */
export function migrationJobName(service: string, image: string): string {
    const hash = createHash("sha256").update(image).digest("hex").slice(0, HASH_LENGTH);
    const prefix = service.slice(0, JOB_NAME_MAX - SUFFIX.length - HASH_LENGTH).replace(/-+$/, "");
    return `${prefix}${SUFFIX}${hash}`;
}

/** Labels of the migration pods: their own, so the service's Service, PDB and NetworkPolicies never select them. */
export const migrationLabels = (service: string) => selectorLabels(`${service}${SUFFIX.slice(0, -1)}`);

/** `customTimeouts` of the Job: create and update wait past the deadline. */
export function migrationTimeouts(activeDeadlineSeconds: number): { create: string; update: string } {
    const minutes = `${Math.ceil((activeDeadlineSeconds + AWAIT_MARGIN_SECONDS) / 60)}m`;
    return { create: minutes, update: minutes };
}

/**
 * The Job spec: the service's image, env, resources and UID, the migration command, `DATABASE_URL` from the
 * writer key, the RDS CA bundle at /opt/hangar-ca (the URL's `sslrootcert`), restricted, bounded.
 */
export function migrationJobSpec(
    s: ResolvedService & { migration: MigrationArgs },
    image: Input<string>,
    serviceAccountName: Input<string>,
    priorityClassName?: Input<string>,
    caBundles?: Input<string>,
): k8s.batch.v1.JobSpec {
    const m = { ...MIGRATION_DEFAULTS, ...s.migration };
    const limits: Record<string, string> = { memory: s.resources.limits.memory };
    if (s.resources.limits.cpu) limits.cpu = s.resources.limits.cpu;
    const writer = m.writerUrl;
    const secretEnv = s.secretEnv.filter((e) => !(writer && e.name === "DATABASE_URL"));
    return {
        backoffLimit: m.backoffLimit,
        activeDeadlineSeconds: m.activeDeadlineSeconds,
        template: {
            metadata: { labels: migrationLabels(s.name) },
            spec: {
                restartPolicy: "Never",
                serviceAccountName,
                ...(priorityClassName ? { priorityClassName } : {}),
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                securityContext: restrictedPodSecurityContext(s.runAsUser),
                containers: [
                    {
                        name: "migrate",
                        image,
                        imagePullPolicy: "IfNotPresent",
                        command: m.command,
                        env: [
                            ...Object.entries(s.env).map(([name, value]) => ({ name, value })),
                            ...secretEnv.map((e) => ({ name: e.name, valueFrom: { secretKeyRef: { name: e.secret, key: e.key } } })),
                            ...(writer
                                ? [{ name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: writer.secret, key: writer.key } } }]
                                : []),
                        ],
                        ...(s.envFromSecrets.length ? { envFrom: s.envFromSecrets.map((name) => ({ secretRef: { name } })) } : {}),
                        resources: { requests: { cpu: s.resources.requests.cpu, memory: s.resources.requests.memory }, limits },
                        securityContext: restrictedSecurityContext(s.runAsUser),
                        volumeMounts: [
                            ...s.writablePaths.map((mountPath) => ({ name: volumeName(mountPath), mountPath })),
                            ...(caBundles ? [caBundleMount()] : []),
                        ],
                    },
                ],
                volumes: [
                    ...s.writablePaths.map((p) => ({ name: volumeName(p), emptyDir: { sizeLimit: "256Mi" } })),
                    ...(caBundles ? [{ name: CA_BUNDLE_VOLUME, configMap: { name: caBundles } }] : []),
                ],
            },
        },
    };
}

/** Egress of the migration pods: the database port at the data tier's subnets (DNS comes from allow-dns). */
export function migrationEgressPolicySpec(
    service: string,
    data: { cidrs: string[]; port: number }[],
    databasePort: number,
): k8s.networking.v1.NetworkPolicySpec {
    return {
        podSelector: { matchLabels: migrationLabels(service) },
        policyTypes: ["Egress"],
        egress: data
            .filter((d) => d.port === databasePort)
            .map((d) => ({ to: d.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: d.port }] })),
    };
}
