/**
 * Keys a stack file may set that have no effect in the resolved config: the
 * settings of a part that is off (`backups.*` while `backups.enabled` is
 * false), or of a feature nothing uses (`app.ingress` when no service is
 * exposed through an Ingress). Each is a warning naming the key, never an
 * error: a prepared but disabled DR region is a legitimate stack file.
 *
 * Every row was checked against what Platform reads (components/platform):
 * a key stays out of a row when some other part still uses it, as the
 * comments say.
 */
import type { Environment } from "./environments";
import { get, list, num, str, type Doc } from "./document";
import { NAMESPACE, type ConfigWarning } from "./issue";
import { isPlainObject } from "./merge";

interface Scope {
    /** The merged (profile ⊕ stack file) document. */
    doc: Doc;
    /** The stack file's own `hangar:` sections. */
    document: Doc;
    environment: Environment;
    /** The service's index, for rows under `app.services[i]`. */
    i: number;
}

interface IgnoredRow {
    /** The mapping whose keys the row is about; `[i]` stands for each service. */
    under: string;
    /** The keys of `under` that have no effect (default: all but `except`). */
    only?: string[];
    except?: (s: Scope) => string[];
    when(s: Scope): boolean;
    /** Why, after "has no effect: ". */
    because(s: Scope): string;
}

/** ` (the ephemeral default)` when the stack file does not set `key` itself. */
const provenance = (s: Scope, key: string) => (get(s.document, key) === undefined ? ` (the ${s.environment} default)` : "");

/** A switch that turns a part off: every key under it but `except` has no effect while it is false. */
function off(key: string, under: string, except: string[] = []): IgnoredRow {
    return {
        under,
        except: () => ["enabled", ...except],
        when: ({ doc }) => get(doc, key) === false,
        because: (s) => `${key} is false${provenance(s, key)}`,
    };
}

/** How public traffic reaches Hangar's routes: each public service's exposure, and Grafana's (the first service's). */
function exposures({ doc }: Scope): Set<unknown> {
    const services = list(get(doc, "app.services")).filter(isPlainObject);
    const used = new Set(services.filter((s) => s.public === true).map((s) => s.exposure));
    if (get(doc, "monitoring.enabled") === true && get(doc, "monitoring.grafanaHost") !== undefined)
        used.add(services[0]?.exposure ?? "gateway");
    return used;
}

const dumping = ({ doc }: Scope) => get(doc, "backups.enabled") === true && get(doc, "backups.dump.enabled") === true;
/** The exporter login Job runs the dump image (a PostgreSQL client) whenever monitoring exports a database. */
const loginUsesDumpImage = ({ doc }: Scope) => get(doc, "monitoring.enabled") === true && get(doc, "database.enabled") === true;

