/**
 * wiring-tls-client-ca-mounted: a container told to verify a server has the CA file it
 * is told to verify against, on a volume mount of the container whose volume exists in
 * the pod (and, for a Secret or ConfigMap volume of the stack, that holds the file).
 *
 * - PostgreSQL clients (libpq, https://www.postgresql.org/docs/current/libpq-ssl.html,
 *   "Client Verification of Server Certificates"): `sslmode=verify-ca|verify-full` in a
 *   connection string (a DATABASE_URL, an exporter's DATA_SOURCE_URI) or `PGSSLMODE`
 *   verifies against `sslrootcert` (the string's parameter, else `PGSSLROOTCERT`,
 *   https://www.postgresql.org/docs/current/libpq-envars.html), else `~/.postgresql/root.crt`
 *   under HOME; without the file the connection fails ("root certificate file … does not
 *   exist"). `sslrootcert=system` (PostgreSQL 16+) uses the SSL library's trust store: no
 *   file to mount. Without HOME the default lies under the image's home directory, which
 *   no mount of the pod can be shown to hold, so it is reported.
 * - Any env var whose name ends in CA_CERT_FILE, CA_FILE, SSLROOTCERT or CA_BUNDLE and
 *   whose value is an absolute path (the redis exporter's REDIS_EXPORTER_TLS_CA_CERT_FILE,
 *   prometheus-redis-exporter-6.29.0/templates/deployment.yaml:76-78).
 * Values read from a Secret or ConfigMap of the stack (`valueFrom`, `envFrom`) are read
 * from that object. Two are skipped, without a violation: a value from an object the stack
 * does not create (exempt as made at run time, or missing, which wiring-pod-references-exist
 * reports), which no stack input holds; and a value from a Secret whose data is unknown during
 * preview (the Kubernetes SDK wraps `stringData` in one secret Output, so an app's DATABASE_URL
 * with an RDS endpoint is unknown until RDS exists) — the same rule judges it in `pulumi up`
 * and in `npm run check`, where the value is known. A value written in the pod template and
 * unknown during preview leaves the container undecided.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { configOf, ExemptionConfig, schemaWith } from "../kubernetes/shared";
import {
    ConfigObject,
    KeyRef,
    Maybe,
    mountOf,
    normalize,
    objectKey,
    podRuleInputs,
    PodContainer,
    PodFiles,
    UNKNOWN,
    Volume,
} from "./pod-files";

/**
 * Env var → its value; `undefined` when it cannot be read here: it comes from an object the stack does not
 * create, or from a Secret/ConfigMap whose values are unknown during preview (see the header: skipped).
 */
export type Env = Map<string, { value: Maybe<string> | undefined; from: string }>;

/** The container's environment as the kubelet builds it: envFrom in order, then env (which wins). */
export function environmentOf(c: PodContainer, namespace: string, objects: Map<string, ConfigObject>): Env {
    const env: Env = new Map();
    const lookup = (kind: "Secret" | "ConfigMap", ref: KeyRef | undefined) =>
        ref?.name === undefined ? undefined : objects.get(objectKey(kind, namespace, ref.name));
    for (const f of c.envFrom) {
        const kind = f.secretRef ? "Secret" : "ConfigMap";
        const object = lookup(kind, f.secretRef ?? f.configMapRef);
        if (!object || object.data === UNKNOWN) continue;
        for (const [k, v] of object.data) env.set(`${f.prefix ?? ""}${k}`, { value: v, from: `envFrom ${kind} ${object.name}` });
    }
    for (const e of c.env) {
        const secret = e.valueFrom?.secretKeyRef;
        const ref = secret ?? e.valueFrom?.configMapKeyRef;
        if (!ref) {
            env.set(e.name, { value: e.value ?? "", from: `env ${e.name}` });
            continue;
        }
        const object = lookup(secret ? "Secret" : "ConfigMap", ref);
        const value = !object || object.data === UNKNOWN ? undefined : object.data.get(String(ref.key));
        env.set(e.name, { value, from: `env ${e.name} (key ${ref.key} of ${object?.kind ?? "object"} ${ref.name})` });
    }
    return env;
}

const VERIFYING = /(?:^|[?&\s])sslmode=(verify-full|verify-ca)(?:$|[&\s])/;
const ROOT_CERT = /(?:^|[?&\s])sslrootcert=([^&\s]+)/;
const CA_NAMES = /(CA_CERT_FILE|CA_FILE|SSLROOTCERT|CA_BUNDLE)$/;
/** Names whose unknown value may hide a connection string or a CA path (others, like PGHOST, cannot). */
const MAY_CONFIGURE_TLS = /(URL|URI|DSN|DATA_SOURCE_NAME|SSLMODE)$|CA_CERT_FILE$|CA_FILE$|SSLROOTCERT$|CA_BUNDLE$/;

/** A CA file the container needs: its path and why. */
interface Need {
    path: string;
    why: string;
}

