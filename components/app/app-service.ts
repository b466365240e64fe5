import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { exposeHttp, GatewayArgs, IngressArgs } from "../shared/exposure";
import { selectorLabels } from "../shared/labels";
import { buildImage } from "./image-build";
import { egressPolicySpec, ingressPolicySpec } from "./network-policies";
import { AppServiceSpec, resolveService } from "./spec";
import { autoscalerSpec, deploymentOptions, deploymentSpec, hasAutoscaler, needsDisruptionBudget, serviceSpec } from "./workload";

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

        new k8s.apps.v1.Deployment(
            name,
            {
                metadata,
                spec: deploymentSpec(s, this.image, args.serviceAccountName, production, args.priorityClassName, args.caBundleConfigMap),
            },
            { ...child, ...deploymentOptions(s) },
        );
        new k8s.core.v1.Service(name, { metadata, spec: serviceSpec(s) }, child);
        if (hasAutoscaler(s)) {
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(name, { metadata, spec: autoscalerSpec(s) }, child);
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
        const dataEgress = pulumi.all(
            (network.dataEgress ?? []).map((d) => pulumi.all([d.cidrs, d.port]).apply(([cidrs, port]) => ({ cidrs, port }))),
        );
        new k8s.networking.v1.NetworkPolicy(
            `${name}-egress`,
            { metadata: { ...metadata, name: `${s.name}-egress` }, spec: dataEgress.apply((data) => egressPolicySpec(s, data)) },
            child,
        );

        if (s.metrics && args.serviceMonitorLabels) {
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
                        selector: { matchLabels: selectorLabels(s.name) },
                        endpoints: [{ port: "metrics", path: s.metrics.path ?? "/metrics", interval: "30s", scrapeTimeout: "10s" }],
                    },
                },
                { parent: this, dependsOn: opts?.dependsOn },
            );
        }

        this.url = pulumi.output(s.public ? `https://${s.host}` : undefined);
        if (s.public) this.expose(name, s, metadata, args);

        this.registerOutputs({ image: this.image, url: this.url });
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
            },
            { parent: this },
        );
    }
}
