export * from "./platform";
export { ClusterTargetError, KubernetesTargetArgs, verifyClusterTarget } from "./cluster-target";
