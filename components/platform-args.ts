import { GatewayArgs, IngressArgs } from "./app-service";
import { AppServiceSpec } from "./app-spec";
import { QuotaArgs } from "./app-tier";
import { KubernetesTargetArgs } from "./cluster-target";
import { PostgresSettings } from "./postgres";
import { RedisSettings } from "./redis";
import { BucketRetentionArgs } from "./secure-bucket";
import { AlarmSubscriptionArgs, AlertReceiverArgs, AlertThresholdsArgs } from "./monitoring/args";

/*
 * PlatformArgs: the component contract of Platform, hand-written (no zod types,
 * no unions) so Platform can join the multi-language component package.
 */

/** The AWS account and region every AWS resource of the platform is pinned to. */
export interface AwsTargetArgs {
    /** The only account the AWS provider accepts credentials for (`allowedAccountIds`). */
    accountId: string;
    /** The primary region. */
    region: string;
    /**
     * Tags on every AWS resource (provider `defaultTags`), besides `hangar:stack` and `hangar:environment`.
     * @default {}
     */
    tags?: Record<string, string>;
}

/** The VPC the data tier lives in and the app tier reaches it from. */
export interface NetworkArgs {
    vpcId: string;
    vpcCidr: string;
    /** Private subnets, one per availability zone (at least two). */
    privateSubnetIds: string[];
    /** CIDRs of `privateSubnetIds`, in the same order. */
    privateSubnetCidrs: string[];
}

/** The app tier as Platform builds it. */
export interface PlatformAppArgs {
    /** @default "hangar" */
    namespace?: string;
    services: AppServiceSpec[];
    gateway?: GatewayArgs;
    ingress?: IngressArgs;
    /** `namespace` (controller pods in `trafficNamespace`) or `vpc` (load-balancer ENIs: the VPC CIDR). @default "namespace" */
    trafficSource?: string;
    /** @default "gateway-system" */
    trafficNamespace?: string;
    quota?: QuotaArgs;
}

/** Everything `Platform` needs; `toPlatformArgs` maps a parsed stack file onto it. */
export interface PlatformArgs {
    /** `prod`, `staging` or `ephemeral`: drives protection and sizing defaults. */
    environment: string;
    aws: AwsTargetArgs;
    kubernetes: KubernetesTargetArgs;
    /** The network; required unless `stackReference` supplies it. */
    network?: NetworkArgs;
    /** The cluster's IAM OIDC provider ARN (IRSA); required unless `stackReference` supplies it. */
    oidcProviderArn?: string;
    /** A stack (`org/project/stack`) whose outputs supply `network` and `oidcProviderArn`. */
    stackReference?: string;
    app?: PlatformAppArgs;
    /** The monitoring stack. @default off */
    monitoring?: PlatformMonitoringArgs;
    database?: PlatformDatabaseArgs;
    cache?: PlatformCacheArgs;
    /** The disaster-recovery region. @default off */
    dr?: PlatformDrArgs;
    /** Route 53 zone for failover records. */
    dns?: PlatformDnsArgs;
    /** AWS Backup, the dump bucket and the dump CronJob. @default off */
    backups?: PlatformBackupsArgs;
}

export interface PlatformDumpArgs {
    /** @default false */
    enabled?: boolean;
    /** Pinned image with sh, pg_dump, aws CLI v2 and the RDS CA bundle. Required when enabled. */
    image?: string;
    /** @default "15 2 * * *" */
    schedule?: string;
    /** @default "/etc/ssl/certs/rds-global-bundle.pem" */
    caBundlePath?: string;
    /** @default 3600 */
    deadlineSeconds?: number;
}

export interface PlatformBackupsArgs {
    /** @default false */
    enabled?: boolean;
    /** @default 35 */
    dailyRetentionDays?: number;
    /** @default 12 */
    monthlyRetentionMonths?: number;
    dailySchedule?: string;
    monthlySchedule?: string;
    /** @default false */
    vaultLock?: boolean;
    /** @default 3 */
    vaultLockChangeableForDays?: number;
    bucketRetention?: BucketRetentionArgs;
    dump?: PlatformDumpArgs;
}

export interface PlatformDatabaseArgs extends PostgresSettings {
    /** @default true */
    enabled?: boolean;
    /** libpq sslmode in DATABASE_URL; verify-full needs the RDS CA bundle in the image. @default "verify-full" */
    clientSslMode?: string;
}

export interface PlatformCacheArgs extends RedisSettings {
    /** @default true */
    enabled?: boolean;
}


export interface PlatformDnsArgs {
    hostedZoneId?: string;
    domain?: string;
}

export interface DrNetworkArgs {
    vpcId: string;
    privateSubnetIds: string[];
    privateSubnetCidrs: string[];
}

/** The public name's failover; the zone comes from `dns.hostedZoneId`. */
export interface PlatformFailoverArgs {
    recordName: string;
    primaryHostname: string;
    secondaryHostname: string;
    /** @default "/healthz" */
    healthCheckPath?: string;
}

/** A minimal app tier on a DR cluster, pointed at the DR replica. */
export interface PilotLightArgs {
    /** @default false */
    enabled?: boolean;
    /** Secrets Manager ARN (DR region) of the DR cluster's kubeconfig. */
    kubeconfigSecretArn: string;
    context: string;
    /** API server the context must point at (checked before any DR Kubernetes resource). */
    server: string;
    /** The DR cluster's IAM OIDC provider ARN. */
    oidcProviderArn: string;
    /** Replicas of each service (0 or 1). @default 0 */
    replicas?: number;
}

export interface PlatformDrArgs {
    /** @default false */
    enabled?: boolean;
    region: string;
    /** @default aws.accountId */
    accountId?: string;
    /** @default false */
    promoted?: boolean;
    network: DrNetworkArgs;
    /** @default database.instanceClass */
    instanceClass?: string;
    failover?: PlatformFailoverArgs;
    pilotLight?: PilotLightArgs;
}

export interface PlatformMonitoringArgs {
    /** @default false */
    enabled?: boolean;
    /** `chart` or `existing-operator`. @default "chart" */
    mode?: string;
    /** @default "monitoring" */
    namespace?: string;
    /** @default "88.5.3" */
    chartVersion?: string;
    /** @default "31.0.1" */
    crdsChartVersion?: string;
    retention?: string;
    retentionSize?: string;
    storageSize?: string;
    /** @default "gp3" */
    storageClass?: string;
    /** @default false */
    nodeExporter?: boolean;
    prometheusReplicas?: number;
    alertmanagerReplicas?: number;
    receiver?: AlertReceiverArgs;
    /** Grafana's public host, exposed like the app (gateway or ingress). @default not exposed */
    grafanaHost?: string;
    /** The app's request counter, duration histogram buckets and status label. */
    requestsMetric?: string;
    durationBucketMetric?: string;
    statusLabel?: string;
    thresholds?: AlertThresholdsArgs;
    /** @default [] */
    alarmSubscriptions?: AlarmSubscriptionArgs[];
}
