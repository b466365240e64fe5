// The outputs the schema cannot mark secret are secret at runtime.
import * as aws from "@pulumi/aws/provider";
import * as random from "@pulumi/random";
import { PostgresDatabase, RedisCache } from "@hangar-platform/hangar";

const providers = [new aws.Provider("aws", { region: "eu-west-1", allowedAccountIds: ["123456789012"] }), new random.Provider("random")];
const placement = { vpcId: "vpc-0a1b2c3d4e5f60718", subnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"] };
const db = new PostgresDatabase("db", { ...placement, identifier: "secret-test", replicas: 0 }, { providers });
const cache = new RedisCache("cache", { ...placement, identifier: "secret-test" }, { providers });
export const password = db.password;
export const authToken = cache.authToken;