export const IGNORED_ROWS: readonly IgnoredRow[] = [
    off("database.enabled", "database"),
    {
        under: "database",
        only: ["replicaInstanceClass"],
        when: ({ doc }) => num(get(doc, "database.replicas")) === 0,
        because: (s) => `database.replicas is 0${provenance(s, "database.replicas")}`,
    },
    // Checked only while the database is on: database.enabled false covers the whole section.
    {
        ...off("database.proxy.enabled", "database.proxy"),
        when: ({ doc }) => get(doc, "database.enabled") !== false && get(doc, "database.proxy.enabled") === false,
    },
    {
        ...off("database.rotation.enabled", "database.rotation"),
        when: ({ doc }) => get(doc, "database.enabled") !== false && get(doc, "database.rotation.enabled") === false,
    },
    off("cache.enabled", "cache"),
    // The app's NetworkPolicies still admit scrapes from monitoring.namespace, and the DR region's
    // CloudWatch alarms still use the thresholds and the alarm subscriptions.
    off("monitoring.enabled", "monitoring", ["namespace", "thresholds", "alarmSubscriptions"]),
    {
        under: "monitoring.receiver",
        only: ["channel"],
        when: ({ doc }) => typeof get(doc, "monitoring.receiver.type") === "string" && get(doc, "monitoring.receiver.type") !== "slack",
        because: ({ doc }) =>
            `only a slack receiver has a channel (monitoring.receiver.type is ${str(get(doc, "monitoring.receiver.type"))})`,
    },
    // backups.dump has a row of its own: its image serves the exporter login Job too.
    off("backups.enabled", "backups", ["dump"]),
    {
        under: "backups.dump",
        except: (s) => [...(get(s.doc, "backups.enabled") === true ? ["enabled"] : []), ...(loginUsesDumpImage(s) ? ["image"] : [])],
        when: (s) => !dumping(s),
        because: (s) =>
            get(s.doc, "backups.enabled") !== true
                ? `backups.enabled is false${provenance(s, "backups.enabled")}`
                : `backups.dump.enabled is false${provenance(s, "backups.dump.enabled")}`,
    },
    off("backups.restoreTesting.enabled", "backups.restoreTesting"),
    {
        under: "backups.vaultLock",
        only: ["changeableForDays"],
        when: ({ doc }) => get(doc, "backups.vaultLock.enabled") === false,
        because: (s) => `backups.vaultLock.enabled is false${provenance(s, "backups.vaultLock.enabled")}`,
    },
    // dr.promoted has its own rule: true without DR is an error.
    off("dr.enabled", "dr", ["promoted"]),
    off("dr.pilotLight.enabled", "dr.pilotLight"),
    {
        under: "app",
        only: ["ingress"],
        when: (s) => !exposures(s).has("ingress"),
        because: () => "no public service (nor Grafana) is exposed through an Ingress",
    },
    {
        under: "app",
        only: ["gateway"],
        when: (s) => !exposures(s).has("gateway"),
        because: () => "no public service (nor Grafana) is exposed through the gateway",
    },
    {
        under: "app.services[i]",
        only: ["ingressAnnotations"],
        when: ({ doc, i }) => {
            const service = list(get(doc, "app.services"))[i];
            return !(isPlainObject(service) && service.public === true && service.exposure === "ingress");
        },
        because: ({ i }) => `app.services[${i}] is not a public service with ingress exposure`,
    },
    {
        under: "app.services[i]",
        only: ["migration"],
        when: ({ doc }) => get(doc, "database.enabled") !== true,
        because: (s) => `database.enabled is false${provenance(s, "database.enabled")}: there is no writer to migrate`,
    },
];

/** The stack file's value at a key path such as `app.services[1].ingressAnnotations`. */
function at(node: unknown, path: string): unknown {
    for (const key of path.match(/[^.[\]]+/g) ?? []) {
        if (Array.isArray(node)) node = node[Number(key)];
        else node = isPlainObject(node) ? node[key] : undefined;
    }
    return node;
}

/** The concrete mappings a row is about: `under` itself, or one per service of the stack file. */
function placesOf(row: IgnoredRow, document: Doc): { under: string; i: number }[] {
    if (!row.under.includes("[i]")) return [{ under: row.under, i: -1 }];
    return list(get(document, "app.services")).map((_, i) => ({ under: row.under.replace("[i]", `[${i}]`), i }));
}

const selects = (row: IgnoredRow, s: Scope, key: string) => (row.only ? row.only.includes(key) : !(row.except?.(s) ?? []).includes(key));

/**
 * Every key the stack file sets that has no effect, as a warning at its full
 * key path; a key inside one already reported is not reported again.
 */
export function ignoredKeyWarnings(doc: Doc, document: Doc, environment: Environment): ConfigWarning[] {
    const found: { path: string; message: string }[] = [];
    for (const row of IGNORED_ROWS) {
        for (const { under, i } of placesOf(row, document)) {
            const written = at(document, under);
            const s: Scope = { doc, document, environment, i };
            if (!isPlainObject(written) || !row.when(s)) continue;
            for (const key of Object.keys(written).filter((k) => selects(row, s, k)))
                found.push({ path: `${under}.${key}`, message: `has no effect: ${row.because(s)}` });
        }
    }
    const covered = (path: string) => found.some((f) => path.startsWith(`${f.path}.`) || path.startsWith(`${f.path}[`));
    return found
        .filter((f) => !covered(f.path))
        .map((f) => ({ level: "warning" as const, path: `${NAMESPACE}:${f.path}`, message: f.message }));
}

/** True when the setting at `path` (a profile key path such as `backups.dailyRetentionDays`) has no effect in `doc`. */
export function hasNoEffect(doc: Doc, environment: Environment, path: string): boolean {
    const s: Scope = { doc, document: {}, environment, i: -1 };
    return IGNORED_ROWS.some(
        (row) =>
            !row.under.includes("[i]") &&
            path.startsWith(`${row.under}.`) &&
            selects(row, s, path.slice(row.under.length + 1).split(".")[0]) &&
            row.when(s),
    );
}
