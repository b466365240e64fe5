import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { exposeHttp, GatewayArgs, IngressArgs } from "../shared/exposure";
import { selectorLabels } from "../shared/labels";
import { buildImage } from "./image-build";
import {
    MIGRATION_DATABASE_PORT,
    migrationEgressPolicySpec,
    migrationLabels,
    migrationJobName,
    migrationJobSpec,
    migrationTimeouts,
} from "./migration";
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
    /** What the pods read that the tier creates (namespace, Secrets, CA bundle): the migration Job waits for it. @default [] */
    prerequisites?: pulumi.Resource[];
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
        const migration = this.migration(name, s, args, metadata, dataEgress);

        new k8s.apps.v1.Deployment(
            name,
            {
                metadata,
                spec: deploymentSpec(s, this.image, args.serviceAccountName, production, args.priorityClassName, args.caBundleConfigMap),
            },
            // Rolls out only once the migration Job of this image has completed (./migration.ts).
            { ...child, ...deploymentOptions(s), ...(migration ? { dependsOn: [migration] } : {}) },
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

    /**
     * The migration Job of the service's image and its egress policy (the namespace denies by default). The
     * Job's Pulumi name carries the image's hash too: a new image is a new resource, created (and awaited)
     * before the Deployment changes, and the old Job is deleted at the end of the update; `ignoreChanges` on
     * the spec keeps a Job that ran from being replaced, and so re-run, for a change of anything but the
     * image (a Job's pod template is immutable).
     */
    private migration(
        name: string,
        s: ReturnType<typeof resolveService>,
        args: AppServiceArgs,
        metadata: { namespace: pulumi.Input<string> },
        dataEgress: pulumi.Output<{ cidrs: string[]; port: number }[]>,
    ): k8s.batch.v1.Job | undefined {
        if (!s.migration) return undefined;
        const jobName = migrationJobName(s.name, s.image!);
        const policyName = `${s.name}-migrate-egress`;
        const policy = new k8s.networking.v1.NetworkPolicy(
            `${name}-migrate-egress`,
            {
                metadata: { name: policyName, namespace: metadata.namespace, labels: selectorLabels(s.name) },
                spec: dataEgress.apply((data) => migrationEgressPolicySpec(s.name, data, MIGRATION_DATABASE_PORT)),
            },
            { parent: this },
        );
        const spec = migrationJobSpec(
            { ...s, migration: s.migration },
            this.image,
            args.serviceAccountName,
            args.priorityClassName,
            args.caBundleConfigMap,
        );
        return new k8s.batch.v1.Job(
            `${name}-migrate-${jobName.slice(-10)}`,
            {
                metadata: {
                    name: jobName,
                    namespace: metadata.namespace,
                    labels: migrationLabels(s.name),
                    annotations: { "pulumi.com/replaceUnready": "true" },
                },
                spec,
            },
            {
                parent: this,
                // Not the component's dependsOn (children do not inherit it, and it holds the monitoring CRDs): what the pod reads.
                dependsOn: [policy, ...(args.prerequisites ?? [])],
                customTimeouts: migrationTimeouts(spec.activeDeadlineSeconds as number),
                ignoreChanges: ["spec"],
            },
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
            },
            { parent: this },
        );
    }
}
