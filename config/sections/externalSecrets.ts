/**
 * `hangar:externalSecrets`: External Secrets Operator, which gives pods their database and cache credentials at run
 * time from Secrets Manager (the master password rotates there; nothing Pulumi computed may reach a pod).
 */
import { z } from "zod";
import { get } from "../document";
import type { Row } from "../rule-table";
import { dnsLabel, mapping, pattern } from "../primitives";

/** A Go duration as ESO's `refreshInterval` takes it (metav1.Duration): 30s, 15m, 1h, 1h30m. */
export const goDuration = pattern(/^(?=\d)(\d+h)?(\d+m)?(\d+s)?$/, "a duration such as 15m, 1h or 1h30m");

export const externalSecretsSchema = mapping({
    /** `managed` installs the pinned external-secrets chart; `existing` uses an operator (and CRDs) the cluster runs. */
    mode: z.enum(["managed", "existing"], { error: "expected managed or existing" }),
    namespace: dnsLabel,
    chartVersion: pattern(/^\d+\.\d+\.\d+$/, "a chart version such as 2.9.0"),
    /** How often ESO rereads Secrets Manager and rewrites the target Secrets. */
    refreshInterval: goDuration,
});

// ------------------------------------------------------------------- rules

export const externalSecretsRules: Row[] = [
    {
        path: "externalSecrets.refreshInterval",
        when: ({ doc }) => /^[0hms]+$/.test(String(get(doc, "externalSecrets.refreshInterval") ?? "1h")),
        message: "must be longer than zero: 0 makes ESO read the secret once and never again, so a rotation never reaches the pods",
    },
];
