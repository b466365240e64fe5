/**
 * Platform, the composition root: verifies the Kubernetes target, creates every
 * provider explicitly (stack files disable default providers) and composes the
 * components in dependency order. Argument mapping lives in ./mappers (pure).
 */
import * as aws from "../shared/aws";
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AppTier, AppTierArgs } from "../app";
import { Backups, BackupsArgs, DUMP_CREDENTIALS_SECRET } from "../backups";
import { PostgresDatabase, RedisCache } from "../data";
import { DisasterRecovery } from "../disaster-recovery";
import { Monitoring, MonitoringArgs } from "../monitoring";
import { partOfLabels } from "../shared/labels";
import { deferred } from "../shared/deferred";
import { physicalName } from "../shared/naming";
import { existingPriorityClasses, priorityClasses } from "../shared/priority-classes";
import { PLATFORM_DEFAULTS, PlatformArgs, PlatformDrArgs } from "./args";
import { pilotLightTier } from "./pilot-light";
import { verifyClusterTarget } from "./cluster-target";
import { declaredFlowsConfigMap } from "./flows";
import * as delivery from "./rollouts";
import { bucketPlacement } from "./app-mapper";
import { appTierArgs, backupsArgs, cacheArgs, databaseArgs, disasterRecoveryArgs, failoverHosts, monitoringArgs } from "./mappers";
import { RolloutsController, RolloutsControllerArgs } from "../rollouts";
import { resolveMonitoring } from "../monitoring";
import { resolveNetwork } from "./network";
import * as credentials from "./credentials";
import { ExternalSecretsOperator } from "../external-secrets";

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
    /** Reader hostname: the first in-region replica, or the writer without replicas. */
    public readonly databaseReaderAddress: pulumi.Output<string | undefined>;
    /** Secrets Manager ARN of the database's master credentials. */
    public readonly databaseSecretArn: pulumi.Output<string | undefined>;
    /** Primary endpoint of the cache. */
    public readonly cacheAddress: pulumi.Output<string | undefined>;
    /** Secrets Manager ARN of the cache's AUTH token. */
    public readonly cacheSecretArn: pulumi.Output<string | undefined>;
    /** Hostname of the DR replica, when DR is on. */
    public readonly drReplicaAddress: pulumi.Output<string | undefined>;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        // Runs before super(): a wrong cluster must stop the program with nothing registered.
        const target = verifyClusterTarget(args.kubernetes);
        super("hangar:index:Platform", name, {}, opts);
        const child = { parent: this };
        const stack = pulumi.getStack();
        const defaults = PLATFORM_DEFAULTS;
        this.environment = args.environment;
        this.kubernetesServer = target.server;

        const defaultTags = { tags: { ...args.aws.tags, "hangar:stack": stack, "hangar:environment": args.environment } };
        const dr: PlatformDrArgs | undefined = (args.dr?.enabled ?? defaults.dr.enabled) ? args.dr : undefined;
        // After a failover the primary region may be down, but every provider is still configured (even
        // untargeted ones before Pulumi CLI 3.257, pulumi/pulumi#24259), and allowedAccountIds needs the
        // caller identity from STS: ask STS in the DR region then.
        const stsRegion = dr?.promoted ? dr.region : undefined;
        // The providers every component of the primary region gets.
        const p = {
            aws: new aws.Provider(
                `${name}-aws`,
                {
                    region: args.aws.region as aws.Region,
                    allowedAccountIds: [args.aws.accountId],
                    defaultTags,
                    ...(stsRegion ? { stsRegion } : {}),
                },
                child,
            ),
            kubernetes: new k8s.Provider(
                `${name}-k8s`,
                { kubeconfig: pulumi.secret(args.kubernetes.kubeconfig), context: target.context, enableServerSideApply: true },
                child,
            ),
            random: new random.Provider(`${name}-random`, {}, child),
            // Only stacks that build images talk to a daemon; the check would fail every other stack.
            docker: new docker.Provider(`${name}-docker`, { disableDockerDaemonCheck: true }, child),
        };
        const drAws = dr
            ? new aws.Provider(
                  `${name}-aws-dr`,
                  { region: dr.region as aws.Region, allowedAccountIds: [dr.accountId ?? args.aws.accountId], defaultTags },
                  child,
              )
            : undefined;
        const network = resolveNetwork(name, args, this);
        const providers = [p.aws, p.kubernetes, p.random, p.docker];
        const withProviders = { parent: this, providers };

        // Order: data → monitoring (CRDs) → DR targets → app tier → backups; each arrow is a real
        // dependency (endpoints, CRDs, ARNs, namespace), nothing else is serialized.
        const placement = {
            environment: args.environment,
            vpcId: network.vpcId,
            subnetIds: network.privateSubnetIds,
            // Pods get VPC addresses from the private subnets (VPC CNI); exporters live there too.
            allowedCidrs: network.privateSubnetCidrs,
        };
        // The master secret's DR replica takes the DR key DisasterRecovery creates later (deferred.ts); left alone once promoted.
        const drKey = dr && drAws && !dr.promoted ? deferred<string>() : undefined;
        const secretReplica = dr && { region: dr.region, kmsKeyId: drKey?.output, promoted: dr.promoted };
        const database =
            (args.database?.enabled ?? defaults.database.enabled)
                ? new PostgresDatabase(`${name}-db`, { ...databaseArgs(args, placement, stack), secretReplica }, withProviders)
                : undefined;
        const cache =
            (args.cache?.enabled ?? defaults.cache.enabled)
                ? new RedisCache(`${name}-cache`, cacheArgs(args, placement, stack), withProviders)
                : undefined;

        // Cluster-scoped, so named by the stack; every pod Hangar makes names one (its output: it waits for the class).
        // With `kubernetes.priorityClassPrefix`, another stack's classes (staging's, for an ephemeral stack on its cluster).
        const priority = args.kubernetes.priorityClassPrefix
            ? existingPriorityClasses(args.kubernetes.priorityClassPrefix)
            : priorityClasses(`${name}-priority`, physicalName(stack), partOfLabels(), { parent: this, provider: p.kubernetes });
        // Pods get the data tier's credentials at run time from Secrets Manager (the master password rotates there).
        const controlPlaneCidrs = args.controlPlaneCidrs ?? network.privateSubnetCidrs;
        const esoArgs = credentials.needsExternalSecrets(args)
            ? credentials.operatorArgs(args, { controlPlaneCidrs, priorityClassName: priority.monitoring })
            : undefined;
        const eso = esoArgs && new ExternalSecretsOperator(`${name}-external-secrets`, esoArgs, withProviders);
        // What the consumers' ExternalSecrets wait for (their component's dependsOn): the operator's CRDs.
        const afterEso = { ...withProviders, dependsOn: eso?.readyResources ?? [] };
        const credentialContext = credentials.credentialContext(database, cache, {
            oidcProviderArn: network.oidcProviderArn,
            region: args.aws.region,
            refreshInterval: args.externalSecrets?.refreshInterval ?? credentials.CREDENTIALS_DEFAULTS.refreshInterval,
        });
        let monitorArgs: MonitoringArgs | undefined;
        const monitoring =
            (args.monitoring?.enabled ?? defaults.monitoring.enabled)
                ? new Monitoring(
                      `${name}-monitoring`,
                      (monitorArgs = credentials.withMonitoringCredentials(
                          monitoringArgs(
                              args,
                              database,
                              cache,
                              {
                                  controlPlaneCidrs,
                                  privateSubnetCidrs: network.privateSubnetCidrs,
                                  trafficCidrs: args.app?.trafficSource === "vpc" ? network.vpcCidr.apply((c) => [c]) : undefined,
                              },
                              priority.monitoring,
                          ),
                          credentialContext,
                      )),
                      afterEso,
                  )
                : undefined;

        const disasterRecovery =
            dr && database && drAws
                ? new DisasterRecovery(`${name}-dr`, disasterRecoveryArgs(args, dr, stack, database), {
                      parent: this,
                      providers: [drAws, p.random],
                  })
                : undefined;
        drKey?.resolve(disasterRecovery?.kmsKeyArn);

        const sslMode = args.database?.clientSslMode ?? defaults.database.clientSslMode;
        let appTier: AppTier | undefined;
        let appArgs: AppTierArgs | undefined;
        let rolloutsArgs: RolloutsControllerArgs | undefined;
        if (args.app) {
            // Rollout CRs need the controller's CRDs first; `existing` mode creates nothing and waits for nothing.
            const m = monitorArgs && resolveMonitoring(monitorArgs);
            rolloutsArgs = delivery.controllerArgs(args, {
                monitoring: m?.installChart ? m : undefined,
                serviceMonitorLabels: monitoring?.selectorLabels,
                controlPlaneCidrs: args.controlPlaneCidrs ?? network.privateSubnetCidrs,
                priorityClassName: priority.monitoring,
            });
            const rollouts = rolloutsArgs && new RolloutsController(`${name}-rollouts`, rolloutsArgs, withProviders);
            appTier = new AppTier(
                `${name}-app`,
                (appArgs = appTierArgs(args, {
                    credentials: credentials.appCredentials(credentialContext, sslMode),
                    oidcProviderArn: network.oidcProviderArn,
                    dataCidrs: network.privateSubnetCidrs,
                    databaseProxy: database?.proxyAddress !== undefined,
                    serviceMonitorLabels: monitoring?.selectorLabels,
                    trafficCidrs: args.app.trafficSource === "vpc" ? network.vpcCidr.apply((c) => [c]) : undefined,
                    extraHosts: failoverHosts(args),
                    priorityClassNames: priority,
                    prometheus: m?.installChart ? { address: delivery.prometheusAddress(m.namespace, m.releaseName) } : undefined,
                    buckets: bucketPlacement(args, stack, disasterRecovery?.appBucketReplicas),
                })),
                // ServiceMonitors need the monitoring CRDs first, Rollouts the controller's.
                {
                    ...withProviders,
                    dependsOn: [...(monitoring?.readyResources ?? []), ...(rollouts ? [rollouts] : []), ...afterEso.dependsOn],
                },
            );
            const pilot = (dr?.pilotLight?.enabled ?? defaults.dr.pilotLight.enabled) ? dr?.pilotLight : undefined;
            if (pilot && disasterRecovery && database && drAws)
                pilotLightTier(name, this, {
                    args,
                    pilot,
                    drNetworkCidrs: dr!.network.privateSubnetCidrs,
                    drAws,
                    others: [p.random, p.docker],
                    replica: { address: disasterRecovery.replicaAddress, port: disasterRecovery.replicaPort },
                    credentials: credentialContext,
                    sslMode,
                });
        }

        let dump: BackupsArgs | undefined;
        if ((args.backups?.enabled ?? defaults.backups.enabled) && database) {
            const dumpPlacement = appTier && {
                namespace: appTier.namespace,
                priorityClassName: priority.batch,
                oidcProviderArn: network.oidcProviderArn,
                databaseCidrs: network.privateSubnetCidrs,
            };
            // Restore-job failures go to the database alarms' topic, when monitoring has one.
            const alarmTopic = monitoring && monitorArgs?.cloudwatch ? monitoring.alarmTopicArn.apply((arn) => arn!) : undefined;
            dump = backupsArgs(args, stack, database, disasterRecovery, dumpPlacement, alarmTopic);
            if (dump.dump)
                dump.dump.credentials = credentials.masterCredentials(
                    { ...credentialContext, database: credentialContext.database! },
                    "pg-dump-store",
                    DUMP_CREDENTIALS_SECRET,
                    {
                        passwordKey: "PGPASSWORD",
                    },
                );
            new Backups(`${name}-backups`, dump, afterEso);
        }
        if (appTier && appArgs) {
            // Every component's flows, as one object of the stack that the wiring rules evaluate.
            const sources = { app: appArgs, monitoring: monitorArgs, dump: dump?.dump, rollouts: rolloutsArgs, externalSecrets: esoArgs };
            const flowNetwork = { vpcId: network.vpcId, podCidrs: network.privateSubnetCidrs };
            const proxyCidrs = database?.proxyAddress ? network.privateSubnetCidrs : undefined;
            const rotation = database?.rotationEndpoint
                ? { cidrs: network.privateSubnetCidrs, endpoint: database.rotationEndpoint === "create" }
                : undefined;
            declaredFlowsConfigMap(
                `${name}-flows`,
                appTier.namespace,
                { ...sources, ...flowNetwork, proxyCidrs, rotation },
                {
                    parent: this,
                    provider: p.kubernetes,
                    dependsOn: [appTier],
                },
            );
        }

        this.appNamespace = appTier ? appTier.namespace : pulumi.output(undefined);
        this.appUrls = appTier ? appTier.serviceUrls : pulumi.output({} as Record<string, string>);
        this.databaseAddress = database ? database.address : pulumi.output(undefined);
        this.databaseReaderAddress = database ? database.readerAddress : pulumi.output(undefined);
        this.databaseSecretArn = database ? database.secretArn : pulumi.output(undefined);
        this.cacheAddress = cache ? cache.address : pulumi.output(undefined);
        this.cacheSecretArn = cache ? cache.secretArn : pulumi.output(undefined);
        this.drReplicaAddress = disasterRecovery ? disasterRecovery.replicaAddress : pulumi.output(undefined);
        this.registerOutputs({
            environment: this.environment,
            kubernetesServer: this.kubernetesServer,
            appNamespace: this.appNamespace,
            appUrls: this.appUrls,
            databaseAddress: this.databaseAddress,
            databaseReaderAddress: this.databaseReaderAddress,
            databaseSecretArn: this.databaseSecretArn,
            cacheAddress: this.cacheAddress,
            cacheSecretArn: this.cacheSecretArn,
            drReplicaAddress: this.drReplicaAddress,
        });
    }
}
