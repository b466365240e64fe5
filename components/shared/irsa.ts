/**
 * IAM roles for service accounts (IRSA): the trust policy that lets exactly one
 * Kubernetes ServiceAccount assume a role through the cluster's OIDC provider
 * (https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html).
 */

/** Trust policy letting one ServiceAccount assume the role through the cluster's OIDC provider. */
export function irsaTrustPolicy(oidcProviderArn: string, namespace: string, serviceAccount: string): string {
    const issuer = oidcProviderArn.replace(/^arn:[^:]+:iam::\d+:oidc-provider\//, "");
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: oidcProviderArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
                        [`${issuer}:aud`]: "sts.amazonaws.com",
                    },
                },
            },
        ],
    });
}
