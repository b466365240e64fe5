export * from "./schema";
export { parseConfig, formatIssues, formatPath, environmentFromStackName, type ParseResult } from "./parse";
export { type ConfigIssue, NAMESPACE } from "./issue";
export { profileDefaults } from "./profiles";
export { deepMerge } from "./merge";
export { cidrContains } from "./cidr";
export { toPlatformArgs } from "./platform-args";
export { readStackConfig } from "./load/stack-file";
