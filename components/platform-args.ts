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
    /** The VPC the database and cache security groups are created in. */
    vpcId: string;
    /** CIDR of the VPC; admits public traffic to the app when `app.trafficSource` is `vpc`. */
    vpcCidr: string;
    /** Private subnets, one per availability zone (at least two). */
    privateSubnetIds: string[];
    /** CIDRs of `privateSubnetIds`, in the same order. */
    privateSubnetCidrs: string[];
}

/** The app tier as Platform builds it. */
export interface PlatformAppArgs {
    /** Namespace the app tier creates (restricted Pod Security Standard) and runs in. @default "hangar" */
    namespace?: string;
    /** The services to run; each also gets the data tier's URLs from the `data-tier` Secret in `secretEnv`. */
    services: AppServiceSpec[];
    /** The Gateway that public services with `gateway` exposure (and Grafana) attach their HTTPRoutes to. */
    gateway?: GatewayArgs;
    /** Ingress settings of public services with `ingress` exposure (and of Grafana). */
    ingress?: IngressArgs;
    /** `namespace` (controller pods in `trafficNamespace`) or `vpc` (load-balancer ENIs: the VPC CIDR). @default "namespace" */
    trafficSource?: string;
    /** Namespace of the gateway/ingress controller pods public traffic comes from, with `trafficSource` `namespace`. @default "gateway-system" */
    trafficNamespace?: string;
    /** ResourceQuota of the app namespace. */
    quota?: QuotaArgs;
}

/** Everything `Platform` needs; `toPlatformArgs` maps a parsed stack file onto it. */
export interface PlatformArgs {
    /** `prod`, `staging` or `ephemeral`: drives protection and sizing defaults. */
    environment: string;
    /** The primary AWS account and region, and the default tags of every AWS resource. */
    aws: AwsTargetArgs;
    /** The primary cluster and its kubeconfig; the context is checked before any resource is registered. */
    kubernetes: KubernetesTargetArgs;
    /** The network; required unless `stackReference` supplies it. */
    network?: NetworkArgs;
    /** The cluster's IAM OIDC provider ARN (IRSA); required unless `stackReference` supplies it. */
    oidcProviderArn?: string;
    /** A stack (`org/project/stack`) whose outputs supply `network` and `oidcProviderArn`. */
    stackReference?: string;
    /** The app tier (namespace, services, exposure); no app tier when unset. */
    app?: PlatformAppArgs;
    /** The monitoring stack. @default off */
    monitoring?: PlatformMonitoringArgs;
    /** PostgreSQL on RDS; created when unset too, unless `enabled` is false. */
    database?: PlatformDatabaseArgs;
    /** The Redis-protocol cache on ElastiCache; created when unset too, unless `enabled` is false. */
    cache?: PlatformCacheArgs;
    /** The disaster-recovery region. @default off */
    dr?: PlatformDrArgs;
    /** Route 53 zone for failover records. */
    dns?: PlatformDnsArgs;
    /** AWS Backup, the dump bucket and the dump CronJob. @default off */
    backups?: PlatformBackupsArgs;
}

export interface PlatformDumpArgs {
    /** Create the logical-dump CronJob; it also needs `image`, and an app tier for its namespace. @default false */
    enabled?: boolean;
    /** Pinned image with sh, pg_dump, aws CLI v2 and the RDS CA bundle. Required when enabled. */
    image?: string;
    /** Kubernetes CronJob schedule of the dump. @default "15 2 * * *" */
    schedule?: string;
    /** Path of the RDS CA bundle inside the image (`PGSSLROOTCERT`; the dump connects with sslmode verify-full). @default "/etc/ssl/certs/rds-global-bundle.pem" */
    caBundlePath?: string;
    /** Longest a dump run may take (`activeDeadlineSeconds`). @default 3600 */
    deadlineSeconds?: number;
}

export interface PlatformBackupsArgs {
    /** Create the AWS Backup vault and plan and the dump bucket for the database (needs `database`). @default false */
    enabled?: boolean;
    /** Days the daily recovery points are kept; also the Vault Lock's minimum retention. @default 35 */
    dailyRetentionDays?: number;
    /** Months the monthly recovery points are kept (0: no monthly rule). @default 12 */
    monthlyRetentionMonths?: number;
    /** AWS Backup cron expression (UTC) of the daily rule; unset keeps Backups' `cron(0 3 * * ? *)`. */
    dailySchedule?: string;
    /** AWS Backup cron expression (UTC) of the monthly rule; unset keeps Backups' `cron(0 4 1 * ? *)`. */
    monthlySchedule?: string;
    /** Vault Lock: recovery points cannot be deleted early, even by an administrator. @default false */
    vaultLock?: boolean;
    /** Days the lock can still be removed (governance), then it is permanent. @default 3 */
    vaultLockChangeableForDays?: number;
    /** Lifecycle of the dump bucket: Deep Archive, expiry, noncurrent versions. */
    bucketRetention?: BucketRetentionArgs;
    /** The logical pg_dump CronJob, writing to the dump bucket. */
    dump?: PlatformDumpArgs;
}

export interface PlatformDatabaseArgs extends PostgresSettings {
    /** Create the PostgreSQL database. @default true */
    enabled?: boolean;
    /** libpq sslmode in DATABASE_URL; verify-full needs the RDS CA bundle in the image. @default "verify-full" */
    clientSslMode?: string;
}

