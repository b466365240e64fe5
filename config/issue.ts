/**
 * What parsing reports: one problem, named by the key path the user writes.
 * Its own module so that the parser and the rule tables share it without
 * importing each other.
 */

/** The stack-file namespace of Hangar's keys (`hangar:app`, `hangar:database`, …). */
export const NAMESPACE = "hangar";

export interface ConfigIssue {
    /** Key path as the user writes it: `hangar:database.backupRetentionDays`. */
    path: string;
    message: string;
}
