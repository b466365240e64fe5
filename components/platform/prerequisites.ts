/**
 * What the cluster must already run for a Platform to deploy, declared in one
 * place from the Platform's args. Pure: `automation/preflight` reads each one
 * from the real cluster before anything changes (the Automation API's preview
 * and up, and `hangar preflight`); the offline check lists them as unverified.
 *
 * Without these, `preview` passes (the provider skips kinds the cluster does not
 * know) and `up` fails half-way, or waits until it times out.
 */
import { hasAutoscaler, resolveService } from "../app";
import { resolveMonitoring } from "../monitoring";
import { GATEWAY_DEFAULTS, GatewayArgs, INGRESS_DEFAULTS } from "../shared/exposure";
import type { PlatformArgs } from "./args";
import { PRIORITY_TIERS, priorityClassName, PriorityTier } from "../shared/priority-classes";
import { rolloutsPrerequisites } from "./rollouts";
import { externalSecretsPrerequisites } from "./credentials";

export type Requirement =
    /** A CustomResourceDefinition by its name (`<plural>.<group>`), established, serving `version` when one is named. */
    | { kind: "crd"; name: string; version?: string }
    /** A Gateway, programmed, whose `listener` admits HTTPRoutes from every namespace in `routeNamespaces`. */
    | { kind: "gateway"; namespace: string; name: string; listener: string; routeNamespaces: string[]; hosts: string[] }
    /** A StorageClass by name, binding volumes where the pod lands (`WaitForFirstConsumer`) when `zoneSpread`. */
    | { kind: "storageClass"; name: string; zoneSpread: boolean }
    /** An aggregated API (APIService) that reports Available. */
    | { kind: "apiService"; name: string }
    /** An IngressClass whose controller publishes `.status.loadBalancer.ingress` on its Ingresses. */
    | { kind: "ingressClass"; name: string }
    /** A cert-manager ClusterIssuer that reports Ready. */
    | { kind: "clusterIssuer"; name: string }
    /** A PriorityClass another stack created (`kubernetes.priorityClassPrefix`). */
    | { kind: "priorityClass"; name: string };

export interface Prerequisite {
    /** Stable id, e.g. `crd:certificates.cert-manager.io`. */
    id: string;
    /** Which part of the stack needs it. */
    neededBy: string;
    /** How to provide it when it is missing. */
    install: string;
    requirement: Requirement;
}

const CERT_MANAGER = "install cert-manager (https://cert-manager.io/docs/installation/helm/), or set monitoring.operatorWebhooks: off";
const GATEWAY_API =
    "install the Gateway API standard CRDs (kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.3.0/standard-install.yaml) and a controller that implements them";

const crd = (name: string, neededBy: string, install: string): Prerequisite => ({
    id: `crd:${name}`,
    neededBy,
    install,
    requirement: { kind: "crd", name },
});

interface Exposure {
    owner: string;
    namespace: string;
    exposure: string;
    hosts: string[];
    gateway?: GatewayArgs;
    ingressClass?: string;
    clusterIssuer?: string;
}

/** Every public exposure of the stack: app services, and Grafana when it has a host. */
function exposures(args: PlatformArgs): Exposure[] {
    const out: Exposure[] = [];
    const app = args.app;
    for (const spec of app?.services ?? []) {
        const s = resolveService(spec);
        if (!s.public || !s.host) continue;
        const hosts = [s.host, ...s.extraHosts];
        out.push({
            owner: `app service ${s.name}`,
            namespace: app!.namespace ?? "hangar",
            exposure: s.exposure,
            hosts,
            gateway: app!.gateway,
            ingressClass: app!.ingress?.className,
        });
    }
    const m = args.monitoring;
    if (m?.enabled && m.grafana?.host) {
        const g = m.grafana;
        out.push({
            owner: "Grafana",
            namespace: m.namespace ?? "monitoring",
            exposure: g.exposure ?? "gateway",
            hosts: [g.host!],
            gateway: g.gateway,
            ingressClass: g.ingress?.className,
        });
    }
    return out;
}

