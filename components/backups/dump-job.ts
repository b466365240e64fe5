import * as aws from "../shared/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { secretKeysAnnotation } from "../shared/secret-keys";
import { caBundleConfigMap, caBundleConfigMapName, caBundleMount, caBundlePath, caBundleVolume } from "../shared/ca-bundle";
import { dependsOnOf, runtimeCredentials, RuntimeCredentialsArgs } from "../shared/external-secrets";
import { irsaTrustPolicy } from "../shared/irsa";
import { selectorLabels } from "../shared/labels";
import { restrictedPodSecurityContext, restrictedSecurityContext } from "../shared/security-context";
import { dumpWriterPolicy } from "./policy-documents";

/** The script the CronJob runs; kept as a file so the restore test runs the same bytes. */
export const DUMP_SCRIPT = path.join(__dirname, "pg-dump.sh");

/** The defaults `DumpJobArgs` documents. */
export const DUMP_JOB_DEFAULTS = {
    schedule: "15 2 * * *",
    deadlineSeconds: 3600,
    prefix: "postgres",
};

/** When and how long the dump runs (what a stack file sets). */
export interface DumpScheduleArgs {
    /** Kubernetes CronJob schedule of the dump. @default "15 2 * * *" */
    schedule?: string;
    /** Longest a dump run may take (`activeDeadlineSeconds`). @default 3600 */
    deadlineSeconds?: number;
}

export interface DumpJobArgs extends DumpScheduleArgs {
    /** Namespace (the app tier's). */
    namespace: pulumi.Input<string>;
    /** The cluster's IAM OIDC provider, for the job's IRSA role. */
    oidcProviderArn: pulumi.Input<string>;
    /** Pinned image with sh, pg_dump (major ≥ the server's) and aws CLI v2; the RDS CA bundle is mounted (shared/ca-bundle.ts). */
    image: string;
    /** Writer hostname (`PGHOST`). */
    host: pulumi.Input<string>;
    /** PostgreSQL port (`PGPORT`). */
    port: pulumi.Input<number>;
    /** Database to dump (`PGDATABASE`). */
    database: string;
    /** User the dump connects as (`PGUSER`). */
    username: string;
    /** That user's password (secret: kept in a Secret in `namespace`, never in the CronJob's spec). Ignored with `credentials`. @default read from `credentials` */
    password?: pulumi.Input<string>;
    /**
     * The password at run time instead: External Secrets Operator writes it into the Secret `pg-dump-master` (key
     * `PGPASSWORD`; the target of `credentials`), so a rotated master password reaches the next dump. @default none
     */
    credentials?: RuntimeCredentialsArgs;
    /** Subnets of the database: the job's only egress besides 443. */
    databaseCidrs: pulumi.Input<string[]>;
    /** Key prefix the job may write. @default "postgres" */
    prefix?: string;
    /** PriorityClass of the job's pods: a batch class that never preempts. @default none: the cluster's default priority */
    priorityClassName?: pulumi.Input<string>;
    /** Set by Backups. */
    bucketName?: pulumi.Input<string>;
    /** ARN of the dump bucket, for the job's IAM policy. Set by Backups. */
    bucketArn?: pulumi.Input<string>;
    /** KMS key of the dump bucket, for SSE-KMS uploads. Set by Backups. */
    kmsKeyArn?: pulumi.Input<string>;
}

/** Name (and pod label) of the dump CronJob; also its NetworkPolicy's. */
export const DUMP_JOB_NAME = "pg-dump";
/** The Secret External Secrets Operator writes for the job (a new name: `pg-dump-credentials` was Pulumi's). */
export const DUMP_CREDENTIALS_SECRET = "pg-dump-master";
const NAME = DUMP_JOB_NAME;
/** Label that marks a CronJob as a backup job. */
export const BACKUP_LABEL = "backup.hangar.dev/job";
const UID = 70; // the postgres user of the official images
/** The job's HOME: a writable emptyDir, since the root filesystem is read-only. */
const HOME = "/home/pg-dump";
/** The job's ConfigMap of the RDS CA bundle, `pg-dump-ca-bundles`. */
const CA_BUNDLES = caBundleConfigMapName(NAME);

