import * as aws from "../shared/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GatewayArgs, IngressArgs } from "../shared/exposure";
import { irsaTrustPolicy } from "../shared/irsa";
import { caBundleConfigMap, caBundleConfigMapName } from "../shared/ca-bundle";
import { runtimeCredentials, RuntimeCredentialsArgs } from "../shared/external-secrets";
import { partOfLabels } from "../shared/labels";
import { secretKeysAnnotation } from "../shared/secret-keys";
import { lifecycle } from "../shared/lifecycle";
import { QUOTA_DEFAULTS, QuotaArgs, restrictedNamespace } from "../shared/namespace-limits";
import { AppNetworkArgs, AppService } from "./app-service";
import { AppBucketPlacementArgs, AppBucketSettings, bucketEnvName, tierBuckets } from "./buckets";
import { serviceIdentity } from "./identity";
import { defaultDenySpec, dnsEgressSpec } from "./network-policies";
import type { RolloutDeliveryArgs } from "./rollout";
import type { AppServiceSpec } from "./spec";

/** A Kubernetes Secret the tier creates in its namespace; every value is kept secret. */
export interface AppSecretArgs {
    /** Name of the Secret. */
    name: string;
    /** Keys and values of the Secret. */
    stringData: Record<string, pulumi.Input<string>>;
}

/** PriorityClasses of the tier's pods (see shared/priority-classes.ts). */
export interface AppPriorityClassesArgs {
    /** Class of public services' pods. */
    api: pulumi.Input<string>;
    /** Class of the other services' pods. */
    workers: pulumi.Input<string>;
}

/** The defaults `AppTierArgs` documents. */
export const APP_TIER_DEFAULTS = { environment: "prod", namespace: "hangar", serviceAccount: "app" };

/** What an app tier runs and how it is exposed: the settings a stack file gives (Platform's `app` extends them). */
export interface AppTierSettings {
    /** Namespace to create, labelled to enforce the restricted Pod Security Standard. @default "hangar" */
    namespace?: string;
    /** The services, one AppService each. */
    services: AppServiceSpec[];
    /** The Gateway public services with `gateway` exposure attach their HTTPRoutes to. */
    gateway?: GatewayArgs;
    /** Ingress settings of public services with `ingress` exposure. */
    ingress?: IngressArgs;
    /** ResourceQuota of the namespace. */
    quota?: QuotaArgs;
    /**
     * Pod Security Standards version the namespace enforces, audits and warns at: the cluster's minor version.
     * @default "v1.34"
     */
    podSecurityVersion?: string;
    /** The application's S3 buckets (./buckets.ts); services name theirs in `buckets`. @default [] */
    buckets?: AppBucketSettings[];
}

export interface AppTierArgs extends AppTierSettings {
    /** `prod`, `staging` or `ephemeral`. @default "prod" */
    environment?: string;
    /** The cluster's IAM OIDC provider ARN; the tier's ServiceAccount gets an IRSA role trusted by it. */
    oidcProviderArn: pulumi.Input<string>;
    /** Network context every service gets. */
    network?: AppNetworkArgs;
    /** Secrets to create in the namespace before the services (never credentials: use `credentials`). @default [] */
    secrets?: AppSecretArgs[];
    /**
     * Secrets External Secrets Operator writes in the namespace from Secrets Manager (the data tier's URLs), with the
     * namespace's SecretStore; the services start once they are Ready. @default none
     */
    credentials?: RuntimeCredentialsArgs;
    /**
     * Labels the monitoring stack selects ServiceMonitors by; when set, every service with
     * `metrics` gets a ServiceMonitor (which waits for this component's `dependsOn`, the CRDs). @default no ServiceMonitors
     */
    serviceMonitorLabels?: Record<string, string>;
    /**
     * PriorityClasses of the pods: `api` for public services, `workers` for the others
     * (see shared/priority-classes.ts). @default none: the cluster's default priority
     */
    priorityClassNames?: AppPriorityClassesArgs;
    /**
     * Mount the AWS CA bundles (shared/ca-bundle.ts) read-only at /opt/hangar-ca in every service, from the
     * ConfigMap `app-ca-bundles`: the RDS CAs and RDS Proxy's Amazon roots, which `sslrootcert` in a verify-full
     * URL names. @default false
     */
    caBundles?: boolean;
    /**
     * How `canary` and `blueGreen` services' Rollouts split traffic (the Gateway API plugin) and what their
     * analysis queries. @default split by replica counts, no analysis
     */
    delivery?: RolloutDeliveryArgs;
    /** Apply canary routes' `spec.rules` once (the second step of a rules change). @default false */
    applyRouteRules?: boolean;
    /** Names, region and DR replicas of the app buckets; required with `buckets`. @default none */
    bucketPlacement?: AppBucketPlacementArgs;
}

