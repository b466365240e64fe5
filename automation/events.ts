/**
 * Reads the engine's event stream of one CLI run: collects what results report
 * (policy violations, resource steps, the summary) and forwards each event to
 * the caller as a typed {@link ProgressEvent}.
 */
import type { EngineEvent, OpMap, StepEventMetadata } from "@pulumi/pulumi/automation";
import { isStatefulType } from "./stateful";
import type { OperationKind, PolicyViolation, ProgressEvent, ResourceChange, Stage } from "./types";

/** Collects one CLI run's events. `handle` is the SDK's `onEvent`. */
export class EventCollector {
    readonly violations: PolicyViolation[] = [];
    /** Steps other than `same`, from `resourcePreEvent`s. */
    readonly changes: ResourceChange[] = [];
    changeSummary?: OpMap;
    cancelled = false;

    constructor(
        private readonly context: { stack: string; operation: OperationKind; stage: Stage },
        private readonly listener?: (event: ProgressEvent) => void,
    ) {}

    /** True when a mandatory policy failed. */
    get blocked(): boolean {
        return this.violations.some((v) => v.level === "mandatory");
    }

    readonly handle = (event: EngineEvent): void => {
        const progress = this.read(event);
        if (progress) this.forward(progress);
    };

    /** Tells the listener that this run's CLI is starting. */
    announce(): void {
        this.forward({ ...this.context, kind: "stage" });
    }

    private forward(progress: ProgressEvent): void {
        try {
            this.listener?.(progress);
        } catch {
            // A failing listener must not stop the operation or the collection of its results.
        }
    }

    private read(event: EngineEvent): ProgressEvent | undefined {
        const base = this.context;
        if (event.policyEvent) {
            const p = event.policyEvent;
            const violation: PolicyViolation = {
                policy: p.policyName,
                pack: p.policyPackName,
                packVersion: p.policyPackVersion,
                level: p.enforcementLevel === "mandatory" ? "mandatory" : "warning",
                ...(p.resourceUrn ? { urn: p.resourceUrn } : {}),
                message: p.message,
            };
            this.violations.push(violation);
            return { ...base, kind: "policy", violation, raw: event };
        }
        const step = event.resourcePreEvent ?? event.resOutputsEvent ?? event.resOpFailedEvent;
        if (step?.metadata) {
            const change = toChange(step.metadata);
            if (event.resourcePreEvent && change.op !== "same") this.changes.push(change);
            const phase = event.resourcePreEvent ? "pre" : event.resOutputsEvent ? "done" : "failed";
            return { ...base, kind: "resource", phase, change, raw: event };
        }
        if (event.summaryEvent) {
            this.changeSummary = event.summaryEvent.resourceChanges ?? {};
            return {
                ...base,
                kind: "summary",
                changeSummary: this.changeSummary,
                durationSeconds: event.summaryEvent.durationSeconds,
                raw: event,
            };
        }
        if (event.diagnosticEvent) {
            const d = event.diagnosticEvent;
            return { ...base, kind: "diagnostic", severity: d.severity, message: d.message, ...(d.urn ? { urn: d.urn } : {}), raw: event };
        }
        if (event.cancelEvent) {
            this.cancelled = true;
            return { ...base, kind: "cancel", raw: event };
        }
        return undefined;
    }
}

function toChange(metadata: StepEventMetadata): ResourceChange {
    const replaceKeys = metadata.keys?.length ? { replaceKeys: [...metadata.keys] } : {};
    const diffs = metadata.diffs?.length ? { diffs: [...metadata.diffs] } : {};
    return { urn: metadata.urn, type: metadata.type, op: metadata.op, stateful: isStatefulType(metadata.type), ...diffs, ...replaceKeys };
}
