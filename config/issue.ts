/**
 * What parsing reports: problems (errors) and, beside a valid or an invalid
 * config, warnings and notices, each named by the key path the user writes.
 * Its own module so that the parser and the rule tables share it without
 * importing each other.
 */

/** The stack-file namespace of Hangar's keys (`hangar:app`, `hangar:database`, …). */
export const NAMESPACE = "hangar";

export interface ConfigIssue {
    /** Key path as the user writes it: `hangar:database.backupRetentionDays`. */
    path: string;
    message: string;
    /** The stack file (as the user names it: `Pulumi.prod.yaml`), when parsed with its source. */
    file?: string;
    /** 1-based line of the key in `file`, or of the nearest enclosing key the file has (where a missing key belongs). */
    line?: number;
}

/** A setting whose effective value comes from the environment's profile, and what it would be in the others. */
export interface EnvironmentSetting {
    /** Key path without `hangar:`: `database.instanceClass`. */
    path: string;
    /** Its value in the environment the stack got. */
    value: unknown;
    /** Its value in each environment compared with. */
    instead: Record<string, unknown>;
}

/**
 * Something the user should know that does not make the config invalid:
 * `warning`, a key that has no effect; `notice`, a choice made for the user
 * (the environment from the stack name).
 */
export interface ConfigWarning extends ConfigIssue {
    level: "warning" | "notice";
    /** For the environment notice: the environments compared with, and the settings that differ because of it. */
    comparedWith?: string[];
    settings?: EnvironmentSetting[];
}

/** Where a stack file's keys are: the file's display name and the line of a key path. */
export interface StackFileSource {
    file: string;
    /** The line of `hangar:a.b[1].c`, or of its nearest enclosing key the file has; undefined when neither is in the file. */
    lineOf(path: string): number | undefined;
}
