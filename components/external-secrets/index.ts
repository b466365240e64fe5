/**
 * External Secrets Operator: gives pods their database and cache credentials at run time from Secrets Manager, so a
 * rotated master password reaches them and no credential Pulumi computed is ever in a pod. The pinned
 * `external-secrets` chart in its own restricted namespace with quota and default limits; or an operator the
 * cluster already runs (`existing`).
 *
 * The chart renders its CRDs as templates (`installCRDs`, external-secrets-2.9.0/values.yaml:57; templates/crds/README.md:
 * generated into the packaged chart), so whoever owns the release owns the CRDs, and deleting the ExternalSecret CRD
 * deletes every ExternalSecret (and, with `creationPolicy: Owner`, every Secret it wrote). A Chart v4 would make each
 * CRD a Pulumi child that `retainOnDelete` on the Chart does not reach: the chart goes through a `helm.v3.Release` with
 * `retainOnDelete`, as argo-rollouts does (components/rollouts/index.ts).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { partOfLabels } from "../shared/labels";
import { restrictedNamespace } from "../shared/namespace-limits";
import { namespaceNetworkPolicies } from "../shared/namespace-policies";
import { restrictedContainerBase, restrictedPodBase } from "../shared/security-context";
import { ESO_CONTROLLER, externalSecretsPolicySpecs } from "./network";

export { ESO_CONTROLLER, externalSecretsFlows, ExternalSecretsFlowArgs, externalSecretsPolicySpecs } from "./network";
export {
    ESO_API,
    externalSecret,
    ExternalSecretArgs,
    ExternalSecretDataArgs,
    ExternalSecretTargetArgs,
    runtimeCredentials,
    RuntimeCredentialsArgs,
} from "../shared/external-secrets";
export { secretStore, SecretStoreArgs, storePolicy, StoreSecretArgs } from "../shared/external-secrets";
export { encodedField, postgresUrlTemplate, redisUrlTemplate } from "./templates";

export interface ExternalSecretsOperatorArgs {
    /** `managed` installs external-secrets; `existing` uses an operator (and CRDs) the cluster already runs. @default "managed" */
    mode?: string;
    /** Namespace of the operator. @default "external-secrets" */
    namespace?: string;
    /** Version of the external-secrets chart. @default "2.9.0" */
    chartVersion?: string;
    /** Pod Security Standards version the namespace enforces. @default "v1.34" */
    podSecurityVersion?: string;
    /** PriorityClass of the controller's pod. @default none */
    priorityClassName?: pulumi.Input<string>;
    /** Subnets of the EKS control-plane ENIs: NetworkPolicies (default deny, DNS, the controller's egress) when set. @default no NetworkPolicies */
    controlPlaneCidrs?: pulumi.Input<string[]>;
}

export const EXTERNAL_SECRETS_DEFAULTS = { mode: "managed", namespace: "external-secrets", chartVersion: "2.9.0" };

/** Chart repository of external-secrets (external-secrets-2.9.0/README.md:13, `helm repo add`). */
export const EXTERNAL_SECRETS_HELM_REPO = "https://charts.external-secrets.io";

/** The namespace's quota: one controller pod with room for a rolling update. */
export const EXTERNAL_SECRETS_QUOTA = { requestsCpu: "500m", requestsMemory: "512Mi", limitsMemory: "1Gi", pods: 4 };

/** The controller's resources (values.yaml `resources`, empty by default). */
export const EXTERNAL_SECRETS_RESOURCES = { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } };

