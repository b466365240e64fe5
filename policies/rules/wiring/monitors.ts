/**
 * wiring-monitor-selects-targets: a ServiceMonitor or PodMonitor scrapes what it
 * selects, in the namespaces it names, on the port names it lists, and only if a
 * Prometheus selects the monitor itself. Semantics of prometheus-operator's API
 * (https://prometheus-operator.dev/docs/api-reference/api/):
 * - `spec.namespaceSelector` (NamespaceSelector): `any: true` is every namespace,
 *   `matchNames` those namespaces; unset, the monitor's own namespace;
 * - `spec.selector` is a LabelSelector on Services (ServiceMonitor) or pods (PodMonitor);
 * - a ServiceMonitor endpoint's `port` is the name of a Service port, a PodMonitor
 *   endpoint's `port` the name of a container port;
 * - a Prometheus picks monitors whose labels match `serviceMonitorSelector` /
 *   `podMonitorSelector` in namespaces matching `serviceMonitorNamespaceSelector` /
 *   `podMonitorNamespaceSelector` (an empty selector is every namespace, a null one
 *   the Prometheus's own namespace only).
 * A monitor matching nothing is the "blind exporter" of the real-world review: every
 * object valid, no sample scraped. Monitors whose targets are made at run time (the
 * operator's kubelet Service, the API server's `kubernetes` Service) are exemptions in
 * the policy config (`exemptMonitors`), by namespace and name pattern.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ObjectMeta } from "../kubernetes/pod-template";
import { configOf, ExemptionConfig, schemaWith } from "../kubernetes/shared";
import { plain, readKnown, throwIfUndecided, UnknownValueErrorInstance } from "../unknowns";
import { exemptionFor, ObjectExemption, objectExemptionsSchema } from "./exemptions";
import { LabelSelector, selectorMatches } from "./flows/evaluate";
import { podsOf } from "./services";

const SERVICE = "kubernetes:core/v1:Service";
const SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor";
const PROMETHEUS = "kubernetes:monitoring.coreos.com/v1:Prometheus";
const NAMESPACE = "kubernetes:core/v1:Namespace";

interface MonitorConfig extends ExemptionConfig {
    exemptMonitors: ObjectExemption[];
}

const schema = schemaWith({
    exemptMonitors: objectExemptionsSchema(
        "Monitors whose targets are created at run time, not by the stack: { namespace, name (`*` wildcards), reason }.",
    ),
});

interface Monitor {
    kind: "ServiceMonitor" | "PodMonitor";
    namespace: string;
    name: string;
    labels: Record<string, string>;
    namespaces: string[] | "any";
    selector: LabelSelector;
    ports: (string | undefined)[];
}

/** Namespace name → labels, for the stack's Namespaces (with the label the API server sets on every namespace). */
export function namespaceLabels(resources: PolicyResource[]): (namespace: string) => Record<string, string> {
    const labels = new Map<string, Record<string, string>>();
    for (const r of resources.filter((x) => x.type === NAMESPACE)) {
        const read = readKnown(() => ({ ...((r.props.metadata ?? {}) as ObjectMeta) }));
        if (read.known && read.value.name) labels.set(read.value.name, { ...(read.value.labels ?? {}) });
    }
    return (namespace) => ({ ...(labels.get(namespace) ?? {}), "kubernetes.io/metadata.name": namespace });
}

function monitorOf(r: PolicyResource): Monitor {
    const metadata = (r.props.metadata ?? {}) as ObjectMeta;
    const spec = (r.props.spec ?? {}) as {
        namespaceSelector?: { any?: boolean; matchNames?: string[] };
        selector?: LabelSelector;
        endpoints?: { port?: string }[];
        podMetricsEndpoints?: { port?: string }[];
    };
    const namespace = metadata.namespace ?? "default";
    const ns = spec.namespaceSelector;
    return {
        kind: r.type === SERVICE_MONITOR ? "ServiceMonitor" : "PodMonitor",
        namespace,
        name: metadata.name ?? r.name,
        labels: { ...(metadata.labels ?? {}) },
        namespaces: ns?.any ? "any" : ns?.matchNames?.length ? [...ns.matchNames] : [namespace],
        selector: plain(spec.selector ?? {}),
        ports: (r.type === SERVICE_MONITOR ? (spec.endpoints ?? []) : (spec.podMetricsEndpoints ?? [])).map((e) => e.port),
    };
}

interface Prometheus {
    /** The kind of monitor these selectors pick. */
    kind: Monitor["kind"];
    namespace: string;
    /** Null selects no monitor (the operator's API: "A null label selector matches no objects"). */
    selector?: LabelSelector;
    namespaceSelector?: LabelSelector | null;
}

