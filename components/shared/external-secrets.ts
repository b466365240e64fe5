/**
 * Credentials at run time: a namespace's SecretStore (AWS Secrets Manager, authenticated with IRSA through its own
 * ServiceAccount) and the ExternalSecrets that write Kubernetes Secrets from it. API `external-secrets.io/v1`: the
 * chart serves v1beta1 only with `crds.unsafeServeV1Beta1` (external-secrets-2.9.0/values.yaml:79, off).
 *
 * The store's role may read exactly the secrets it is given (secretsmanager:GetSecretValue and DescribeSecret on their
 * ARNs) and decrypt with their keys only through Secrets Manager (`kms:ViaService`,
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service). ESO's
 * controller assumes it with a token it requests for the ServiceAccount (`auth.jwt.serviceAccountRef`,
 * https://external-secrets.io/latest/provider/aws-secrets-manager/#eks-service-account-credentials); no pod mounts
 * that ServiceAccount, so the role is the store's alone.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "./aws";
import { irsaTrustPolicy } from "./irsa";
import { partOfLabels } from "./labels";
import { PULUMI_WAIT_FOR } from "./exposure";
import { secretKeysAnnotation } from "./secret-keys";

export const ESO_API = "external-secrets.io/v1";

/** A Secrets Manager secret a store may read, and the KMS key it is encrypted with. */
export interface StoreSecretArgs {
    /**
     * ARN of the secret (the IAM resource), or its pattern `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-??????`
     * where the store must not wait on the secret's own output (the DR pilot light, on the primary region's secret).
     */
    arn: pulumi.Input<string>;
    /** ARN of its customer-managed KMS key, or `arn:<partition>:kms:<region>:<account>:key/*` with a secret ARN pattern. */
    kmsKeyArn: pulumi.Input<string>;
}

export interface SecretStoreArgs {
    /** Namespace of the store, its ServiceAccount and every ExternalSecret that names it. */
    namespace: pulumi.Input<string>;
    /** Name of the SecretStore and of its ServiceAccount. */
    storeName: string;
    /** The cluster's IAM OIDC provider (IRSA). */
    oidcProviderArn: pulumi.Input<string>;
    /** Region of the secrets. */
    region: pulumi.Input<string>;
    /** The secrets the store may read: nothing else. */
    secrets: StoreSecretArgs[];
}

/**
 * The store's IAM policy: read exactly `secrets`, decrypt with their keys through Secrets Manager only, and only for
 * those secrets: Secrets Manager encrypts each secret version with its ARN as encryption context `SecretARN`
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
 */
export function storePolicy(secretArns: string[], kmsKeyArns: string[], region: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ReadSecrets",
                Effect: "Allow",
                Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                Resource: secretArns,
            },
            {
                Sid: "DecryptThroughSecretsManager",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: [...new Set(kmsKeyArns)],
                Condition: {
                    StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` },
                    StringLike: { "kms:EncryptionContext:SecretARN": secretArns },
                },
            },
        ],
    });
}

/** A SecretStore in `namespace` with its IRSA ServiceAccount and role. */
export function secretStore(
    name: string,
    a: SecretStoreArgs,
    opts: { parent: pulumi.Resource; dependsOn: pulumi.Input<pulumi.Resource>[] },
): k8s.apiextensions.CustomResource {
    const labels = partOfLabels();
    const role = new aws.iam.Role(
        `${name}-store`,
        {
            description: `External Secrets store ${a.storeName}: reads its namespace's credentials`,
            assumeRolePolicy: pulumi.all([a.oidcProviderArn, a.namespace]).apply(([oidc, ns]) => irsaTrustPolicy(oidc, ns, a.storeName)),
        },
        { parent: opts.parent },
    );
    new aws.iam.RolePolicy(
        `${name}-store`,
        {
            role: role.id,
            policy: pulumi
                .all([pulumi.all(a.secrets.map((s) => s.arn)), pulumi.all(a.secrets.map((s) => s.kmsKeyArn)), a.region])
                .apply(([arns, keys, region]) => storePolicy(arns, keys, region)),
        },
        { parent: opts.parent },
    );
    const account = new k8s.core.v1.ServiceAccount(
        `${name}-store`,
        {
            metadata: {
                name: a.storeName,
                namespace: a.namespace,
                labels,
                annotations: { "eks.amazonaws.com/role-arn": role.arn },
            },
            automountServiceAccountToken: false,
        },
        opts,
    );
    return new k8s.apiextensions.CustomResource(
        `${name}-store`,
        {
            apiVersion: ESO_API,
            kind: "SecretStore",
            metadata: { name: a.storeName, namespace: a.namespace, labels, annotations: { [PULUMI_WAIT_FOR]: "condition=Ready" } },
            spec: {
                provider: {
                    aws: {
                        service: "SecretsManager",
                        region: a.region,
                        auth: { jwt: { serviceAccountRef: { name: a.storeName } } },
                    },
                },
            },
        },
        { parent: opts.parent, dependsOn: [...opts.dependsOn, account] },
    );
}

