/**
 * What the pods of the stack read and write, for the wiring rules on pod inputs
 * (pod-inputs.ts), client CAs (pod-tls.ts) and writable paths (filesystem.ts): every
 * pod-template kind (POD_TEMPLATE_PATHS), init containers included, with its env,
 * envFrom, volume mounts and volumes, and the Secrets and ConfigMaps of the stack with
 * their keys and values. Values unknown during preview stay UNKNOWN, field by field, so
 * an unknown host in one env var does not hide a secretKeyRef beside it.
 */
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { ObjectMeta, podTemplateOf, POD_TEMPLATE_TYPES } from "../kubernetes/pod-template";
import { plain, readKnown, throwIfUndecided, UnknownValueErrorInstance } from "../unknowns";
import { externalSecretTargets } from "./external-secret-targets";

export const UNKNOWN = Symbol("unknown during preview");
export type Maybe<T> = T | typeof UNKNOWN;

export interface KeyRef {
    name?: string;
    key?: string;
    optional?: boolean;
}

export interface EnvVar {
    name: string;
    value?: Maybe<string>;
    valueFrom?: { secretKeyRef?: KeyRef; configMapKeyRef?: KeyRef };
}

export interface EnvFrom {
    prefix?: string;
    secretRef?: KeyRef;
    configMapRef?: KeyRef;
}

export interface Mount {
    name: string;
    mountPath: string;
    readOnly?: boolean;
    subPath?: string;
}

export type Volume = { name: string } & Record<string, unknown>;

export interface PodContainer {
    /** `container "api"`, `init container "migrate"`. */
    label: string;
    env: EnvVar[];
    envFrom: EnvFrom[];
    mounts: Mount[];
    /** The container's securityContext.readOnlyRootFilesystem (a container-only field: nothing inherits it). */
    readOnlyRoot: boolean;
}

export interface PodFiles {
    urn: string;
    /** `CronJob hangar/pg-dump`: how messages name the workload. */
    workload: string;
    namespace: string;
    annotations: Record<string, string>;
    volumes: Volume[];
    containers: PodContainer[];
}

/** The stack's pods; a pod whose structure is unknown during preview is listed in `unknown` instead. */
export function podFiles(
    resources: PolicyResource[],
    remember: (err: UnknownValueErrorInstance) => void,
): { pods: PodFiles[]; unknown: { urn: string; workload: string }[] } {
    const pods: PodFiles[] = [];
    const unknown: { urn: string; workload: string }[] = [];
    for (const r of resources.filter((x) => POD_TEMPLATE_TYPES.includes(x.type))) {
        const kind = r.type.split(":").pop();
        const head = readKnown(() => {
            const metadata = (r.props.metadata ?? {}) as ObjectMeta;
            return { namespace: metadata.namespace ?? "default", name: metadata.name ?? r.name };
        });
        const workload = head.known ? `${kind} ${head.value.namespace}/${head.value.name}` : `${kind} ${r.name}`;
        const read = readKnown(() => {
            const pod = podTemplateOf(r.type, r.props)!;
            return {
                annotations: { ...(pod.metadata.annotations ?? {}) },
                volumes: plain(pod.spec.volumes ?? []) as Volume[],
                containers: pod.containers
                    .filter((c) => c.group !== "ephemeralContainers")
                    .map((c) => {
                        const raw = c.container as { env?: Record<string, unknown>[]; envFrom?: EnvFrom[]; volumeMounts?: Mount[] };
                        return {
                            label: c.label,
                            env: (raw.env ?? []).map((e) => envVar(e, remember)),
                            envFrom: plain(raw.envFrom ?? []),
                            mounts: plain(raw.volumeMounts ?? []),
                            readOnlyRoot: c.own.readOnlyRootFilesystem === true,
                        };
                    }),
            };
        });
        if (!head.known || !read.known) {
            remember((head.known ? undefined : head.error) ?? (read as { error: UnknownValueErrorInstance }).error);
            unknown.push({ urn: r.urn, workload });
            continue;
        }
        pods.push({ urn: r.urn, workload, namespace: head.value.namespace, ...read.value });
    }
    return { pods, unknown };
}

/** An env entry: its name and valueFrom must be known; its value may stay unknown (a host known after create). */
function envVar(e: Record<string, unknown>, remember: (err: UnknownValueErrorInstance) => void): EnvVar {
    const value = readKnown(() => e.value as string | undefined);
    if (!value.known) remember(value.error);
    return {
        name: String(e.name),
        ...(value.known ? (value.value === undefined ? {} : { value: value.value }) : { value: UNKNOWN }),
        ...(e.valueFrom ? { valueFrom: plain(e.valueFrom) as EnvVar["valueFrom"] } : {}),
    };
}

export type ObjectKind = "Secret" | "ConfigMap";

/**
 * Where a Secret declares its keys for a preview, in which the Kubernetes SDK's one secret Output for
 * `stringData` is unknown as a whole (components/shared/secret-keys.ts writes it; the name is repeated
 * here because nothing under policies/ imports from outside it, and a test ties the two).
 */
export const SECRET_KEYS_ANNOTATION = "hangar.dev/secret-keys";

