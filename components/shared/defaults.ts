/**
 * One way to fill a component's documented defaults: keys a caller set to
 * `undefined` (a mapped config that left a setting out) must not hide them.
 */

/** The args without keys explicitly set to undefined. */
export function definedOnly<T extends object>(args: T): Partial<T> {
    return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `defaults` overlaid with every key of `args` that is not undefined (one level deep). */
export function withDefaults<D extends object, A extends object>(defaults: D, args: A): D & Partial<A> {
    return { ...defaults, ...definedOnly(args) };
}