export interface PlatformCacheArgs extends RedisSettings {
    /** Create the cache. @default true */
    enabled?: boolean;
}


export interface PlatformDnsArgs {
    /** Route 53 hosted zone of the DR failover records; without it `dr.failover` creates none. */
    hostedZoneId?: string;
    /** The public domain; the stack-file rules require `dr.failover.recordName` under it (Platform does not read it). */
    domain?: string;
}

export interface DrNetworkArgs {
    /** The DR region's VPC, where the replica's security group lives. */
    vpcId: string;
    /** Private subnets of the DR VPC for the replica's subnet group (at least two availability zones). */
    privateSubnetIds: string[];
    /** CIDRs of `privateSubnetIds`: allowed on 5432 to the replica, and the pilot light's data-tier egress. */
    privateSubnetCidrs: string[];
}

/** The public name's failover; the zone comes from `dns.hostedZoneId`. */
export interface PlatformFailoverArgs {
    /** The public name that fails over. */
    recordName: string;
    /** The primary region's load balancer hostname; the health check probes it. */
    primaryHostname: string;
    /** The DR region's load balancer hostname. */
    secondaryHostname: string;
    /** HTTPS path the Route 53 health check probes on `primaryHostname`. @default "/healthz" */
    healthCheckPath?: string;
}

/** A minimal app tier on a DR cluster, pointed at the DR replica. */
export interface PilotLightArgs {
    /** Deploy the pilot-light app tier on the DR cluster (needs `app`). @default false */
    enabled?: boolean;
    /** Secrets Manager ARN (DR region) of the DR cluster's kubeconfig. */
    kubeconfigSecretArn: string;
    /** The kubeconfig context of the DR cluster; always explicit, like `kubernetes.context`. */
    context: string;
    /** API server the context must point at (checked before any DR Kubernetes resource). */
    server: string;
    /** The DR cluster's IAM OIDC provider ARN. */
    oidcProviderArn: string;
    /** Replicas of each service (0 or 1). @default 0 */
    replicas?: number;
}

export interface PlatformDrArgs {
    /** Create the DR resources in `region` (with `database`): cross-region replica, backup vault, replica bucket. @default false */
    enabled?: boolean;
    /** The DR region; it gets its own AWS provider. */
    region: string;
    /** Account the DR provider is pinned to (`allowedAccountIds`); part of the replica bucket's name. @default aws.accountId */
    accountId?: string;
    /** The replica has been promoted (the failover itself): it is managed as a standalone instance, replication no longer. @default false */
    promoted?: boolean;
    /** The DR region's VPC and private subnets. */
    network: DrNetworkArgs;
    /** Class of the cross-region replica. @default database.instanceClass */
    instanceClass?: string;
    /** Route 53 failover of the public name; needs `dns.hostedZoneId`. */
    failover?: PlatformFailoverArgs;
    /** A minimal app tier on a DR cluster, pointed at the DR replica. */
    pilotLight?: PilotLightArgs;
}

export interface PlatformMonitoringArgs {
    /** Deploy the monitoring stack. @default false */
    enabled?: boolean;
    /** `chart` or `existing-operator`. @default "chart" */
    mode?: string;
    /** Namespace of the stack and of Hangar's monitoring objects; the app admits scrapes from it. @default "monitoring" */
    namespace?: string;
    /** kube-prometheus-stack chart version. @default "88.5.3" */
    chartVersion?: string;
    /** prometheus-operator-crds chart version (the CRDs are kept on delete). @default "31.0.1" */
    crdsChartVersion?: string;
    /** How long Prometheus keeps samples (`15d`, `12h`); default per environment, as in Monitoring. */
    retention?: string;
    /** Size cap of the Prometheus TSDB (`45GB`), below `storageSize`; default per environment. */
    retentionSize?: string;
    /** PersistentVolumeClaim size of each Prometheus replica (`50Gi`); default per environment. */
    storageSize?: string;
    /** StorageClass of the Prometheus and Alertmanager volumes. @default "gp3" */
    storageClass?: string;
    /** Install node-exporter (host namespaces) in its own privileged namespace. @default false */
    nodeExporter?: boolean;
    /** Prometheus replicas; default per environment (prod 2, otherwise 1). */
    prometheusReplicas?: number;
    /** Alertmanager replicas; default per environment (prod 2, otherwise 1), at least 2 in prod with mode `chart`. */
    alertmanagerReplicas?: number;
    /** Where Alertmanager sends alerts; required in prod with mode `chart`. */
    receiver?: AlertReceiverArgs;
    /** Grafana's public host, exposed like the app (gateway or ingress). @default not exposed */
    grafanaHost?: string;
    /** The app's request counter, duration histogram buckets and status label. */
    requestsMetric?: string;
    /** The app's request-duration histogram, its `_bucket` series. */
    durationBucketMetric?: string;
    /** Label of `requestsMetric` carrying the HTTP status code. */
    statusLabel?: string;
    /** Thresholds of Hangar's alert rules and CloudWatch alarms. */
    thresholds?: AlertThresholdsArgs;
    /** Who the CloudWatch alarms' SNS topic notifies. @default [] */
    alarmSubscriptions?: AlarmSubscriptionArgs[];
}
