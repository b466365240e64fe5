// All four monitoring programs in one run (one child process instead of four):
// their components have distinct names and share the providers.
export * as prod from "./monitoring-prod";
export * as staging from "./monitoring-staging";
export * as existing from "./monitoring-existing";
export * as nodeExporter from "./monitoring-node-exporter";
