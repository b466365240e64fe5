/**
 * "Did you mean …?" for an unknown key: the valid key at the same level that
 * is fewest edits away (optimal string alignment: insertions, deletions,
 * substitutions and swaps of neighbours, case ignored), when it is close enough
 * to be the key the user meant rather than another one.
 */

/** Edits between `a` and `b`, a swap of two neighbouring characters counting as one. */
export function editDistance(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) =>
        Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
    );
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.length][b.length];
}

/**
 * The candidate nearest to `key`, or undefined when none is within a third of
 * the key's length (at least one edit): `databse` → `database`, `multiaz` →
 * `multiAz`, but nothing for `retention` among the database's keys. Ties go to
 * the candidate listed first.
 */
export function nearestKey(key: string, candidates: readonly string[]): string | undefined {
    const budget = Math.max(1, Math.floor(key.length / 3));
    let best: { candidate: string; distance: number } | undefined;
    for (const candidate of candidates) {
        if (candidate === key) continue;
        const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
        if (distance <= budget && (best === undefined || distance < best.distance)) best = { candidate, distance };
    }
    return best?.candidate;
}
