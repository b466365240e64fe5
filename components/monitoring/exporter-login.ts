/**
 * The PostgreSQL exporter's own login: a `pg_monitor` role, created and kept
 * current by a restricted one-shot Job that alone reads the master credentials.
 * Its password comes from `random` and lives in Secrets Manager under the data
 * tier's key; the Kubernetes Secrets are projections of it, by name, so that a
 * later change can sync them from Secrets Manager instead (the Job and the
 * exporter only name Secrets and the password version, never a value).
 */
import * as aws from "../shared/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createHash } from "crypto";
import { selectorLabels } from "../shared/labels";
import { caBundleConfigMap, caBundleConfigMapName, caBundleMount, caBundlePath, caBundleVolume } from "../shared/ca-bundle";
import { lifecycle } from "../shared/lifecycle";
import { RDS_PASSWORD_SPECIALS } from "../shared/postgres-parameters";
import { secretKeysAnnotation } from "../shared/secret-keys";
import { restrictedPodSecurityContext, restrictedSecurityContext } from "../shared/security-context";
import type { PostgresExporterArgs, PostgresLoginArgs } from "./args";
import type { ResolvedMonitoring } from "./resolve";

export const EXPORTER_LOGIN_DEFAULTS = {
    username: "hangar_monitor",
    passwordVersion: 1,
    // psql ≥ 15 for \getenv; UID 70 is the image's postgres user.
    image: "postgres:16.6-alpine",
};

/** Name (and pod label) of the login Job; also its NetworkPolicy's. */
export const EXPORTER_LOGIN = "postgres-exporter-login";
/** The Secret the exporter reads: the login's user and password, nothing else. */
export const EXPORTER_SECRET = "postgres-exporter";
/** The Job's own Secret: the master credentials and the password to set. No other pod mounts it. */
const JOB_SECRET = `${EXPORTER_LOGIN}-credentials`;
const UID = 70;
const HOME = "/home/login";

/**
 * Idempotent: creates the role when missing, then (every run) sets its password and attributes and grants
 * pg_monitor. User and password come from the environment (`\getenv`, psql ≥ 15) and are quoted by format's
 * %I/%L, so neither is in this text, the ConfigMap or the Job.
 */
export const EXPORTER_LOGIN_SQL = `\\set ON_ERROR_STOP on
\\getenv exporter_user EXPORTER_USER
\\getenv exporter_password EXPORTER_PASSWORD
SELECT format('CREATE ROLE %I LOGIN', :'exporter_user')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'exporter_user') \\gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD %L', :'exporter_user', :'exporter_password') \\gexec
SELECT format('GRANT pg_monitor TO %I', :'exporter_user') \\gexec
`;

/**
 * A Job is immutable and pulumi-kubernetes awaits it (Complete, or fails on Failed: "Job" in the provider's
 * API docs, https://www.pulumi.com/registry/packages/kubernetes/api-docs/batch/v1/job/). Named by a hash of
 * what it does, a new Job runs exactly when the SQL, the user or the password version changes; without
 * ttlSecondsAfterFinished it stays, so a refresh still finds it and the next `up` does not run it again.
 */
export function exporterLoginJobName(sql: string, passwordVersion: string, username: string): string {
    const hash = createHash("sha256").update([sql, passwordVersion, username].join("\0")).digest("hex");
    return `${EXPORTER_LOGIN}-${hash.slice(0, 10)}`;
}

/** The Job's spec: restricted, read-only root, bounded, verified TLS; values only through Secrets. */
export function exporterLoginJobSpec(a: {
    image: string;
    host: pulumi.Input<string>;
    port: pulumi.Input<string>;
    database: pulumi.Input<string>;
    username: string;
    sqlConfigMap: string;
    /** The Job's RDS CA-bundle ConfigMap (shared/ca-bundle.ts): verify-full needs the RDS CAs, not the image's roots. */
    caConfigMap: string;
    /** The monitoring PriorityClass, like the other pods of the namespace. */
    priorityClassName?: pulumi.Input<string>;
    /** The Secret with `master-username` and `master-password` (External Secrets Operator's). @default the Job's own Secret */
    masterSecret?: string;
}) {
    const labels = selectorLabels(EXPORTER_LOGIN);
    const fromSecret = (name: string, key: string, secret = JOB_SECRET) => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });
    const master = a.masterSecret ?? JOB_SECRET;
    return {
        backoffLimit: 3,
        activeDeadlineSeconds: 600,
        template: {
            metadata: { labels },
            spec: {
                restartPolicy: "Never",
                automountServiceAccountToken: false,
                ...(a.priorityClassName ? { priorityClassName: a.priorityClassName } : {}),
                securityContext: restrictedPodSecurityContext(UID),
                containers: [
                    {
                        name: "psql",
                        image: a.image,
                        command: ["psql", "--no-psqlrc", "--quiet", "--file=/opt/hangar/login.sql"],
                        env: [
                            { name: "PGHOST", value: a.host },
                            { name: "PGPORT", value: a.port },
                            { name: "PGDATABASE", value: a.database },
                            fromSecret("PGUSER", "master-username", master),
                            fromSecret("PGPASSWORD", "master-password", master),
                            { name: "PGSSLMODE", value: "verify-full" },
                            { name: "PGSSLROOTCERT", value: caBundlePath("rds") },
                            { name: "PGCONNECT_TIMEOUT", value: "10" },
                            { name: "PGAPPNAME", value: EXPORTER_LOGIN },
                            { name: "EXPORTER_USER", value: a.username },
                            fromSecret("EXPORTER_PASSWORD", "exporter-password"),
                            // libpq looks under ~/.postgresql; nothing should write, but the root is read-only.
                            { name: "HOME", value: HOME },
                        ],
                        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
                        securityContext: restrictedSecurityContext(UID),
                        volumeMounts: [
                            { name: "sql", mountPath: "/opt/hangar", readOnly: true },
                            { name: "home", mountPath: HOME },
                            caBundleMount(),
                        ],
                    },
                ],
                volumes: [
                    { name: "sql", configMap: { name: a.sqlConfigMap } },
                    { name: "home", emptyDir: { sizeLimit: "16Mi" } },
                    caBundleVolume(a.caConfigMap),
                ],
            },
        },
    };
}

