// DisasterRecovery: an encrypted cross-region replica and backup targets in Frankfurt, with DNS failover.
import * as aws from "@pulumi/aws/provider";
import { DisasterRecovery } from "@hangar-platform/hangar";

const dr = new DisasterRecovery(
    "flights-dr",
    {
        environment: "prod",
        identifier: "flights-prod",
        accountId: "123456789012",
        primaryDatabaseArn: "arn:aws:rds:eu-west-1:123456789012:db:flights-prod",
        instanceClass: "db.r7g.large",
        vpcId: "vpc-0d2e3f4a5b6c70819",
        subnetIds: ["subnet-0d2e3f4a5b6c70001", "subnet-0d2e3f4a5b6c70002"],
        allowedCidrs: ["10.41.0.0/19", "10.41.32.0/19"],
        failover: {
            hostedZoneId: "Z0123456789ABCDEFGHIJ",
            recordName: "api.example.aero",
            // The primary region's own name, served by the gateway's route: Route 53 probes it.
            healthCheckHost: "api-eu-west-1.example.aero",
            primaryHostname: "primary-lb.elb.eu-west-1.amazonaws.com",
            secondaryHostname: "dr-lb.elb.eu-central-1.amazonaws.com",
        },
    },
    // Everything runs in the DR region.
    { providers: [new aws.Provider("aws-dr", { region: "eu-central-1", allowedAccountIds: ["123456789012"] })] },
);

export const replica = dr.replicaAddress;
export const copyTarget = dr.vaultArn;