/**
 * The quota a blue-green service needs: during the switch both colours run at full size, so a tier with one
 * budgets twice its quota (pods, requests and limits).
 */
export function budgetedQuota(quota: QuotaArgs | undefined, services: AppServiceSpec[]): QuotaArgs {
    const q = { ...QUOTA_DEFAULTS, ...quota };
    if (!services.some((s) => s.strategy === "blueGreen")) return q;
    const twice = (quantity: string) => quantity.replace(/^(\d+(?:\.\d+)?)/, (n) => String(+n * 2));
    return {
        requestsCpu: twice(q.requestsCpu),
        requestsMemory: twice(q.requestsMemory),
        limitsMemory: twice(q.limitsMemory),
        pods: q.pods * 2,
    };
}

/**
 * The service on Kubernetes: a restricted namespace with quota and default
 * limits, a ServiceAccount with an IRSA role, the app's S3 buckets (each service
 * that uses one gets its own ServiceAccount and role allowed exactly its buckets),
 * default-deny networking, and one AppService per service.
 */
export class AppTier extends pulumi.ComponentResource {
    /** Name of the namespace the tier created. */
    public readonly namespace: pulumi.Output<string>;
    /** The ServiceAccount every service runs as, annotated with `roleArn`. */
    public readonly serviceAccountName: pulumi.Output<string>;
    /** IAM role the tier's pods assume (IRSA); attach policies to it. */
    public readonly roleArn: pulumi.Output<string>;
    /** `https://<host>` of each public service, by service name. */
    public readonly serviceUrls: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AppTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hangar:index:AppTier", name, {}, opts);
        const child = { parent: this };
        const environment = args.environment ?? APP_TIER_DEFAULTS.environment;
        // dependsOn does not reach children: hand this component's on to the services (their ServiceMonitors need it).
        const upstream = opts?.dependsOn
            ? ([] as pulumi.Input<pulumi.Resource>[]).concat(opts.dependsOn as pulumi.Input<pulumi.Resource>[])
            : [];
        const namespaceName = args.namespace ?? APP_TIER_DEFAULTS.namespace;
        const labels = partOfLabels();

        const namespace = restrictedNamespace(
            name,
            {
                namespace: namespaceName,
                quota: budgetedQuota(args.quota, args.services),
                labels,
                podSecurityVersion: args.podSecurityVersion,
            },
            child,
        );
        this.namespace = namespace.metadata.name;
        const inNamespace = { parent: this, dependsOn: [namespace] };

        const serviceAccount = APP_TIER_DEFAULTS.serviceAccount;
        const role = new aws.iam.Role(
            `${name}-irsa`,
            {
                description: `IRSA role of ${namespaceName}/${serviceAccount}`,
                assumeRolePolicy: pulumi.output(args.oidcProviderArn).apply((arn) => irsaTrustPolicy(arn, namespaceName, serviceAccount)),
            },
            child,
        );
        const sa = new k8s.core.v1.ServiceAccount(
            name,
            {
                metadata: {
                    name: serviceAccount,
                    namespace: this.namespace,
                    labels,
                    annotations: { "eks.amazonaws.com/role-arn": role.arn },
                },
                automountServiceAccountToken: false,
            },
            inNamespace,
        );
        this.serviceAccountName = sa.metadata.name;

        new k8s.networking.v1.NetworkPolicy(
            `${name}-default-deny`,
            { metadata: { name: "default-deny", namespace: this.namespace, labels }, spec: defaultDenySpec() },
            inNamespace,
        );
        new k8s.networking.v1.NetworkPolicy(
            `${name}-dns`,
            { metadata: { name: "allow-dns", namespace: this.namespace, labels }, spec: dnsEgressSpec() },
            inNamespace,
        );

