/*
 * PlatformArgs: the component contract of Platform, hand-written (no zod types,
 * no unions) so Platform can join the multi-language component package. Each
 * section reuses its component's own settings interface, so a setting has one
 * shape and one doc comment from the stack-file mapping to the component.
 */
import type { AppTierSettings } from "../app";
import type { GatewayPluginArgs } from "../rollouts";
import type { BackupsSettings, DumpScheduleArgs } from "../backups";
import type { PostgresSettings, RedisSettings } from "../data";
import type { FailoverRecordArgs } from "../disaster-recovery";
import type { AlarmSubscriptionArgs, MonitoringSettings } from "../monitoring";
import type { KubernetesTargetArgs } from "./cluster-target";

/** Platform's own defaults: which sections exist when the args leave them out. */
export const PLATFORM_DEFAULTS = {
    database: { enabled: true, clientSslMode: "verify-full" },
    cache: { enabled: true },
    monitoring: { enabled: false },
    backups: { enabled: false, dump: { enabled: false } },
    dr: { enabled: false, pilotLight: { enabled: false, replicas: 0 } },
};

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

/** The app tier as Platform builds it: AppTier's settings, plus where public traffic enters. */
/** The Argo Rollouts controller of canary and blue-green services, and the route-rules switch. */
export interface PlatformRolloutsArgs {
    /** `chart` installs argo-rollouts; `existing` uses a controller (and CRDs) the cluster already runs. @default "chart" */
    mode?: string;
    /** Namespace of the controller. @default "argo-rollouts" */
    namespace?: string;
    /** Version of the argo-rollouts chart. @default "2.41.0" */
    chartVersion?: string;
    /** The Gateway API traffic-router plugin; without it canaries are split by replica counts. @default none */
    gatewayPlugin?: GatewayPluginArgs;
    /** Apply canary routes' `spec.rules` in this `up` (the second step of a rules change). @default false */
    applyRouteRules?: boolean;
}

export interface PlatformAppArgs extends AppTierSettings {
    /** The Argo Rollouts controller; installed (mode `chart`) when a service is `canary` or `blueGreen`. @default chart 2.41.0 */
    rollouts?: PlatformRolloutsArgs;
    /** `namespace` (controller pods in `trafficNamespace`) or `vpc` (load-balancer ENIs: the VPC CIDR). @default "namespace" */
    trafficSource?: string;
    /** Namespace of the gateway/ingress controller pods public traffic comes from, with `trafficSource` `namespace`. @default "gateway-system" */
    trafficNamespace?: string;
}

/** The settings Platform reads (stack file `hangar:externalSecrets`). */
export interface PlatformExternalSecretsArgs {
    /** `managed` installs external-secrets (pinned chart); `existing` uses the cluster's operator. @default "managed" */
    mode?: string;
    /** Namespace of the operator. @default "external-secrets" */
    namespace?: string;
    /** Version of the external-secrets chart. @default "2.9.0" */
    chartVersion?: string;
    /** How often ESO rereads Secrets Manager and rewrites the Secrets, a Go duration. @default "15m" */
    refreshInterval?: string;
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
    /** Subnets of the EKS control-plane ENIs (API server, webhook calls), for the monitoring NetworkPolicies. @default the private subnet CIDRs */
    controlPlaneCidrs?: string[];
    /** The cluster's IAM OIDC provider ARN (IRSA); required unless `stackReference` supplies it. */
    oidcProviderArn?: string;
    /** A stack (`org/project/stack`) whose outputs supply `network` and `oidcProviderArn`. */
    stackReference?: string;
    /** The app tier (namespace, services, exposure); no app tier when unset. Its services also get the data tier's URLs. */
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
    /** External Secrets Operator: how pods get the data tier's credentials at run time. @default managed, refreshed every 15m */
    externalSecrets?: PlatformExternalSecretsArgs;
}

/** The logical-dump CronJob as Platform builds it (it connects to the database's writer as its master user). */
export interface PlatformDumpArgs extends DumpScheduleArgs {
    /** Create the logical-dump CronJob; it also needs `image`, and an app tier for its namespace. @default false */
    enabled?: boolean;
    /** Pinned image with sh, pg_dump, aws CLI v2 and the RDS CA bundle. Required when enabled. */
    image?: string;
}

export interface PlatformBackupsArgs extends BackupsSettings {
    /** Create the AWS Backup vault and plan and the dump bucket for the database (needs `database`). @default false */
    enabled?: boolean;
    /** The logical pg_dump CronJob, writing to the dump bucket. */
    dump?: PlatformDumpArgs;
}

export interface PlatformDatabaseArgs extends PostgresSettings {
    /** Create the PostgreSQL database. @default true */
    enabled?: boolean;
    /** libpq sslmode in DATABASE_URL; verify-ca/verify-full add `sslrootcert` naming the RDS CA bundle every service mounts. @default "verify-full" */
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
    /** Route 53 failover of the public name; needs `dns.hostedZoneId`, which holds the records. */
    failover?: FailoverRecordArgs;
    /** A minimal app tier on a DR cluster, pointed at the DR replica. */
    pilotLight?: PilotLightArgs;
}

/** The monitoring stack as Platform builds it: Monitoring's settings; Platform wires the exporters and alarms to the data tier. */
export interface PlatformMonitoringArgs extends MonitoringSettings {
    /** Deploy the monitoring stack. @default false */
    enabled?: boolean;
    /** Who the CloudWatch alarms' SNS topic notifies. @default [] */
    alarmSubscriptions?: AlarmSubscriptionArgs[];
}