/** One key of the ExternalSecret's data: a field of a JSON secret (`property`), or the whole secret. */
export interface ExternalSecretDataArgs {
    /** The name templates read it by. */
    secretKey: string;
    /** The secret's name in Secrets Manager (names, not ARNs: ESO takes either, and names are known before the secret exists). */
    key: pulumi.Input<string>;
    /** A top-level field of a JSON secret. @default the whole secret */
    property?: string;
}

export interface ExternalSecretArgs {
    namespace: pulumi.Input<string>;
    /** The SecretStore in `namespace` to read from. */
    storeName: pulumi.Input<string>;
    /** Name of the Secret ESO writes (never the name of a Secret Pulumi manages: README, "Run-time credentials"). */
    target: string;
    /** How often ESO rereads the store, a Go duration. */
    refreshInterval: string;
    data: ExternalSecretDataArgs[];
    /** Key of the target Secret → its template (engine v2); the target holds these keys and nothing else. */
    template: Record<string, pulumi.Input<string>>;
}

/**
 * An ExternalSecret whose target is a new Secret ESO owns (`creationPolicy: Owner`) and keeps when the provider's
 * secret is gone (`deletionPolicy: Retain`: a deleted or unreadable secret must not take running pods' Secret with it),
 * its keys declared for previews (`hangar.dev/secret-keys`), awaited until ESO reports Ready (pulumi-kubernetes
 * generic await on `pulumi.com/waitFor`, https://www.pulumi.com/registry/packages/kubernetes/api-docs/yaml/v2/configgroup/#waitfor-annotation
 * lists the syntax), so pods that depend on it start with their Secret written.
 */
export function externalSecret(name: string, a: ExternalSecretArgs, opts: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        name,
        {
            apiVersion: ESO_API,
            kind: "ExternalSecret",
            metadata: {
                name: a.target,
                namespace: a.namespace,
                labels: partOfLabels(),
                annotations: { [PULUMI_WAIT_FOR]: "condition=Ready", ...secretKeysAnnotation(a.template) },
            },
            spec: {
                refreshInterval: a.refreshInterval,
                secretStoreRef: { kind: "SecretStore", name: a.storeName },
                target: {
                    name: a.target,
                    creationPolicy: "Owner",
                    deletionPolicy: "Retain",
                    template: { engineVersion: "v2", mergePolicy: "Replace", metadata: { labels: partOfLabels() }, data: a.template },
                },
                data: a.data.map((d) => ({
                    secretKey: d.secretKey,
                    remoteRef: { key: d.key, ...(d.property ? { property: d.property } : {}) },
                })),
            },
        },
        opts,
    );
}

/** One Secret External Secrets Operator writes: what it reads and how its keys are built. */
export interface ExternalSecretTargetArgs {
    /** Name of the Secret (never the name of a Secret Pulumi manages). */
    target: string;
    /** The fields of Secrets Manager secrets the templates read. */
    data: ExternalSecretDataArgs[];
    /** Key of the Secret → its template (engine v2); the Secret holds these keys and nothing else. */
    template: Record<string, pulumi.Input<string>>;
}

/** The Secrets a component's pods read at run time: its namespace's store and the ExternalSecrets that fill them. */
export interface RuntimeCredentialsArgs {
    /** Name of the SecretStore and its ServiceAccount in the component's namespace. */
    storeName: string;
    /** The cluster's IAM OIDC provider (IRSA). */
    oidcProviderArn: pulumi.Input<string>;
    /** Region of the secrets. */
    region: pulumi.Input<string>;
    /** How often ESO rereads the secrets, a Go duration. */
    refreshInterval: string;
    /** The secrets the store may read: exactly those the ExternalSecrets name. */
    secrets: StoreSecretArgs[];
    /** The Secrets to write. */
    targets: ExternalSecretTargetArgs[];
}

/**
 * The store and one awaited ExternalSecret per target; pods that read a target depend on what this returns.
 * `opts.dependsOn` holds what they must wait for: the namespace, and the operator's CRDs (its Release, which the
 * consuming component receives as its own `dependsOn`).
 */
export function runtimeCredentials(
    name: string,
    namespace: pulumi.Input<string>,
    a: RuntimeCredentialsArgs,
    opts: { parent: pulumi.Resource; dependsOn: pulumi.Input<pulumi.Resource>[] },
): pulumi.Resource[] {
    const store = secretStore(
        name,
        { namespace, storeName: a.storeName, oidcProviderArn: a.oidcProviderArn, region: a.region, secrets: a.secrets },
        { parent: opts.parent, dependsOn: opts.dependsOn },
    );
    return a.targets.map((t) =>
        externalSecret(
            `${name}-${t.target}`,
            { namespace, storeName: a.storeName, target: t.target, refreshInterval: a.refreshInterval, data: t.data, template: t.template },
            { parent: opts.parent, dependsOn: [...opts.dependsOn, store] },
        ),
    );
}

/** A component's `dependsOn`, as a list its children can be given (children do not inherit it). */
export function dependsOnOf(opts: pulumi.ResourceOptions | undefined): pulumi.Input<pulumi.Resource>[] {
    return opts?.dependsOn ? ([] as pulumi.Input<pulumi.Resource>[]).concat(opts.dependsOn as pulumi.Input<pulumi.Resource>[]) : [];
}
