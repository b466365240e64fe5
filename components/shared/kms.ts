/**
 * The customer-managed key every stateful component starts from: rotation on,
 * a deletion window per environment, protected in prod, with an alias. The key
 * keeps the name `<name>-kms` under the calling component (URNs must not move).
 */
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { lifecycle } from "./lifecycle";

/** A rotating customer-managed key, protected in prod, with `alias/<alias>`. */
export function managedKey(
    name: string,
    a: { description: string; alias: string; environment?: string; policy?: pulumi.Input<string> },
    parent: pulumi.Resource,
): aws.kms.Key {
    return managedKeyWithAlias(name, a, parent).key;
}

/** managedKey, returning its alias too (IAM policies may name the key by it: kms:ResourceAliases). */
export function managedKeyWithAlias(
    name: string,
    a: { description: string; alias: string; environment?: string; policy?: pulumi.Input<string> },
    parent: pulumi.Resource,
): { key: aws.kms.Key; alias: aws.kms.Alias } {
    const life = lifecycle(a.environment ?? "prod");
    const key = new aws.kms.Key(
        `${name}-kms`,
        {
            description: a.description,
            enableKeyRotation: true,
            deletionWindowInDays: life.kmsDeletionWindowDays,
            ...(a.policy ? { policy: a.policy } : {}),
        },
        { parent, protect: life.protect },
    );
    const alias = new aws.kms.Alias(`${name}-kms`, { name: `alias/${a.alias}`, targetKeyId: key.keyId }, { parent });
    return { key, alias };
}

/**
 * A key policy for a key that CloudWatch Logs also uses: the account administers it
 * (as the default key policy does, so IAM policies and the services' grants keep
 * working) and CloudWatch Logs in `region` may use it for the named log groups only
 * ("Encrypt log data in CloudWatch Logs using AWS KMS",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
 */
export function keyPolicyWithLogs(a: { account: string; partition: string; region: string; logGroupPattern: string }): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountAdministers",
                Effect: "Allow",
                Principal: { AWS: `arn:${a.partition}:iam::${a.account}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "CloudWatchLogsUseKey",
                Effect: "Allow",
                Principal: { Service: `logs.${a.region}.amazonaws.com` },
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                Resource: "*",
                Condition: {
                    ArnLike: {
                        "kms:EncryptionContext:aws:logs:arn": `arn:${a.partition}:logs:${a.region}:${a.account}:log-group:${a.logGroupPattern}`,
                    },
                },
            },
        ],
    });
}
