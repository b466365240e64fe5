/**
 * The sweep of ephemeral environments: every ephemeral environment whose last
 * update is older than a cutoff is destroyed and removed (removeEnvironment),
 * as the scheduled pipeline does for pull requests whose `closed` run never came.
 * It never touches prod, staging or a stack tracked in the repository, never one
 * whose update is running, and never one whose age it cannot tell.
 */
import { cutoffTime, listEnvironments, removeEnvironment } from "./environments";
import { HangarError } from "./errors";
import { RESERVED_NAMES } from "./validate";
import type { SweepOptions, SweepResult, SweptEnvironment } from "./types";

/**
 * Destroys and removes the ephemeral environments last updated before `olderThan`
 * (an age in milliseconds, or a Date), one after the other; with `dryRun` it only
 * lists them. Skipped, and reported: environments without a `lastUpdate` in the
 * backend, with an update in progress, or with no stack in the backend (a work
 * directory only). A failed removal is reported and the sweep goes on.
 * `from`, `overrides` and `secretsProvider` rebuild the stack file of an environment
 * created on another host (see removeEnvironment).
 *
 * @throws ValidationError (a bad `olderThan`), CliNotFoundError, CommandFailedError (listing the stacks)
 */
export async function sweepEnvironments(options: SweepOptions): Promise<SweepResult> {
    const now = options.now ?? new Date();
    const cutoff = new Date(cutoffTime(options.olderThan, now.getTime()));
    const dryRun = options.dryRun === true;
    const result: SweepResult = { cutoff, dryRun, removed: [], skipped: [], failed: [] };
    const environments = await listEnvironments({ ...options, environment: "ephemeral", olderThan: undefined, now });
    const candidates = environments.filter(
        (e) =>
            e.source !== "repository" &&
            !RESERVED_NAMES.includes(e.name) &&
            (options.prefix === undefined || e.name.startsWith(options.prefix)),
    );
    for (const env of candidates) {
        if (!env.inBackend) {
            result.skipped.push({ stack: env.name, reason: "not-in-backend" });
            continue;
        }
        if (env.age === undefined || env.lastUpdate === undefined) {
            result.skipped.push({ stack: env.name, reason: "no-last-update" });
            continue;
        }
        if (now.getTime() - env.age >= cutoff.getTime()) continue; // young enough
        if (env.updateInProgress) {
            result.skipped.push({ stack: env.name, reason: "update-in-progress" });
            continue;
        }
        const swept: SweptEnvironment = { stack: env.name, environment: "ephemeral", lastUpdate: env.lastUpdate, age: env.age };
        if (dryRun) {
            result.removed.push(swept);
            continue;
        }
        try {
            // An environment this process is working on is not queued behind: it is busy, so it is not stale.
            const removed = await removeEnvironment(env.name, { ...options, whenBusy: "fail" });
            result.removed.push({ ...swept, ...(removed.destroyed ? { destroyed: removed.destroyed } : {}) });
        } catch (err) {
            result.failed.push({
                stack: env.name,
                code: err instanceof HangarError ? err.code : "INTERNAL",
                message: err instanceof Error ? err.message : String(err),
            });
        }
    }
    return result;
}
