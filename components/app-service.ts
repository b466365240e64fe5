import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import {
    AppServiceSpec,
    autoscalerSpec,
    deploymentSpec,
    egressPolicySpec,
    GatewayRef,
    hasAutoscaler,
    httpRouteSpec,
    ingressPolicySpec,
    ingressSpec,
    needsDisruptionBudget,
    resolveService,
    selectorLabels,
    serviceSpec,
} from "./app-spec";

export interface GatewayArgs {
    /** Namespace of the Gateway. @default "gateway-system" */
    namespace?: string;
    /** Name of the Gateway. @default "public" */
    name?: string;
    /** The HTTPS listener routes attach to (`sectionName`). @default "https" */
    listener?: string;
}

export interface IngressArgs {
    /** IngressClass of the cluster's controller; required for `ingress` exposure. */
    className?: string;
    /** cert-manager ClusterIssuer for the Ingress certificates. @default "letsencrypt-prod" */
    clusterIssuer?: string;
    /** Controller-specific annotations on every Ingress. @default {} */
    annotations?: Record<string, string>;
}

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

        this.image = s.build ? this.buildImage(name, s.name, s.build, args.ecrKmsKeyArn, production) : pulumi.output(s.image!);

        new k8s.apps.v1.Deployment(name, { metadata, spec: deploymentSpec(s, this.image, args.serviceAccountName, production) }, child);
        new k8s.core.v1.Service(name, { metadata, spec: serviceSpec(s) }, child);
        if (hasAutoscaler(s)) {
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(name, { metadata, spec: autoscalerSpec(s) }, child);
        }
        if (needsDisruptionBudget(s)) {
            new k8s.policy.v1.PodDisruptionBudget(name, { metadata, spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(s.name) } } }, child);
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
        const dataEgress = pulumi.all((network.dataEgress ?? []).map((d) => pulumi.all([d.cidrs, d.port]).apply(([cidrs, port]) => ({ cidrs, port }))));
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
                    metadata: { name: s.name, namespace: args.namespace, labels: { ...selectorLabels(s.name), ...args.serviceMonitorLabels } },
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

    private expose(name: string, s: ReturnType<typeof resolveService>, metadata: { name: string; namespace: pulumi.Input<string> }, args: AppServiceArgs) {
        if (s.exposure === "gateway") {
            // Certificates belong to the Gateway's HTTPS listener: no per-route issuer.
            const gateway: GatewayRef = {
                namespace: args.gateway?.namespace ?? "gateway-system",
                name: args.gateway?.name ?? "public",
                listener: args.gateway?.listener ?? "https",
            };
            new k8s.apiextensions.CustomResource(
                name,
                { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { ...metadata, labels: selectorLabels(s.name) }, spec: httpRouteSpec(s, gateway) },
                { parent: this },
            );
            return;
        }
        const className = args.ingress?.className;
        if (!className) throw new pulumi.ResourceError(`AppService "${s.name}": ingress exposure needs ingress.className`, this);
        new k8s.networking.v1.Ingress(
            name,
            {
                metadata: {
                    ...metadata,
                    labels: selectorLabels(s.name),
                    annotations: {
                        ...args.ingress?.annotations,
                        ...s.ingressAnnotations,
                        "cert-manager.io/cluster-issuer": args.ingress?.clusterIssuer ?? "letsencrypt-prod",
                    },
                },
                spec: ingressSpec(s, className),
            },
            { parent: this },
        );
    }

    /** ECR repository (immutable tags, scan on push, KMS) and a build tagged by the context's content. */
    private buildImage(name: string, service: string, build: NonNullable<AppServiceSpec["build"]>, kmsKeyArn: pulumi.Input<string> | undefined, production: boolean) {
        if (!kmsKeyArn) throw new pulumi.ResourceError(`AppService "${service}": build needs ecrKmsKeyArn`, this);
        const repository = new aws.ecr.Repository(
            `${name}-repo`,
            {
                name: `${pulumi.getProject()}-${pulumi.getStack()}/${service}`,
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: kmsKeyArn }],
                forceDelete: !production,
            },
            { parent: this },
        );
        new aws.ecr.LifecyclePolicy(
            `${name}-repo`,
            {
                repository: repository.name,
                policy: JSON.stringify({
                    rules: [
                        {
                            rulePriority: 1,
                            description: "keep the newest 50 images",
                            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 50 },
                            action: { type: "expire" },
                        },
                    ],
                }),
            },
            { parent: this },
        );
        const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, { parent: this });
        const image = new docker.Image(
            `${name}-image`,
            {
                // Immutable tags: the tag is the content hash, so an unchanged context is no change.
                imageName: pulumi.interpolate`${repository.repositoryUrl}:ctx-${contextHash(build.context)}`,
                build: {
                    context: build.context,
                    dockerfile: build.dockerfile ?? path.join(build.context, "Dockerfile"),
                    target: build.target,
                    platform: "linux/amd64",
                },
                registry: { server: repository.repositoryUrl, username: auth.userName, password: pulumi.secret(auth.password) },
            },
            { parent: this },
        );
        return image.repoDigest;
    }
}

/** sha256 over the build context's files (paths and contents), first 16 hex digits. */
export function contextHash(dir: string): string {
    const hash = crypto.createHash("sha256");
    const walk = (d: string) => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            if (entry.name === ".git" || entry.name === "node_modules") continue;
            const full = path.join(d, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (entry.isFile()) hash.update(path.relative(dir, full)).update("\0").update(fs.readFileSync(full));
        }
    };
    walk(dir);
    return hash.digest("hex").slice(0, 16);
}
