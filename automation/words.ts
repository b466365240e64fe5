/**
 * The words messages use for what their reader can pass or do: the Automation
 * API's option and function names here, the `hangar` command's flags and
 * commands in cli-output.ts. An error keeps how to write its message in any of
 * them (errors.ts, HangarError.explain).
 */

/** One interface's words: what a message calls each thing its reader can pass or do. */
export interface Words {
    /** What permits destroying prod. */
    allowProd: string;
    /** How to accept the destructive change of a stateful resource (a sentence's predicate). */
    acceptReplacement: string;
    /** The tracked stack file a new environment starts from. */
    from: string;
    /** A new environment's config overrides. */
    overrides: string;
    /** What sets the environments directory. */
    environmentsDir: string;
    /** How to point at a Pulumi CLI that is not on PATH (a sentence's predicate). */
    locateCli: string;
    /** How to create environment `name`. */
    createEnvironment(name: string): string;
    /** How to remove environment `name`. */
    removeEnvironment(name: string): string;
    /** How to clear a stale lock on `stack`, besides `pulumi cancel` (none on the command line). */
    cancel?(stack: string): string;
    /** How to queue behind a running operation instead of failing (the command line always queues). */
    waitWhenBusy?: string;
}

/** The Automation API's words: its option and function names. */
export const API_WORDS: Words = {
    allowProd: "allowProd: true",
    acceptReplacement: "list each URN in allowReplace",
    from: "from",
    overrides: "overrides",
    environmentsDir: "environmentsDir",
    locateCli: "point pulumiRoot at a directory holding bin/pulumi (or pass a located pulumiCommand)",
    createEnvironment: (name) => `createEnvironment("${name}")`,
    removeEnvironment: (name) => `removeEnvironment("${name}")`,
    cancel: (stack) => `this module's cancel("${stack}")`,
    waitWhenBusy: 'whenBusy: "wait"',
};

/** A message, or how to write it in a given set of {@link Words}. */
export type Explanation = string | ((words: Words) => string);

/** Where the Pulumi CLI comes from, and how to install it, in `words`. */
export function installHint(words: Words): string {
    return (
        "Install the Pulumi CLI with `curl -fsSL https://get.pulumi.com | sh` (see https://www.pulumi.com/docs/iac/download-install/), " +
        `or ${words.locateCli}.`
    );
}

/** Where the Pulumi CLI comes from, and how to install it (the Automation API's words). */
export const INSTALL_HINT = installHint(API_WORDS);
