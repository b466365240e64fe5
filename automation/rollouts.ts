/**
 * Why an `up` did not finish when a Rollout's wait ran out. The provider's `pulumi.com/waitFor` has no failure
 * predicate (pulumi-kubernetes provider/pkg/await/await.go builds it from `jsonpath=`/`condition=` expressions
 * only), so a rollout the controller aborted (failed analysis, progress deadline) surfaces as a timeout of its
 * Rollout. After such a failure `up` reads the app namespace's Rollouts through the same read-only client as the
 * preflight (kube-reader.ts) and, when one is aborted, says why in a {@link RolloutAbortedError}: the controller's
 * `status.message` (argo-rollouts: `RolloutAborted: Rollout aborted update to revision N: Metric "…" assessed Failed …`).
 */
import * as fs from "fs";
import { parseConfig, readStackConfig } from "../config";
import { loadKubeconfig } from "../config/load/kubeconfig";
import { HangarError } from "./errors";
import { KubeReader, kubeReader } from "./kube-reader";

/** A Rollout as its controller reports it. */
export interface RolloutStatus {
    namespace: string;
    name: string;
    /** `Healthy`, `Progressing`, `Paused` or `Degraded` (an aborted rollout). */
    phase?: string;
    /** The controller's explanation, e.g. the failed metric. */
    message?: string;
}

/** `up` waited for a Rollout the controller aborted; `rollouts` say why, and the stable version serves again. */
export class RolloutAbortedError extends HangarError {
    readonly code = "ROLLOUT_ABORTED";
    constructor(
        stackName: string,
        /** The aborted Rollouts with the controller's message. */
        readonly rollouts: RolloutStatus[],
        options?: { cause?: unknown },
    ) {
        super(
            `up of stack "${stackName}" did not finish: ${rollouts
                .map((r) => `Rollout ${r.namespace}/${r.name} was aborted (${r.message ?? "no message"})`)
                .join("; ")}. The stable version serves again; fix the cause and run up again.`,
            stackName,
            options,
        );
    }
}

/** An aborted rollout: `status.abort` (set by the controller or `kubectl argo rollouts abort`), or the Degraded phase. */
function aborted(item: { status?: { abort?: boolean; phase?: string } }): boolean {
    return item.status?.abort === true || item.status?.phase === "Degraded";
}

/** The aborted Rollouts of `namespace` (an empty list when there are none, or no Rollout CRD). */
export async function abortedRollouts(reader: KubeReader, namespace: string): Promise<RolloutStatus[]> {
    const res = await reader.get(`/apis/argoproj.io/v1alpha1/namespaces/${encodeURIComponent(namespace)}/rollouts`);
    if (res.status !== 200) return [];
    const items = (res.body?.items ?? []) as {
        metadata?: { name?: string };
        status?: { abort?: boolean; phase?: string; message?: string };
    }[];
    return items
        .filter(aborted)
        .map((i) => ({ namespace, name: i.metadata?.name ?? "?", phase: i.status?.phase, message: i.status?.message }));
}

/** True when a failed `up`'s output points at a Rollout that did not get ready in time. */
export function rolloutTimedOut(output: string): boolean {
    return /argoproj\.io\/v1alpha1:Rollout/.test(output) && /timed out|timeout/i.test(output);
}

/**
 * After a failed `up`: the aborted Rollouts of the stack's app namespace, read with its kubeconfig context, or
 * undefined when they cannot be read (no kubeconfig, no context, an unreachable API server): the original error stands.
 */
export async function abortReasons(stack: string, stackFile: string, env: NodeJS.ProcessEnv): Promise<RolloutStatus[] | undefined> {
    try {
        const parsed = parseConfig(fs.existsSync(stackFile) ? readStackConfig(stackFile) : {}, stack);
        const kubeconfig = loadKubeconfig(env);
        if (!parsed.ok || kubeconfig === undefined) return undefined;
        const reader = kubeReader(kubeconfig, parsed.config.foundation.kubernetes.context);
        return await abortedRollouts(reader, parsed.config.app.namespace);
    } catch {
        return undefined;
    }
}
