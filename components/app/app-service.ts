import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import { exposeHttp, GatewayArgs, IngressArgs } from "../shared/exposure";
import { selectorLabels } from "../shared/labels";
import { buildImage } from "./image-build";
import { migrationJob } from "./migration-job";
import { egressPolicySpec, ingressPolicySpec } from "./network-policies";
import { AppServiceSpec, resolveService } from "./spec";
import { analysisTemplate } from "./analysis";
import {
    analysed,
    canaryServiceName,
    metricsServiceName,
    previewServiceName,
    ROLLOUT_HASH_LABEL,
    RolloutDeliveryArgs,
    routesCanary,
    revisionServiceSpec,
    metricsServiceSpec,
    rolloutAwait,
    rolloutSpec,
    usesRollout,
} from "./rollout";
import { autoscalerSpec, deploymentOptions, deploymentSpec, hasAutoscaler, needsDisruptionBudget, podSpec, serviceSpec } from "./workload";

/** Network context the tier gives each service. */
export interface AppNetworkArgs {
    /** Namespace of the gateway/ingress controller pods public traffic comes from. @default "gateway-system" */
    trafficNamespace?: string;
    /** Instead of a namespace, admit public traffic from these CIDRs (load-balancer ENIs with IP targets). */
    trafficCidrs?: pulumi.Input<string[]>;
    /** Namespace Prometheus scrapes from. @default "monitoring" */
    monitoringNamespace?: string;
    /** Data-tier destinations: subnets and port (PostgreSQL 5432, Redis 6379). @default [] */
    dataEgress?: DataEgressArgs[];
}

export interface DataEgressArgs {
    /** Destination CIDRs (the data tier's subnets). */
    cidrs: pulumi.Input<string[]>;
    /** Destination TCP port. */
    port: number;
    /** RDS Proxy in these subnets serves this port too (declared as its own flow). @default false */
    proxied?: boolean;
}

export interface AppServiceArgs {
    /** What to run. */
    service: AppServiceSpec;
    /** Namespace the service's objects go in; it must exist. */
    namespace: pulumi.Input<string>;
    /** ServiceAccount the pods run as. */
    serviceAccountName: pulumi.Input<string>;
    /** `prod` rolls out without losing capacity and spreads strictly across zones. @default "prod" */
    environment?: string;
    /** PriorityClass of the service's pods. @default none: the cluster's default priority */
    priorityClassName?: pulumi.Input<string>;
    /** Where public traffic and scrapes may come from, and which data-tier destinations the service may reach. */
    network?: AppNetworkArgs;
    /** The Gateway a public service with `gateway` exposure attaches its HTTPRoute to. */
    gateway?: GatewayArgs;
    /** Ingress settings of a public service with `ingress` exposure. */
    ingress?: IngressArgs;
    /** KMS key for the ECR repository of a `build` service. Required with `build`. */
    ecrKmsKeyArn?: pulumi.Input<string>;
    /** Labels the monitoring stack selects ServiceMonitors by; with `metrics`, a ServiceMonitor is created (after this component's `dependsOn`). @default none */
    serviceMonitorLabels?: Record<string, string>;
    /** ConfigMap of the AWS CA bundles (shared/ca-bundle.ts) in the namespace, mounted read-only at /opt/hangar-ca. @default none */
    caBundleConfigMap?: pulumi.Input<string>;
    /** What the pods read that the tier creates (namespace, Secrets, CA bundle): the migration Job waits for it. @default [] */
    prerequisites?: pulumi.Resource[];
    /** Routing and analysis of a `canary` or `blueGreen` service's Rollout. @default split by replica counts, no analysis */
    delivery?: RolloutDeliveryArgs;
    /** Apply a canary route's `spec.rules` (the second step of a rules change). @default false */
    applyRouteRules?: boolean;
}

/**
 * One service of the app tier: Deployment, Service, HPA (when min < max), PDB
 * (when min ≥ 2), NetworkPolicies, and an HTTPRoute or Ingress when public.
 */
export class AppService extends pulumi.ComponentResource {
    /** The image the Deployment runs: the pinned reference or the pushed digest. */
    public readonly image: pulumi.Output<string>;
    /** `https://<host>` for public services. */
    public readonly url: pulumi.Output<string | undefined>;

