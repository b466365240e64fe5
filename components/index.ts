export * from "./platform";
export { ClusterTargetError, KubernetesTargetArgs, verifyClusterTarget } from "./cluster-target";
export * from "./app-spec";
export * from "./app-service";
export * from "./app-tier";
export * from "./naming";
export * from "./connection-urls";
export * from "./postgres";
export * from "./redis";
