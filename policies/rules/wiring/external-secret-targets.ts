/**
 * The Secrets External Secrets Operator writes, as the wiring rules see them: an ExternalSecret
 * (external-secrets.io/v1) in namespace N with `spec.target.name` T (default: its own name) is the Secret N/T at run
 * time (https://external-secrets.io/latest/api/externalsecret/). Its keys: with `target.template.data` and the
 * default `mergePolicy: Replace`, the template's keys alone; with `Merge`, those and `data[].secretKey`; without a
 * template, `data[].secretKey` (and, with `dataFrom`, keys only the provider knows: unknown). The template's text is
 * the value the wiring rules read (a connection URL's sslmode and sslrootcert are written in it literally).
 * `target.creationPolicy: Merge` or `None` writes into a Secret someone else creates: not a Secret of its own here.
 */
import { PolicyResource } from "@pulumi/policy";
import { ObjectMeta } from "../kubernetes/pod-template";
import { readKnown, UnknownValueErrorInstance } from "../unknowns";
import { type ConfigObject, type Maybe, SECRET_KEYS_ANNOTATION, UNKNOWN } from "./pod-files";

export const EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret";

interface ExternalSecretSpec {
    target?: { name?: string; creationPolicy?: string; template?: { mergePolicy?: string; data?: Record<string, unknown> } };
    data?: { secretKey?: string }[];
    dataFrom?: unknown[];
}

/** The Secrets the stack's ExternalSecrets create, as configObjects lists Secrets. */
export function externalSecretTargets(resources: PolicyResource[], remember: (err: UnknownValueErrorInstance) => void): ConfigObject[] {
    const out: ConfigObject[] = [];
    for (const r of resources.filter((x) => x.type === EXTERNAL_SECRET)) {
        const head = readKnown(() => {
            const metadata = (r.props.metadata ?? {}) as ObjectMeta;
            const spec = (r.props.spec ?? {}) as ExternalSecretSpec;
            const policy = spec.target?.creationPolicy ?? "Owner";
            const declared = metadata.annotations?.[SECRET_KEYS_ANNOTATION];
            return {
                own: policy === "Owner" || policy === "Orphan",
                namespace: metadata.namespace ?? "default",
                name: spec.target?.name ?? metadata.name ?? r.name,
                ...(declared === undefined ? {} : { declared: declared.split(",").filter(Boolean) }),
                replace: (spec.target?.template?.mergePolicy ?? "Replace") === "Replace" && spec.target?.template?.data !== undefined,
                templateKeys: Object.keys(spec.target?.template?.data ?? {}),
                dataKeys: (spec.data ?? []).map((d) => String(d.secretKey)),
                dataFrom: (spec.dataFrom ?? []).length > 0,
            };
        });
        if (!head.known) {
            remember(head.error);
            continue;
        }
        const { own, templateKeys, dataKeys, dataFrom, replace, ...id } = head.value;
        if (!own) continue;
        let data: Maybe<Map<string, Maybe<string>>> = new Map();
        if (!replace && dataFrom) data = UNKNOWN;
        else {
            if (!replace) for (const key of dataKeys) data.set(key, UNKNOWN);
            for (const key of templateKeys) {
                const value = readKnown(() => String((r.props.spec as ExternalSecretSpec).target!.template!.data![key]));
                if (value.known) data.set(key, value.value);
                else {
                    // As a Secret's stringData (one Output): a value unknown during preview makes the whole data unknown,
                    // its keys then read from the hangar.dev/secret-keys annotation.
                    remember(value.error);
                    data = UNKNOWN;
                    break;
                }
            }
        }
        out.push({ urn: r.urn, kind: "Secret", ...id, data });
    }
    return out;
}
