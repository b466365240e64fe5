/**
 * The Argo Rollouts controller that runs Hangar's canary and blue-green services: the `argo-rollouts` chart
 * (pinned) in its own namespace, restricted, with quota and default limits; or an existing controller.
 *
 * The chart renders its CRDs as templates (argo-rollouts-2.41.0/templates/crds/*.yaml, under `installCRDs`), so
 * whoever owns the release owns the CRDs, and deleting a CRD deletes every Rollout in the cluster. A Chart v4
 * would make each CRD a Pulumi child that `retainOnDelete` on the Chart does not reach, so the chart goes
 * through a `helm.v3.Release` with `retainOnDelete` (as the monitoring CRDs: components/monitoring/index.ts),
 * and `keepCRDs` makes even a `helm uninstall` keep them (the `helm.sh/resource-policy: keep` annotation of
 * templates/crds/rollout-crd.yaml).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GATEWAY_PLUGIN } from "../shared/rollouts";
import { partOfLabels } from "../shared/labels";
import { restrictedNamespace } from "../shared/namespace-limits";
import { namespaceNetworkPolicies } from "../shared/namespace-policies";
import { restrictedContainerBase, restrictedPodBase } from "../shared/security-context";
import { rolloutsPolicySpecs } from "./network";

export { rolloutsFlows, RolloutsFlowArgs } from "./network";

/** Labels a namespace whose pods may query Prometheus (components/monitoring/pods.ts, PROMETHEUS_QUERY_LABEL). */
const PROMETHEUS_QUERY_LABEL = "monitoring.hangar.dev/prometheus-query";

export interface GatewayPluginArgs {
    /** Where the controller downloads the plugin binary at start: https:// (needs egress) or file:// (a copy in the image). */
    location: string;
    /** SHA-256 of the binary; the controller refuses a download that differs. */
    sha256: string;
}

export interface RolloutsControllerArgs {
    /** `chart` installs argo-rollouts; `existing` uses a controller (and CRDs) the cluster already runs. @default "chart" */
    mode?: string;
    /** Namespace of the controller. @default "argo-rollouts" */
    namespace?: string;
    /** Version of the argo-rollouts chart. @default "2.41.0" */
    chartVersion?: string;
    /** The Gateway API traffic-router plugin; without it canaries are split by replica counts. @default none */
    gatewayPlugin?: GatewayPluginArgs;
    /** Pod Security Standards version the namespace enforces. @default "v1.34" */
    podSecurityVersion?: string;
    /** PriorityClass of the controller's pods. @default none */
    priorityClassName?: pulumi.Input<string>;
    /**
     * Labels the monitoring stack selects ServiceMonitors by: the chart's ServiceMonitor scrapes the controller's
     * metrics (`rollout_info`, which the aborted-rollout alert reads). @default no ServiceMonitor
     */
    serviceMonitorLabels?: Record<string, string>;
    /** Where the controller connects: NetworkPolicies (default deny, DNS, its own flows) when set. @default no NetworkPolicies */
    network?: RolloutsNetworkArgs;
}

export interface RolloutsNetworkArgs {
    /** Subnets of the EKS control-plane ENIs: the API server's address as pods see it. */
    controlPlaneCidrs: pulumi.Input<string[]>;
    /** Prometheus's pods: they scrape the controller and answer its analysis. @default none */
    prometheus?: PrometheusPodsArgs;
}

/** Pods of a namespace, by labels. */
export interface PrometheusPodsArgs {
    /** Namespace of the pods. */
    namespace: string;
    /** Labels the pods carry. */
    podLabels: Record<string, string>;
}

export const ROLLOUTS_DEFAULTS = { mode: "chart", namespace: "argo-rollouts", chartVersion: "2.41.0" };

/** Chart repository of argo-rollouts (argo-rollouts-2.41.0/Chart.yaml `home`). */
export const ARGO_HELM_REPO = "https://argoproj.github.io/argo-helm";

/** The controller namespace's quota: two controller pods (1.9.0) with room for a rolling update. */
export const ROLLOUTS_QUOTA = { requestsCpu: "1", requestsMemory: "1Gi", limitsMemory: "2Gi", pods: 6 };

