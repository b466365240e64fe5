import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify } from "yaml";

/**
 * Reads the kubeconfig the way kubectl finds it (KUBECONFIG, a list of files
 * whose entries merge with the first occurrence winning; else ~/.kube/config).
 * Returns undefined when there is none.
 */
export function loadKubeconfig(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const files = env.KUBECONFIG
        ? env.KUBECONFIG.split(path.delimiter).filter(Boolean)
        : [path.join(env.HOME ?? os.homedir(), ".kube", "config")];
    const existing = files.filter((f) => fs.existsSync(f));
    if (existing.length === 0) return undefined;
    if (existing.length === 1) return fs.readFileSync(existing[0], "utf8");
    const merged = { apiVersion: "v1", kind: "Config", clusters: [] as unknown[], contexts: [] as unknown[], users: [] as unknown[] };
    for (const file of existing) {
        const doc = (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as Record<string, unknown[] | undefined>;
        merged.clusters.push(...(doc.clusters ?? []));
        merged.contexts.push(...(doc.contexts ?? []));
        merged.users.push(...(doc.users ?? []));
    }
    return stringify(merged);
}
