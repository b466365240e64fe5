// AppTier: a restricted namespace and two services, one public through the Gateway.
import * as k8s from "@pulumi/kubernetes";
import * as aws from "@pulumi/aws/provider";
import { AppTier } from "@hangar-platform/hangar";

const providers = [
    new aws.Provider("aws", { region: "eu-west-1", allowedAccountIds: ["123456789012"] }),
    new k8s.Provider("k8s", { context: "hangar-staging" }),
];

const app = new AppTier(
    "weather",
    {
        environment: "staging",
        namespace: "weather",
        oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE",
        gateway: { namespace: "gateway-system", name: "public", listener: "https" },
        services: [
            {
                name: "api",
                image: "ghcr.io/acme/metar-api:2.3.1",
                port: 8080,
                public: true,
                host: "metar.example.aero",
                metrics: { port: 9090 },
                replicas: { min: 2, max: 6 },
            },
            { name: "ingest", image: "ghcr.io/acme/metar-ingest:2.3.1", port: 8081, allowHttpsEgress: true, replicas: { min: 1, max: 1 } },
        ],
    },
    { providers },
);

export const namespace = app.namespace;
export const urls = app.serviceUrls;
