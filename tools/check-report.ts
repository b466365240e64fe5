/**
 * The machine-readable verdict of the offline check, `out/<stack>/report.json`,
 * and the facts it gathers from a snapshot: what is exposed publicly, what is
 * protected, which charts at which versions.
 */
import * as path from "path";
import { reveal, ROOT, Snapshot } from "./harness";

// Manifests are read as plain data.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export interface PublicEntry {
    kind: string;
    namespace?: string;
    name: string;
    /** Hostnames (routes, ingresses) or addresses it answers on. */
    hosts: string[];
    /** The Gateway listener, the IngressClass or the Service type it is exposed through. */
    via: string;
    urn: string;
}

/** Everything reachable from outside: HTTPRoutes, Ingresses, LoadBalancer/NodePort Services, internet-facing load balancers. */
export function publicExposure(snapshot: Snapshot): PublicEntry[] {
    const out: PublicEntry[] = [];
    for (const r of snapshot.resources.filter((x) => x.custom)) {
        const m = reveal(r.inputs) as Any;
        const meta = { namespace: m?.metadata?.namespace, name: m?.metadata?.name ?? r.name, urn: r.urn };
        if (r.type === "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute") {
            const via = (m.spec?.parentRefs ?? [])
                .map((p: Any) => `Gateway ${p.namespace ?? meta.namespace}/${p.name}:${p.sectionName ?? "*"}`)
                .join(", ");
            out.push({ kind: "HTTPRoute", ...meta, hosts: m.spec?.hostnames ?? [], via });
        } else if (r.type === "kubernetes:networking.k8s.io/v1:Ingress") {
            const hosts = (m.spec?.rules ?? []).map((x: Any) => x.host).filter(Boolean);
            out.push({ kind: "Ingress", ...meta, hosts, via: `IngressClass ${m.spec?.ingressClassName ?? "(default)"}` });
        } else if (r.type === "kubernetes:core/v1:Service" && ["LoadBalancer", "NodePort"].includes(m?.spec?.type)) {
            out.push({ kind: "Service", ...meta, hosts: [], via: `Service type ${m.spec.type}` });
        } else if (
            (r.type === "aws:lb/loadBalancer:LoadBalancer" || r.type === "aws:alb/loadBalancer:LoadBalancer") &&
            m?.internal !== true
        ) {
            out.push({ kind: "LoadBalancer", name: r.name, urn: r.urn, hosts: [], via: "internet-facing AWS load balancer" });
        }
    }
    return out.sort((a, b) => a.urn.localeCompare(b.urn));
}

export function protectedResources(snapshot: Snapshot): { urn: string; type: string; protect: boolean; retainOnDelete: boolean }[] {
    return snapshot.resources
        .filter((r) => r.options.protect || r.options.retainOnDelete)
        .map((r) => ({ urn: r.urn, type: r.type, protect: r.options.protect, retainOnDelete: r.options.retainOnDelete }));
}

export function chartVersions(snapshot: Snapshot): { urn: string; chart: string; version: string; repo?: string }[] {
    return snapshot.resources
        .filter((r) => r.type === "kubernetes:helm.sh/v4:Chart" || r.type === "kubernetes:helm.sh/v3:Release")
        .map((r) => {
            const i = reveal(r.inputs) as Any;
            return { urn: r.urn, chart: String(i.chart), version: String(i.version), repo: i.repositoryOpts?.repo };
        });
}

/** Where a violation's expectation comes from: the policy-config file and the key under which its settings live. */
export function policySource(environment: string, config: Record<string, unknown>, policy: string) {
    const file = path.relative(ROOT, path.join(ROOT, "policies", "config", `${environment}.json`));
    const own = config[policy];
    // Without its own key, the rule runs at the level `all` sets, with the defaults of its configSchema.
    return own === undefined
        ? { file, key: "all", value: config.all, thresholds: "the rule's defaults" }
        : { file, key: policy, value: own };
}
