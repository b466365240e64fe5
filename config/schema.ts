/**
 * The stack-file contract: the zod schema that turns the `hangar:` keys of
 * `Pulumi.<stack>.yaml` into a typed PlatformConfig.
 *
 * Every field's message says what is expected, so that `formatIssue` can print
 * `hangar:<key path>: <message>` and the user knows what to change.
 * Per-environment defaults live in `profiles.ts`, not here: this schema only
 * validates the merged (profile ⊕ stack file) document.
 */
import { z } from "zod";

export const ENVIRONMENTS = ["prod", "staging", "ephemeral"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

// ---------------------------------------------------------------- primitives

/** An integer in [min, max], with one message for every way to miss it. */
export function intIn(min: number, max: number) {
    const error = `expected an integer ${min}–${max}`;
    return z.int({ error }).min(min, { error }).max(max, { error });
}

/** A mapping that refuses unknown keys, so a typo never passes silently. */
function mapping<T extends z.ZodRawShape>(shape: T) {
    return z.strictObject(shape, { error: "expected a mapping" });
}

const bool = () => z.boolean({ error: "expected true or false" });

function pattern(re: RegExp, what: string) {
    return z.string({ error: `expected ${what}` }).regex(re, { error: `expected ${what}` });
}

export const awsRegion = pattern(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, "an AWS region such as eu-west-1");
export const awsAccountId = pattern(/^\d{12}$/, "a 12-digit AWS account id");
/** RFC 1123 label: Kubernetes namespaces and most object names. */
export const dnsLabel = pattern(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "a DNS label (lower-case letters, digits and '-', at most 63 characters)");
export const hostname = pattern(
    /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/,
    "a fully qualified lower-case hostname such as api.example.com",
);
export const httpsUrl = pattern(/^https:\/\/[^\s/]+(:\d+)?(\/\S*)?$/, "an https:// URL");
const cidrPattern = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
export const cidr = pattern(cidrPattern, "an IPv4 CIDR such as 10.0.0.0/16");
const vpcId = pattern(/^vpc-[0-9a-f]{8,17}$/, "a VPC id such as vpc-0a1b2c3d4e5f60718");
const subnetId = pattern(/^subnet-[0-9a-f]{8,17}$/, "a subnet id such as subnet-0a1b2c3d4e5f60718");
const oidcProviderArn = pattern(
    /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/\S+$/,
    "an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/<issuer>)",
);
const stackReferenceName = pattern(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "a stack reference <org>/<project>/<stack>");
const semver = pattern(/^\d+\.\d+\.\d+$/, "a chart version such as 88.5.3");
const duration = pattern(/^\d+[smhdwy]$/, "a duration such as 15d");
const tagKey = pattern(/^[\w .:/=+@-]{1,128}$/, "an AWS tag key (1–128 characters)");
const tagValue = z.string({ error: "expected a string tag value" }).max(256, { error: "expected at most 256 characters" });

// ------------------------------------------------------------------ sections

export const foundationSchema = mapping({
    /** The AWS account and region every AWS provider is pinned to (`allowedAccountIds`). */
    aws: mapping({
        accountId: awsAccountId,
        region: awsRegion,
    }),
    /**
     * The Kubernetes cluster this stack may touch. The provider always uses `context`
     * explicitly (never the kubeconfig's current-context) and, when `server` is set,
     * refuses to run unless that context points at this API server.
     */
    kubernetes: mapping({
        context: z.string({ error: "expected a kubeconfig context name" }).min(1, { error: "expected a kubeconfig context name" }),
        server: httpsUrl.optional(),
    }),
    /** The VPC the data tier lives in; omit when `stackReference` supplies it. */
    network: mapping({
            vpcId,
            vpcCidr: cidr,
            privateSubnetIds: z.array(subnetId, { error: "expected a list of subnet ids" }).min(2, { error: "expected at least 2 subnets (two availability zones)" }),
            privateSubnetCidrs: z.array(cidr, { error: "expected a list of CIDRs" }).min(2, { error: "expected at least 2 CIDRs (two availability zones)" }),
        }).optional(),
    /** The cluster's IAM OIDC provider, for IRSA roles; omit when `stackReference` supplies it. */
    oidcProviderArn: oidcProviderArn.optional(),
    /** A stack (`org/project/stack`) whose outputs `vpcId`, `vpcCidr`, `privateSubnetIds`, `privateSubnetCidrs`, `oidcProviderArn` supply the network. */
    stackReference: stackReferenceName.optional(),
    /** Tags on every AWS resource (provider `defaultTags`). */
    tags: z.record(tagKey, tagValue, { error: "expected a mapping of tag keys to string values" }),
});

/** Kubernetes quantities: `250m`, `1`, `512Mi`, `2Gi`. */
const cpuQuantity = pattern(/^(\d+m|\d+(\.\d+)?)$/, "a CPU quantity such as 250m or 1");
const memoryQuantity = pattern(/^\d+(Ki|Mi|Gi|Ti|k|M|G|T)?$/, "a memory quantity such as 256Mi or 1Gi");
const httpPath = pattern(/^\/[\w./~%-]*$/, "an HTTP path such as /healthz");
const envName = pattern(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name such as LOG_LEVEL");
const wildcardHostname = pattern(
    /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/,
    "a hostname such as api.example.com or *.example.com",
);
/** Registry/name pinned by a tag other than `latest`, or by digest. */
export const pinnedImage = pattern(
    /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+(:(?!latest$)[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/,
    "an image pinned by tag or digest (registry/name:1.2.3 or registry/name@sha256:…), never :latest",
);

/** Settings every service shares; `app.serviceDefaults` sets them once, a service overrides. */
const serviceSettings = {
    /** `gateway` (HTTPRoute on app.gateway) or `ingress` (Ingress with app.ingress.className). */
    exposure: z.enum(["gateway", "ingress"], { error: "expected gateway or ingress" }),
    replicas: mapping({ min: intIn(1, 100), max: intIn(1, 100) }),
    resources: mapping({
        requests: mapping({ cpu: cpuQuantity, memory: memoryQuantity }),
        limits: mapping({ cpu: cpuQuantity.optional(), memory: memoryQuantity }),
    }),
    probes: mapping({
        liveness: httpPath,
        readiness: httpPath,
        startup: httpPath,
        periodSeconds: intIn(1, 300),
        timeoutSeconds: intIn(1, 60),
        failureThreshold: intIn(1, 30),
        /** Startup probe failures allowed: periodSeconds × this is the boot budget. */
        startupFailureThreshold: intIn(1, 120),
    }),
    autoscaling: mapping({ cpuUtilization: intIn(10, 100), memoryUtilization: intIn(10, 100) }),
    /** Opt-in egress to any address on 443 (external APIs); DNS and the data tier are always allowed. */
    allowHttpsEgress: bool(),
    /** Paths mounted as writable emptyDir volumes (the root filesystem is read-only). */
    writablePaths: z.array(pattern(/^\/[\w./-]*$/, "an absolute path"), { error: "expected a list of absolute paths" }),
};

export const serviceSchema = mapping({
    name: dnsLabel,
    /** Pinned image; or `build` to build and push one to ECR (needs a Docker daemon at `pulumi up`). */
    image: pinnedImage.optional(),
    build: mapping({
        context: z.string({ error: "expected a build context directory" }).min(1, { error: "expected a build context directory" }),
        dockerfile: z.string({ error: "expected a Dockerfile path" }).optional(),
        target: z.string({ error: "expected a build stage name" }).optional(),
    }).optional(),
    port: intIn(1, 65535),
    command: z.array(z.string({ error: "expected a string" }), { error: "expected a list of strings" }).optional(),
    args: z.array(z.string({ error: "expected a string" }), { error: "expected a list of strings" }).optional(),
    /** Plain (non-secret) environment variables. */
    env: z.record(envName, z.string({ error: "expected a string value (quote numbers and booleans)" }), { error: "expected a mapping of names to values" }).optional(),
    /** Environment variables read from keys of Kubernetes Secrets. */
    secretEnv: z
        .array(mapping({ name: envName, secret: dnsLabel, key: pattern(/^[-._a-zA-Z0-9]+$/, "a Secret key") }), { error: "expected a list of {name, secret, key}" })
        .optional(),
    /** Reachable from outside the cluster through app.gateway or app.ingress. */
    public: bool().default(false),
    host: hostname.optional(),
    /** Controller-specific Ingress annotations (rate limits, timeouts) for this service. */
    ingressAnnotations: z.record(z.string(), z.string({ error: "expected a string value" }), { error: "expected a mapping" }).optional(),
    metrics: mapping({ port: intIn(1, 65535), path: httpPath }).optional(),
    ...serviceSettings,
});

export const appSchema = mapping({
    /** Namespace of the app tier. */
    namespace: dnsLabel,
    /** The TLS Gateway public services attach to in `gateway` exposure. */
    gateway: mapping({
        namespace: dnsLabel,
        name: dnsLabel,
        /** The HTTPS listener every HTTPRoute names (`parentRefs[].sectionName`). */
        listener: dnsLabel,
        /** The listener's hostname; every public host must fall under it. Required when a public service uses the gateway. */
        hostname: wildcardHostname.optional(),
    }),
    /** Ingress settings for `ingress` exposure. */
    ingress: mapping({
        /** Required when a public service uses `ingress` exposure. */
        className: dnsLabel.optional(),
        /** cert-manager ClusterIssuer that signs the Ingress certificates. */
        clusterIssuer: dnsLabel,
        annotations: z.record(z.string(), z.string({ error: "expected a string value" }), { error: "expected a mapping" }),
    }),
    /**
     * Where public traffic comes from: `namespace` (the gateway/ingress controller's pods, in
     * `trafficNamespace`) or `vpc` (load-balancer ENIs, e.g. AWS Load Balancer Controller IP
     * targets: an ipBlock of the VPC CIDR).
     */
    trafficSource: z.enum(["namespace", "vpc"], { error: "expected namespace or vpc" }),
    trafficNamespace: dnsLabel,
    /** Namespace quota (ResourceQuota `hard`). */
    quota: mapping({ requestsCpu: cpuQuantity, requestsMemory: memoryQuantity, limitsMemory: memoryQuantity, pods: intIn(1, 10000) }),
    /** Defaults for every service; each service may override any of them. */
    serviceDefaults: mapping(serviceSettings),
    services: z.array(serviceSchema, { error: "expected a list of services" }),
});

const window = (what: string) => pattern(/^(mon|tue|wed|thu|fri|sat|sun):[0-2]\d:[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):[0-2]\d:[0-5]\d$/, what);
const dailyWindow = pattern(/^[0-2]\d:[0-5]\d-[0-2]\d:[0-5]\d$/, "a daily UTC window such as 03:00-04:00");

export const databaseSchema = mapping({
    enabled: bool(),
    /** PostgreSQL engine version: a major (minor upgrades follow automatically) or major.minor. */
    engineVersion: pattern(/^\d{2}(\.\d{1,2})?$/, "a PostgreSQL version such as 16 or 16.4"),
    instanceClass: pattern(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "an RDS instance class such as db.r7g.large"),
    /** Class of the read replicas; defaults to instanceClass. */
    replicaInstanceClass: pattern(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "an RDS instance class such as db.r7g.large").optional(),
    allocatedStorageGb: intIn(20, 65536),
    maxAllocatedStorageGb: intIn(20, 65536),
    multiAz: bool(),
    /** In-region read replicas (AWS allows 15 per source). */
    replicas: intIn(0, 15),
    /** Automated backup retention; AWS allows 0–35 days. */
    backupRetentionDays: intIn(0, 35),
    deletionProtection: bool(),
    databaseName: pattern(/^[a-z][a-z0-9_]{0,62}$/, "a database name (lower-case letters, digits, _)"),
    username: pattern(/^[a-z][a-z0-9_]{0,15}$/, "a user name of at most 16 characters (lower-case letters, digits, _)"),
    backupWindow: dailyWindow,
    maintenanceWindow: window("a weekly UTC window such as sun:04:30-sun:05:30"),
    /** Statements slower than this are logged (`log_min_duration_statement`). */
    logMinDurationMs: intIn(-1, 3600000),
    /** Enhanced monitoring interval; AWS accepts 0, 1, 5, 10, 15, 30, 60. */
    monitoringIntervalSeconds: z.union([0, 1, 5, 10, 15, 30, 60].map((n) => z.literal(n)), { error: "expected one of 0, 1, 5, 10, 15, 30, 60" }),
    /** Performance Insights retention: 7 (free) or a multiple of 31 up to 731. */
    performanceInsightsRetentionDays: z
        .int({ error: "expected 7 or a multiple of 31 up to 731" })
        .refine((n) => n === 7 || (n % 31 === 0 && n >= 31 && n <= 731), { error: "expected 7 or a multiple of 31 up to 731" }),
    /** libpq sslmode in the app's DATABASE_URL; verify-full needs the RDS CA bundle in the image. */
    clientSslMode: z.enum(["verify-full", "verify-ca", "require"], { error: "expected verify-full, verify-ca or require" }),
});

export const cacheSchema = mapping({
    enabled: bool(),
    engine: z.enum(["valkey", "redis"], { error: "expected valkey or redis" }),
    engineVersion: pattern(/^\d+(\.\d+)?$/, "an engine version such as 7.1 or 8.0"),
    nodeType: pattern(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, "an ElastiCache node type such as cache.r7g.large"),
    /** Nodes in the replication group (one primary, the rest replicas). */
    nodes: intIn(1, 6),
    multiAz: bool(),
    /** ElastiCache keeps snapshots 0–35 days. */
    snapshotRetentionDays: intIn(0, 35),
    snapshotWindow: dailyWindow,
    maintenanceWindow: window("a weekly UTC window such as sun:05:30-sun:06:30"),
    maxmemoryPolicy: z.enum(["volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu", "volatile-ttl", "noeviction"], {
        error: "expected a maxmemory-policy such as volatile-lru",
    }),
});

const ratio = (what: string) =>
    z.number({ error: `expected ${what} between 0 and 1` }).gt(0, { error: `expected ${what} between 0 and 1` }).max(1, { error: `expected ${what} between 0 and 1` });
const positive = (what: string) => z.number({ error: `expected ${what} > 0` }).gt(0, { error: `expected ${what} > 0` });
const storageSize = pattern(/^\d+(Mi|Gi|Ti)$/, "a volume size such as 100Gi");
const secretArn = pattern(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:\S+$/, "a Secrets Manager secret ARN");

export const monitoringSchema = mapping({
    enabled: bool(),
    /** `chart` installs kube-prometheus-stack; `existing-operator` uses one already in the cluster. */
    mode: z.enum(["chart", "existing-operator"], { error: "expected chart or existing-operator" }),
    chartVersion: semver,
    crdsChartVersion: semver,
    namespace: dnsLabel,
    /** Prometheus retention. */
    retention: duration,
    retentionSize: pattern(/^\d+(MB|GB|TB)$/, "a size such as 90GB"),
    storageSize,
    storageClass: dnsLabel,
    /** Opt-in: node-exporter needs host namespaces, so it gets its own privileged namespace (a policy exemption). */
    nodeExporter: bool(),
    prometheusReplicas: intIn(1, 5),
    alertmanagerReplicas: intIn(1, 5),
    /** Where Alertmanager sends alerts; the key lives in Secrets Manager. Required in prod with the chart. */
    receiver: mapping({
        type: z.enum(["pagerduty", "slack", "webhook"], { error: "expected pagerduty, slack or webhook" }),
        secretArn,
        secretJsonKey: z.string({ error: "expected a JSON property name" }).optional(),
        channel: z.string({ error: "expected a Slack channel" }).optional(),
    }).optional(),
    /** Grafana's public host (TLS, like the app: the app's gateway or ingress). Not exposed when unset. */
    grafanaHost: hostname.optional(),
    /** The app's metric names the alert rules select on. */
    metrics: mapping({
        requests: pattern(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, "a Prometheus metric name"),
        durationBuckets: pattern(/^[a-zA-Z_:][a-zA-Z0-9_:]*_bucket$/, "a histogram bucket metric name ending in _bucket"),
        statusLabel: pattern(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "a Prometheus label name"),
    }),
    /** Alert thresholds; per-environment defaults in the profiles. */
    thresholds: mapping({
        errorRatio: ratio("a 5xx ratio"),
        latencyP95Seconds: positive("seconds"),
        restarts: intIn(1, 1000),
        dumpMaxAgeHours: intIn(1, 24 * 31),
        postgresConnectionsRatio: ratio("a connection ratio"),
        replicaLagSeconds: positive("seconds"),
        redisMemoryRatio: ratio("a memory ratio"),
        redisEvictions: intIn(0, 100000000),
        runbookBaseUrl: httpsUrl,
    }),
    /** CloudWatch alarm notifications (SNS, KMS-encrypted). */
    alarmSubscriptions: z
        .array(mapping({ protocol: z.enum(["email", "https", "sqs", "lambda", "sms"], { error: "expected email, https, sqs, lambda or sms" }), endpoint: z.string({ error: "expected an endpoint" }).min(1) }), {
            error: "expected a list of {protocol, endpoint}",
        }),
});

const awsCron = pattern(/^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/, "an AWS cron expression such as cron(0 3 * * ? *)");
const kubeCron = pattern(/^(@(hourly|daily|weekly|monthly)|(\S+\s+){4}\S+)$/, "a cron schedule such as 15 2 * * *");

export const backupsSchema = mapping({
    enabled: bool(),
    /** AWS Backup daily rule: kept this many days (warm storage: RDS snapshots cannot move to cold). */
    dailyRetentionDays: intIn(1, 36500),
    /** AWS Backup monthly rule: kept this many months (0: no monthly rule). */
    monthlyRetentionMonths: intIn(0, 1200),
    dailySchedule: awsCron,
    monthlySchedule: awsCron,
    /** AWS Backup Vault Lock (governance mode until `changeableForDays` pass, then compliance). */
    vaultLock: mapping({ enabled: bool(), changeableForDays: intIn(3, 36500) }),
    /** The dump bucket's lifecycle: to Glacier Deep Archive after N days, expiry after M days (7 years). */
    bucket: mapping({ deepArchiveAfterDays: intIn(1, 36500), expireAfterDays: intIn(1, 36500) }),
    /** The logical dump CronJob (pg_dump over TLS to the dump bucket). */
    dump: mapping({
        enabled: bool(),
        schedule: kubeCron,
        /** Image with sh, pg_dump, aws CLI v2 and the RDS CA bundle; pinned. */
        image: pinnedImage.optional(),
        /** pg_dump's major version in the image: must be ≥ the database's major. */
        clientMajorVersion: intIn(9, 99),
        /** Path of the RDS CA bundle inside the image. */
        caBundlePath: pattern(/^\/\S+$/, "an absolute path"),
        /** activeDeadlineSeconds of each run. */
        deadlineSeconds: intIn(60, 86400),
    }),
});

export const drSchema = mapping({
    enabled: bool(),
    region: awsRegion.optional(),
    /** DR account (allowedAccountIds of the DR provider); defaults to foundation.aws.accountId. */
    accountId: awsAccountId.optional(),
    /** True once the DR replica has been promoted (see the README runbook): replication is no longer managed. */
    promoted: bool(),
    /** The DR region's VPC for the replica's subnet and security groups. Required when enabled. */
    network: mapping({
        vpcId,
        privateSubnetIds: z.array(subnetId, { error: "expected a list of subnet ids" }).min(2, { error: "expected at least 2 subnets (two availability zones)" }),
        privateSubnetCidrs: z.array(cidr, { error: "expected a list of CIDRs" }).min(2, { error: "expected at least 2 CIDRs (two availability zones)" }),
    }).optional(),
    /** Class of the cross-region replica; defaults to database.instanceClass. */
    instanceClass: pattern(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "an RDS instance class such as db.r7g.large").optional(),
    /** Route 53 failover for the public name; needs dns.hostedZoneId. */
    failover: mapping({
        /** The public name that fails over, under dns.domain. */
        recordName: hostname,
        /** The primary region's load balancer hostname (health-checked). */
        primaryHostname: hostname,
        /** The DR region's load balancer hostname. */
        secondaryHostname: hostname,
        healthCheckPath: pattern(/^\/[\w./~%-]*$/, "an HTTP path such as /healthz"),
    }).optional(),
    /** A minimal app tier on a DR cluster, pointed at the DR replica. */
    pilotLight: mapping({
        enabled: bool(),
        /** kubeconfig of the DR cluster, stored in Secrets Manager (DR region). */
        kubeconfigSecretArn: pattern(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:\S+$/, "a Secrets Manager secret ARN"),
        context: z.string({ error: "expected a kubeconfig context name" }).min(1, { error: "expected a kubeconfig context name" }),
        server: httpsUrl,
        /** The DR cluster's IAM OIDC provider, for the pilot-light ServiceAccount's IRSA role. */
        oidcProviderArn,
        /** Replicas of each service while the primary serves (0 or 1). */
        replicas: intIn(0, 1),
    }).optional(),
});

export const dnsSchema = mapping({
    hostedZoneId: pattern(/^Z[A-Z0-9]{1,32}$/, "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ").optional(),
    domain: hostname.optional(),
});

export const platformSchema = mapping({
    environment: z.enum(ENVIRONMENTS, { error: "expected prod, staging or ephemeral" }),
    foundation: foundationSchema,
    app: appSchema,
    database: databaseSchema,
    cache: cacheSchema,
    monitoring: monitoringSchema,
    backups: backupsSchema,
    dr: drSchema,
    dns: dnsSchema,
});

/** The sections a stack file may set under `hangar:`. */
export const SECTIONS = Object.keys(platformSchema.shape) as (keyof typeof platformSchema.shape)[];

export type PlatformConfig = z.output<typeof platformSchema>;