function exposurePrerequisites(args: PlatformArgs): Prerequisite[] {
    const out: Prerequisite[] = [];
    const routed = exposures(args).filter((e) => e.exposure === "gateway");
    if (routed.length > 0) {
        const owners = [...new Set(routed.map((e) => e.owner))].join(", ");
        out.push(
            crd("gateways.gateway.networking.k8s.io", owners, GATEWAY_API),
            crd("httproutes.gateway.networking.k8s.io", owners, GATEWAY_API),
        );
    }
    const gateways = new Map<string, { ref: Required<GatewayArgs>; namespaces: Set<string>; hosts: Set<string>; owners: Set<string> }>();
    for (const e of routed) {
        const ref = { ...GATEWAY_DEFAULTS, ...e.gateway } as Required<GatewayArgs>;
        const key = `${ref.namespace}/${ref.name}/${ref.listener}`;
        const entry = gateways.get(key) ?? { ref, namespaces: new Set(), hosts: new Set(), owners: new Set() };
        entry.namespaces.add(e.namespace);
        e.hosts.forEach((h) => entry.hosts.add(h));
        entry.owners.add(e.owner);
        gateways.set(key, entry);
    }
    for (const [key, g] of gateways) {
        out.push({
            id: `gateway:${key}`,
            neededBy: [...g.owners].join(", "),
            install: `create Gateway ${g.ref.namespace}/${g.ref.name} with an HTTPS listener "${g.ref.listener}" whose allowedRoutes admit namespaces ${[...g.namespaces].join(", ")}, or set the gateway's namespace/name/listener in the stack file`,
            requirement: {
                kind: "gateway",
                namespace: g.ref.namespace,
                name: g.ref.name,
                listener: g.ref.listener,
                routeNamespaces: [...g.namespaces].sort(),
                hosts: [...g.hosts].sort(),
            },
        });
    }
    const classes = new Map<string, string[]>();
    for (const e of exposures(args).filter((x) => x.exposure === "ingress" && x.ingressClass)) {
        classes.set(e.ingressClass!, [...(classes.get(e.ingressClass!) ?? []), e.owner]);
    }
    // Each Ingress asks cert-manager for its certificate (components/shared/exposure.ts, cert-manager.io/cluster-issuer).
    const issuers = new Map<string, string[]>();
    for (const e of exposures(args).filter((x) => x.exposure === "ingress")) {
        const issuer = e.clusterIssuer ?? INGRESS_DEFAULTS.clusterIssuer;
        issuers.set(issuer, [...(issuers.get(issuer) ?? []), e.owner]);
    }
    for (const [name, owners] of issuers) {
        const neededBy = `the Ingress certificates of ${owners.join(", ")}`;
        const install = `install cert-manager and create ClusterIssuer "${name}", or set the ingress clusterIssuer in the stack file`;
        out.push(crd("clusterissuers.cert-manager.io", neededBy, install), crd("certificates.cert-manager.io", neededBy, install));
        out.push({ id: `clusterIssuer:${name}`, neededBy, install, requirement: { kind: "clusterIssuer", name } });
    }
    for (const [name, owners] of classes) {
        out.push({
            id: `ingressClass:${name}`,
            neededBy: owners.join(", "),
            install: `install an Ingress controller for class "${name}" that publishes load-balancer status (ingress-nginx with --publish-service, or the AWS Load Balancer Controller): up waits for .status.loadBalancer.ingress`,
            requirement: { kind: "ingressClass", name },
        });
    }
    return out;
}

function monitoringPrerequisites(args: PlatformArgs): Prerequisite[] {
    if (!args.monitoring?.enabled) return [];
    const r = resolveMonitoring({ ...args.monitoring, environment: args.environment });
    const out: Prerequisite[] = [];
    if (!r.installChart) {
        const install =
            "install the prometheus-operator CRDs (chart prometheus-operator-crds) and an operator, or set monitoring.mode: chart";
        for (const name of ["servicemonitors", "prometheusrules"])
            out.push(crd(`${name}.monitoring.coreos.com`, "monitoring (existing operator)", install));
        return out;
    }
    // kube-prometheus-stack 88.5.3 templates/prometheus-operator/certmanager.yaml renders an Issuer and Certificates
    // (cert-manager.io/v1) when admissionWebhooks.certManager.enabled; the operator mounts the Secret they produce.
    if (r.operatorWebhooks === "cert-manager") {
        for (const name of ["issuers", "certificates"])
            out.push(crd(`${name}.cert-manager.io`, "the prometheus-operator's webhook certificate", CERT_MANAGER));
    }
    out.push({
        id: `storageClass:${r.storageClass}`,
        neededBy: "the Prometheus and Alertmanager volumes",
        install: `create StorageClass "${r.storageClass}" (EBS CSI driver: provisioner ebs.csi.aws.com, type gp3, encrypted, volumeBindingMode WaitForFirstConsumer), or set monitoring.storageClass`,
        // Replicas spread across zones (hard anti-affinity from two): a volume bound before scheduling pins its pod's zone.
        requirement: {
            kind: "storageClass",
            name: r.storageClass,
            zoneSpread: Math.max(r.prometheus.replicas, r.alertmanager.replicas) > 1,
        },
    });
    return out;
}

function autoscalingPrerequisites(args: PlatformArgs): Prerequisite[] {
    const scaled = (args.app?.services ?? []).map(resolveService).filter(hasAutoscaler);
    if (scaled.length === 0) return [];
    return [
        {
            id: "apiService:v1beta1.metrics.k8s.io",
            neededBy: `the HPAs of ${scaled.map((s) => s.name).join(", ")}`,
            install:
                "install metrics-server (the EKS add-on metrics-server, or its Helm chart): HPAs read CPU and memory from metrics.k8s.io",
            requirement: { kind: "apiService", name: "v1beta1.metrics.k8s.io" },
        },
    ];
}

/** Another stack's PriorityClasses, when the stack uses them instead of creating its own (`kubernetes.priorityClassPrefix`). */
function priorityPrerequisites(args: PlatformArgs): Prerequisite[] {
    const prefix = args.kubernetes.priorityClassPrefix;
    if (!prefix) return [];
    return (Object.keys(PRIORITY_TIERS) as PriorityTier[]).map((tier) => ({
        id: `priorityClass:${priorityClassName(prefix, tier)}`,
        neededBy: "every pod of the stack (foundation.kubernetes.priorityClassPrefix)",
        install: `deploy the stack that creates the ${prefix}-* PriorityClasses (staging) first, or unset foundation.kubernetes.priorityClassPrefix`,
        requirement: { kind: "priorityClass" as const, name: priorityClassName(prefix, tier) },
    }));
}

/** Every prerequisite the stack described by `args` has on its primary cluster, in a stable order. */
export function clusterPrerequisites(args: PlatformArgs): Prerequisite[] {
    const all = [
        ...monitoringPrerequisites(args),
        ...exposurePrerequisites(args),
        ...autoscalingPrerequisites(args),
        ...rolloutsPrerequisites(args),
        ...externalSecretsPrerequisites(args),
        ...priorityPrerequisites(args),
    ];
    const seen = new Set<string>();
    return all.filter((p) => !seen.has(p.id) && seen.add(p.id));
}
