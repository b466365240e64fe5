// External Secrets Operator in both modes on one cluster: `managed` (the pinned chart in its own namespace) and
// `existing` (nothing installed), and a store with one ExternalSecret in another namespace.
import * as aws from "../../components/shared/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ExternalSecretsOperator, runtimeCredentials } from "../../components/external-secrets";

const providers = [
    new aws.Provider("aws", { region: "eu-west-1", allowedAccountIds: ["123456789012"] }),
    new k8s.Provider("k8s", { kubeconfig: "{}", context: "test" }),
];

const managed = new ExternalSecretsOperator(
    "managed",
    { controlPlaneCidrs: ["10.0.0.0/24"], priorityClassName: "hangar-system" },
    { providers },
);
const existing = new ExternalSecretsOperator("existing", { mode: "existing", namespace: "eso" }, { providers });

class Consumer extends pulumi.ComponentResource {
    constructor(name: string) {
        super("test:index:Consumer", name, {}, { providers });
        runtimeCredentials(
            name,
            "app",
            {
                storeName: "app-credentials",
                oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
                region: "eu-west-1",
                refreshInterval: "15m",
                secrets: [
                    {
                        arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
                        kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k",
                    },
                ],
                targets: [
                    {
                        target: "db",
                        data: [{ secretKey: "password", key: "db", property: "password" }],
                        template: { PGPASSWORD: "{{ .password }}" },
                    },
                ],
            },
            { parent: this, dependsOn: managed.readyResources },
        );
    }
}
new Consumer("consumer");

export const managedNamespace = managed.namespace;
export const existingNamespace = existing.namespace;
export const existingReady = existing.readyResources.length;
