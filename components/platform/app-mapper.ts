/**
 * Platform's mapper for the app tier (split from ./mappers.ts, which re-exports it): from PlatformArgs and what
 * the data tier, monitoring and the cluster placement provide to AppTierArgs. Pure, like the other mappers.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AppBucketPlacementArgs, AppPriorityClassesArgs, AppTierArgs } from "../app";
import type { BucketReplicationTargetArgs } from "../shared/bucket-replication";
import { MONITORING_DEFAULTS } from "../monitoring";
import type { RuntimeCredentialsArgs } from "../external-secrets";
import type { PlatformArgs } from "./args";
import { APP_CREDENTIALS_SECRET, WRITER_URL_KEY } from "./credentials";

/**
 * Name of the Secret in the app namespace holding DATABASE_URL, DATABASE_READ_URL, DATABASE_WRITER_URL and REDIS_URL:
 * External Secrets Operator writes it (./credentials.ts); the `data-tier` Secret Pulumi wrote before is retired.
 */
export const DATA_SECRET = APP_CREDENTIALS_SECRET;

/** Keys of the data-tier Secret the services do not get as env: the writer's own URL is for migrations, not the app. */
export const NOT_FOR_SERVICES = [WRITER_URL_KEY];

/** How one app tier is placed: the primary (monitored, public traffic) or the pilot light (fixed size). */
export interface TierPlacement {
    /** The data tier's URLs, written by External Secrets Operator into `data-tier-credentials` and read by every service. @default none */
    credentials?: RuntimeCredentialsArgs;
    /** The cluster's IAM OIDC provider. */
    oidcProviderArn: pulumi.Input<string>;
    /** The data tier's subnets (egress on 5432 and 6379). */
    dataCidrs: pulumi.Input<string[]>;
    /** DATABASE_URL goes through RDS Proxy (in the data subnets, on 5432). @default false */
    databaseProxy?: boolean;
    /** Run every service at this fixed size instead of its own replica bounds. @default each service's replicas */
    fixedReplicas?: number;
    /** Give every service with metrics a ServiceMonitor with these labels. @default no ServiceMonitors */
    serviceMonitorLabels?: Record<string, string>;
    /** Admit public traffic from these CIDRs instead of the traffic namespace. @default the traffic namespace */
    trafficCidrs?: pulumi.Input<string[]>;
    /** More hostnames per service host (see `failoverHosts`). @default {} */
    extraHosts?: Record<string, string[]>;
    /** The PriorityClasses of this tier's cluster. @default none */
    priorityClassNames?: AppPriorityClassesArgs;
    /** Analyse Rollouts on this Prometheus (the monitoring stack's). @default no analysis */
    prometheus?: { address: string };
    /** Where the app buckets are; without it (the DR pilot light) the tier creates no bucket and no service gets one. @default none */
    buckets?: AppBucketPlacementArgs;
}

/** The app buckets' placement in the primary region: named by the stack, replicated to the DR region's copies. */
export function bucketPlacement(
    args: PlatformArgs,
    stack: string,
    replicas: Record<string, BucketReplicationTargetArgs> | undefined,
): AppBucketPlacementArgs {
    return { stack, accountId: args.aws.accountId, region: args.aws.region, replicas };
}

export function appTierArgs(args: PlatformArgs, t: TierPlacement): AppTierArgs {
    const { trafficSource: _source, trafficNamespace, rollouts, ...app } = args.app!;
    const m = args.monitoring;
    // The writer's own URL is the migration Jobs' alone; services read DATABASE_URL.
    const keys = Object.keys(t.credentials?.targets.find((x) => x.target === DATA_SECRET)?.template ?? {});
    const writer = keys.includes(WRITER_URL_KEY);
    const secretEnv = keys.filter((key) => !NOT_FOR_SERVICES.includes(key)).map((key) => ({ name: key, secret: DATA_SECRET, key }));
    const ports = [...(keys.includes("DATABASE_URL") ? [5432] : []), ...(keys.includes("REDIS_URL") ? [6379] : [])];
    return {
        ...app,
        environment: args.environment,
        podSecurityVersion: args.kubernetes.version,
        priorityClassNames: t.priorityClassNames,
        oidcProviderArn: t.oidcProviderArn,
        buckets: t.buckets ? app.buckets : [],
        bucketPlacement: t.buckets,
        services: app.services.map(({ migration, buckets, ...s }) => ({
            ...s,
            ...(t.buckets && buckets?.length ? { buckets } : {}),
            // Migrations run on the writer: a tier without one (the DR pilot light on its read replica) runs none.
            ...(migration && writer ? { migration: { ...migration, writerUrl: { secret: DATA_SECRET, key: WRITER_URL_KEY } } } : {}),
            secretEnv: [...secretEnv, ...(s.secretEnv ?? [])],
            ...(s.host && t.extraHosts?.[s.host] ? { extraHosts: [...(s.extraHosts ?? []), ...t.extraHosts[s.host]] } : {}),
            // The pilot-light cluster runs no Rollouts controller: its services roll as Deployments.
            ...(t.fixedReplicas !== undefined ? { replicas: { min: t.fixedReplicas, max: t.fixedReplicas }, strategy: "rolling" } : {}),
        })),
        delivery: {
            gatewayTrafficRouter: rollouts?.gatewayPlugin !== undefined,
            analysis: t.prometheus && {
                prometheusAddress: t.prometheus.address,
                requestsMetric: m?.app?.requestsMetric,
                durationBucketMetric: m?.app?.durationBucketMetric,
                statusLabel: m?.app?.statusLabel,
                errorRatio: m?.thresholds?.errorRatio ?? MONITORING_DEFAULTS.thresholds.errorRatio,
                latencyP95Seconds: m?.thresholds?.latencyP95Seconds ?? MONITORING_DEFAULTS.thresholds.latencyP95Seconds,
            },
        },
        applyRouteRules: rollouts?.applyRouteRules,
        credentials: t.credentials,
        // The CA bundles the URLs' sslrootcert names (external-secrets/templates.ts).
        caBundles: keys.includes("DATABASE_URL"),
        serviceMonitorLabels: t.serviceMonitorLabels,
        network: {
            trafficNamespace,
            trafficCidrs: t.trafficCidrs,
            monitoringNamespace: args.monitoring?.namespace,
            dataEgress: ports.map((port) => ({ cidrs: t.dataCidrs, port, ...(port === 5432 && t.databaseProxy ? { proxied: true } : {}) })),
        },
    };
}