interface LoginContext {
    name: string;
    r: ResolvedMonitoring;
    parent: pulumi.Resource;
    dependsOn: pulumi.Resource[];
}

/** The login's resources. Returns what the exporter connects with and the Job it must wait for. */
export function exporterLogin(ctx: LoginContext, pg: PostgresExporterArgs, login: PostgresLoginArgs) {
    const { name, r, parent } = ctx;
    const d = EXPORTER_LOGIN_DEFAULTS;
    const username = login.username ?? d.username;
    const version = String(login.passwordVersion ?? d.passwordVersion);
    const life = lifecycle(r.environment);
    const child = { parent };
    const inNamespace = { parent, dependsOn: ctx.dependsOn };
    const labels = selectorLabels(EXPORTER_LOGIN);

    // The master password's constraints (DESIGN traps): RDS refuses / @ " and space.
    const password = new random.RandomPassword(
        `${name}-${EXPORTER_LOGIN}`,
        { length: 32, special: true, overrideSpecial: RDS_PASSWORD_SPECIALS, minSpecial: 2, minNumeric: 2, keepers: { version } },
        child,
    );
    const secret = new aws.secretsmanager.Secret(
        `${name}-${EXPORTER_LOGIN}`,
        {
            name: login.secretName,
            description: `PostgreSQL login of the monitoring exporter (pg_monitor)`,
            kmsKeyId: login.kmsKeyArn,
            recoveryWindowInDays: life.secretRecoveryWindowDays,
        },
        { parent, protect: life.protect },
    );
    new aws.secretsmanager.SecretVersion(
        `${name}-${EXPORTER_LOGIN}`,
        {
            secretId: secret.id,
            secretString: pulumi.secret(pulumi.jsonStringify({ username, password: password.result, passwordVersion: version })),
        },
        child,
    );
    // The master credentials come from External Secrets Operator's Secret when there is one (they rotate); the Job's
    // own Secret then holds only the exporter's password, which Pulumi generates and the Job sets.
    if (!login.masterSecret && (login.masterUsername === undefined || login.masterPassword === undefined))
        throw new pulumi.ResourceError("Monitoring: postgres.login needs masterSecret, or masterUsername and masterPassword", parent);
    const jobSecretData: Record<string, pulumi.Input<string>> = {
        ...(login.masterSecret
            ? {}
            : { "master-username": pulumi.secret(login.masterUsername!), "master-password": pulumi.secret(login.masterPassword!) }),
        "exporter-password": pulumi.secret(password.result),
    };
    const jobSecret = new k8s.core.v1.Secret(
        `${name}-${EXPORTER_LOGIN}`,
        {
            metadata: {
                name: JOB_SECRET,
                namespace: r.namespace,
                labels,
                annotations: secretKeysAnnotation(jobSecretData),
            },
            type: "Opaque",
            stringData: jobSecretData,
        },
        inNamespace,
    );
    const jobName = exporterLoginJobName(EXPORTER_LOGIN_SQL, version, username);
    // Its own copy of the one RDS bundle (the exporter's is created after this Job, which the exporter waits for).
    const ca = caBundleConfigMap(`${name}-${EXPORTER_LOGIN}-ca`, { owner: EXPORTER_LOGIN, namespace: r.namespace, labels }, inNamespace);
    // Immutable and named like its Job: a new SQL text comes with a new Job, never under a running one.
    const sql = new k8s.core.v1.ConfigMap(
        `${name}-${EXPORTER_LOGIN}`,
        { metadata: { name: jobName, namespace: r.namespace, labels }, immutable: true, data: { "login.sql": EXPORTER_LOGIN_SQL } },
        inNamespace,
    );
    const job = new k8s.batch.v1.Job(
        `${name}-${EXPORTER_LOGIN}`,
        {
            metadata: {
                name: jobName,
                namespace: r.namespace,
                labels,
                // A Job that failed (database unreachable, say) is replaced on the next up rather than awaited again.
                annotations: { "pulumi.com/replaceUnready": "true" },
            },
            spec: exporterLoginJobSpec({
                image: login.image ?? d.image,
                host: pg.host,
                port: pulumi.output(pg.port ?? 5432).apply(String),
                database: pg.database,
                username,
                sqlConfigMap: jobName,
                caConfigMap: caBundleConfigMapName(EXPORTER_LOGIN),
                priorityClassName: r.priorityClassName,
                masterSecret: login.masterSecret,
            }),
        },
        { parent, dependsOn: [...ctx.dependsOn, jobSecret, sql, ca] },
    );
    return { username, password: pulumi.secret(password.result), job, credentialsVersion: version };
}