/** The CronJob spec: restricted, bounded, never two at once. */
export function dumpCronJobSpec(a: {
    schedule: string;
    image: string;
    deadlineSeconds: number;
    database: string;
    username: string;
    destination: pulumi.Input<string>;
    host: pulumi.Input<string>;
    port: pulumi.Input<number>;
    priorityClassName?: pulumi.Input<string>;
    /** The Secret with key PGPASSWORD. @default "pg-dump-credentials" */
    passwordSecret?: string;
}) {
    const labels = selectorLabels(NAME);
    return {
        schedule: a.schedule,
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
            metadata: { labels },
            spec: {
                backoffLimit: 1,
                activeDeadlineSeconds: a.deadlineSeconds,
                ttlSecondsAfterFinished: 7 * 24 * 3600,
                template: {
                    metadata: { labels },
                    spec: {
                        restartPolicy: "Never",
                        serviceAccountName: NAME,
                        ...(a.priorityClassName ? { priorityClassName: a.priorityClassName } : {}),
                        automountServiceAccountToken: false,
                        securityContext: restrictedPodSecurityContext(UID),
                        containers: [
                            {
                                name: NAME,
                                image: a.image,
                                command: ["sh", "/opt/hangar/pg-dump.sh"],
                                env: [
                                    { name: "PGHOST", value: a.host },
                                    { name: "PGPORT", value: pulumi.output(a.port).apply(String) },
                                    { name: "PGDATABASE", value: a.database },
                                    { name: "PGUSER", value: a.username },
                                    {
                                        name: "PGPASSWORD",
                                        valueFrom: { secretKeyRef: { name: a.passwordSecret ?? `${NAME}-credentials`, key: "PGPASSWORD" } },
                                    },
                                    // verify-full against the RDS CAs mounted below: the system roots do not sign RDS certificates.
                                    { name: "PGSSLMODE", value: "verify-full" },
                                    { name: "PGSSLROOTCERT", value: caBundlePath("rds") },
                                    { name: "DUMP_DESTINATION", value: a.destination },
                                    { name: "TMPDIR", value: "/work" },
                                    // aws CLI v2 under IRSA caches credentials under ~/.aws/cli/cache (aws/aws-cli#7376,
                                    // #9075): with a read-only root HOME must be a writable mount, or the upload fails
                                    // after pg_dump succeeded.
                                    { name: "HOME", value: HOME },
                                ],
                                resources: {
                                    requests: { cpu: "250m", memory: "256Mi", "ephemeral-storage": "1Gi" },
                                    limits: { memory: "1Gi", "ephemeral-storage": "20Gi" },
                                },
                                securityContext: restrictedSecurityContext(UID),
                                volumeMounts: [
                                    { name: "script", mountPath: "/opt/hangar", readOnly: true },
                                    { name: "work", mountPath: "/work" },
                                    { name: "home", mountPath: HOME },
                                    caBundleMount(),
                                ],
                            },
                        ],
                        volumes: [
                            { name: "script", configMap: { name: `${NAME}-script`, defaultMode: 0o555 } },
                            { name: "work", emptyDir: { sizeLimit: "20Gi" } },
                            { name: "home", emptyDir: { sizeLimit: "64Mi" } },
                            caBundleVolume(CA_BUNDLES),
                        ],
                    },
                },
            },
        },
    };
}

/**
 * The logical dump: a restricted CronJob running pg-dump.sh against the writer
 * over verified TLS, writing only its prefix of the dump bucket through IRSA.
 */
