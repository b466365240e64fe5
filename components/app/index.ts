/** The app tier: AppTier and its AppServices, their args and defaults. */
export * from "./app-tier";
export * from "./app-service";
export {
    APP_SERVICE_DEFAULTS,
    AppServiceSpec,
    AutoscalingArgs,
    ImageBuildArgs,
    MetricsArgs,
    ProbeArgs,
    ReplicaArgs,
    SecretEnvArgs,
    resolveService,
} from "./spec";
export { hasAutoscaler } from "./workload";
export { appTierFlows, AppFlowsArgs } from "./flows";
export { MIGRATION_DEFAULTS, MigrationArgs, migrationJobName, SecretKeyArgs } from "./migration";
export { BlueGreenArgs, CanaryArgs, CanaryStepArgs, RolloutAnalysisArgs, STRATEGIES } from "./spec";
export { RolloutAnalysisSource, RolloutDeliveryArgs } from "./rollout";
export { AppBucketPlacementArgs, AppBucketSettings, appBucketName, bucketEnvName } from "./buckets";
export { bucketAccessPolicy, bucketKeyPolicy } from "./identity";
