/**
 * `npm run chart-digest`: the facts the tests need from the pinned charts'
 * values.yaml, kept in the repository so a clone without ../shared passes.
 * A digest is the values tree with its shape kept and its payload dropped:
 * mappings keep their keys, booleans and null stay (they are the toggles and
 * open ends the tests read), empty strings stay, other strings become "…" and
 * numbers 0 (the tests compare types, not values), lists keep their items'
 * digests. Where ../shared/charts exists, a test proves the committed digests
 * still match it.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

export const CHART_VALUES_FILES = [
    "kube-prometheus-stack-88.5.3.values.yaml",
    "grafana-12.11.1.values.yaml",
    "kube-state-metrics-8.4.0.values.yaml",
    "prometheus-node-exporter-4.56.1.values.yaml",
    "prometheus-postgres-exporter-8.2.0.values.yaml",
    "prometheus-redis-exporter-6.29.0.values.yaml",
];

const ROOT = path.resolve(__dirname, "..");
export const SHARED_CHARTS = path.resolve(ROOT, "..", "shared", "charts");
export const DIGEST_DIR = path.join(ROOT, "test", "fixtures", "charts");
export const digestFile = (valuesFile: string) => path.join(DIGEST_DIR, valuesFile.replace(/\.values\.yaml$/, ".values-digest.json"));

export function digest(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(digest);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, digest(v)]));
    }
    if (typeof value === "string") return value === "" ? "" : "…";
    if (typeof value === "number") return 0;
    return value;
}

/** The digest of a values file under ../shared/charts. */
export function digestOfShared(valuesFile: string): unknown {
    return digest(parse(fs.readFileSync(path.join(SHARED_CHARTS, valuesFile), "utf8")));
}

/** The committed digest of a values file. */
export function committedDigest(valuesFile: string): unknown {
    return JSON.parse(fs.readFileSync(digestFile(valuesFile), "utf8"));
}

if (require.main === module) {
    fs.mkdirSync(DIGEST_DIR, { recursive: true });
    for (const file of CHART_VALUES_FILES) {
        fs.writeFileSync(digestFile(file), `${JSON.stringify(digestOfShared(file))}\n`);
        process.stdout.write(`${file} → ${path.relative(ROOT, digestFile(file))}\n`);
    }
}
