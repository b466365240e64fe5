/**
 * Options and results of the automation module. Results are plain data
 * (JSON-serialisable apart from `Date`s), safe to log: secret outputs are
 * redacted and no stack config is echoed back.
 */
import type { EngineEvent, OpMap, OpType, PulumiCommand, UpdateKind, UpdateResult } from "@pulumi/pulumi/automation";
import type { Environment, PlatformConfig } from "../config";

export type { Environment, OpMap, OpType };

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

/**
 * Config overrides for a new environment, by key path as users write them:
 * `{"database.instanceClass": "db.t4g.small", "hangar:app.services": [...]}`.
 * The `hangar:` prefix is optional; only `hangar:` keys are accepted.
 */
export type ConfigOverrides = Readonly<Record<string, unknown>>;

/** Options of {@link createEnvironment}. */
export interface CreateEnvironmentOptions extends ConnectionOptions {
    /**
     * A tracked stack (`staging`) whose stack file is the starting document; its
     * `hangar:environment` is dropped. Without it, the overrides must supply what the
     * ephemeral profile cannot (`foundation`: account, region, cluster, network).
     */
    from?: string;
    /** Overrides applied on top of `from` (or of nothing); validated by `parseConfig`. */
    overrides?: ConfigOverrides;
    /** Secrets provider for `pulumi stack init` (`awskms://alias/hangar-state?region=eu-west-1`). */
    secretsProvider?: string;
    /** Aborting before the stack is created cancels the call. */
    signal?: AbortSignal;
    /** See {@link StreamOptions.whenBusy}. @default "wait" */
    whenBusy?: "wait" | "fail";
}

/** Options of {@link removeEnvironment}. */
export interface RemoveEnvironmentOptions extends OperationOptions {
    /**
     * Remove the stack even if it still has resources (`pulumi stack rm --force`),
     * without destroying them first. The resources keep running, unmanaged.
     * @default false
     */
    keepResources?: boolean;
}

/** A policy violation reported by the engine (a `policyEvent`). */
export interface PolicyViolation {
    /** Policy name (`pod-non-root`). */
    policy: string;
    /** Policy pack name. */
    pack: string;
    /** Policy pack version. */
    packVersion: string;
    /** `mandatory` blocks the update; `warning` is advisory. */
    level: "warning" | "mandatory";
    /** The resource concerned; absent for stack-level policies. */
    urn?: string;
    /** What is wrong and which field to set. */
    message: string;
}

/** One resource step the engine plans or performs (a `resourcePreEvent`), other than `same`. */
export interface ResourceChange {
    /** The resource's URN (what `allowReplace` lists). */
    urn: string;
    /** Pulumi type token (`aws:rds/instance:Instance`). */
    type: string;
    /** The engine's step: `create`, `update`, `replace`, `delete`, … */
    op: OpType;
    /** True for types in `STATEFUL_RESOURCE_TYPES`. */
    stateful: boolean;
    /** Properties that change, when the engine says. */
    diffs?: string[];
    /** Properties that force the replacement, when the engine says. */
    replaceKeys?: string[];
}

/** The stack's record of one finished update, without its config and environment (which may hold secrets). */
export interface UpdateInfo {
    /** `update`, `refresh`, `destroy`, … */
    kind: UpdateKind;
    /** `succeeded`, `failed` or `in-progress`. */
    result: UpdateResult;
    /** Stack version the update produced. */
    version: number;
    startTime: Date;
    endTime?: Date;
    /** The message given with the update. */
    message?: string;
    /** Counts by operation, as the backend recorded them. */
    resourceChanges?: OpMap;
}

/** The placeholder for a secret value: this module never returns secrets. */
export const REDACTED = "[secret]";

/** A stack output; `value` is {@link REDACTED} when `secret` is true. */
export interface OutputValue {
    /** The value, or {@link REDACTED} for a secret. */
    value: unknown;
    /** True when Pulumi holds the output as a secret. */
    secret: boolean;
}

/** Stack outputs by name, secrets redacted. */
export type StackOutputs = Record<string, OutputValue>;

/** What every operation result says about its stack. */
export interface StackRef {
    /** The stack (environment) name. */
    stack: string;
    /** The environment its stack file describes; it picks the policy config. */
    environment: Environment;
}

