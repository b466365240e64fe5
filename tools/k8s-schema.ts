/**
 * Validates Kubernetes objects against the official OpenAPI schemas, through
 * kubernetes-models (4.5.x: the last line with a CommonJS build) and its
 * sibling packages for CRDs.
 */
import { UNKNOWN } from "./harness/snapshot";

export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata?: { name?: string; namespace?: string; [key: string]: unknown };
    [key: string]: unknown;
}

type ModelClass = new (data: unknown) => { validate(): void };

/** apiVersion → module exporting one class per kind. Core and built-in groups come from kubernetes-models. */
const CRD_MODULES: Record<string, string> = {
    "gateway.networking.k8s.io/v1": "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1",
    "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
    // 0.3.x: the last line with a CommonJS build (2.x is ESM-only).
    "argoproj.io/v1alpha1": "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1",
};

function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
    const moduleName = CRD_MODULES[apiVersion] ?? `kubernetes-models/${apiVersion}`;
    // One module per kind: loading a group's index compiles every kind's validator.
    for (const candidate of [`${moduleName}/${kind}`, moduleName]) {
        try {
            const model = (require(candidate) as Record<string, ModelClass>)[kind];
            if (model) return model;
        } catch {
            // try the group's index
        }
    }
    return undefined;
}

/** Paths (`/spec/replicas`) of values unknown during preview; they are removed before validation. */
function withoutUnknowns(value: unknown, at: string, unknown: string[]): unknown {
    if (Array.isArray(value)) return value.map((v, i) => withoutUnknowns(v, `${at}/${i}`, unknown));
    if (typeof value !== "object" || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
        if (v === UNKNOWN) unknown.push(`${at}/${k}`);
        else out[k] = withoutUnknowns(v, `${at}/${k}`, unknown);
    }
    return out;
}

interface AjvError {
    instancePath: string;
    message?: string;
    params?: { missingProperty?: string };
}

/** Every schema violation of one object, as `<path> <message>`; empty when valid. */
export function validateManifest(manifest: Manifest): string[] {
    const Model = modelFor(manifest.apiVersion, manifest.kind);
    if (!Model) return [`no schema known for ${manifest.apiVersion} ${manifest.kind}`];
    const unknown: string[] = [];
    const data = withoutUnknowns(manifest, "", unknown);
    try {
        new Model(data).validate();
        return [];
    } catch (err) {
        const errors = ((err as { errors?: AjvError[] }).errors ?? [{ instancePath: "", message: (err as Error).message }]).filter(
            (e) => !(e.params?.missingProperty && unknown.includes(`${e.instancePath}/${e.params.missingProperty}`)),
        );
        return errors.map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
    }
}