export const monitorSelectsTargets: StackValidationPolicy = {
    name: "wiring-monitor-selects-targets",
    description:
        "Every ServiceMonitor and PodMonitor selects Services (or pods) of the stack in the namespaces it names, its endpoint port names exist there, and a Prometheus of the stack selects it.",
    enforcementLevel: "mandatory",
    configSchema: schema,
    validateStack: (args, reportViolation) => {
        const config = configOf<MonitorConfig>(schema, args);
        const monitors = args.resources.filter((r) => r.type === SERVICE_MONITOR || r.type === POD_MONITOR);
        if (monitors.length === 0) args.notApplicable("the stack creates no ServiceMonitor or PodMonitor");
        let firstUnknown: UnknownValueErrorInstance | undefined;
        const remember = (err: UnknownValueErrorInstance) => (firstUnknown ??= err);
        const undecided: string[] = [];
        const pods = podsOf(args.resources, remember);
        const services: { namespace: string; name: string; labels: Record<string, string>; ports: (string | undefined)[] }[] = [];
        for (const r of args.resources.filter((x) => x.type === SERVICE)) {
            const read = readKnown(() => {
                const metadata = (r.props.metadata ?? {}) as ObjectMeta;
                const spec = (r.props.spec ?? {}) as { ports?: { name?: string }[] };
                return {
                    namespace: metadata.namespace ?? "default",
                    name: metadata.name ?? r.name,
                    labels: { ...(metadata.labels ?? {}) },
                    ports: (spec.ports ?? []).map((p) => p.name),
                };
            });
            if (read.known) services.push(read.value);
            else remember(read.error);
        }
        const targetsUnknown = firstUnknown !== undefined;
        const prometheuses: Prometheus[] = [];
        for (const r of args.resources.filter((x) => x.type === PROMETHEUS)) {
            const read = readKnown(() => ({
                metadata: (r.props.metadata ?? {}) as ObjectMeta,
                spec: (r.props.spec ?? {}) as Record<string, unknown>,
            }));
            if (!read.known) {
                remember(read.error);
                continue;
            }
            const namespace = read.value.metadata.namespace ?? "default";
            prometheuses.push({ kind: "ServiceMonitor", namespace, ...selectorsOf(read.value.spec, "serviceMonitor") });
            prometheuses.push({ kind: "PodMonitor", namespace, ...selectorsOf(read.value.spec, "podMonitor") });
        }
        const nsLabels = namespaceLabels(args.resources);
        for (const r of monitors) {
            const read = readKnown(() => monitorOf(r));
            if (!read.known) {
                remember(read.error);
                undecided.push(`${r.type.split(":").pop()} ${r.name}`);
                continue;
            }
            const m = read.value;
            if (config.exemptNamespaces.includes(m.namespace) || exemptionFor(config.exemptMonitors, m.namespace, m.name)) continue;
            const who = `${m.kind} ${m.namespace}/${m.name}`;
            const inScope = (namespace: string) => m.namespaces === "any" || m.namespaces.includes(namespace);
            const where = m.namespaces === "any" ? "any namespace" : `namespace ${m.namespaces.join(", ")}`;
            // The monitor's own selection by a Prometheus (when the stack has one; one managed elsewhere is not visible here).
            const candidates = prometheuses.filter((p) => p.kind === m.kind);
            if (candidates.length > 0) {
                const picked = candidates.some(
                    (p) =>
                        p.selector !== undefined &&
                        selectorMatches(p.selector, m.labels) &&
                        (p.namespaceSelector === null
                            ? p.namespace === m.namespace
                            : selectorMatches(p.namespaceSelector ?? {}, nsLabels(m.namespace))),
                );
                if (!picked)
                    reportViolation(
                        `${who}: no Prometheus of the stack selects it (its labels ${JSON.stringify(m.labels)} or namespace do not match a ` +
                            `${m.kind === "PodMonitor" ? "podMonitorSelector" : "serviceMonitorSelector"}); label it as the Prometheus selects`,
                        r.urn,
                    );
            }
            const targets =
                m.kind === "ServiceMonitor"
                    ? services
                          .filter((s) => inScope(s.namespace) && selectorMatches(m.selector, s.labels))
                          .map((s) => ({ what: `Service ${s.namespace}/${s.name}`, ports: s.ports }))
                    : pods
                          .filter((p) => inScope(p.namespace ?? "default") && selectorMatches(m.selector, p.labels))
                          .map((p) => ({ what: p.workload, ports: p.ports.map((x) => x.name) }));
            if (targets.length === 0) {
                if (targetsUnknown) undecided.push(`${who} (a target is unknown during preview)`);
                else
                    reportViolation(
                        `${who}: spec.selector ${JSON.stringify(m.selector)} selects no ${m.kind === "ServiceMonitor" ? "Service" : "pod"} ` +
                            `of the stack in ${where}; set it to the labels of what it should scrape`,
                        r.urn,
                    );
                continue;
            }
            for (const [i, port] of m.ports.entries()) {
                const missing = targets.filter((t) => port === undefined || !t.ports.includes(port));
                if (missing.length > 0)
                    reportViolation(
                        `${who}: ${m.kind === "ServiceMonitor" ? "endpoints" : "podMetricsEndpoints"}[${i}].port ${JSON.stringify(port ?? null)} ` +
                            `is no port name of ${missing.map((t) => t.what).join(", ")}; name one of its ports`,
                        r.urn,
                    );
            }
        }
        throwIfUndecided(firstUnknown, undecided, " (values unknown during preview)");
    },
};

/** A Prometheus's monitor selectors; an absent namespace selector is null (its own namespace only). */
function selectorsOf(
    spec: Record<string, unknown>,
    kind: "serviceMonitor" | "podMonitor",
): Pick<Prometheus, "selector" | "namespaceSelector"> {
    const selector = spec[`${kind}Selector`] as LabelSelector | undefined;
    const namespaceSelector = spec[`${kind}NamespaceSelector`] as LabelSelector | undefined;
    return {
        selector: selector ? plain(selector) : undefined,
        namespaceSelector: namespaceSelector ? plain(namespaceSelector) : null,
    };
}

export const monitorPolicies = [monitorSelectsTargets];