/** Values of argo-rollouts 2.41.0 (values.yaml keys; each set below exists in the chart's defaults). */
export function rolloutsValues(args: RolloutsControllerArgs) {
    const providers = [
        "istio",
        "smi",
        "ambassador",
        "awsLoadBalancerController",
        "awsAppMesh",
        "traefik",
        "apisix",
        "contour",
        "glooPlatform",
    ];
    return {
        installCRDs: true,
        keepCRDs: true,
        controller: {
            replicas: 2,
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
            ...(args.priorityClassName ? { priorityClassName: args.priorityClassName } : {}),
            // Downloaded at start from `location` and checked against `sha256` (values.yaml trafficRouterPlugins).
            // The metrics Service and ServiceMonitor (templates/controller/metrics-service.yaml, servicemonitor.yaml).
            ...(args.serviceMonitorLabels
                ? { metrics: { enabled: true, serviceMonitor: { enabled: true, additionalLabels: args.serviceMonitorLabels } } }
                : {}),
            trafficRouterPlugins: args.gatewayPlugin
                ? [{ name: GATEWAY_PLUGIN, location: args.gatewayPlugin.location, sha256: args.gatewayPlugin.sha256 }]
                : [],
        },
        // The chart's defaults (values.yaml podSecurityContext) lack the pod's seccomp profile.
        podSecurityContext: restrictedPodBase(),
        containerSecurityContext: restrictedContainerBase(),
        // Only the Gateway API provider's RBAC (templates/_helpers.tpl: httproutes get/list/watch/update).
        providerRBAC: { enabled: true, providers: { ...Object.fromEntries(providers.map((p) => [p, false])), gatewayAPI: true } },
        dashboard: { enabled: false },
    };
}

/**
 * The Argo Rollouts controller of canary and blue-green services: argo-rollouts (pinned) in its own restricted
 * namespace with quota and default limits, its CRDs kept on delete, and the Gateway API traffic-router plugin
 * pinned by checksum; or nothing, when the cluster already runs a controller (`existing`).
 */
export class RolloutsController extends pulumi.ComponentResource {
    /** Namespace of the controller. */
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: RolloutsControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hangar:index:RolloutsController", name, {}, opts);
        const d = ROLLOUTS_DEFAULTS;
        const mode = args.mode ?? d.mode;
        if (mode !== "chart" && mode !== "existing")
            throw new pulumi.ResourceError(`RolloutsController: mode must be chart or existing`, this);
        const namespaceName = args.namespace ?? d.namespace;
        const labels = partOfLabels();
        this.namespace = pulumi.output(namespaceName);
        if (mode === "chart") {
            const namespace = restrictedNamespace(
                name,
                {
                    namespace: namespaceName,
                    quota: ROLLOUTS_QUOTA,
                    labels,
                    extraLabels: { [PROMETHEUS_QUERY_LABEL]: "true" },
                    podSecurityVersion: args.podSecurityVersion,
                },
                { parent: this },
            );
            new k8s.helm.v3.Release(
                `${name}-chart`,
                {
                    chart: "argo-rollouts",
                    version: args.chartVersion ?? d.chartVersion,
                    repositoryOpts: { repo: ARGO_HELM_REPO },
                    namespace: namespaceName,
                    name: "argo-rollouts",
                    values: rolloutsValues(args),
                },
                { parent: this, dependsOn: [namespace], retainOnDelete: true },
            );
            this.namespace = namespace.metadata.name;
            if (args.network) this.networkPolicies(name, namespaceName, args, args.network, namespace);
        }
        this.registerOutputs({ namespace: this.namespace });
    }

    private networkPolicies(name: string, namespace: string, args: RolloutsControllerArgs, net: RolloutsNetworkArgs, ns: pulumi.Resource) {
        const flow = (controlPlaneCidrs: string[]) => ({
            namespace,
            controlPlaneCidrs,
            pluginDownload: args.gatewayPlugin?.location.startsWith("https://") ?? false,
            prometheus: net.prometheus,
        });
        const specs = pulumi.output(net.controlPlaneCidrs).apply((cidrs) => rolloutsPolicySpecs(flow(cidrs)));
        namespaceNetworkPolicies({ name, namespace, parent: this, dependsOn: [ns] }, Object.keys(rolloutsPolicySpecs(flow([]))), specs);
    }
}