/** The CA files the container is told to verify against; `undecided` when a value it depends on is unknown. */
export function caFilesNeeded(env: Env): { needs: Need[]; problems: string[]; undecided: boolean } {
    const needs: Need[] = [];
    const problems: string[] = [];
    let undecided = false;
    const known = (name: string) => {
        const v = env.get(name)?.value;
        if (v === UNKNOWN) undecided = true;
        return typeof v === "string" && v !== "" ? v : undefined;
    };
    const defaultRoot = (why: string) => {
        const home = known("HOME");
        if (home)
            needs.push({
                path: normalize(`${home}/.postgresql/root.crt`),
                why: `${why}, no sslrootcert, PGSSLROOTCERT unset: libpq reads ~/.postgresql/root.crt`,
            });
        else if (!undecided)
            problems.push(
                `${why}, but names no root certificate: set sslrootcert=<path> (or PGSSLROOTCERT) to a CA file on a volume mount; ` +
                    `with neither and no HOME, libpq's ~/.postgresql/root.crt lies in the image, not on a mount`,
            );
    };
    for (const [name, { value, from }] of env) {
        if (value === UNKNOWN) {
            if (MAY_CONFIGURE_TLS.test(name)) undecided = true;
            continue;
        }
        if (typeof value !== "string") continue;
        const mode = VERIFYING.exec(value)?.[1];
        if (mode) {
            const why = `${from} has sslmode=${mode}`;
            const root = ROOT_CERT.exec(value)?.[1];
            const rootcert = root !== undefined ? decodeURIComponent(root) : known("PGSSLROOTCERT");
            if (rootcert === "system") continue;
            if (rootcert) needs.push({ path: rootcert, why: `${why} with sslrootcert ${rootcert}` });
            else defaultRoot(why);
        }
        if (CA_NAMES.test(name) && value.startsWith("/")) needs.push({ path: value, why: `${from} names the CA file ${value}` });
    }
    const pgMode = known("PGSSLMODE");
    if (pgMode === "verify-full" || pgMode === "verify-ca") {
        const rootcert = known("PGSSLROOTCERT");
        if (!rootcert) defaultRoot(`env PGSSLMODE is ${pgMode}`);
    }
    return { needs, problems, undecided };
}

/** The file names a Secret/ConfigMap/projected volume holds, or undefined when they cannot be read here. */
export function filesOf(volume: Volume, namespace: string, objects: Map<string, ConfigObject>): Set<string> | undefined {
    type Src = KeyRef & { secretName?: string; items?: { key?: string; path?: string }[] };
    const sources: ["Secret" | "ConfigMap", Src][] = [];
    if (volume.secret) sources.push(["Secret", volume.secret as Src]);
    if (volume.configMap) sources.push(["ConfigMap", volume.configMap as Src]);
    for (const s of (volume.projected as { sources?: Record<string, Src>[] } | undefined)?.sources ?? []) {
        if (s.secret) sources.push(["Secret", s.secret]);
        if (s.configMap) sources.push(["ConfigMap", s.configMap]);
    }
    if (sources.length === 0) return undefined;
    const files = new Set<string>();
    for (const [kind, src] of sources) {
        if (src.items?.length) {
            for (const i of src.items) files.add(String(i.path));
            continue;
        }
        const name = kind === "Secret" ? (src.secretName ?? src.name) : src.name;
        const object = name === undefined ? undefined : objects.get(objectKey(kind, namespace, name));
        if (!object || object.data === UNKNOWN) return undefined;
        for (const key of object.data.keys()) files.add(key);
    }
    return files;
}

/** Why `path` is not a file the container can read, or undefined when it is. */
export function caFileProblem(c: PodContainer, pod: PodFiles, path: string, objects: Map<string, ConfigObject>): string | undefined {
    const mount = mountOf(c, path);
    if (!mount) return `${path} is on no volume mount of the container (the root filesystem holds no CA of the stack); mount it`;
    const volume = pod.volumes.find((v) => v.name === mount.name);
    if (!volume) return `${path} is on volume mount "${mount.name}", whose volume is not in the pod`;
    if (volume.emptyDir !== undefined) {
        // An emptyDir starts empty (https://kubernetes.io/docs/concepts/storage/volumes/#emptydir): only an init container can put the file there.
        const filled = pod.containers.some((x) => x.label.startsWith("init ") && x.mounts.some((m) => m.name === mount.name));
        return filled
            ? undefined
            : `${path} is on emptyDir volume "${mount.name}", which is empty when the container starts and no init container fills`;
    }
    const files = filesOf(volume, pod.namespace, objects);
    if (!files) return undefined;
    const rel = normalize(path).slice(normalize(mount.mountPath).length).replace(/^\//, "");
    const file = mount.subPath ? [mount.subPath, rel].filter(Boolean).join("/") : rel;
    if (files.has(file) || [...files].some((f) => f.startsWith(`${file}/`))) return undefined;
    return `${path} is not among the files volume "${mount.name}" holds at ${mount.mountPath} (${[...files].join(", ")})`;
}

export const tlsClientCaMounted: StackValidationPolicy = {
    name: "wiring-tls-client-ca-mounted",
    description:
        "A container told to verify a server (libpq sslmode=verify-full/verify-ca in a URL or PGSSLMODE, env *CA_CERT_FILE/*CA_FILE/*SSLROOTCERT/*CA_BUNDLE) has that CA file on a volume mount whose volume exists in the pod.",
    enforcementLevel: "mandatory",
    configSchema: schemaWith(),
    validateStack: (args, reportViolation) => {
        const config = configOf<ExemptionConfig>(schemaWith(), args);
        const { pods, objects, undecided, done } = podRuleInputs(args);
        for (const pod of pods) {
            if (config.exemptNamespaces.includes(pod.namespace)) continue;
            for (const c of pod.containers) {
                const { needs, problems, undecided: open } = caFilesNeeded(environmentOf(c, pod.namespace, objects));
                for (const p of problems) reportViolation(`${pod.workload} ${c.label}: ${p}`, pod.urn);
                const seen = new Set<string>();
                for (const need of needs) {
                    if (seen.has(need.path)) continue;
                    seen.add(need.path);
                    const problem = caFileProblem(c, pod, need.path, objects);
                    if (problem) reportViolation(`${pod.workload} ${c.label}: ${need.why}, but ${problem}`, pod.urn);
                }
                if (open) undecided.push(`${pod.workload} ${c.label}`);
            }
        }
        done();
    },
};

export const podTlsPolicies = [tlsClientCaMounted];
