/**
 * Options and results of the environment lifecycle: createEnvironment,
 * removeEnvironment and listEnvironments. Like every result, these are plain
 * data that never echo secrets back.
 */
import type { Environment, PlatformConfig } from "../../config";
import type { ConnectionOptions, OperationOptions } from "./options";
import type { DestroyResult, StackRef } from "./results";

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
    /** See `StreamOptions.whenBusy`. @default "wait" */
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
