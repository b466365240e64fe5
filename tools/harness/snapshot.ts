/**
 * The snapshot: what the program registered, as the harness saw it on the wire.
 * Values use a readable encoding of Pulumi's wire format:
 *   secret   → { "@secret": value }
 *   unknown  → "@unknown"            (preview: a value the engine does not know yet)
 *   resource → { "@resource": urn }
 */
export const UNKNOWN = "@unknown";

export interface ResourceOptions {
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    aliases: unknown[];
    dependencies: string[];
    /** Input property → the URNs its value came from (known during preview). */
    propertyDependencies: Record<string, string[]>;
    ignoreChanges: string[];
    replaceOnChanges: string[];
    additionalSecretOutputs: string[];
    /** The `import` option: the physical id adopted instead of created. */
    importId?: string;
    /** The `customTimeouts` option, when set (Go duration strings such as "20m"). */
    customTimeouts?: { create?: string; update?: string; delete?: string };
}

export interface SnapshotResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    parent?: string;
    /** URN of the provider resource (custom resources only). */
    provider?: string;
    inputs: Record<string, unknown>;
    options: ResourceOptions;
    /** A component's registered outputs (registerOutputs), as the engine receives them. */
    outputs?: Record<string, unknown>;
}

export interface SnapshotInvoke {
    token: string;
    provider?: string;
}

export interface Snapshot {
    project: string;
    stack: string;
    preview: boolean;
    /** Set when the program failed; `runError` means a user-facing message without a stack trace. */
    error?: { message: string; runError: boolean };
    resources: SnapshotResource[];
    invokes: SnapshotInvoke[];
    outputs: Record<string, unknown>;
    /** What the program and the SDK logged with `pulumi.log.warn` (the stack file's warnings and notices among them), when anything. */
    warnings?: string[];
    durationMs: number;
}

export function isSecret(value: unknown): value is { "@secret": unknown } {
    return typeof value === "object" && value !== null && "@secret" in value;
}

/** The value with every secret wrapper removed (what a policy sees). */
export function reveal(value: unknown): unknown {
    if (isSecret(value)) return reveal(value["@secret"]);
    if (Array.isArray(value)) return value.map(reveal);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
    }
    return value;
}

/** The value with every secret replaced by a marker, for files people read. */
export function redact(value: unknown): unknown {
    // A secret map (a Secret's stringData, say) keeps its keys, so a written manifest stays valid Kubernetes.
    if (isSecret(value)) return redactAll(reveal(value));
    if (Array.isArray(value)) return value.map(redact);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)]));
    }
    return value;
}

function redactAll(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(redactAll);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.keys(value).map((k) => [k, "[secret]"]));
    return "[secret]";
}

/** Dotted paths (`data.password`) of every secret inside a value. */
export function secretPaths(value: unknown, prefix = ""): string[] {
    if (isSecret(value)) return [prefix || "."];
    if (Array.isArray(value)) return value.flatMap((v, i) => secretPaths(v, `${prefix}[${i}]`));
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([k, v]) => secretPaths(v, prefix ? `${prefix}.${k}` : k));
    }
    return [];
}

export function byType(snapshot: Snapshot, type: string): SnapshotResource[] {
    return snapshot.resources.filter((r) => r.type === type);
}

/** The component a resource belongs to: the nearest ancestor below Platform (or the stack). */
export function owningComponent(snapshot: Snapshot, resource: SnapshotResource): SnapshotResource | undefined {
    const byUrn = new Map(snapshot.resources.map((r) => [r.urn, r]));
    let current: SnapshotResource | undefined = resource;
    let owner: SnapshotResource | undefined;
    while (current?.parent) {
        const parent = byUrn.get(current.parent);
        if (!parent || parent.type === "pulumi:pulumi:Stack" || parent.type === "hangar:index:Platform") break;
        owner = parent;
        current = parent;
    }
    return owner;
}
