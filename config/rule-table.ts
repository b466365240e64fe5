/**
 * Cross-field rules as tables. A row says which key path is reported, when
 * (a predicate over the merged document and the environment), and with which
 * message:
 *
 *     { path: "cache.nodes",
 *       when: ({ doc }) => get(doc, "cache.multiAz") === true && below(get(doc, "cache.nodes"), 2),
 *       message: "Multi-AZ needs at least 2 nodes" }
 *
 * Rows about list items (services, subnet CIDRs) sit in an `each` group whose
 * scope adds the item and its index; `[i]` and `[j]` in a path stand for the
 * scope's `i` and `j`. Tables are evaluated top to bottom, items in list order,
 * so the order of the issues is the order of the rows.
 */
import type { Environment, EnvironmentMinimums } from "./environments";
import { type ConfigIssue, NAMESPACE } from "./issue";
import type { Doc } from "./document";

/** What every row sees: the merged document, possibly structurally invalid, and its environment. */
export interface Scope {
    doc: Doc;
    environment: Environment;
    /** ENVIRONMENT_MINIMUMS[environment]. */
    minimums: EnvironmentMinimums;
}

export interface Rule<S = Scope> {
    /** The key path reported, without `hangar:`; `[i]`/`[j]` are replaced by the scope's indexes. */
    path: string | ((scope: S) => string);
    /** True when the document breaks the rule. */
    when(scope: S): boolean;
    message: string | ((scope: S) => string);
}

/** Rows evaluated once per item of a list, each in a scope that adds the item. */
export interface Each<S = Scope> {
    items(scope: S): readonly object[];
    rows: readonly Row<never>[];
}

export type Row<S = Scope> = Rule<S> | Each<S>;

/** A group of rows evaluated for every item `items` yields, in order. */
export function each<S, I extends object>(items: (scope: S) => readonly I[], rows: readonly Row<I>[]): Each<S> {
    return { items, rows } as unknown as Each<S>;
}

export function isEach<S>(row: Row<S>): row is Each<S> {
    return "items" in row;
}

/** The issues a table reports for a scope, in row order. */
export function evaluate<S>(rows: readonly Row<S>[], scope: S, issues: ConfigIssue[] = []): ConfigIssue[] {
    for (const row of rows) {
        if (isEach(row)) {
            for (const item of row.items(scope)) evaluate(row.rows as readonly Row<object>[], item, issues);
        } else if (row.when(scope)) {
            issues.push({
                path: `${NAMESPACE}:${pathOf(row, scope)}`,
                message: typeof row.message === "function" ? row.message(scope) : row.message,
            });
        }
    }
    return issues;
}

function pathOf<S>(rule: Rule<S>, scope: S): string {
    const path = typeof rule.path === "function" ? rule.path(scope) : rule.path;
    return path.replace(/\[([ij])\]/g, (_, index: string) => `[${String((scope as Record<string, unknown>)[index])}]`);
}

/**
 * Every rule of a table on its own, in evaluation order, each as a one-rule
 * table that keeps its `each` groups: for testing the rules one by one.
 */
export function singleRules<S>(rows: readonly Row<S>[]): { rule: Rule<never>; table: Row<S>[] }[] {
    return rows.flatMap((row): { rule: Rule<never>; table: Row<S>[] }[] => {
        if (!isEach(row)) return [{ rule: row as Rule<never>, table: [row] }];
        return singleRules(row.rows as readonly Row<object>[]).map(({ rule, table }) => ({
            rule,
            table: [{ items: row.items, rows: table } as Each<S>],
        }));
    });
}
