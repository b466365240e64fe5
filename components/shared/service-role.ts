/**
 * Roles an AWS service assumes on Hangar's behalf (RDS enhanced monitoring,
 * AWS Backup, S3 replication), with the managed policies they need.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Trust policy letting one AWS service principal (`monitoring.rds.amazonaws.com`, …) assume the role. */
export function serviceTrustPolicy(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    });
}

/**
 * A role named `<name>` trusted by `service`, and one RolePolicyAttachment per
 * entry of `managedPolicies` (attachment name suffix → policy ARN).
 */
export function serviceRole(
    name: string,
    a: { description: string; service: string; managedPolicies?: Record<string, string> },
    parent: pulumi.Resource,
): aws.iam.Role {
    const role = new aws.iam.Role(name, { description: a.description, assumeRolePolicy: serviceTrustPolicy(a.service) }, { parent });
    for (const [attachmentName, policyArn] of Object.entries(a.managedPolicies ?? {})) {
        new aws.iam.RolePolicyAttachment(attachmentName, { role: role.name, policyArn }, { parent });
    }
    return role;
}
