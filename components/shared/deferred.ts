/**
 * An Output whose value, and resources, another Output supplies later in the program: for an input whose resource
 * is created after the one that takes it (the DR region's key, which the master secret's replica needs, is created by
 * DisasterRecovery, after the database). `pulumi.output` of a promise of an Output lifts the inner Output and merges
 * its resources (@pulumi/pulumi output.ts, `outputRec` on a Promise and `liftInnerOutput`), so the taker still depends
 * on the resource. Resolve it exactly once, with undefined when nothing supplies it.
 */
import * as pulumi from "@pulumi/pulumi";

export function deferred<T>(): { output: pulumi.Output<T>; resolve: (value: pulumi.Output<T> | undefined) => void } {
    let resolve!: (value: pulumi.Output<T> | undefined) => void;
    const promise = new Promise<pulumi.Output<T> | undefined>((r) => (resolve = r));
    return { output: pulumi.output(promise) as pulumi.Output<T>, resolve };
}
