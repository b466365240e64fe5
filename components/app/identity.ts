/**
 * Per-service identity for services that use app buckets: a ServiceAccount named after the service and an IRSA
 * role trusted by exactly that ServiceAccount (shared/irsa.ts), whose policies allow only the service's buckets
 * and, through S3 only, their keys. Services without buckets keep the tier's shared ServiceAccount.
 */
import * as aws from "../shared/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { irsaTrustPolicy } from "../shared/irsa";
import { accountContext } from "../shared/service-role";
import type { AppBucket } from "./buckets";

/**
 * What a service may do in its buckets: read, write, delete and list objects, and the multipart actions that
 * s3:PutObject does not cover (AbortMultipartUpload, ListMultipartUploadParts, ListBucketMultipartUploads:
 * "Multipart upload API and permissions", https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions).
 * ARNs are built from the buckets' deterministic names, so the policy is known during preview.
 */
export function bucketAccessPolicy(a: { partition: string; bucketNames: string[] }): string {
    const arns = a.bucketNames.map((b) => `arn:${a.partition}:s3:::${b}`);
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "Buckets", Effect: "Allow", Action: ["s3:ListBucket", "s3:ListBucketMultipartUploads"], Resource: arns },
            {
                Sid: "Objects",
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                Resource: arns.map((arn) => `${arn}/*`),
            },
        ],
    });
}

/**
 * The buckets' keys, for SSE-KMS reads and writes made by S3 on the service's behalf only (`kms:ViaService`,
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service): the
 * uploader needs kms:GenerateDataKey, the reader kms:Decrypt (multipart uploads too: "Using server-side
 * encryption with AWS KMS keys", https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
 * The keys are named by their aliases (`kms:ResourceAliases`, same page, "kms:ResourceAliases"; an alias is
 * unique in its account and region) rather than by key ARN: a new key's ARN is unknown during preview, and the
 * guardrails must judge the policy there. Resource stays the account's keys in the region.
 */
export function bucketKeyPolicy(a: { partition: string; account: string; region: string; aliases: string[] }): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "BucketKeys",
                Effect: "Allow",
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: `arn:${a.partition}:kms:${a.region}:${a.account}:key/*`,
                Condition: {
                    StringEquals: { "kms:ViaService": `s3.${a.region}.amazonaws.com` },
                    "ForAnyValue:StringEquals": { "kms:ResourceAliases": a.aliases.map((alias) => `alias/${alias}`) },
                },
            },
        ],
    });
}

/** The ServiceAccount `<service>` with its own IRSA role allowed `buckets` only; returns the ServiceAccount. */
export function serviceIdentity(
    name: string,
    a: {
        service: string;
        namespace: pulumi.Input<string>;
        namespaceName: string;
        labels: Record<string, string>;
        oidcProviderArn: pulumi.Input<string>;
        region: string;
        buckets: AppBucket[];
    },
    opts: { parent: pulumi.Resource; dependsOn: pulumi.Resource[] },
): k8s.core.v1.ServiceAccount {
    const parent = opts.parent;
    const role = new aws.iam.Role(
        `${name}-irsa`,
        {
            description: `IRSA role of ${a.namespaceName}/${a.service}: its app buckets`,
            assumeRolePolicy: pulumi.output(a.oidcProviderArn).apply((arn) => irsaTrustPolicy(arn, a.namespaceName, a.service)),
        },
        { parent },
    );
    const ctx = accountContext(parent);
    const bucketNames = a.buckets.map((b) => b.bucketName);
    new aws.iam.RolePolicy(
        `${name}-buckets`,
        { role: role.id, policy: ctx.partition.apply((p) => bucketAccessPolicy({ partition: p, bucketNames })) },
        { parent },
    );
    new aws.iam.RolePolicy(
        `${name}-bucket-keys`,
        {
            role: role.id,
            policy: pulumi
                .all([ctx.partition, ctx.account])
                .apply(([partition, account]) => bucketKeyPolicy({ partition, account, region: a.region, aliases: bucketNames })),
        },
        // The aliases the policy names must exist (they are the keys' own: buckets.ts).
        { parent, dependsOn: a.buckets.map((b) => b.alias) },
    );
    return new k8s.core.v1.ServiceAccount(
        name,
        {
            metadata: {
                name: a.service,
                namespace: a.namespace,
                labels: a.labels,
                annotations: { "eks.amazonaws.com/role-arn": role.arn },
            },
            automountServiceAccountToken: false,
        },
        opts,
    );
}
