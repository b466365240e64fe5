import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GatewayArgs, IngressArgs } from "./app-service";
import { AppServiceSpec } from "./app-spec";
import { AppTier, QuotaArgs } from "./app-tier";
import { KubernetesTargetArgs, verifyClusterTarget } from "./cluster-target";
import { postgresUrl, redisUrl } from "./connection-urls";
import { physicalName } from "./naming";
import { PostgresDatabase, PostgresSettings } from "./postgres";
import { RedisCache, RedisSettings } from "./redis";

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
    database?: PlatformDatabaseArgs;
    cache?: PlatformCacheArgs;
}

export interface PlatformDatabaseArgs extends PostgresSettings {
    /** @default true */
    enabled?: boolean;
    /** libpq sslmode in DATABASE_URL; verify-full needs the RDS CA bundle in the image. @default "verify-full" */
    clientSslMode?: string;
}

export interface PlatformCacheArgs extends RedisSettings {
    /** @default true */
    enabled?: boolean;
}

/** Name of the Secret in the app namespace holding DATABASE_URL, DATABASE_READ_URL and REDIS_URL. */
export const DATA_SECRET = "data-tier";

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
    public readonly database?: PostgresDatabase;
    public readonly cache?: RedisCache;
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

        // Data first: the app tier needs its endpoints.
        const stack = pulumi.getStack();
        const dataPlacement = {
            environment: args.environment,
            vpcId: this.network.vpcId,
            subnetIds: this.network.privateSubnetIds,
            // Pods get VPC addresses from the private subnets (VPC CNI); exporters live there too.
            allowedCidrs: this.network.privateSubnetCidrs,
        };
        const { enabled: databaseEnabled = true, clientSslMode = "verify-full", ...databaseSettings } = args.database ?? {};
        const { enabled: cacheEnabled = true, ...cacheSettings } = args.cache ?? {};
        if (databaseEnabled) {
            this.database = new PostgresDatabase(`${name}-db`, { ...databaseSettings, ...dataPlacement, identifier: physicalName(stack) }, { parent: this, providers });
        }
        if (cacheEnabled) {
            this.cache = new RedisCache(`${name}-cache`, { ...cacheSettings, ...dataPlacement, identifier: physicalName(stack, "", 40) }, { parent: this, providers });
        }

        if (args.app) {
            const app = args.app;
            const dataEgress = [
                ...(this.database ? [{ cidrs: this.network.privateSubnetCidrs, port: 5432 }] : []),
                ...(this.cache ? [{ cidrs: this.network.privateSubnetCidrs, port: 6379 }] : []),
            ];
            const urls = dataTierUrls(this.database, this.cache, clientSslMode);
            const secretEnv = Object.keys(urls).map((key) => ({ name: key, secret: DATA_SECRET, key }));
            this.appTier = new AppTier(
                `${name}-app`,
                {
                    environment: args.environment,
                    namespace: app.namespace,
                    oidcProviderArn: this.network.oidcProviderArn,
                    services: app.services.map((s) => ({ ...s, secretEnv: [...secretEnv, ...(s.secretEnv ?? [])] })),
                    secrets: Object.keys(urls).length > 0 ? [{ name: DATA_SECRET, stringData: urls }] : [],
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

/** Platform's data-tier URLs, as secrets. */
function dataTierUrls(database: PostgresDatabase | undefined, cache: RedisCache | undefined, sslMode: string): Record<string, pulumi.Output<string>> {
    const urls: Record<string, pulumi.Output<string>> = {};
    if (database) {
        const url = (host: pulumi.Output<string>) =>
            pulumi.secret(
                pulumi
                    .all([database.password, host, database.port])
                    .apply(([password, h, port]) => postgresUrl({ username: database.username, password, host: h, port, database: database.databaseName, sslMode })),
            );
        urls.DATABASE_URL = url(database.address);
        urls.DATABASE_READ_URL = url(database.readerAddress);
    }
    if (cache) {
        urls.REDIS_URL = pulumi.secret(pulumi.all([cache.authToken, cache.address, cache.port]).apply(([authToken, host, port]) => redisUrl({ authToken, host, port })));
    }
    return urls;
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
