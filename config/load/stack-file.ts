import * as fs from "fs";
import { parse as parseYaml } from "yaml";

/**
 * The `config:` mapping of a stack file, exactly as written (structured values
 * stay structured). Throws only on unreadable files or YAML syntax errors; a
 * file that is not a mapping is returned as-is for `parseConfig` to report.
 */
export function readStackConfig(file: string): unknown {
    const document: unknown = parseYaml(fs.readFileSync(file, "utf8"));
    if (document !== null && typeof document === "object" && !Array.isArray(document) && "config" in document) {
        return (document as { config: unknown }).config ?? {};
    }
    return document ?? {};
}
