/**
 * The pieces every stateful component starts from, written once: a
 * customer-managed KMS key with rotation and an alias, and a security group that
 * admits one TCP port from the given CIDRs and groups. Both keep the names
 * `<name>-kms` and `<name>-sg` under the calling component (URNs must not move).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { lifecycle } from "./naming";

/** Where a data store lives and who may reach it. */
export interface DataPlacementArgs {
    /** `prod`, `staging` or `ephemeral`: protection, final snapshots and deletion windows follow it. @default "prod" */
    environment?: string;
    /** VPC of the store's security group. */
    vpcId: pulumi.Input<string>;
    /** Private subnets of the store's subnet group, in at least two availability zones for Multi-AZ. */
    subnetIds: pulumi.Input<string[]>;
    /** CIDRs allowed to connect on the store's port (the app tier's and exporters' subnets). @default [] */
    allowedCidrs?: pulumi.Input<string[]>;
    /** Security groups allowed to connect on the store's port (e.g. the cluster's node security group). @default [] */
    allowedSecurityGroupIds?: pulumi.Input<string>[];
}

/** A rotating customer-managed key, protected in prod, with `alias/<alias>`. */
export function managedKey(name: string, a: { description: string; alias: string; environment?: string }, parent: pulumi.Resource): aws.kms.Key {
    const life = lifecycle(a.environment ?? "prod");
    const key = new aws.kms.Key(
        `${name}-kms`,
        { description: a.description, enableKeyRotation: true, deletionWindowInDays: life.kmsDeletionWindowDays },
        { parent, protect: life.protect },
    );
    new aws.kms.Alias(`${name}-kms`, { name: `alias/${a.alias}`, targetKeyId: key.keyId }, { parent });
    return key;
}

/** A security group admitting `port` (TCP) from `cidrs` and `securityGroupIds` only; no egress rules. */
export function singlePortSecurityGroup(
    name: string,
    a: { groupName: string; description: string; ruleDescription: string; vpcId: pulumi.Input<string>; port: number; cidrs?: pulumi.Input<string[]>; securityGroupIds?: pulumi.Input<string>[] },
    parent: pulumi.Resource,
): aws.ec2.SecurityGroup {
    return new aws.ec2.SecurityGroup(
        `${name}-sg`,
        {
            name: a.groupName,
            description: a.description,
            vpcId: a.vpcId,
            ingress: [
                {
                    description: a.ruleDescription,
                    protocol: "tcp",
                    fromPort: a.port,
                    toPort: a.port,
                    cidrBlocks: a.cidrs ?? [],
                    securityGroups: a.securityGroupIds ?? [],
                },
            ],
        },
        { parent },
    );
}
