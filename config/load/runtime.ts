import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import * as pulumi from "@pulumi/pulumi";
import { formatIssues, formatWarning, formatWarnings } from "../format";
import { NAMESPACE, type StackFileSource } from "../issue";
import { parseConfig } from "../parse";
import type { PlatformConfig } from "../schema";
import { readStackFile } from "./stack-file";

/**
 * The stack's config as the engine hands it over (structured values arrive as
 * JSON text), turned back into the mapping the stack file holds.
 */
export function runtimeStackConfig(): Record<string, unknown> {
    const raw = pulumi.runtime.allConfig();
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
        config[key] = decode(value);
    }
    return config;
}

function decode(value: string): unknown {
    const trimmed = value.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        try {
            return JSON.parse(trimmed);
        } catch {
            return value;
        }
    }
    return value;
}

const ours = (config: unknown) =>
    Object.fromEntries(Object.entries(config ?? {}).filter(([key]) => key.startsWith(`${NAMESPACE}:`))) as Record<string, unknown>;

/**
 * Where the engine's config is written, for the lines of the program's messages:
 * `Pulumi.<stack>.yaml` in the directory the CLI runs the program in, but only
 * when its `hangar:` keys are the config the engine handed over — with
 * `--config-file`, a `pulumi config set` elsewhere or a secret, the lines would
 * be another file's. Undefined otherwise: the messages then name key paths only.
 */
export function runtimeStackFileSource(stack: string, config: Record<string, unknown>, dir = process.cwd()): StackFileSource | undefined {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) return undefined;
    try {
        const written = readStackFile(file);
        return isDeepStrictEqual(ours(written.config), ours(config)) ? written.source : undefined;
    } catch {
        return undefined;
    }
}

/**
 * The program's config: the engine's, parsed for the stack. Every warning and
 * notice goes to `warn` (`pulumi.log.warn`); a config with problems ends the run
 * with a RunError (no stack trace) listing them, the notes after them.
 */
export function programConfig(
    raw: Record<string, unknown>,
    stack: string,
    warn: (message: string) => unknown,
    source = runtimeStackFileSource(stack, raw),
): PlatformConfig {
    const parsed = parseConfig(raw, stack, { source });
    if (!parsed.ok) throw new pulumi.RunError([formatIssues(parsed.errors), formatWarnings(parsed.warnings)].filter(Boolean).join("\n"));
    for (const warning of parsed.warnings) warn(formatWarning(warning));
    return parsed.config;
}
