import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AppTier } from "./app-tier";
import { verifyClusterTarget } from "./cluster-target";
import { postgresUrl, redisUrl } from "./connection-urls";
import { physicalName } from "./naming";
import { Backups } from "./backups";
import { DisasterRecovery } from "./disaster-recovery";
import { Monitoring } from "./monitoring";
import { PlatformArgs } from "./platform-args";
import { PostgresDatabase } from "./postgres";
import { RedisCache } from "./redis";

export * from "./platform-args";

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

/** The parts of a Platform: TypeScript-only handles (see `internals`). */
interface PlatformParts {
    awsProvider: aws.Provider;
    drAwsProvider?: aws.Provider;
    kubernetesProvider: k8s.Provider;
    randomProvider: random.Provider;
    dockerProvider: docker.Provider;
    network: ResolvedNetwork;
    database?: PostgresDatabase;
    cache?: RedisCache;
    monitoring?: Monitoring;
    disasterRecovery?: DisasterRecovery;
    backups?: Backups;
    appTier?: AppTier;
    drAppTier?: AppTier;
}

/**
 * Handles only TypeScript callers use. The component-package analyzer turns every
 * class property into a schema output and cannot type providers or child
 * components, so they live here and are read through getters.
 */
const internals = new WeakMap<Platform, Partial<PlatformParts>>();

/**
 * The whole environment. Creates every provider explicitly (stack files disable
 * default providers) and, before registering anything, checks that the
 * Kubernetes context points at the expected cluster.
 */
export class Platform extends pulumi.ComponentResource {
    /** `prod`, `staging` or `ephemeral`, as given in the args. */
    public readonly environment: string;
    /** The API server the Kubernetes provider targets (verified against the kubeconfig). */
    public readonly kubernetesServer: string;
    /** Namespace of the app tier. */
    public readonly appNamespace: pulumi.Output<string | undefined>;
    /** `https://<host>` of each public service. */
    public readonly appUrls: pulumi.Output<Record<string, string>>;
    /** Writer hostname of the database. */
    public readonly databaseAddress: pulumi.Output<string | undefined>;
    /** Secrets Manager ARN of the database's master credentials. */
    public readonly databaseSecretArn: pulumi.Output<string | undefined>;
    /** Hostname of the DR replica, when DR is on. */
    public readonly drReplicaAddress: pulumi.Output<string | undefined>;

    private get parts(): Partial<PlatformParts> {
        return internals.get(this) ?? {};
    }
    get awsProvider(): aws.Provider {
        return this.parts.awsProvider!;
    }
    /** The DR region's AWS provider, when DR is on. */
    get drAwsProvider(): aws.Provider | undefined {
        return this.parts.drAwsProvider;
    }
    get kubernetesProvider(): k8s.Provider {
        return this.parts.kubernetesProvider!;
    }
    get randomProvider(): random.Provider {
        return this.parts.randomProvider!;
    }
    get dockerProvider(): docker.Provider {
        return this.parts.dockerProvider!;
    }
    get network(): ResolvedNetwork {
        return this.parts.network!;
    }
    get database(): PostgresDatabase | undefined {
        return this.parts.database;
    }
    get cache(): RedisCache | undefined {
        return this.parts.cache;
    }
    get monitoring(): Monitoring | undefined {
        return this.parts.monitoring;
    }
    get disasterRecovery(): DisasterRecovery | undefined {
        return this.parts.disasterRecovery;
    }
    get backups(): Backups | undefined {
        return this.parts.backups;
    }
    get appTier(): AppTier | undefined {
        return this.parts.appTier;
    }
    /** The pilot-light app tier on the DR cluster. */
    get drAppTier(): AppTier | undefined {
        return this.parts.drAppTier;
    }

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        // Runs before super(): a wrong cluster must stop the program with nothing registered.
        const target = verifyClusterTarget(args.kubernetes);
        super("hangar:index:Platform", name, {}, opts);
        const p: Partial<PlatformParts> = {};
        internals.set(this, p);
        const child = { parent: this };
        const stack = pulumi.getStack();

