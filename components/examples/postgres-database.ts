// PostgresDatabase: Multi-AZ RDS with one read replica; the master password stays secret.
import * as aws from "@pulumi/aws/provider";
import * as random from "@pulumi/random";
import { PostgresDatabase } from "@hangar-platform/hangar";

const providers = [new aws.Provider("aws", { region: "eu-west-1", allowedAccountIds: ["123456789012"] }), new random.Provider("random")];

const db = new PostgresDatabase(
    "flights",
    {
        environment: "prod",
        identifier: "flights-prod",
        vpcId: "vpc-0a1b2c3d4e5f60718",
        subnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
        allowedCidrs: ["10.40.0.0/19", "10.40.32.0/19"],
        instanceClass: "db.r7g.xlarge",
        replicas: 1,
        backupRetentionDays: 30,
    },
    { providers },
);

export const writer = db.address;
export const reader = db.readerAddress;
export const credentials = db.secretArn;
