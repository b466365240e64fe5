/**
 * What a call does and how it is asked: the kinds of calls and CLI runs, the
 * connection options every call takes, and the options of preview, up,
 * refresh and destroy.
 */
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import type { ProgressEvent } from "./events";

/** What a call does to a stack; the per-stack lock names the running one. */
export type OperationKind = "preview" | "up" | "refresh" | "destroy" | "create" | "remove";

/** Every kind of call, including those that take no lock. */
export type CallKind = OperationKind | "outputs" | "list" | "cancel";

/** A CLI run within an operation: `up` is a `preview` stage, then an `update` stage. */
export type Stage = "preview" | "update" | "refresh" | "destroy";

/** Where the program, the CLI and ephemeral environments are. Every call accepts these. */
export interface ConnectionOptions {
    /**
     * The Hangar repository whose program runs (its `Pulumi.yaml`, `index.ts`, `policies/`).
     * @default the repository this module belongs to
     */
    repoRoot?: string;
    /** A Pulumi CLI already located with `PulumiCommand.get()`; wins over `pulumiRoot`. */
    pulumiCommand?: PulumiCommand;
    /**
     * A directory holding `bin/pulumi` (an installation root, as `PulumiCommand.get({ root })` takes).
     * @default `pulumi` on PATH
     */
    pulumiRoot?: string;
    /**
     * Skip the SDK's CLI version check (`PulumiCommand.get({ skipVersionCheck })`).
     * @default false
     */
    skipVersionCheck?: boolean;
    /**
     * Where ephemeral environments keep their work directories (one per environment,
     * holding its `Pulumi.yaml` and `Pulumi.<name>.yaml`). Must be outside the repository.
     * @default $HANGAR_ENVIRONMENTS_DIR, else ~/.hangar/environments
     */
    environmentsDir?: string;
    /**
     * Extra environment for the CLI: backend and secrets (`PULUMI_BACKEND_URL`,
     * `PULUMI_ACCESS_TOKEN`, `PULUMI_CONFIG_PASSPHRASE`), cloud credentials, `KUBECONFIG`.
     */
    envVars?: Record<string, string>;
    /**
     * `preview` and `up` first read the stack's cluster prerequisites (CRDs, the Gateway and its listener, the
     * StorageClass, the metrics API, the Ingress controller) from the cluster of its kubeconfig context, and throw
     * `PreflightError` naming what is missing before the CLI starts. `false` skips the reads.
     * @default true
     */
    preflight?: boolean;
}

/** Streaming, cancellation and concurrency, for calls that run the engine. */
export interface StreamOptions {
    /** Called for each progress event (resource steps, policy violations, diagnostics, summaries). */
    onEvent?: (event: ProgressEvent) => void;
    /** Called with the CLI's stdout as it arrives (the human-readable progress display). */
    onOutput?: (text: string) => void;
    /**
     * Aborting interrupts the CLI (SIGINT: the engine stops gracefully) and the call
     * rejects with `CancelledError`; a call still waiting for its stack rejects at once.
     */
    signal?: AbortSignal;
    /**
     * On abort, also run `pulumi cancel` for the stack (`Stack.cancel()`), for backends
     * where an update outlives its CLI process (Pulumi Cloud). Dangerous: resource
     * operations in flight may be left pending.
     * @default false
     */
    cancelOnAbort?: boolean;
    /**
     * What a call does when another operation on the same stack runs in this process:
     * `"wait"` queues behind it, `"fail"` throws `BusyError` at once.
     * @default "wait"
     */
    whenBusy?: "wait" | "fail";
}

/** Options shared by preview, up, refresh and destroy. */
export interface OperationOptions extends ConnectionOptions, StreamOptions {
    /** A message recorded with the update in the stack's history. */
    message?: string;
}

/** Options of {@link preview}. */
export interface PreviewOptions extends OperationOptions {
    /**
     * Refresh the state from the cloud before previewing.
     * @default false
     */
    refresh?: boolean;
}

/** Options of {@link up}. */
export interface UpOptions extends PreviewOptions {
    /**
     * URNs of stateful resources (see `STATEFUL_RESOURCE_TYPES`) this update may
     * replace or delete. Any other destructive change to a stateful resource makes
     * `up` throw `StatefulChangeError` without updating.
     * @default []
     */
    allowReplace?: readonly string[];
    /**
     * After the CLI's `up`, how long to wait until every Rollout of the app namespace is fully promoted: the
     * controller has observed its new generation, the stable revision is the current one and it is Healthy
     * (`pulumi.com/waitFor` alone can pass on the previous revision's status right after the apply). An aborted
     * Rollout throws `RolloutAbortedError`, one still in progress at the end `RolloutPendingError`; one paused for a
     * manual promotion is not waited for. Needs the stack's kubeconfig context; 0 skips the check.
     * @default 1_800_000 (30 minutes)
     */
    rolloutWaitMs?: number;
}

/** Options of {@link refresh}. */
export type RefreshOptions = OperationOptions;

/** Options of {@link destroy}. */
export interface DestroyOptions extends OperationOptions {
    /**
     * Allow destroying a stack whose environment is prod (refused otherwise;
     * prod's stateful resources are also `protect`ed, so the engine refuses them too).
     * @default false
     */
    allowProd?: boolean;
}
