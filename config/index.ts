export * from "./schema";
export { parseConfig, formatIssues, formatPath, environmentFromStackName, ConfigIssue, ParseResult, NAMESPACE } from "./parse";
export { profileDefaults, deepMerge } from "./profiles";
export { cidrContains } from "./rules";
export { toPlatformArgs } from "./platform-args";
export { readStackConfig } from "./stack-file";