        const secrets: pulumi.Resource[] = (args.secrets ?? []).map(
            (secret) =>
                new k8s.core.v1.Secret(
                    `${name}-${secret.name}`,
                    {
                        metadata: {
                            name: secret.name,
                            namespace: this.namespace,
                            labels,
                            annotations: secretKeysAnnotation(secret.stringData),
                        },
                        type: "Opaque",
                        stringData: pulumi.secret(pulumi.output(secret.stringData)) as pulumi.Output<Record<string, string>>,
                    },
                    inNamespace,
                ),
        );

        const credentials = args.credentials
            ? // After the namespace and this component's dependsOn (the operator's CRDs among them).
              runtimeCredentials(`${name}-credentials`, this.namespace, args.credentials, {
                  parent: this,
                  dependsOn: [namespace, ...upstream],
              })
            : [];
        secrets.push(...credentials);

        const caBundles = args.caBundles
            ? caBundleConfigMap(
                  `${name}-ca`,
                  // The RDS CAs for the instances, the Amazon roots for RDS Proxy (its certificate is ACM's).
                  { owner: serviceAccount, namespace: this.namespace, labels, bundles: ["rds", "proxy"] },
                  inNamespace,
              )
            : undefined;

        const ecrKey = args.services.some((s) => s.build) ? this.ecrKey(name, environment) : undefined;
        const buckets = tierBuckets(
            name,
            { ...args, placement: args.bucketPlacement, environment, sharedServiceAccount: APP_TIER_DEFAULTS.serviceAccount },
            this,
        );
        const urls: Record<string, pulumi.Output<string | undefined>> = {};
        for (const service of args.services) {
            const own = (service.buckets ?? []).map((b) => buckets.get(b)!);
            const identity = own.length
                ? serviceIdentity(
                      `${name}-${service.name}`,
                      {
                          service: service.name,
                          namespace: this.namespace,
                          namespaceName,
                          labels,
                          oidcProviderArn: args.oidcProviderArn,
                          region: args.bucketPlacement!.region,
                          buckets: own,
                      },
                      inNamespace,
                  )
                : undefined;
            const bucketEnv = Object.fromEntries(own.map((b) => [bucketEnvName(b.name), b.bucketName]));
            const env = own.length ? { ...bucketEnv, AWS_REGION: args.bucketPlacement!.region, ...service.env } : service.env;
            urls[service.name] = new AppService(
                `${name}-${service.name}`,
                {
                    service: own.length ? { ...service, env } : service,
                    namespace: this.namespace,
                    serviceAccountName: identity ? identity.metadata.name : this.serviceAccountName,
                    environment,
                    priorityClassName: service.public ? args.priorityClassNames?.api : args.priorityClassNames?.workers,
                    network: args.network,
                    gateway: args.gateway,
                    ingress: args.ingress,
                    ecrKmsKeyArn: ecrKey?.arn,
                    serviceMonitorLabels: args.serviceMonitorLabels,
                    caBundleConfigMap: caBundles ? caBundleConfigMapName(serviceAccount) : undefined,
                    prerequisites: [namespace, identity ?? sa, ...secrets, ...(caBundles ? [caBundles] : [])],
                    delivery: args.delivery,
                    applyRouteRules: args.applyRouteRules,
                },
                { parent: this, dependsOn: [namespace, ...secrets, ...(caBundles ? [caBundles] : []), ...upstream] },
            ).url;
        }
        this.roleArn = role.arn;
        this.serviceUrls = pulumi
            .all(urls)
            .apply((all) => Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined)));

        this.registerOutputs({
            namespace: this.namespace,
            serviceAccountName: this.serviceAccountName,
            roleArn: this.roleArn,
            serviceUrls: this.serviceUrls,
        });
    }

    private ecrKey(name: string, environment: string) {
        return new aws.kms.Key(
            `${name}-ecr`,
            {
                description: "Hangar ECR repositories",
                enableKeyRotation: true,
                deletionWindowInDays: lifecycle(environment).kmsDeletionWindowDays,
            },
            { parent: this },
        );
    }
}
