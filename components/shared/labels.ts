/** The `app.kubernetes.io/part-of` value of every object Hangar creates. */
export const PART_OF = "hangar";

/** `app.kubernetes.io/part-of: hangar`, on every object Hangar creates. */
export function partOfLabels(): Record<string, string> {
    return { "app.kubernetes.io/part-of": PART_OF };
}

/** The labels that select one named workload of Hangar's (its pods, Service, monitors and policies). */
export function selectorLabels(name: string): Record<string, string> {
    return { "app.kubernetes.io/name": name, ...partOfLabels() };
}
