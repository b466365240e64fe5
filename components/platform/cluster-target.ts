import { parse as parseYaml } from "yaml";

/** Which cluster a stack may touch, and the kubeconfig that reaches it. */
export interface KubernetesTargetArgs {
    /** Contents of the kubeconfig (YAML or JSON). Kept secret in state. */
    kubeconfig: string;
    /** The kubeconfig context to use. Always explicit: the current-context is never used. */
    context: string;
    /**
     * The API server URL `context` must point at; when set, a mismatch stops the
     * program before any resource is registered.
     * @default no server check (prod stack files always set it)
     */
    server?: string;
    /**
     * The cluster's Kubernetes minor version (`v1.34`): the Pod Security Standards version
     * every namespace Hangar creates pins, so admission and the guardrails judge pods alike.
     * @default "v1.34"
     */
    version?: string;
    /**
     * Use the PriorityClasses `<prefix>-{api,monitoring,workers,batch}` that another stack of the cluster
     * created (PriorityClasses are cluster-scoped: an ephemeral stack on staging's cluster uses staging's)
     * instead of creating the stack's own.
     * @default the stack creates `<stack's physical name>-<tier>`
     */
    priorityClassPrefix?: string;
}

export class ClusterTargetError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ClusterTargetError";
    }
}

interface Kubeconfig {
    contexts?: { name?: string; context?: { cluster?: string } }[];
    clusters?: { name?: string; cluster?: { server?: string } }[];
}

const normalise = (url: string) => url.trim().replace(/\/+$/, "").toLowerCase();

/**
 * Resolves `target.context` in the kubeconfig and checks it points at
 * `target.server`. Throws ClusterTargetError with what to change otherwise.
 * Pure, so the guard is tested without a cluster.
 */
export function verifyClusterTarget(
    target: KubernetesTargetArgs,
    configKey = "hangar:foundation.kubernetes",
): { context: string; server: string } {
    let config: Kubeconfig;
    try {
        config = (parseYaml(target.kubeconfig) ?? {}) as Kubeconfig;
    } catch (err) {
        throw new ClusterTargetError(`the kubeconfig is not valid YAML: ${(err as Error).message}`);
    }
    const context = (config.contexts ?? []).find((c) => c?.name === target.context);
    if (!context) {
        const known =
            (config.contexts ?? [])
                .map((c) => c?.name)
                .filter(Boolean)
                .join(", ") || "none";
        throw new ClusterTargetError(
            `kubeconfig has no context "${target.context}" (contexts: ${known}); ` +
                `point KUBECONFIG at the cluster's kubeconfig or fix ${configKey}.context`,
        );
    }
    const clusterName = context.context?.cluster;
    const server = (config.clusters ?? []).find((c) => c?.name === clusterName)?.cluster?.server;
    if (!server) {
        throw new ClusterTargetError(`kubeconfig context "${target.context}" names cluster "${clusterName ?? ""}", which has no server`);
    }
    if (target.server !== undefined && normalise(server) !== normalise(target.server)) {
        throw new ClusterTargetError(
            `kubeconfig context "${target.context}" points at ${server}, but ${configKey}.server expects ` +
                `${target.server}; refusing to deploy to the wrong cluster`,
        );
    }
    return { context: target.context, server };
}