export interface ConfigObject {
    urn: string;
    kind: ObjectKind;
    namespace: string;
    name: string;
    /** The keys its `hangar.dev/secret-keys` annotation declares (components/shared/secret-keys.ts), if any. */
    declared?: string[];
    /** Key → value (text; a Secret's `data` and a ConfigMap's `binaryData` base64-decoded), or UNKNOWN. */
    data: Maybe<Map<string, Maybe<string>>>;
}

/** Secret keys come from `data` and `stringData`, ConfigMap keys from `data` and `binaryData` (core/v1 API). */
const FIELDS: Record<ObjectKind, { field: string; base64: boolean }[]> = {
    Secret: [
        { field: "data", base64: true },
        { field: "stringData", base64: false },
    ],
    ConfigMap: [
        { field: "data", base64: false },
        { field: "binaryData", base64: true },
    ],
};

/** The stack's Secrets and ConfigMaps by `<kind>/<namespace>/<name>`. */
export function configObjects(resources: PolicyResource[], remember: (err: UnknownValueErrorInstance) => void): Map<string, ConfigObject> {
    const out = new Map<string, ConfigObject>();
    for (const r of resources) {
        const kind =
            r.type === "kubernetes:core/v1:Secret" ? "Secret" : r.type === "kubernetes:core/v1:ConfigMap" ? "ConfigMap" : undefined;
        if (!kind) continue;
        const head = readKnown(() => {
            const metadata = (r.props.metadata ?? {}) as ObjectMeta;
            const keys = metadata.annotations?.[SECRET_KEYS_ANNOTATION];
            return {
                namespace: metadata.namespace ?? "default",
                name: metadata.name ?? r.name,
                ...(keys === undefined ? {} : { declared: keys.split(",").filter(Boolean) }),
            };
        });
        if (!head.known) {
            remember(head.error);
            continue;
        }
        let data: Maybe<Map<string, Maybe<string>>> = new Map();
        for (const { field, base64 } of FIELDS[kind]) {
            const read = readKnown(() => Object.keys((r.props[field] ?? {}) as object));
            if (!read.known) {
                remember(read.error);
                data = UNKNOWN;
                break;
            }
            for (const key of read.value) {
                const value = readKnown(() => String((r.props[field] as Record<string, unknown>)[key]));
                data.set(key, !value.known ? UNKNOWN : base64 ? Buffer.from(value.value, "base64").toString("utf8") : value.value);
            }
        }
        out.set(objectKey(kind, head.value.namespace, head.value.name), { urn: r.urn, kind, ...head.value, data });
    }
    // What External Secrets Operator writes at run time: the ExternalSecrets' targets, with their keys.
    for (const target of externalSecretTargets(resources, remember)) out.set(objectKey("Secret", target.namespace, target.name), target);
    return out;
}

export const objectKey = (kind: ObjectKind, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

/** Volume sources a container can never write through (core/v1 API: these are mounted read-only by the kubelet). */
const READ_ONLY_SOURCES = ["secret", "configMap", "projected", "downwardAPI", "image"];

/** The volume source of a pod volume: its one field besides `name`. */
export const sourceOf = (volume: Volume): string | undefined => Object.keys(volume).find((k) => k !== "name");

/** True when a path lies at or under a directory (`/a/b` is under `/a`, `/ab` is not). */
export function under(path: string, dir: string): boolean {
    const d = dir.replace(/\/+$/, "");
    return d === "" || path === d || path.startsWith(`${d}/`);
}

/** The deepest mount of the container holding `path` (the kubelet mounts nested paths over their parents). */
export function mountOf(container: PodContainer, path: string): Mount | undefined {
    return container.mounts
        .filter((m) => typeof m.mountPath === "string" && under(normalize(path), m.mountPath))
        .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
}

/** `/a/./b//c/` → `/a/b/c`; `..` resolved. */
export function normalize(path: string): string {
    const parts: string[] = [];
    for (const p of path.split("/")) {
        if (p === "" || p === ".") continue;
        if (p === "..") parts.pop();
        else parts.push(p);
    }
    return `/${parts.join("/")}`;
}

/** Why `mount` cannot be written through, or undefined when it can. */
export function readOnlyReason(mount: Mount, volume: Volume | undefined): string | undefined {
    if (!volume) return `its volume "${mount.name}" is not in the pod`;
    if (mount.readOnly === true) return `volume mount "${mount.name}" is readOnly`;
    const source = sourceOf(volume);
    if (source && READ_ONLY_SOURCES.includes(source)) return `volume "${mount.name}" is a ${source} volume (always read-only)`;
    if ((volume[source ?? ""] as { readOnly?: boolean } | undefined)?.readOnly === true) return `volume "${mount.name}" is readOnly`;
    return undefined;
}

/**
 * What each pod wiring rule starts from: the pod templates (not applicable without any), the Secrets and
 * ConfigMaps, the workloads undecided during preview, and `done`, which ends the rule with "cannot decide"
 * when anything it needed was unknown.
 */
export function podRuleInputs(args: StackValidationArgs) {
    let firstUnknown: UnknownValueErrorInstance | undefined;
    const remember = (err: UnknownValueErrorInstance) => (firstUnknown ??= err);
    const { pods, unknown } = podFiles(args.resources, remember);
    if (pods.length + unknown.length === 0) args.notApplicable("the stack creates no pod template");
    const undecided = unknown.map((u) => u.workload);
    const objects = configObjects(args.resources, remember);
    return { pods, objects, undecided, done: () => throwIfUndecided(firstUnknown, undecided, " (values unknown during preview)") };
}
