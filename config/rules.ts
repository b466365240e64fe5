/**
 * Rules that relate several keys, or depend on the environment: each section's
 * table (config/sections/<key>.ts), evaluated in one fixed order. They read the
 * merged document defensively (it may be structurally invalid) so that they are
 * reported together with the schema's own errors, never instead of them.
 */
import { ENVIRONMENT_MINIMUMS, type Environment } from "./environments";
import type { Doc } from "./document";
import type { ConfigIssue } from "./issue";
import { evaluate, type Row } from "./rule-table";
import { appRules } from "./sections/app";
import { backupsRules } from "./sections/backups";
import { cacheRules } from "./sections/cache";
import { databaseRules } from "./sections/database";
import { dnsRules } from "./sections/dns";
import { drRules } from "./sections/dr";
import { externalSecretsRules } from "./sections/externalSecrets";
import { foundationRules } from "./sections/foundation";
import { monitoringRules } from "./sections/monitoring";

/**
 * Every section's rules, in the order their issues are reported (which is not
 * SECTIONS' order: DR's rules come before monitoring's and backups').
 */
export const RULE_TABLES: Readonly<Record<string, readonly Row[]>> = {
    foundation: foundationRules,
    app: appRules,
    database: databaseRules,
    cache: cacheRules,
    dr: drRules,
    monitoring: monitoringRules,
    backups: backupsRules,
    dns: dnsRules,
    externalSecrets: externalSecretsRules,
};

export function crossFieldIssues(doc: Doc, environment: Environment): ConfigIssue[] {
    const scope = { doc, environment, minimums: ENVIRONMENT_MINIMUMS[environment] };
    return Object.values(RULE_TABLES).flatMap((rows) => evaluate(rows, scope));
}
