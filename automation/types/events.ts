/**
 * Progress events, as `onEvent` and {@link withProgress} deliver them.
 */
import type { EngineEvent, OpMap } from "@pulumi/pulumi/automation";
import type { OperationKind, Stage } from "./options";
import type { PolicyViolation, ResourceChange } from "./results";

/** What every progress event says: which stack, which call, which CLI run. */
export interface ProgressBase {
    stack: string;
    operation: OperationKind;
    stage: Stage;
}

/**
 * A progress event: engine events in a typed, smaller shape (`raw` keeps the
 * engine's own), plus `stage` events when a CLI run starts and `output` text
 * (the latter only from {@link withProgress}; `onOutput` receives it otherwise).
 */
export type ProgressEvent = ProgressBase &
    (
        | { kind: "stage" }
        | { kind: "output"; text: string }
        | { kind: "resource"; phase: "pre" | "done" | "failed"; change: ResourceChange; raw: EngineEvent }
        | { kind: "policy"; violation: PolicyViolation; raw: EngineEvent }
        | { kind: "diagnostic"; severity: string; message: string; urn?: string; raw: EngineEvent }
        | { kind: "summary"; changeSummary: OpMap; durationSeconds: number; raw: EngineEvent }
        | { kind: "cancel"; raw: EngineEvent }
    );