    constructor(name: string, args: AppServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hangar:index:AppService", name, {}, opts);
        const s = resolveService(args.service);
        const production = (args.environment ?? "prod") === "prod";
        const child = { parent: this };
        const metadata = { name: s.name, namespace: args.namespace, labels: selectorLabels(s.name) };
        const network = args.network ?? {};

        if (s.build && !args.ecrKmsKeyArn) throw new pulumi.ResourceError(`AppService "${s.name}": build needs ecrKmsKeyArn`, this);
        this.image = s.build ? buildImage(name, s.name, s.build, args.ecrKmsKeyArn!, production, this) : pulumi.output(s.image!);
        const dataEgress = pulumi.all(
            (network.dataEgress ?? []).map((d) => pulumi.all([d.cidrs, d.port]).apply(([cidrs, port]) => ({ cidrs, port }))),
        );
        const migration = migrationJob(this, name, s, this.image, args, metadata, dataEgress);

        // Rolls out only once the migration Job of this image has completed (./migration.ts).
        const afterMigration = migration ? { dependsOn: [migration] } : {};
        if (usesRollout(s)) this.rollout(name, s, metadata, args, production, migration);
        else
            new k8s.apps.v1.Deployment(
                name,
                {
                    metadata,
                    spec: deploymentSpec(
                        s,
                        this.image,
                        args.serviceAccountName,
                        production,
                        args.priorityClassName,
                        args.caBundleConfigMap,
                    ),
                },
                { ...child, ...deploymentOptions(s), ...afterMigration },
            );
        new k8s.core.v1.Service(name, { metadata, spec: serviceSpec(s) }, child);
        if (hasAutoscaler(s)) {
            const spec = autoscalerSpec(s);
            // An HPA scales a Rollout through its scale subresource (rollout-crd.yaml: subresources.scale).
            if (usesRollout(s)) spec.scaleTargetRef = { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: s.name };
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(name, { metadata, spec }, child);
        }
        if (needsDisruptionBudget(s)) {
            new k8s.policy.v1.PodDisruptionBudget(
                name,
                { metadata, spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(s.name) } } },
                child,
            );
        }

        const trafficCidrs = pulumi.output(network.trafficCidrs ?? []);
        new k8s.networking.v1.NetworkPolicy(
            `${name}-ingress`,
            {
                metadata: { ...metadata, name: `${s.name}-ingress` },
                spec: trafficCidrs.apply((cidrs) =>
                    ingressPolicySpec(
                        s,
                        { namespace: network.trafficCidrs ? undefined : (network.trafficNamespace ?? "gateway-system"), cidrs },
                        network.monitoringNamespace ?? "monitoring",
                    ),
                ),
            },
            child,
        );
        new k8s.networking.v1.NetworkPolicy(
            `${name}-egress`,
            { metadata: { ...metadata, name: `${s.name}-egress` }, spec: dataEgress.apply((data) => egressPolicySpec(s, data)) },
            child,
        );

        if (s.metrics && args.serviceMonitorLabels) {
            // A Rollout's pods are scraped through their own Service (rollout.ts, metricsServiceSpec), with the
            // revision's hash on every series and the service label of the main Service.
            const rollout = usesRollout(s);
            const monitorSelector = selectorLabels(rollout ? metricsServiceName(s) : s.name);
            new k8s.apiextensions.CustomResource(
                `${name}-monitor`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "ServiceMonitor",
                    metadata: {
                        name: s.name,
                        namespace: args.namespace,
                        labels: { ...selectorLabels(s.name), ...args.serviceMonitorLabels },
                    },
                    spec: {
                        selector: { matchLabels: monitorSelector },
                        ...(rollout ? { podTargetLabels: [ROLLOUT_HASH_LABEL] } : {}),
                        endpoints: [
                            {
                                port: "metrics",
                                path: s.metrics.path ?? "/metrics",
                                interval: "30s",
                                scrapeTimeout: "10s",
                                ...(rollout ? { relabelings: [{ action: "replace", targetLabel: "service", replacement: s.name }] } : {}),
                            },
                        ],
                    },
                },
                { parent: this, dependsOn: opts?.dependsOn },
            );
        }

        this.url = pulumi.output(s.public ? `https://${s.host}` : undefined);
        if (s.public) this.expose(name, s, metadata, args);

        this.registerOutputs({ image: this.image, url: this.url });
    }

    /** The Rollout, its canary or preview Service, its metrics Service and its AnalysisTemplate. */
    private rollout(
        name: string,
        s: ReturnType<typeof resolveService>,
        metadata: { name: string; namespace: pulumi.Input<string>; labels: Record<string, string> },
        args: AppServiceArgs,
        production: boolean,
        migration: k8s.batch.v1.Job | undefined,
    ) {
        const child = { parent: this };
        const pod = podSpec(s, this.image, args.serviceAccountName, production, args.priorityClassName, args.caBundleConfigMap);
        // The controller labels a Rollout's pods with rollouts-pod-template-hash, not pod-template-hash.
        pod.topologySpreadConstraints = (pod.topologySpreadConstraints as k8sInput.core.v1.TopologySpreadConstraint[]).map((c) => ({
            ...c,
            matchLabelKeys: [ROLLOUT_HASH_LABEL],
        }));
        const template = { metadata: { labels: selectorLabels(s.name) }, spec: pod };
        const revision = s.strategy === "blueGreen" ? previewServiceName(s) : canaryServiceName(s);
        const extra = (n: string, spec: ReturnType<typeof revisionServiceSpec>) =>
            new k8s.core.v1.Service(
                `${name}-${n.slice(s.name.length + 1)}`,
                { metadata: { ...metadata, name: n, labels: selectorLabels(n) }, spec },
                child,
            );
        const services = [extra(revision, revisionServiceSpec(s))];
        if (s.metrics) services.push(extra(metricsServiceName(s), metricsServiceSpec(s)));
        // Rolls out only once the migration Job of this image has completed (./migration.ts).
        const dependsOn: pulumi.Resource[] = [...services, ...(migration ? [migration] : [])];
        if (analysed(s, args.delivery)) {
            const src = args.delivery!.analysis!;
            const t = pulumi.output(args.namespace).apply((ns) => analysisTemplate(s, src, ns));
            dependsOn.push(
                new k8s.apiextensions.CustomResource(
                    `${name}-analysis`,
                    { apiVersion: "argoproj.io/v1alpha1", kind: "AnalysisTemplate", metadata: t.metadata, spec: t.spec },
                    child,
                ),
            );
        }
        // `up` waits for full promotion, bounded by the steps' total (rollout.ts, rolloutAwait).
        const wait = rolloutAwait(s);
        const timeout = wait.timeoutSeconds ? `${Math.ceil(wait.timeoutSeconds / 60)}m` : undefined;
        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "argoproj.io/v1alpha1",
                kind: "Rollout",
                metadata: { ...metadata, annotations: wait.annotations },
                // Only the plugin's namespace is an output: the pod template stays known during preview.
                spec: rolloutSpec(s, template, args.namespace, production, args.delivery),
            },
            { ...child, dependsOn, ...deploymentOptions(s), ...(timeout ? { customTimeouts: { create: timeout, update: timeout } } : {}) },
        );
    }

    private expose(
        name: string,
        s: ReturnType<typeof resolveService>,
        metadata: { name: string; namespace: pulumi.Input<string> },
        args: AppServiceArgs,
    ) {
        exposeHttp(
            name,
            {
                exposure: s.exposure,
                host: s.host as string,
                extraHosts: s.extraHosts,
                metadata: { ...metadata, labels: selectorLabels(s.name) },
                backend: { service: s.name, port: s.port, portName: "http" },
                tlsSecretName: `${s.name}-tls`,
                gateway: args.gateway,
                ingress: args.ingress,
                annotations: s.ingressAnnotations,
                owner: `AppService "${s.name}"`,
                canaryService: routesCanary(s, args.delivery) ? canaryServiceName(s) : undefined,
                applyRules: args.applyRouteRules,
            },
            { parent: this },
        );
    }
}