/** Result of {@link preview}. */
export interface PreviewResult extends StackRef {
    /** Counts by operation (`{ create: 3, same: 40 }`). */
    changeSummary: OpMap;
    /** Every planned step other than `same`. */
    changes: ResourceChange[];
    /** Every policy violation, mandatory and advisory. */
    violations: PolicyViolation[];
    /** True when a mandatory violation failed the preview: `up` would be refused. */
    blocked: boolean;
    /** The CLI's display output. */
    stdout: string;
}

/** Result of {@link up}. */
export interface UpResult extends StackRef {
    /** The preview `up` ran first (its stateful-change and policy checks passed). */
    preview: PreviewResult;
    /** Counts by operation performed. */
    changeSummary: OpMap;
    /** Steps performed, other than `same`. */
    changes: ResourceChange[];
    /** Advisory violations reported during the update. */
    violations: PolicyViolation[];
    /** Stack outputs after the update, secrets redacted. */
    outputs: StackOutputs;
    /** The stack history entry of this update. */
    update?: UpdateInfo;
    /** The CLI's display output of the update. */
    stdout: string;
}

/** Result of {@link refresh} and {@link destroy}. */
export interface UpdateResultSummary extends StackRef {
    /** Counts by operation performed. */
    changeSummary: OpMap;
    /** Steps performed, other than `same`. */
    changes: ResourceChange[];
    /** The stack history entry of this run. */
    update?: UpdateInfo;
    /** The CLI's display output. */
    stdout: string;
}

/** Result of {@link refresh}. */
export type RefreshResult = UpdateResultSummary;
/** Result of {@link destroy}. */
export type DestroyResult = UpdateResultSummary;

/** Where an environment listed by {@link listEnvironments} is defined. */
export type EnvironmentSource = "repository" | "environments-dir" | "backend-only";

/** One environment (stack) of the project. */
export interface EnvironmentSummary {
    /** Stack name (the short name, without `org/project/`). */
    name: string;
    /** The environment the name implies (`prod`, `staging`, else `ephemeral`). */
    environment: Environment;
    /** `repository`: a tracked `Pulumi.<name>.yaml`; `environments-dir`: made by createEnvironment; `backend-only`: no config here. */
    source: EnvironmentSource;
    /** The work directory of an ephemeral environment. */
    workDir?: string;
    /** False when the stack has a work directory or stack file but no stack in the backend. */
    inBackend: boolean;
    /** From `pulumi stack ls`: when the stack last changed. */
    lastUpdate?: string;
    /** From `pulumi stack ls`: an update is running now (anywhere). */
    updateInProgress?: boolean;
    /** From `pulumi stack ls`: resources in the stack. */
    resourceCount?: number;
    /** From `pulumi stack ls`: the stack's page (Pulumi Cloud). */
    url?: string;
}

/** Result of {@link createEnvironment}. */
export interface CreatedEnvironment extends StackRef {
    environment: "ephemeral";
    /** The environment's work directory (outside the repository). */
    workDir: string;
    /** The stack file's `config:` mapping as written. */
    stackConfig: Record<string, unknown>;
    /** The parsed config the program will see. */
    config: PlatformConfig;
}

/** Result of {@link removeEnvironment}. */
export interface RemovedEnvironment extends StackRef {
    /** The destroy that ran first (absent with `keepResources`). */
    destroyed?: DestroyResult;
}

/** What every progress event says: which stack, which call, which CLI run. */
export interface ProgressBase {
    stack: string;
    operation: OperationKind;
    stage: Stage;
}

/**
 * A progress event: engine events in a typed, smaller shape (`raw` keeps the
 * engine's own), plus `stage` events when a CLI run starts and `output` text
 * (the latter only from {@link withProgress}; `onOutput` receives it otherwise).
 */
export type ProgressEvent = ProgressBase &
    (
        | { kind: "stage" }
        | { kind: "output"; text: string }
        | { kind: "resource"; phase: "pre" | "done" | "failed"; change: ResourceChange; raw: EngineEvent }
        | { kind: "policy"; violation: PolicyViolation; raw: EngineEvent }
        | { kind: "diagnostic"; severity: string; message: string; urn?: string; raw: EngineEvent }
        | { kind: "summary"; changeSummary: OpMap; durationSeconds: number; raw: EngineEvent }
        | { kind: "cancel"; raw: EngineEvent }
    );
