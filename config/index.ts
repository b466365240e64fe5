export * from "./schema";
export {
    parseConfig,
    formatIssues,
    formatWarning,
    formatWarnings,
    formatPath,
    environmentFromStackName,
    type ParseOptions,
    type ParseResult,
} from "./parse";
export { type ConfigIssue, type ConfigWarning, type EnvironmentSetting, NAMESPACE, type StackFileSource } from "./issue";
export { profileDefaults } from "./profiles";
export { deepMerge } from "./merge";
export { cidrContains } from "./cidr";
export { toPlatformArgs } from "./platform-args";
export { readStackConfig, readStackFile, stackFileFromText, type StackFile } from "./load/stack-file";
