/**
 * Options and results of the environment lifecycle: createEnvironment,
 * removeEnvironment and listEnvironments. Like every result, these are plain
 * data that never echo secrets back.
 */
import type { Environment, PlatformConfig } from "../../config";
import type { ConnectionOptions, OperationOptions } from "./options";
import type { HangarErrorCode } from "../errors";
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
    /**
     * What to do when the environment already exists (its work directory here, or its stack
     * in the backend): `"fail"` throws `AlreadyExistsError`; `"rebuild"` selects the existing
     * stack and rewrites its stack file from `from`, `overrides` and `secretsProvider`, as a
     * CI runner must whose predecessor (and its work directory) is gone.
     * @default "fail"
     */
    ifExists?: "fail" | "rebuild";
}

/** How an ephemeral environment's stack file is rebuilt on a host that has none (see {@link RemoveEnvironmentOptions}). */
export interface RebuildOptions {
    /** The tracked stack the environment was created from (`staging`). */
    from?: string;
    /** The overrides it was created with. */
    overrides?: ConfigOverrides;
    /** Its secrets provider, written as the stack file's `secretsprovider`. */
    secretsProvider?: string;
}

/** Options of {@link removeEnvironment}. */
export interface RemoveEnvironmentOptions extends OperationOptions, RebuildOptions {
    /**
     * Remove the stack even if it still has resources (`pulumi stack rm --force`),
     * without destroying them first. The resources keep running, unmanaged.
     * @default false
     */
    keepResources?: boolean;
    // RebuildOptions: when the work directory has no stack file (the environment was created on
    // another host), one is written from `from`, `overrides` and `secretsProvider` before the destroy.
}

/** Options of {@link listEnvironments}. */
export interface ListEnvironmentsOptions extends ConnectionOptions {
    /**
     * Only environments last updated before a point in time: an age in milliseconds
     * (`72 * 3600_000`), or a `Date`. Environments without a known `lastUpdate` are left out.
     */
    olderThan?: number | Date;
    /** Only environments of this kind (`"ephemeral"`). */
    environment?: Environment;
    /** The clock `age` and `olderThan` are measured against. @default now */
    now?: Date;
}

/** Options of {@link sweepEnvironments}. */
export interface SweepOptions extends OperationOptions, RebuildOptions {
    /** Remove ephemeral environments last updated longer ago than this: milliseconds, or a `Date` (the cutoff). */
    olderThan: number | Date;
    /** Only names starting with this prefix (`"pr-"`), so stacks of other tools in the backend stay. @default every ephemeral name */
    prefix?: string;
    /** List what would be removed, remove nothing. @default false */
    dryRun?: boolean;
    /** The clock. @default now */
    now?: Date;
}

/** Why {@link sweepEnvironments} left an old-enough (or unknown-age) environment alone. */
export type SweepSkipReason = "no-last-update" | "update-in-progress" | "not-in-backend";

/** One environment the sweep removed (or, with `dryRun`, would remove). */
export interface SweptEnvironment extends StackRef {
    lastUpdate: string;
    /** Milliseconds since `lastUpdate`. */
    age: number;
    /** The destroy that ran before the stack was removed (absent with `dryRun`). */
    destroyed?: DestroyResult;
}

/** Result of {@link sweepEnvironments}. */
export interface SweepResult {
    /** Environments last updated before this were due. */
    cutoff: Date;
    dryRun: boolean;
    /** Removed (with `dryRun`: due for removal). */
    removed: SweptEnvironment[];
    /** Left alone, with why: no `lastUpdate` to judge by, an update running, no stack in the backend. */
    skipped: { stack: string; reason: SweepSkipReason }[];
    /** Removals that failed; the sweep goes on with the next one. */
    failed: { stack: string; code: HangarErrorCode | "INTERNAL"; message: string }[];
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
    /** Milliseconds from `lastUpdate` to the listing (absent when `lastUpdate` is unknown or unreadable). */
    age?: number;
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
    /** True when the environment existed and its stack file was rebuilt (`ifExists: "rebuild"`). */
    rebuilt: boolean;
}

/** Result of {@link removeEnvironment}. */
export interface RemovedEnvironment extends StackRef {
    /** The destroy that ran first (absent with `keepResources`). */
    destroyed?: DestroyResult;
}
