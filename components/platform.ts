import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GatewayArgs, IngressArgs } from "./app-service";
import { AppServiceSpec } from "./app-spec";
import { AppTier, QuotaArgs } from "./app-tier";
import { KubernetesTargetArgs, verifyClusterTarget } from "./cluster-target";

/** The AWS account and region every AWS resource of the platform is pinned to. */
export interface AwsTargetArgs {
    /** The only account the AWS provider accepts credentials for (`allowedAccountIds`). */
    accountId: string;
    /** The primary region. */
    region: string;
    /**
     * Tags on every AWS resource (provider `defaultTags`), besides `hangar:stack` and `hangar:environment`.
     * @default {}
     */
    tags?: Record<string, string>;
}

/** The VPC the data tier lives in and the app tier reaches it from. */
export interface NetworkArgs {
    vpcId: string;
    vpcCidr: string;
    /** Private subnets, one per availability zone (at least two). */
    privateSubnetIds: string[];
    /** CIDRs of `privateSubnetIds`, in the same order. */
    privateSubnetCidrs: string[];
}

/** The app tier as Platform builds it. */
export interface PlatformAppArgs {
    /** @default "hangar" */
    namespace?: string;
    services: AppServiceSpec[];
    gateway?: GatewayArgs;
    ingress?: IngressArgs;
    /** `namespace` (controller pods in `trafficNamespace`) or `vpc` (load-balancer ENIs: the VPC CIDR). @default "namespace" */
    trafficSource?: string;
    /** @default "gateway-system" */
    trafficNamespace?: string;
    quota?: QuotaArgs;
}

/** Everything `Platform` needs; `toPlatformArgs` maps a parsed stack file onto it. */
export interface PlatformArgs {
    /** `prod`, `staging` or `ephemeral`: drives protection and sizing defaults. */
    environment: string;
    aws: AwsTargetArgs;
    kubernetes: KubernetesTargetArgs;
    /** The network; required unless `stackReference` supplies it. */
    network?: NetworkArgs;
    /** The cluster's IAM OIDC provider ARN (IRSA); required unless `stackReference` supplies it. */
    oidcProviderArn?: string;
    /** A stack (`org/project/stack`) whose outputs supply `network` and `oidcProviderArn`. */
    stackReference?: string;
    app?: PlatformAppArgs;
    /** Namespace the monitoring stack scrapes from. @default "monitoring" */
    monitoringNamespace?: string;
    /** Whether the data tier has PostgreSQL (5432) and Redis (6379): the app tier's egress. @default true */
    databaseEnabled?: boolean;
    /** @default true */
    cacheEnabled?: boolean;
}

/** The network as the components consume it: known values, or a foundation stack's outputs. */
export interface ResolvedNetwork {
    vpcId: pulumi.Output<string>;
    vpcCidr: pulumi.Output<string>;
    privateSubnetIds: pulumi.Output<string[]>;
    privateSubnetCidrs: pulumi.Output<string[]>;
    oidcProviderArn: pulumi.Output<string>;
}

/**
 * The whole environment. Creates every provider explicitly (stack files disable
 * default providers) and, before registering anything, checks that the
 * Kubernetes context points at the expected cluster.
 */
export class Platform extends pulumi.ComponentResource {
    public readonly environment: string;
    public readonly awsProvider: aws.Provider;
    public readonly kubernetesProvider: k8s.Provider;
    public readonly randomProvider: random.Provider;
    public readonly dockerProvider: docker.Provider;
    public readonly network: ResolvedNetwork;
    public readonly appTier?: AppTier;
    /** The API server the Kubernetes provider targets (verified against the kubeconfig). */
    public readonly kubernetesServer: string;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        // Runs before super(): a wrong cluster must stop the program with nothing registered.
        const target = verifyClusterTarget(args.kubernetes);
        super("hangar:index:Platform", name, {}, opts);
        const child = { parent: this };

        this.environment = args.environment;
        this.kubernetesServer = target.server;
        this.awsProvider = new aws.Provider(
            `${name}-aws`,
            {
                region: args.aws.region as aws.Region,
                allowedAccountIds: [args.aws.accountId],
                defaultTags: {
                    tags: { ...args.aws.tags, "hangar:stack": pulumi.getStack(), "hangar:environment": args.environment },
                },
            },
            child,
        );
        this.kubernetesProvider = new k8s.Provider(
            `${name}-k8s`,
            {
                kubeconfig: pulumi.secret(args.kubernetes.kubeconfig),
                context: target.context,
                enableServerSideApply: true,
            },
            child,
        );
        this.randomProvider = new random.Provider(`${name}-random`, {}, child);
        // Only stacks that build images talk to a daemon; the check would fail every other stack.
        this.dockerProvider = new docker.Provider(`${name}-docker`, { disableDockerDaemonCheck: true }, child);
        this.network = resolveNetwork(name, args, this);
        const providers = [this.awsProvider, this.kubernetesProvider, this.randomProvider, this.dockerProvider];

        if (args.app) {
            const app = args.app;
            const dataEgress = [
                ...(args.databaseEnabled !== false ? [{ cidrs: this.network.privateSubnetCidrs, port: 5432 }] : []),
                ...(args.cacheEnabled !== false ? [{ cidrs: this.network.privateSubnetCidrs, port: 6379 }] : []),
            ];
            this.appTier = new AppTier(
                `${name}-app`,
                {
                    environment: args.environment,
                    namespace: app.namespace,
                    oidcProviderArn: this.network.oidcProviderArn,
                    services: app.services,
                    gateway: app.gateway,
                    ingress: app.ingress,
                    quota: app.quota,
                    network: {
                        trafficNamespace: app.trafficNamespace,
                        trafficCidrs: app.trafficSource === "vpc" ? this.network.vpcCidr.apply((c) => [c]) : undefined,
                        monitoringNamespace: args.monitoringNamespace,
                        dataEgress,
                    },
                },
                { parent: this, providers },
            );
        }

        this.registerOutputs({
            environment: this.environment,
            awsAccountId: args.aws.accountId,
            awsRegion: args.aws.region,
            kubernetesContext: target.context,
            kubernetesServer: target.server,
            vpcId: this.network.vpcId,
        });
    }
}

function resolveNetwork(name: string, args: PlatformArgs, parent: pulumi.Resource): ResolvedNetwork {
    if (args.network && args.oidcProviderArn) {
        const n = args.network;
        return {
            vpcId: pulumi.output(n.vpcId),
            vpcCidr: pulumi.output(n.vpcCidr),
            privateSubnetIds: pulumi.output(n.privateSubnetIds),
            privateSubnetCidrs: pulumi.output(n.privateSubnetCidrs),
            oidcProviderArn: pulumi.output(args.oidcProviderArn),
        };
    }
    if (!args.stackReference) {
        throw new pulumi.ResourceError("Platform needs network and oidcProviderArn, or a stackReference that supplies them", parent);
    }
    const ref = new pulumi.StackReference(`${name}-foundation`, { name: args.stackReference }, { parent });
    const known = <T>(value: T | undefined, key: string): pulumi.Output<T> =>
        (value !== undefined ? pulumi.output(value) : ref.requireOutput(key)) as pulumi.Output<T>;
    return {
        vpcId: known(args.network?.vpcId, "vpcId"),
        vpcCidr: known(args.network?.vpcCidr, "vpcCidr"),
        privateSubnetIds: known(args.network?.privateSubnetIds, "privateSubnetIds"),
        privateSubnetCidrs: known(args.network?.privateSubnetCidrs, "privateSubnetCidrs"),
        oidcProviderArn: known(args.oidcProviderArn, "oidcProviderArn"),
    };
}
