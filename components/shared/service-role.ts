/**
 * Roles an AWS service assumes on Hangar's behalf (RDS enhanced monitoring,
 * AWS Backup, S3 replication), with the managed policies they need. Each trusts
 * its service only for this account (`aws:SourceAccount`) and, where the service
 * sends it, only for the resources it works on (`aws:SourceArn`): the
 * confused-deputy protection of "The confused deputy problem"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
 */
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";

/** The account, region and partition the parent's AWS provider works in. */
export interface AccountContext {
    account: pulumi.Output<string>;
    region: pulumi.Output<string>;
    partition: pulumi.Output<string>;
}

export function accountContext(parent: pulumi.Resource): AccountContext {
    return {
        account: aws.getCallerIdentityOutput({}, { parent }).accountId,
        region: aws.getRegionOutput({}, { parent }).name,
        partition: aws.getPartitionOutput({}, { parent }).partition,
    };
}

/** Trust policy letting AWS service principals assume the role for `sourceAccount` (and `sourceArn`, a pattern) only. */
export function serviceTrustPolicy(service: string | string[], sourceAccount: string, sourceArn?: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: service },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": sourceAccount },
                    ...(sourceArn ? { ArnLike: { "aws:SourceArn": sourceArn } } : {}),
                },
            },
        ],
    });
}

/**
 * A role named `<name>` trusted by `service` for this account, and one RolePolicyAttachment
 * per entry of `managedPolicies` (attachment name → policy ARN).
 */
export function serviceRole(
    name: string,
    a: {
        description: string;
        /** The service principal(s) that assume the role. */
        service: string | string[];
        /** The resources the service acts for (an ARN or an ARN pattern), when the service sends aws:SourceArn. */
        sourceArn?: (ctx: AccountContext) => pulumi.Input<string>;
        managedPolicies?: Record<string, string>;
        /** The caller's account context, when the component has looked it up already. @default looked up */
        account?: AccountContext;
    },
    parent: pulumi.Resource,
): aws.iam.Role {
    const ctx = a.account ?? accountContext(parent);
    const assumeRolePolicy = pulumi
        .all([ctx.account, a.sourceArn ? a.sourceArn(ctx) : undefined])
        .apply(([account, sourceArn]) => serviceTrustPolicy(a.service, account, sourceArn));
    const role = new aws.iam.Role(name, { description: a.description, assumeRolePolicy }, { parent });
    for (const [attachmentName, policyArn] of Object.entries(a.managedPolicies ?? {})) {
        new aws.iam.RolePolicyAttachment(attachmentName, { role: role.name, policyArn }, { parent });
    }
    return role;
}
