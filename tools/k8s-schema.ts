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

/**
 * External Secrets Operator's v1 kinds: @kubernetes-models/external-secrets 2.x is the only line with
 * external-secrets.io/v1 (0.5.x stops at v1beta1, which the chart no longer serves) and it is ESM-only, which Node 20's
 * require cannot load. Its compiled validator of one kind (a plain ajv standalone module) is bundled to CommonJS with
 * esbuild in memory, once per kind, and wrapped like the other models.
 */
const ESM_VALIDATORS: Record<string, string> = {
    "external-secrets.io/v1/ExternalSecret": "ComGithubExternalSecretsExternalSecretsApisExternalsecretsV1ExternalSecret",
    "external-secrets.io/v1/SecretStore": "ComGithubExternalSecretsExternalSecretsApisExternalsecretsV1SecretStore",
};
const esmModels = new Map<string, ModelClass>();

function esmModelFor(apiVersion: string, kind: string): ModelClass | undefined {
    const key = `${apiVersion}/${kind}`;
    const schema = ESM_VALIDATORS[key];
    if (!schema) return undefined;
    const cached = esmModels.get(key);
    if (cached) return cached;
    const path = require("path") as typeof import("path");
    const pkg = path.dirname(require.resolve("@kubernetes-models/external-secrets/package.json", { paths: [__dirname] }));
    const { buildSync } = require("esbuild") as typeof import("esbuild");
    const built = buildSync({
        entryPoints: [path.join(pkg, "_schemas", `${schema}.js`)],
        bundle: true,
        format: "cjs",
        platform: "node",
        write: false,
        logLevel: "silent",
    });
    const mod = { exports: {} as { validate?: ((data: unknown) => boolean) & { errors?: AjvError[] | null } } };
    new Function("module", "exports", "require", built.outputFiles[0].text)(mod, mod.exports, require);
    const validate = mod.exports.validate!;
    const Model = class {
        constructor(private readonly data: unknown) {}
        validate() {
            if (!validate(this.data)) throw Object.assign(new Error(`${kind} is invalid`), { errors: validate.errors ?? [] });
        }
    };
    esmModels.set(key, Model);
    return Model;
}

function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
    const esm = esmModelFor(apiVersion, kind);
    if (esm) return esm;
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
    keyword?: string;
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
        return errors.map(
            (e) => `${e.instancePath || "/"} ${e.message ?? (e.keyword ? `fails ${e.keyword} ${JSON.stringify(e.params)}` : "is invalid")}`,
        );
    }
}
