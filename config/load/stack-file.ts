import * as fs from "fs";
import * as path from "path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { StackFileSource } from "../issue";

/** A stack file's `config:` mapping, and where each of its keys is. */
export interface StackFile {
    /** The `config:` mapping as written (what `readStackConfig` returns). */
    config: unknown;
    source: StackFileSource;
}

/**
 * The `config:` mapping of a stack file, exactly as written (structured values
 * stay structured). Throws only on unreadable files or YAML syntax errors; a
 * file that is not a mapping is returned as-is for `parseConfig` to report.
 */
export function readStackConfig(file: string): unknown {
    return readStackFile(file).config;
}

/**
 * The stack file's config with its source: the line of any key path
 * (`hangar:app.services[1].port`) for parseConfig's problems and warnings.
 * `name` is how messages name the file (default: its base name, `Pulumi.prod.yaml`).
 */
export function readStackFile(file: string, name = path.basename(file)): StackFile {
    return stackFileFromText(fs.readFileSync(file, "utf8"), name);
}

/** `readStackFile` of a stack file's text. */
export function stackFileFromText(text: string, name: string): StackFile {
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { lineCounter });
    if (document.errors.length > 0) throw document.errors[0];
    const value: unknown = document.toJS();
    const hasConfig = value !== null && typeof value === "object" && !Array.isArray(value) && "config" in value;
    const config = hasConfig ? ((value as { config: unknown }).config ?? {}) : (value ?? {});
    const root = isMap(document.contents) && hasConfig ? document.contents.get("config", true) : document.contents;
    const lineAt = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);

    /**
     * Walks the key path through the YAML nodes: at a mapping the longest key the
     * rest of the path starts with (keys may hold dots: `hangar:app`, annotation
     * names), at a list the `[n]` item. Answers the line of the last node reached.
     */
    function lineOf(keyPath: string): number | undefined {
        let node: unknown = root;
        let rest = keyPath;
        let line: number | undefined;
        while (rest.length > 0) {
            if (isMap(node)) {
                let found: { key: string; pair: (typeof node.items)[number] } | undefined;
                for (const pair of node.items) {
                    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
                    const fits = key !== undefined && (rest === key || rest.startsWith(`${key}.`) || rest.startsWith(`${key}[`));
                    if (fits && (found === undefined || key.length > found.key.length)) found = { key, pair };
                }
                if (found === undefined) break;
                line = lineAt(isScalar(found.pair.key) ? found.pair.key.range?.[0] : undefined) ?? line;
                node = found.pair.value;
                rest = rest.slice(found.key.length).replace(/^\./, "");
            } else if (isSeq(node)) {
                const index = /^\[(\d+)\]\.?/.exec(rest);
                const item = index ? node.items[Number(index[1])] : undefined;
                if (index === null || item === undefined) break;
                line = lineAt((item as { range?: [number, number, number] }).range?.[0]) ?? line;
                node = item;
                rest = rest.slice(index[0].length);
            } else break;
        }
        return line;
    }
    return { config, source: { file: name, lineOf } };
}
