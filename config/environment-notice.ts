/**
 * The notice for a stack whose environment comes from its name: a copy of
 * Pulumi.staging.yaml saved as Pulumi.dev.yaml becomes an ephemeral stack, with
 * ephemeral's smaller, backup-less defaults, and nothing in the file says so.
 *
 * Which settings it lists: the profile defaults of the environment the stack
 * got that differ from those of the environment the file looks copied from —
 * leaving out the ones the file sets itself (its value wins either way), the
 * `app.serviceDefaults` every service overrides, and the ones that have no
 * effect in the resolved config (config/ignored.ts). The file looks copied from
 * the environment whose defaults its own values repeat most often (where they
 * differ from the stack's); with no such evidence, every other environment.
 */
import { get, list, type Doc } from "./document";
import { ENVIRONMENTS, type Environment } from "./environments";
import { hasNoEffect } from "./ignored";
import { NAMESPACE, type ConfigWarning, type EnvironmentSetting } from "./issue";
import { isPlainObject } from "./merge";
import { profileDefaults } from "./profiles";

/** Every leaf of a mapping as [dotted path, value]; lists and empty mappings are leaves. */
function leaves(node: unknown, at = ""): [string, unknown][] {
    if (!isPlainObject(node) || (at !== "" && Object.keys(node).length === 0)) return at === "" ? [] : [[at, node]];
    return Object.entries(node).flatMap(([key, value]) => leaves(value, at === "" ? key : `${at}.${key}`));
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const allProfiles = () => Object.fromEntries(ENVIRONMENTS.map((e) => [e, profileDefaults(e)])) as Record<Environment, Doc>;

/** The environments the stack file looks copied from (see above). */
export function lookedCopiedFrom(document: Doc, environment: Environment): Environment[] {
    const profiles = allProfiles();
    const others = ENVIRONMENTS.filter((e) => e !== environment);
    const written = leaves(document).filter(([path, value]) => !same(value, get(profiles[environment], path)));
    const score = (e: Environment) => written.filter(([path, value]) => same(value, get(profiles[e], path))).length;
    const best = Math.max(...others.map(score));
    return best === 0 ? others : others.filter((e) => score(e) === best);
}

/** `app.serviceDefaults.<key>` that every service of the stack file sets itself (so the default reaches none). */
function overriddenByEveryService(document: Doc, path: string): boolean {
    const prefix = "app.serviceDefaults.";
    if (!path.startsWith(prefix)) return false;
    return list(get(document, "app.services")).every((service) => get(service, path.slice(prefix.length)) !== undefined);
}

/**
 * The notice, when `hangar:environment` is not set and the stack's name is not
 * an environment's (`prod` and `staging` name their environment: nothing is
 * inferred there that the name does not say).
 */
export function environmentNotice(document: Doc, merged: Doc, stackName: string, environment: Environment): ConfigWarning | undefined {
    if (document.environment !== undefined || (ENVIRONMENTS as readonly string[]).includes(stackName)) return undefined;
    const comparedWith = lookedCopiedFrom(document, environment);
    const profiles = allProfiles();
    const settings: EnvironmentSetting[] = [];
    for (const [path, value] of leaves(profiles[environment])) {
        if (get(document, path) !== undefined || overriddenByEveryService(document, path) || hasNoEffect(merged, environment, path))
            continue;
        const instead: Record<string, unknown> = {};
        for (const e of comparedWith) if (!same(get(profiles[e], path), value)) instead[e] = get(profiles[e], path);
        if (Object.keys(instead).length > 0) settings.push({ path, value, instead });
    }
    const compared = comparedWith.join(" and ");
    const why = comparedWith.length === ENVIRONMENTS.length - 1 ? compared : `${compared}, which this file's values follow`;
    const changed = settings.length === 0 ? "" : `; compared with ${why}, ${settings.length} settings take ${environment}'s defaults:`;
    return {
        level: "notice",
        path: `${NAMESPACE}:environment`,
        message: `environment ${environment} comes from the stack name \`${stackName}\`; set hangar:environment to choose${changed}`,
        comparedWith,
        settings,
    };
}
