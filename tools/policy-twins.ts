/**
 * Stack-file keys with a twin in the guardrails' config: the stack sets a value, and
 * policies/config/<env>.json sets what the pack demands of the resource it becomes. The two
 * are kept apart on purpose (the pack keeps its own config, so a stack author cannot relax
 * a guardrail from the stack file); the check reports where they disagree, which is where
 * `pulumi preview --policy-pack` will fail, or where the stack and the pack drifted apart.
 */
import type { PlatformConfig } from "../config";

type Setting = Record<string, unknown>;

export interface PolicyTwin {
    /** The stack-file key, under `hangar:`. */
    stackKey: string;
    /** The policy and the property of its config that is the twin. */
    policy: string;
    property: string;
    /** The stack's value (undefined: the key does not apply, as when the resource is off). */
    stackValue: (config: PlatformConfig) => unknown;
    /** Why they disagree, or undefined when the stack value meets the pack's setting. */
    disagreement: (stackValue: unknown, policyValue: unknown) => string | undefined;
}

const atLeast = (unit: string) => (stack: unknown, min: unknown) =>
    typeof min === "number" && typeof stack === "number" && stack < min ? `${stack} ${unit} is below the pack's minimum ${min}` : undefined;
const requiredTrue = (stack: unknown, required: unknown) =>
    required === true && stack === false ? "false, and the pack requires it" : undefined;

export const POLICY_TWINS: PolicyTwin[] = [
    {
        stackKey: "app.gateway",
        policy: "kubernetes-httproute-tls-gateway",
        property: "gateways",
        stackValue: (c) => c.app.gateway,
        disagreement: (stack, gateways) => {
            const g = stack as { namespace: string; name: string; listener: string };
            const allowed = (gateways ?? []) as { namespace: string; name: string; sectionNames: string[] }[];
            return allowed.some((a) => a.namespace === g.namespace && a.name === g.name && a.sectionNames.includes(g.listener))
                ? undefined
                : `${g.namespace}/${g.name} listener ${g.listener} is not one of the pack's gateways (${allowed
                      .map((a) => `${a.namespace}/${a.name} ${a.sectionNames.join("|")}`)
                      .join(", ")})`;
        },
    },
    {
        stackKey: "app.gateway",
        policy: "wiring-httproute-gateway",
        property: "gateways",
        stackValue: (c) => c.app.gateway,
        disagreement: (stack, gateways) => {
            const g = stack as { namespace: string; name: string; listener: string; hostname?: string };
            const declared = (gateways ?? []) as {
                namespace: string;
                name: string;
                listeners: { name: string; hostname?: string; protocol: string }[];
            }[];
            const listener = declared
                .find((d) => d.namespace === g.namespace && d.name === g.name)
                ?.listeners.find((l) => l.name === g.listener);
            if (!listener)
                return `${g.namespace}/${g.name} listener ${g.listener} is not a listener the pack declares (${declared
                    .flatMap((d) => d.listeners.map((l) => `${d.namespace}/${d.name} ${l.name}`))
                    .join(", ")})`;
            if (listener.protocol !== "HTTPS") return `listener ${g.listener} speaks ${listener.protocol} in the pack, not HTTPS`;
            if (g.hostname && listener.hostname && g.hostname.toLowerCase() !== listener.hostname.toLowerCase())
                return `hostname ${g.hostname} is not the hostname the pack declares for listener ${g.listener} (${listener.hostname})`;
            return undefined;
        },
    },
    {
        stackKey: "database.backupRetentionDays",
        policy: "aws-rds-backup-retention",
        property: "minRetentionDays",
        stackValue: (c) => (c.database.enabled ? c.database.backupRetentionDays : undefined),
        disagreement: atLeast("days"),
    },
    {
        stackKey: "database.deletionProtection",
        policy: "aws-rds-deletion-protection",
        property: "required",
        stackValue: (c) => (c.database.enabled ? c.database.deletionProtection : undefined),
        disagreement: requiredTrue,
    },
    {
        stackKey: "database.deletionProtection",
        policy: "aws-rds-final-snapshot",
        property: "required",
        stackValue: (c) => (c.database.enabled ? c.database.deletionProtection : undefined),
        disagreement: requiredTrue,
    },
    {
        stackKey: "database.rotation.enabled",
        policy: "aws-secret-rotation-required",
        property: "required",
        stackValue: (c) => (c.database.enabled ? c.database.rotation.enabled : undefined),
        disagreement: requiredTrue,
    },
    {
        stackKey: "cache.snapshotRetentionDays",
        policy: "aws-elasticache-snapshot-retention",
        property: "minRetentionDays",
        stackValue: (c) => (c.cache.enabled ? c.cache.snapshotRetentionDays : undefined),
        disagreement: atLeast("days"),
    },
    {
        stackKey: "cache.multiAz",
        policy: "aws-elasticache-multi-az",
        property: "required",
        stackValue: (c) => (c.cache.enabled ? c.cache.multiAz : undefined),
        disagreement: requiredTrue,
    },
    {
        stackKey: "backups.dailyRetentionDays",
        policy: "aws-backup-plan-retention",
        property: "minRetentionDays",
        stackValue: (c) => (c.backups.enabled ? c.backups.dailyRetentionDays : undefined),
        disagreement: atLeast("days"),
    },
    {
        stackKey: "backups.restoreTesting.enabled",
        policy: "aws-backup-restore-testing",
        property: "required",
        stackValue: (c) => (c.backups.enabled && c.database.enabled ? c.backups.restoreTesting.enabled : undefined),
        disagreement: requiredTrue,
    },
    {
        stackKey: "backups.bucket.expireAfterDays",
        policy: "aws-s3-bucket-lifecycle-retention",
        property: "minRetentionDays",
        stackValue: (c) => (c.backups.enabled ? c.backups.bucket.expireAfterDays : undefined),
        disagreement: atLeast("days"),
    },
];

export interface TwinResult {
    stackKey: string;
    policy: string;
    property: string;
    stackValue: unknown;
    /** The pack's value; undefined when the policy config leaves it to the rule's default. */
    policyValue: unknown;
    /** The policy's enforcement level in that config. */
    level: string;
    agrees: boolean;
    message?: string;
}

/** Every twin that applies to this config, against the pack's config (policies/config/<env>.json). */
export function compareTwins(config: PlatformConfig, policyConfig: Setting, defaults: (policy: string, property: string) => unknown) {
    const results: TwinResult[] = [];
    for (const t of POLICY_TWINS) {
        const stackValue = t.stackValue(config);
        if (stackValue === undefined) continue;
        const own = policyConfig[t.policy];
        const setting: Setting = typeof own === "object" && own !== null ? (own as Setting) : {};
        const level = String(typeof own === "string" ? own : (setting.enforcementLevel ?? policyConfig.all ?? "advisory"));
        if (level === "disabled") continue;
        const policyValue = setting[t.property] ?? defaults(t.policy, t.property);
        const message = t.disagreement(stackValue, policyValue);
        results.push({
            stackKey: t.stackKey,
            policy: t.policy,
            property: t.property,
            stackValue,
            policyValue,
            level,
            agrees: !message,
            message,
        });
    }
    return results;
}
