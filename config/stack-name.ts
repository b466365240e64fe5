/**
 * Stack names, one rule for the program, the offline check and the Automation
 * module: they become physical AWS names (`hangar-<stack>`, `hangar-<stack>-dr`,
 * `hangar-<stack>-dumps-dr-<account>`), so the mapping must be injective and every
 * name valid for its service. Lower-case letters and digits in single-hyphen
 * separated words: RDS identifiers refuse `--` and a trailing hyphen, and `_`,
 * `.` or upper case would fold into the same name ("Naming constraints in Amazon
 * RDS", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints).
 */
import type { ConfigIssue } from "./issue";

export const STACK_NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * The tightest physical names: the ElastiCache replication group id `hangar-<stack>`
 * (40 characters, "Constraints" of CreateReplicationGroup) and the DR dump bucket
 * `hangar-<stack>-dumps-dr-<12-digit account>` (63, "Bucket naming rules") allow 33
 * and 34; 32 leaves a character to spare.
 */
export const STACK_NAME_LENGTH = { min: 2, max: 32 } as const;

/** Every problem with a stack name, as `{ path: "name", message }` issues (none when valid). */
export function stackNameIssues(name: unknown): ConfigIssue[] {
    if (typeof name !== "string") return [{ path: "name", message: "expected a stack name (a string)" }];
    const shown = JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
    if (name.length < STACK_NAME_LENGTH.min || name.length > STACK_NAME_LENGTH.max) {
        return [{ path: "name", message: `${shown}: expected ${STACK_NAME_LENGTH.min}–${STACK_NAME_LENGTH.max} characters` }];
    }
    if (/[/\\]|\.\./.test(name)) return [{ path: "name", message: `${shown}: path characters ('/', '\\', '..') are not allowed` }];
    if (!STACK_NAME_PATTERN.test(name)) {
        return [
            {
                path: "name",
                message: `${shown}: expected lower-case letters and digits in words joined by single '-', starting with a letter (so physical AWS names stay unique and valid)`,
            },
        ];
    }
    return [];
}
