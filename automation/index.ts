/**
 * Hangar's Automation API module: typed preview / up / refresh / destroy /
 * outputs per environment, ephemeral environments, policies built in, streamed
 * progress, cancellation and safe concurrency. It drives the Pulumi CLI over
 * this repository's own program (`LocalWorkspace`), so it runs exactly what
 * `pulumi up --stack <name>` runs. See automation/README.md.
 *
 * This file is the public surface only: stack operations live in
 * operations.ts, the environment lifecycle in environments.ts, what both share
 * (the per-stack lock, one engine run) in session.ts, workspaces in
 * workspace.ts and the option and result types in types/.
 */
export {
    AlreadyExistsError,
    API_WORDS,
    BusyError,
    CancelledError,
    CliNotFoundError,
    CommandFailedError,
    HangarError,
    type HangarErrorCode,
    INSTALL_HINT,
    NotFoundError,
    PolicyViolationError,
    PreflightError,
    StackLockedError,
    StatefulChangeError,
    ValidationError,
    type Words,
} from "./errors";
export * from "./types";
export { DESTRUCTIVE_OPS, isDestructiveOp, isStatefulType, STATEFUL_RESOURCE_TYPES } from "./stateful";
export { withProgress, type ProgressHooks, type ProgressStream } from "./progress";
export { RESERVED_NAMES, STACK_NAME_LENGTH, STACK_NAME_PATTERN, stackNameIssues, parseKeyPath } from "./validate";
export { cancel, destroy, outputs, preflight, preview, refresh, up } from "./operations";
export { createEnvironment, listEnvironments, removeEnvironment } from "./environments";
export { sweepEnvironments } from "./sweep";
export type { PreflightFinding } from "./preflight";
export { RolloutAbortedError, RolloutPendingError, type RolloutStatus } from "./rollouts";
