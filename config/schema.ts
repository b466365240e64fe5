/**
 * The stack-file contract: the zod schema that turns the `hangar:` keys of
 * `Pulumi.<stack>.yaml` into a typed PlatformConfig, assembled from one module
 * per top-level key (config/sections/<key>.ts, each with its cross-field rules)
 * and the shared value types (primitives.ts).
 *
 * Every field's message says what is expected, so that `formatIssue` can print
 * `hangar:<key path>: <message>` and the user knows what to change.
 * Per-environment defaults live in `profiles.ts`, not here: this schema only
 * validates the merged (profile ⊕ stack file) document.
 */
import { z } from "zod";
import { ENVIRONMENTS } from "./environments";
import { mapping } from "./primitives";
import { appSchema } from "./sections/app";
import { backupsSchema } from "./sections/backups";
import { cacheSchema } from "./sections/cache";
import { databaseSchema } from "./sections/database";
import { dnsSchema } from "./sections/dns";
import { drSchema } from "./sections/dr";
import { externalSecretsSchema } from "./sections/externalSecrets";
import { foundationSchema } from "./sections/foundation";
import { monitoringSchema } from "./sections/monitoring";

export { ENVIRONMENTS, type Environment } from "./environments";
export { awsAccountId, awsRegion, cidr, dnsLabel, hostname, httpsUrl, intIn, pinnedImage } from "./primitives";
export { appSchema, serviceSchema } from "./sections/app";
export { backupsSchema } from "./sections/backups";
export { cacheSchema } from "./sections/cache";
export { databaseSchema } from "./sections/database";
export { dnsSchema } from "./sections/dns";
export { drSchema } from "./sections/dr";
export { externalSecretsSchema } from "./sections/externalSecrets";
export { foundationSchema } from "./sections/foundation";
export { monitoringSchema } from "./sections/monitoring";

export const platformSchema = mapping({
    environment: z.enum(ENVIRONMENTS, { error: "expected prod, staging or ephemeral" }),
    foundation: foundationSchema,
    app: appSchema,
    database: databaseSchema,
    cache: cacheSchema,
    monitoring: monitoringSchema,
    backups: backupsSchema,
    dr: drSchema,
    dns: dnsSchema,
    externalSecrets: externalSecretsSchema,
});

/** The sections a stack file may set under `hangar:`. */
export const SECTIONS = Object.keys(platformSchema.shape) as (keyof typeof platformSchema.shape)[];

export type PlatformConfig = z.output<typeof platformSchema>;
