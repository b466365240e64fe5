// RedisCache: Valkey with TLS, at-rest KMS encryption and an AUTH token.
import * as aws from "@pulumi/aws/provider";
import * as random from "@pulumi/random";
import { RedisCache } from "@hangar-platform/hangar";

const providers = [new aws.Provider("aws", { region: "eu-west-1", allowedAccountIds: ["123456789012"] }), new random.Provider("random")];

const cache = new RedisCache(
    "sessions",
    {
        environment: "staging",
        identifier: "sessions-staging",
        vpcId: "vpc-0a1b2c3d4e5f60718",
        subnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
        allowedCidrs: ["10.40.0.0/19", "10.40.32.0/19"],
        nodeType: "cache.t4g.small",
        nodes: 1,
        multiAz: false,
    },
    { providers },
);

export const endpoint = cache.address;
export const authTokenSecret = cache.secretArn;
