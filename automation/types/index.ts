/**
 * Options and results of the automation module. Results are plain data
 * (JSON-serialisable apart from `Date`s), safe to log: secret outputs are
 * redacted and no stack config is echoed back.
 *
 * The declarations live by concern (options, results, environments, events);
 * this barrel is what the rest of the module and automation/index.ts import.
 */
import type { OpMap, OpType } from "@pulumi/pulumi/automation";
import type { Environment } from "../../config";

export type { Environment, OpMap, OpType };
export * from "./options";
export * from "./results";
export * from "./environments";
export * from "./events";
