// Platform: the whole environment from one object, as index.ts builds it from a stack file.
import * as fs from "fs";
import { Platform } from "@hangar-platform/hangar";

const platform = new Platform("hangar", {
    environment: "staging",
    aws: { accountId: "123456789012", region: "eu-west-1", tags: { team: "flight-data" } },
    kubernetes: {
        kubeconfig: fs.readFileSync(process.env.KUBECONFIG ?? `${process.env.HOME}/.kube/config`, "utf8"),
        context: "hangar-staging",
    },
    network: {
        vpcId: "vpc-0f1e2d3c4b5a69788",
        vpcCidr: "10.20.0.0/16",
        privateSubnetIds: ["subnet-0f1e2d3c4b5a60001", "subnet-0f1e2d3c4b5a60002"],
        privateSubnetCidrs: ["10.20.0.0/19", "10.20.32.0/19"],
    },
    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE",
    app: { services: [{ name: "api", image: "ghcr.io/acme/metar-api:2.3.1", port: 8080, replicas: { min: 2, max: 3 } }] },
    database: { instanceClass: "db.t4g.medium", multiAz: false, replicas: 0, backupRetentionDays: 7, deletionProtection: false },
    cache: { nodeType: "cache.t4g.small", nodes: 1, multiAz: false },
});

export const appNamespace = platform.appNamespace;
export const database = platform.databaseAddress;
