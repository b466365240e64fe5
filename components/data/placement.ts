import type * as pulumi from "@pulumi/pulumi";

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