        this.environment = args.environment;
        this.kubernetesServer = target.server;
        const defaultTags = { tags: { ...args.aws.tags, "hangar:stack": stack, "hangar:environment": args.environment } };
        p.awsProvider = new aws.Provider(
            `${name}-aws`,
            { region: args.aws.region as aws.Region, allowedAccountIds: [args.aws.accountId], defaultTags },
            child,
        );
        p.kubernetesProvider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: pulumi.secret(args.kubernetes.kubeconfig), context: target.context, enableServerSideApply: true },
            child,
        );
        p.randomProvider = new random.Provider(`${name}-random`, {}, child);
        // Only stacks that build images talk to a daemon; the check would fail every other stack.
        p.dockerProvider = new docker.Provider(`${name}-docker`, { disableDockerDaemonCheck: true }, child);
        const dr = args.dr?.enabled ? args.dr : undefined;
        if (dr) {
            p.drAwsProvider = new aws.Provider(
                `${name}-aws-dr`,
                { region: dr.region as aws.Region, allowedAccountIds: [dr.accountId ?? args.aws.accountId], defaultTags },
                child,
            );
        }
        p.network = resolveNetwork(name, args, this);
        const providers = [this.awsProvider, this.kubernetesProvider, this.randomProvider, this.dockerProvider];

        // Order: data → monitoring (CRDs) → DR targets → app tier → backups; each arrow is a real
        // dependency (endpoints, CRDs, ARNs, namespace), nothing else is serialized.
        const { enabled: databaseEnabled = true, clientSslMode = "verify-full", ...databaseSettings } = args.database ?? {};
        const { enabled: cacheEnabled = true, ...cacheSettings } = args.cache ?? {};
        const placement = {
            environment: args.environment,
            vpcId: this.network.vpcId,
            subnetIds: this.network.privateSubnetIds,
            // Pods get VPC addresses from the private subnets (VPC CNI); exporters live there too.
            allowedCidrs: this.network.privateSubnetCidrs,
        };
        if (databaseEnabled) {
            p.database = new PostgresDatabase(`${name}-db`, { ...databaseSettings, ...placement, identifier: physicalName(stack) }, { parent: this, providers });
        }
        if (cacheEnabled) {
            p.cache = new RedisCache(`${name}-cache`, { ...cacheSettings, ...placement, identifier: physicalName(stack, "", 40) }, { parent: this, providers });
        }

        if (args.monitoring?.enabled) p.monitoring = this.monitoringFor(`${name}-monitoring`, args, providers);

        if (dr && this.database && this.drAwsProvider) {
            const zoneId = args.dns?.hostedZoneId;
            p.disasterRecovery = new DisasterRecovery(
                `${name}-dr`,
                {
                    environment: args.environment,
                    identifier: physicalName(stack),
                    accountId: dr.accountId ?? args.aws.accountId,
                    primaryDatabaseArn: this.database.primaryArn,
                    engineMajorVersion: (databaseSettings.engineVersion ?? "16").split(".")[0],
                    instanceClass: dr.instanceClass ?? databaseSettings.instanceClass,
                    backupRetentionDays: databaseSettings.backupRetentionDays,
                    deletionProtection: databaseSettings.deletionProtection,
                    vpcId: dr.network.vpcId,
                    subnetIds: dr.network.privateSubnetIds,
                    allowedCidrs: dr.network.privateSubnetCidrs,
                    promoted: dr.promoted,
                    failover: dr.failover && zoneId ? { ...dr.failover, hostedZoneId: zoneId } : undefined,
                },
                { parent: this, providers: [this.drAwsProvider] },
            );
        }

        if (args.app) {
            const urls = dataTierUrls(this.database, this.cache, clientSslMode);
            p.appTier = this.appTierOn(`${name}-app`, args, urls, this.network.oidcProviderArn, this.network.privateSubnetCidrs, providers);
            const pilot = dr?.pilotLight?.enabled ? dr.pilotLight : undefined;
            if (pilot && this.disasterRecovery && this.database && this.drAwsProvider) {
                p.drAppTier = this.pilotLight(name, args, pilot, clientSslMode);
            }
        }

        if (args.backups?.enabled && this.database) {
            p.backups = this.backupsFor(`${name}-backups`, args, providers);
        }

        this.appNamespace = this.appTier ? this.appTier.namespace : pulumi.output(undefined);
        this.appUrls = this.appTier ? this.appTier.serviceUrls : pulumi.output({} as Record<string, string>);
        this.databaseAddress = this.database ? this.database.address : pulumi.output(undefined);
        this.databaseSecretArn = this.database ? this.database.secretArn : pulumi.output(undefined);
        this.drReplicaAddress = this.disasterRecovery ? this.disasterRecovery.replicaAddress : pulumi.output(undefined);
        this.registerOutputs({
            environment: this.environment,
            kubernetesServer: this.kubernetesServer,
            appNamespace: this.appNamespace,
            appUrls: this.appUrls,
            databaseAddress: this.databaseAddress,
            databaseSecretArn: this.databaseSecretArn,
            drReplicaAddress: this.drReplicaAddress,
        });
    }

    /** The monitoring stack, scraping the data tier over TLS and alarming on it in CloudWatch. */
    private monitoringFor(name: string, args: PlatformArgs, providers: pulumi.ProviderResource[]): Monitoring {
        const m = args.monitoring!;
        const db = this.database;
        const cache = this.cache;
        return new Monitoring(
            name,
            {
                environment: args.environment,
                mode: m.mode,
                namespace: m.namespace,
                chartVersion: m.chartVersion,
                crdsChartVersion: m.crdsChartVersion,
                storageClass: m.storageClass,
                nodeExporter: m.nodeExporter,
                prometheus: { replicas: m.prometheusReplicas, retention: m.retention, retentionSize: m.retentionSize, storageSize: m.storageSize },
                alertmanager: { replicas: m.alertmanagerReplicas, receiver: m.receiver },
                grafana: m.grafanaHost
                    ? { host: m.grafanaHost, exposure: args.app?.services[0]?.exposure ?? "gateway", gateway: args.app?.gateway, ingress: args.app?.ingress }
                    : undefined,
                app: {
                    namespace: args.app?.namespace ?? "hangar",
                    requestsMetric: m.requestsMetric,
                    durationBucketMetric: m.durationBucketMetric,
                    statusLabel: m.statusLabel,
                },
                thresholds: m.thresholds,
                postgres: db && { host: db.address, port: db.port, database: db.databaseName, username: db.username, password: db.password },
                redis: cache && { host: cache.address, port: cache.port, authToken: cache.authToken },
                cloudwatch: {
                    rds: db && { instanceIds: [db.identifier], replicaIds: db.replicaIdentifiers },
                    elasticache: cache && { replicationGroupId: cache.identifier, nodeCount: args.cache?.nodes ?? 2 },
                    subscriptions: m.alarmSubscriptions,
                },
            },
            { parent: this, providers },
        );
    }

    /** Backups of the primary database: copies and replication to the DR targets when DR is on. */
    private backupsFor(name: string, args: PlatformArgs, providers: pulumi.ProviderResource[]): Backups {
        const b = args.backups!;
        const database = this.database!;
        const dr = this.disasterRecovery;
        const dump = b.dump?.enabled && b.dump.image && this.appTier ? b.dump : undefined;
        return new Backups(
            name,
            {
                environment: args.environment,
                identifier: physicalName(pulumi.getStack()),
                accountId: args.aws.accountId,
                databaseArn: database.primaryArn,
                dailyRetentionDays: b.dailyRetentionDays,
                monthlyRetentionMonths: b.monthlyRetentionMonths,
                dailySchedule: b.dailySchedule,
                monthlySchedule: b.monthlySchedule,
                vaultLock: b.vaultLock,
                vaultLockChangeableForDays: b.vaultLockChangeableForDays,
                bucketRetention: b.bucketRetention,
                copyToVaultArn: dr?.vaultArn,
                replicateTo: dr ? { bucketArn: dr.bucketArn, kmsKeyArn: dr.kmsKeyArn } : undefined,
                dump: dump && {
                    namespace: this.appTier!.namespace,
                    oidcProviderArn: this.network.oidcProviderArn,
                    image: dump.image!,
                    schedule: dump.schedule,
                    caBundlePath: dump.caBundlePath,
                    deadlineSeconds: dump.deadlineSeconds,
                    host: database.address,
                    port: database.port,
                    database: database.databaseName,
                    username: database.username,
                    password: database.password,
                    databaseCidrs: this.network.privateSubnetCidrs,
                },
            },
            { parent: this, providers },
        );
    }

    /** An AppTier wired to data-tier URLs (in a Secret) and the data tier's subnets (egress). */
    private appTierOn(
        name: string,
        args: PlatformArgs,
        urls: Record<string, pulumi.Output<string>>,
        oidcProviderArn: pulumi.Input<string>,
        dataCidrs: pulumi.Input<string[]>,
        providers: pulumi.ProviderResource[],
        replicas?: number,
    ): AppTier {
        const app = args.app!;
        const secretEnv = Object.keys(urls).map((key) => ({ name: key, secret: DATA_SECRET, key }));
        const ports = [...(urls.DATABASE_URL ? [5432] : []), ...(urls.REDIS_URL ? [6379] : [])];
        return new AppTier(
            name,
            {
                environment: args.environment,
                namespace: app.namespace,
                oidcProviderArn,
                services: app.services.map((s) => ({
                    ...s,
                    secretEnv: [...secretEnv, ...(s.secretEnv ?? [])],
                    ...(replicas !== undefined ? { replicas: { min: replicas, max: replicas } } : {}),
                })),
                secrets: Object.keys(urls).length > 0 ? [{ name: DATA_SECRET, stringData: urls }] : [],
                gateway: app.gateway,
                ingress: app.ingress,
                quota: app.quota,
                serviceMonitorLabels: this.monitoring && replicas === undefined ? this.monitoring.selectorLabels : undefined,
                network: {
                    trafficNamespace: app.trafficNamespace,
                    trafficCidrs: app.trafficSource === "vpc" && replicas === undefined ? this.network.vpcCidr.apply((c) => [c]) : undefined,
                    monitoringNamespace: args.monitoring?.namespace,
                    dataEgress: ports.map((port) => ({ cidrs: dataCidrs, port })),
                },
            },
            // ServiceMonitors need the monitoring CRDs first.
            { parent: this, providers, dependsOn: replicas === undefined ? (this.monitoring?.readyResources ?? []) : [] },
        );
    }

    /**
     * The pilot-light app tier on the DR cluster, pointed at the DR replica. Its
     * kubeconfig comes from Secrets Manager, so the expected-cluster check runs
     * when the value arrives, before the provider can use it.
     */
    private pilotLight(name: string, args: PlatformArgs, pilot: NonNullable<NonNullable<PlatformArgs["dr"]>["pilotLight"]>, sslMode: string): AppTier {
        const dr = args.dr!;
        const kubeconfig = aws.secretsmanager
            .getSecretVersionOutput({ secretId: pilot.kubeconfigSecretArn }, { parent: this, provider: this.drAwsProvider })
            .secretString.apply((text) => {
                try {
                    verifyClusterTarget({ kubeconfig: text, context: pilot.context, server: pilot.server }, "hangar:dr.pilotLight");
                } catch (err) {
                    throw new pulumi.RunError((err as Error).message);
                }
                return text;
            });
        const drKubernetes = new k8s.Provider(
            `${name}-k8s-dr`,
            { kubeconfig: pulumi.secret(kubeconfig), context: pilot.context, enableServerSideApply: true },
            { parent: this },
        );
        const replicaUrl = databaseUrl(this.database!, this.disasterRecovery!.replicaAddress, sslMode);
        return this.appTierOn(
            `${name}-app-dr`,
            args,
            { DATABASE_URL: replicaUrl, DATABASE_READ_URL: replicaUrl },
            pilot.oidcProviderArn,
            dr.network.privateSubnetCidrs,
            [this.drAwsProvider!, drKubernetes, this.randomProvider, this.dockerProvider],
            pilot.replicas ?? 0,
        );
    }
}

/** A secret PostgreSQL URL for the database's credentials at `host` (writer, reader or DR replica). */
function databaseUrl(database: PostgresDatabase, host: pulumi.Output<string>, sslMode: string): pulumi.Output<string> {
    return pulumi.secret(
        pulumi
            .all([database.password, host, database.port])
            .apply(([password, h, port]) => postgresUrl({ username: database.username, password, host: h, port, database: database.databaseName, sslMode })),
    );
}

/** Platform's data-tier URLs, as secrets. */
function dataTierUrls(database: PostgresDatabase | undefined, cache: RedisCache | undefined, sslMode: string): Record<string, pulumi.Output<string>> {
    const urls: Record<string, pulumi.Output<string>> = {};
    if (database) {
        urls.DATABASE_URL = databaseUrl(database, database.address, sslMode);
        urls.DATABASE_READ_URL = databaseUrl(database, database.readerAddress, sslMode);
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
