// Backups: AWS Backup (35 days / 12 months, copied to a DR vault) and the nightly pg_dump CronJob.
import * as aws from "@pulumi/aws/provider";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Backups } from "@hangar-platform/hangar";

const providers = [
    new aws.Provider("aws", { region: "eu-west-1", allowedAccountIds: ["123456789012"] }),
    new k8s.Provider("k8s", { context: "hangar-prod" }),
];
const config = new pulumi.Config();

const backups = new Backups(
    "flights-backups",
    {
        environment: "prod",
        identifier: "flights-prod",
        accountId: "123456789012",
        databaseArn: "arn:aws:rds:eu-west-1:123456789012:db:flights-prod",
        copyToVaultArn: "arn:aws:backup:eu-central-1:123456789012:backup-vault:flights-prod-dr",
        vaultLock: true,
        dump: {
            namespace: "weather",
            oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE",
            image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/pg-dump:16.4-2",
            host: "flights-prod.abc.eu-west-1.rds.amazonaws.com",
            port: 5432,
            database: "flights",
            username: "flights_admin",
            password: config.requireSecret("dbPassword"),
            databaseCidrs: ["10.40.0.0/19", "10.40.32.0/19"],
        },
    },
    { providers },
);

export const vault = backups.vaultArn;
export const dumps = backups.bucketName;
