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

/** `up` finished but a Rollout was still not fully promoted when `rolloutWaitMs` ran out. */
export class RolloutPendingError extends HangarError {
    readonly code = "ROLLOUT_PENDING";
    constructor(
        stackName: string,
        /** The Rollouts still in progress. */
        readonly rollouts: RolloutStatus[],
    ) {
        super(
            `up of stack "${stackName}" applied, but ${rollouts.map((r) => `Rollout ${r.namespace}/${r.name} (${r.phase ?? "no status"})`).join(", ")} ` +
                "was not fully promoted in time; watch it with kubectl argo rollouts get rollout",
            stackName,
        );
    }
}

/** An aborted rollout: `status.abort` (set by the controller or `kubectl argo rollouts abort`), or the Degraded phase. */
function aborted(item: { status?: { abort?: boolean; phase?: string } }): boolean {
    return item.status?.abort === true || item.status?.phase === "Degraded";
}

type RolloutItem = {
    metadata?: { name?: string; generation?: number };
    spec?: {
        strategy?: {
            blueGreen?: { autoPromotionEnabled?: boolean };
            canary?: { steps?: { pause?: { duration?: string | number } }[] };
        };
    };
    status?: {
        abort?: boolean;
        phase?: string;
        message?: string;
        observedGeneration?: string | number;
        stableRS?: string;
        currentPodHash?: string;
        currentStepIndex?: number;
    };
};

/** Paused for a person: a blue-green rollout without auto-promotion, or a canary at a pause step without duration. */
function waitsForPerson(item: RolloutItem): boolean {
    if (item.status?.phase !== "Paused") return false;
    const strategy = item.spec?.strategy ?? {};
    if (strategy.blueGreen) return strategy.blueGreen.autoPromotionEnabled === false;
    const step = strategy.canary?.steps?.[item.status.currentStepIndex ?? -1];
    return step?.pause !== undefined && step.pause.duration === undefined;
}

/**
 * Settled: fully promoted on the generation the controller last observed (argo-rollouts writes
 * `status.observedGeneration` as a string), or waiting for a person (manual promotion, which `up` does not wait for).
 */
function settled(item: RolloutItem): boolean {
    const s = item.status ?? {};
    if (waitsForPerson(item)) return true;
    return (
        String(s.observedGeneration) === String(item.metadata?.generation) &&
        s.phase === "Healthy" &&
        !!s.stableRS &&
        s.stableRS === s.currentPodHash
    );
}

const statusOf = (namespace: string, i: RolloutItem): RolloutStatus => ({
    namespace,
    name: i.metadata?.name ?? "?",
    phase: i.status?.phase,
    message: i.status?.message,
});

/**
 * After a successful `up`: waits until every Rollout of `namespace` is settled, polling every `intervalMs` for at
 * most `waitMs`. Throws {@link RolloutAbortedError} for an aborted one, {@link RolloutPendingError} at the end.
 */
export async function awaitPromotion(
    stack: string,
    reader: KubeReader,
    namespace: string,
    waitMs: number,
    intervalMs: number,
): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (;;) {
        const res = await reader.get(`/apis/argoproj.io/v1alpha1/namespaces/${encodeURIComponent(namespace)}/rollouts`);
        const items = res.status === 200 ? ((res.body?.items ?? []) as RolloutItem[]) : [];
        const abortedOnes = items.filter(aborted);
        if (abortedOnes.length > 0)
            throw new RolloutAbortedError(
                stack,
                abortedOnes.map((i) => statusOf(namespace, i)),
            );
        const pending = items.filter((i) => !settled(i));
        if (pending.length === 0) return;
        if (Date.now() + intervalMs > deadline)
            throw new RolloutPendingError(
                stack,
                pending.map((i) => statusOf(namespace, i)),
            );
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
}

/** The stack's kubeconfig reader and app namespace, or undefined when the kubeconfig or its context is missing. */
export function stackReader(
    stack: string,
    stackFile: string,
    env: NodeJS.ProcessEnv,
): { reader: KubeReader; namespace: string } | undefined {
    try {
        const parsed = parseConfig(fs.existsSync(stackFile) ? readStackConfig(stackFile) : {}, stack);
        const kubeconfig = loadKubeconfig(env);
        if (!parsed.ok || kubeconfig === undefined) return undefined;
        return { reader: kubeReader(kubeconfig, parsed.config.foundation.kubernetes.context), namespace: parsed.config.app.namespace };
    } catch {
        return undefined;
    }
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
    const target = stackReader(stack, stackFile, env);
    if (!target) return undefined;
    try {
        return await abortedRollouts(target.reader, target.namespace);
    } catch {
        return undefined;
    }
}