/** Values of external-secrets 2.9.0 (values.yaml keys; each set below exists in the chart's defaults). */
export function externalSecretsValues(args: ExternalSecretsOperatorArgs) {
    return {
        installCRDs: true,
        // v1 only (values.yaml:79, `crds.unsafeServeV1Beta1`): Hangar writes external-secrets.io/v1.
        crds: { unsafeServeV1Beta1: false },
        // Only namespaced stores and ExternalSecrets: a ClusterSecretStore could hand a store's role to any namespace
        // (values.yaml:142-160, the reconcilers of the cluster-scoped kinds, push secrets and generators).
        processClusterExternalSecret: false,
        processClusterStore: false,
        processClusterPushSecret: false,
        processPushSecret: false,
        processClusterGenerator: false,
        replicaCount: 1,
        resources: EXTERNAL_SECRETS_RESOURCES,
        ...(args.priorityClassName ? { priorityClassName: args.priorityClassName } : {}),
        // The pod-level context is rendered only with a key besides `enabled` (templates/deployment.yaml:55-58).
        // The user stays the chart's (values.yaml:283, runAsUser 1000): Helm merges these maps into its defaults.
        podSecurityContext: { enabled: true, ...restrictedPodBase() },
        securityContext: { enabled: true, ...restrictedContainerBase() },
        // The webhook only validates ExternalSecrets and stores (the CRDs' schemas still do, and conversion is off:
        // values.yaml:73-75); the cert controller only issues the webhook's certificate. Off: no pod the API server
        // must reach, no certificate to rotate (values.yaml:491-495, 763-765).
        webhook: { create: false },
        certController: { create: false },
    };
}

/**
 * External Secrets Operator (pinned chart) in its own restricted namespace with quota and default limits, its CRDs
 * kept on delete; or nothing, when the cluster already runs one (`existing`, verified by the preflight).
 */
export class ExternalSecretsOperator extends pulumi.ComponentResource {
    /** Namespace of the operator. */
    public readonly namespace: pulumi.Output<string>;
    /** What ExternalSecrets and SecretStores must wait for: the Release (its CRDs), or nothing in `existing` mode. */
    public readonly readyResources: pulumi.Resource[] = [];

    constructor(name: string, args: ExternalSecretsOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hangar:index:ExternalSecretsOperator", name, {}, opts);
        const d = EXTERNAL_SECRETS_DEFAULTS;
        const mode = args.mode ?? d.mode;
        if (mode !== "managed" && mode !== "existing")
            throw new pulumi.ResourceError(`ExternalSecretsOperator: mode must be managed or existing`, this);
        const namespaceName = args.namespace ?? d.namespace;
        const labels = partOfLabels();
        this.namespace = pulumi.output(namespaceName);
        if (mode === "managed") {
            const namespace = restrictedNamespace(
                name,
                { namespace: namespaceName, quota: EXTERNAL_SECRETS_QUOTA, labels, podSecurityVersion: args.podSecurityVersion },
                { parent: this },
            );
            const release = new k8s.helm.v3.Release(
                `${name}-chart`,
                {
                    chart: "external-secrets",
                    version: args.chartVersion ?? d.chartVersion,
                    repositoryOpts: { repo: EXTERNAL_SECRETS_HELM_REPO },
                    namespace: namespaceName,
                    name: ESO_CONTROLLER.release,
                    values: externalSecretsValues(args),
                },
                { parent: this, dependsOn: [namespace], retainOnDelete: true },
            );
            this.readyResources.push(release);
            this.namespace = namespace.metadata.name;
            if (args.controlPlaneCidrs) this.networkPolicies(name, namespaceName, args.controlPlaneCidrs, namespace);
        }
        this.registerOutputs({ namespace: this.namespace });
    }

    private networkPolicies(name: string, namespace: string, cidrs: pulumi.Input<string[]>, ns: pulumi.Resource) {
        const specs = pulumi.output(cidrs).apply((controlPlaneCidrs) => externalSecretsPolicySpecs({ namespace, controlPlaneCidrs }));
        const names = Object.keys(externalSecretsPolicySpecs({ namespace, controlPlaneCidrs: [] }));
        namespaceNetworkPolicies({ name, namespace, parent: this, dependsOn: [ns] }, names, specs);
    }
}