export class DumpJob extends pulumi.ComponentResource {
    constructor(name: string, args: DumpJobArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hangar:index:DumpJob", name, {}, opts);
        if (!args.bucketArn || !args.bucketName || !args.kmsKeyArn)
            throw new pulumi.ResourceError("DumpJob needs bucketName, bucketArn and kmsKeyArn", this);
        const child = { parent: this };
        const d = DUMP_JOB_DEFAULTS;
        const prefix = args.prefix ?? d.prefix;
        const labels = selectorLabels(NAME);
        const metadata = (suffix = "") => ({ name: `${NAME}${suffix}`, namespace: args.namespace, labels });
        // Marks the CronJob as a backup for the guardrails (kubernetes-cronjob-backup-bounded).
        const backupLabels = { ...labels, [BACKUP_LABEL]: "true" };

        const role = new aws.iam.Role(
            `${name}-irsa`,
            {
                description: "pg-dump CronJob: writes its prefix of the dump bucket",
                assumeRolePolicy: pulumi.all([args.oidcProviderArn, args.namespace]).apply(([arn, ns]) => irsaTrustPolicy(arn, ns, NAME)),
            },
            child,
        );
        new aws.iam.RolePolicy(
            `${name}-irsa`,
            {
                role: role.id,
                policy: pulumi
                    .all([args.bucketArn, args.kmsKeyArn])
                    .apply(([bucketArn, kmsKeyArn]) => dumpWriterPolicy({ bucketArn, prefix, kmsKeyArn })),
            },
            child,
        );
        new k8s.core.v1.ServiceAccount(
            name,
            { metadata: { ...metadata(), annotations: { "eks.amazonaws.com/role-arn": role.arn } }, automountServiceAccountToken: false },
            child,
        );
        // The master password at run time (External Secrets Operator, awaited Ready), or a copy Pulumi keeps.
        const passwordSecret = args.credentials
            ? runtimeCredentials(`${name}-credentials`, args.namespace, args.credentials, { parent: this, dependsOn: dependsOnOf(opts) })
            : args.password !== undefined
              ? [
                    new k8s.core.v1.Secret(
                        name,
                        {
                            metadata: { ...metadata("-credentials"), annotations: secretKeysAnnotation({ PGPASSWORD: true }) },
                            type: "Opaque",
                            stringData: { PGPASSWORD: pulumi.secret(args.password) },
                        },
                        child,
                    ),
                ]
              : undefined;
        if (!passwordSecret) throw new pulumi.ResourceError("DumpJob needs credentials or password", this);
        const script = new k8s.core.v1.ConfigMap(
            name,
            { metadata: metadata("-script"), data: { "pg-dump.sh": fs.readFileSync(DUMP_SCRIPT, "utf8") } },
            child,
        );
        const caBundles = caBundleConfigMap(`${name}-ca`, { owner: NAME, namespace: args.namespace, labels }, child);
        // Its own policy: 5432 to the writer's subnets, 443 for S3 and STS; DNS comes from the namespace policy.
        new k8s.networking.v1.NetworkPolicy(
            name,
            {
                metadata: metadata(),
                spec: {
                    podSelector: { matchLabels: labels },
                    policyTypes: ["Ingress", "Egress"],
                    egress: [
                        {
                            to: pulumi.output(args.databaseCidrs).apply((cidrs) => cidrs.map((cidr) => ({ ipBlock: { cidr } }))),
                            ports: [{ protocol: "TCP", port: 5432 }],
                        },
                        { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] },
                    ],
                },
            },
            child,
        );
        new k8s.batch.v1.CronJob(
            name,
            {
                metadata: { ...metadata(), labels: backupLabels },
                spec: dumpCronJobSpec({
                    schedule: args.schedule ?? d.schedule,
                    image: args.image,
                    deadlineSeconds: args.deadlineSeconds ?? d.deadlineSeconds,
                    database: args.database,
                    username: args.username,
                    destination: pulumi.interpolate`s3://${args.bucketName}/${prefix}`,
                    host: args.host,
                    port: args.port,
                    priorityClassName: args.priorityClassName,
                    passwordSecret: args.credentials ? DUMP_CREDENTIALS_SECRET : undefined,
                }),
            },
            // A pod whose ConfigMap volume or Secret is missing waits in ContainerCreating: the Job would burn its deadline.
            { parent: this, dependsOn: [script, caBundles, ...passwordSecret] },
        );
        this.registerOutputs({ cronJobName: NAME });
    }
}
