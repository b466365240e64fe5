/**
 * What preview, up, refresh, destroy and outputs return. Results are plain data
 * (JSON-serialisable apart from `Date`s), safe to log: secret outputs are
 * redacted and no stack config is echoed back.
 */
import type { OpMap, OpType, UpdateKind, UpdateResult } from "@pulumi/pulumi/automation";
import type { Environment } from "../../config";

/** A policy violation reported by the engine (a `policyEvent`). */
export interface PolicyViolation {
    /** Policy name (`pod-non-root`). */
    policy: string;
    /** Policy pack name. */
    pack: string;
    /** Policy pack version. */
    packVersion: string;
    /** `mandatory` blocks the update; `warning` is advisory. */
    level: "warning" | "mandatory";
    /** The resource concerned; absent for stack-level policies. */
    urn?: string;
    /** What is wrong and which field to set. */
    message: string;
}

/** One resource step the engine plans or performs (a `resourcePreEvent`), other than `same`. */
export interface ResourceChange {
    /** The resource's URN (what `allowReplace` lists). */
    urn: string;
    /** Pulumi type token (`aws:rds/instance:Instance`). */
    type: string;
    /** The engine's step: `create`, `update`, `replace`, `delete`, … */
    op: OpType;
    /** True for types in `STATEFUL_RESOURCE_TYPES`. */
    stateful: boolean;
    /** Properties that change, when the engine says. */
    diffs?: string[];
    /** Properties that force the replacement, when the engine says. */
    replaceKeys?: string[];
}

/** The stack's record of one finished update, without its config and environment (which may hold secrets). */
export interface UpdateInfo {
    /** `update`, `refresh`, `destroy`, … */
    kind: UpdateKind;
    /** `succeeded`, `failed` or `in-progress`. */
    result: UpdateResult;
    /** Stack version the update produced. */
    version: number;
    startTime: Date;
    endTime?: Date;
    /** The message given with the update. */
    message?: string;
    /** Counts by operation, as the backend recorded them. */
    resourceChanges?: OpMap;
}

/** The placeholder for a secret value: this module never returns secrets. */
export const REDACTED = "[secret]";

/** A stack output; `value` is {@link REDACTED} when `secret` is true. */
export interface OutputValue {
    /** The value, or {@link REDACTED} for a secret. */
    value: unknown;
    /** True when Pulumi holds the output as a secret. */
    secret: boolean;
}

/** Stack outputs by name, secrets redacted. */
export type StackOutputs = Record<string, OutputValue>;

/** What every operation result says about its stack. */
export interface StackRef {
    /** The stack (environment) name. */
    stack: string;
    /** The environment its stack file describes; it picks the policy config. */
    environment: Environment;
}

/** Result of {@link preview}. */
export interface PreviewResult extends StackRef {
    /** Counts by operation (`{ create: 3, same: 40 }`). */
    changeSummary: OpMap;
    /** Every planned step other than `same`. */
    changes: ResourceChange[];
    /** Every policy violation, mandatory and advisory. */
    violations: PolicyViolation[];
    /** True when a mandatory violation failed the preview: `up` would be refused. */
    blocked: boolean;
    /** The CLI's display output. */
    stdout: string;
}

/** Result of {@link up}. */
export interface UpResult extends StackRef {
    /** The preview `up` ran first (its stateful-change and policy checks passed). */
    preview: PreviewResult;
    /** Counts by operation performed. */
    changeSummary: OpMap;
    /** Steps performed, other than `same`. */
    changes: ResourceChange[];
    /** Advisory violations reported during the update. */
    violations: PolicyViolation[];
    /** Stack outputs after the update, secrets redacted. */
    outputs: StackOutputs;
    /** The stack history entry of this update. */
    update?: UpdateInfo;
    /** The CLI's display output of the update. */
    stdout: string;
}

/** Result of {@link refresh} and {@link destroy}. */
export interface UpdateResultSummary extends StackRef {
    /** Counts by operation performed. */
    changeSummary: OpMap;
    /** Steps performed, other than `same`. */
    changes: ResourceChange[];
    /** The stack history entry of this run. */
    update?: UpdateInfo;
    /** The CLI's display output. */
    stdout: string;
}

/** Result of {@link refresh}. */
export type RefreshResult = UpdateResultSummary;
/** Result of {@link destroy}. */
export type DestroyResult = UpdateResultSummary;
