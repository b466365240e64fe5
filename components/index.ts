/**
 * The component package's public surface: the components, their Args and the
 * types those Args use. Internals (spec builders, resolvers, policy documents)
 * are imported from their modules by Hangar's own program and tests.
 */
export { Platform } from "./platform";
export * from "./platform/args";
export { ClusterTargetError, verifyClusterTarget } from "./platform/cluster-target";
export type { KubernetesTargetArgs } from "./platform/cluster-target";
export { clusterPrerequisites } from "./platform/prerequisites";
export type { Prerequisite, Requirement } from "./platform/prerequisites";
export { AppTier } from "./app/app-tier";
export type { AppTierArgs, AppTierSettings, AppSecretArgs } from "./app/app-tier";
export { AppService } from "./app/app-service";
export type { AppServiceArgs, AppNetworkArgs, DataEgressArgs } from "./app/app-service";
export type { AppServiceSpec, AutoscalingArgs, ImageBuildArgs, MetricsArgs, ProbeArgs, ReplicaArgs, SecretEnvArgs } from "./app/spec";
export type { BlueGreenArgs, CanaryArgs, CanaryStepArgs, RolloutAnalysisArgs } from "./app/spec";
export type { RolloutAnalysisSource, RolloutDeliveryArgs } from "./app/rollout";
export { RolloutsController } from "./rollouts";
export type { GatewayPluginArgs, RolloutsControllerArgs } from "./rollouts";
export { ExternalSecretsOperator } from "./external-secrets";
export type {
    ExternalSecretsOperatorArgs,
    ExternalSecretDataArgs,
    ExternalSecretTargetArgs,
    RuntimeCredentialsArgs,
    StoreSecretArgs,
} from "./external-secrets";
export type { ContainerResourcesArgs, ResourceQuantitiesArgs } from "./shared/resources";
export type { GatewayArgs, IngressArgs } from "./shared/exposure";
export type { QuotaArgs } from "./shared/namespace-limits";
export type { BucketRetentionArgs, LifecycleTransitionArgs, ObjectLifecycleArgs } from "./shared/secure-bucket";
export type { AppBucketPlacementArgs, AppBucketSettings } from "./app/buckets";
export { PostgresDatabase } from "./data/postgres";
export type { PostgresDatabaseArgs, PostgresSettings } from "./data/postgres";
export { RedisCache } from "./data/redis";
export type { RedisCacheArgs, RedisSettings } from "./data/redis";
export type { DataPlacementArgs } from "./data/placement";
export { Monitoring } from "./monitoring";
export type {
    AlarmSubscriptionArgs,
    AlertmanagerArgs,
    AlertReceiverArgs,
    AlertThresholdsArgs,
    AppMetricsArgs,
    CloudWatchAlarmsArgs,
    ElastiCacheAlarmArgs,
    GrafanaArgs,
    MonitoringArgs,
    MonitoringSettings,
    PostgresExporterArgs,
    PrometheusArgs,
    RdsAlarmArgs,
    RedisExporterArgs,
} from "./monitoring";
export { DisasterRecovery } from "./disaster-recovery";
export type { AppBucketReplicaArgs, DisasterRecoveryArgs, FailoverArgs, FailoverRecordArgs } from "./disaster-recovery";
export { Backups } from "./backups";
export type { BackupsArgs, BackupsSettings, BucketReplicationTargetArgs } from "./backups";
export { DumpJob } from "./backups/dump-job";
export type { DumpJobArgs, DumpScheduleArgs } from "./backups/dump-job";
