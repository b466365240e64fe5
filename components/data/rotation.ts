/**
 * The master secret and its rotation (issue 20.2): Pulumi writes a bootstrap password once, Secrets Manager
 * rotates it on a schedule, and Pulumi never writes it back.
 *
 * - Why not RDS-managed passwords (`manageMasterUserPassword`): RDS cannot create read replicas of an instance
 *   whose master password Secrets Manager manages ("Limitations for Secrets Manager integration with Amazon RDS",
 *   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations),
 *   and prod has in-region and cross-region replicas.
 * - The rotation function is AWS's single-user PostgreSQL template from the Serverless Application Repository
 *   (`SecretsManagerRDSPostgreSQLRotationSingleUser`, "Rotation function templates",
 *   https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_available-rotation-templates.html#sar-template-postgre-singleuser),
 *   deployed by `aws.serverlessrepository.CloudFormationStack` at a pinned semantic version with the parameters the
 *   template takes (`endpoint`, `functionName`, `vpcSubnetIds`, `vpcSecurityGroupIds`, `kmsKeyArn`, `excludeCharacters`)
 *   and the capabilities its IAM role and Lambda resource policy need
 *   (https://www.pulumi.com/registry/packages/aws/api-docs/serverlessrepository/cloudformationstack/). Its template
 *   output `RotationLambdaARN` is what `aws.secretsmanager.SecretRotation` names. AWS maintains the code (driver,
 *   runtime); Hangar owns no Lambda package.
 * - Network: the function runs in the database's private subnets with its own security group ("Network access for
 *   Lambda rotation functions", https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotation-network-rotation.html):
 *   egress 5432 to the database's group (which admits this group by reference) and 443 to Secrets Manager, at its
 *   public endpoint through a NAT gateway or at an interface endpoint's ENIs in the VPC, so 443 goes to any address.
 * - KMS: the template's role may use the key named by `kmsKeyArn`; the database's key policy delegates to IAM
 *   (its root statement, components/shared/kms.ts; "Key policies in AWS KMS", "Allows access to the AWS account and
 *   enables IAM policies", https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
 */
import * as aws from "../shared/aws";
import { postgresSecretName } from "./secret-names";
import * as pulumi from "@pulumi/pulumi";
import { databaseClientEgress, singlePortSecurityGroup } from "../shared/security-group";
import type { AccountContext } from "../shared/service-role";
import type { PostgresRotationSettings, PostgresSecretReplica } from "./postgres-args";

/** The SAR application and the version Hangar pins (a new version is a reviewed change). */
export const ROTATION_APP = {
    applicationId: "arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser",
    semanticVersion: "1.1.367",
};

/**
 * A staging label Hangar puts on the bootstrap version besides AWSCURRENT. Rotation moves AWSCURRENT (and AWSPREVIOUS)
 * only, so the bootstrap version keeps a label and is never deprecated: a version left without labels "is considered
 * to be 'deprecated' and can be deleted by Secrets Manager" (UpdateSecretVersionStage,
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_UpdateSecretVersionStage.html). A deleted version
 * is what would hurt: the provider's read finds it NotFound and drops it from state (terraform-provider-aws
 * internal/service/secretsmanager/secret_version.go, resourceSecretVersionRead), and the next `up` would create it again,
 * a PutSecretValue without stages that moves AWSCURRENT to the bootstrap password (PutSecretValue `VersionStages`,
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html). Stacks whose version predates
 * the label get it once by hand (README, "Credential rotation"): `versionStages` is ignored after creation.
 */
export const BOOTSTRAP_STAGE = "HANGAR_BOOTSTRAP";

/** The printable ASCII specials the rotated password must not use: all but the bootstrap password's. */
export function excludedCharacters(allowedSpecials: string): string {
    const printable = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).filter((c) => !/[A-Za-z0-9]/.test(c));
    return printable.filter((c) => !allowedSpecials.includes(c)).join("");
}

/** The rotation function's group, created before the database's (which references it); its egress comes later. */
export function rotationSecurityGroup(name: string, a: { id: string; vpcId: pulumi.Input<string> }, parent: pulumi.Resource) {
    return new aws.ec2.SecurityGroup(
        `${name}-rotation-sg`,
        {
            name: `${a.id}-postgres-rotation`,
            description: `Secrets Manager rotation function of ${a.id}: no ingress`,
            vpcId: a.vpcId,
            ingress: [],
        },
        { parent },
    );
}

export interface MasterSecretArgs {
    id: string;
    username: string;
    databaseName: string;
    password: pulumi.Input<string>;
    host: pulumi.Input<string>;
    port: pulumi.Input<number>;
    kmsKeyArn: pulumi.Input<string>;
    recoveryWindowInDays: number;
    protect: boolean;
    /** A read-only replica in another region (the DR region), with that region's key; `promoted`: left as it is. */
    replica?: PostgresSecretReplica;
}

/**
 * The master secret (`<id>/postgres/master`: username, password, host, port, dbname, engine, the JSON the rotation
 * template reads) and its bootstrap version. The version ignores later changes to `secretString` (a change would
 * write a new version, AWSCURRENT, with the bootstrap password) and `versionStages` (after a rotation a refresh reads
 * the labels the bootstrap version has left; an update would move AWSCURRENT back to it).
 */
export function masterSecret(name: string, a: MasterSecretArgs, parent: pulumi.Resource) {
    const secret = new aws.secretsmanager.Secret(
        `${name}-master`,
        {
            name: postgresSecretName(a.id),
            description: `Master credentials of ${a.id}`,
            kmsKeyId: a.kmsKeyArn,
            recoveryWindowInDays: a.recoveryWindowInDays,
            // Replication is changed in place (ReplicateSecretToRegions / RemoveRegionsFromReplication; `replicas` is
            // not replacement-forcing: tools/stateful.ts, https://www.pulumi.com/registry/packages/aws/api-docs/secretsmanager/secret/).
            // Secrets Manager copies every new version, rotated ones included, to the replica ("Replicate AWS Secrets
            // Manager secrets across Regions", https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html).
            // After a promotion the DR copy is standalone (stop-replication-to-replica): an update that removed it here
            // would call RemoveRegionsFromReplication, which deletes the replica, so Pulumi ignores replication then.
            ...(a.replica && !a.replica.promoted ? { replicas: [{ region: a.replica.region, kmsKeyId: a.replica.kmsKeyId }] } : {}),
        },
        { parent, protect: a.protect, ...(a.replica?.promoted ? { ignoreChanges: ["replicas"] } : {}) },
    );
    const version = new aws.secretsmanager.SecretVersion(
        `${name}-master`,
        {
            secretId: secret.id,
            secretString: pulumi.secret(
                pulumi.jsonStringify({
                    username: a.username,
                    password: a.password,
                    host: a.host,
                    port: a.port,
                    dbname: a.databaseName,
                    engine: "postgres",
                }),
            ),
            versionStages: ["AWSCURRENT", BOOTSTRAP_STAGE],
        },
        { parent, ignoreChanges: ["secretString", "versionStages"] },
    );
    return { secret, version };
}

export interface RotationArgs {
    id: string;
    settings: Required<PostgresRotationSettings>;
    vpcId: pulumi.Input<string>;
    subnetIds: pulumi.Input<string[]>;
    /** Callers of Secrets Manager in the VPC the endpoint admits besides the groups (the database's `allowedCidrs`). */
    clientCidrs?: pulumi.Input<string[]>;
    securityGroup: aws.ec2.SecurityGroup;
    databaseSecurityGroup: aws.ec2.SecurityGroup;
    /** RDS Proxy's group, which reads the secret too (admitted by the endpoint). */
    proxySecurityGroup?: aws.ec2.SecurityGroup;
    secret: aws.secretsmanager.Secret;
    secretVersion: aws.secretsmanager.SecretVersion;
    kmsKeyArn: pulumi.Input<string>;
    account: AccountContext;
    allowedSpecials: string;
    /** The instance whose password it rotates (it must exist first). */
    writer: aws.rds.Instance;
}

/** The endpoint's group, its endpoint, the function's egress, the SAR stack and the SecretRotation. */
export function postgresRotation(name: string, a: RotationArgs, parent: pulumi.Resource) {
    const child = { parent };
    const egress = databaseClientEgress(
        name,
        {
            prefix: "rotation",
            securityGroupId: a.securityGroup.id,
            databaseSecurityGroupId: a.databaseSecurityGroup.id,
            port: 5432,
            descriptions: {
                database: "PostgreSQL to the writer (ALTER USER)",
                secrets: "HTTPS to Secrets Manager (NAT gateway or interface endpoint)",
            },
        },
        parent,
    );
    // An interface endpoint with private DNS makes the regional hostname resolve to its ENIs in the VPC
    // ("Access Secrets Manager using an interface VPC endpoint",
    // https://docs.aws.amazon.com/secretsmanager/latest/userguide/vpc-endpoint-overview.html). A VPC that has one
    // already (or a NAT path) says `existing`: a second endpoint with private DNS for the same service fails.
    const endpoint =
        a.settings.secretsManagerEndpoint === "create"
            ? new aws.ec2.VpcEndpoint(
                  `${name}-secretsmanager`,
                  {
                      vpcId: a.vpcId,
                      vpcEndpointType: "Interface",
                      serviceName: pulumi.interpolate`com.amazonaws.${a.account.region}.secretsmanager`,
                      privateDnsEnabled: true,
                      subnetIds: a.subnetIds,
                      securityGroupIds: [
                          singlePortSecurityGroup(
                              `${name}-secretsmanager`,
                              {
                                  groupName: `${a.id}-secretsmanager-endpoint`,
                                  description: `Secrets Manager endpoint of ${a.id}: 443 from the rotation function, RDS Proxy and the private subnets`,
                                  ruleDescription: "HTTPS from the readers of the master secret",
                                  vpcId: a.vpcId,
                                  port: 443,
                                  securityGroupIds: [a.securityGroup.id, ...(a.proxySecurityGroup ? [a.proxySecurityGroup.id] : [])],
                                  // Private DNS resolves Secrets Manager to this endpoint for every caller in the VPC: the
                                  // subnets the database admits (nodes and pods, VPC CNI) hold External Secrets Operator.
                                  cidrs: a.clientCidrs,
                              },
                              parent,
                          ).id,
                      ],
                  },
                  child,
              )
            : undefined;
    const functionName = `${a.id}-postgres-rotation`;
    const app = new aws.serverlessrepository.CloudFormationStack(
        `${name}-rotation`,
        {
            name: functionName,
            applicationId: ROTATION_APP.applicationId,
            semanticVersion: ROTATION_APP.semanticVersion,
            capabilities: ["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"],
            parameters: {
                endpoint: pulumi.interpolate`https://secretsmanager.${a.account.region}.amazonaws.com`,
                functionName,
                vpcSubnetIds: pulumi.output(a.subnetIds).apply((ids) => ids.join(",")),
                vpcSecurityGroupIds: a.securityGroup.id,
                kmsKeyArn: a.kmsKeyArn,
                // The rotated password keeps to the bootstrap's characters (no / @ " ' or space: URL and shell safe).
                excludeCharacters: excludedCharacters(a.allowedSpecials),
            },
        },
        { parent, dependsOn: [...egress, ...(endpoint ? [endpoint] : [])] },
    );
    // rotateImmediately: the first rotation runs as soon as rotation is configured, so the bootstrap password
    // in state stops being valid within minutes of the first `up` (and of the `up` that turns rotation on).
    const rotation = new aws.secretsmanager.SecretRotation(
        `${name}-rotation`,
        {
            secretId: a.secret.id,
            rotationLambdaArn: app.outputs.apply((o) => o["RotationLambdaARN"]),
            rotationRules: { scheduleExpression: a.settings.schedule },
            rotateImmediately: true,
        },
        // The secret must hold the JSON and the instance exist and admit the function before the first rotation.
        { parent, dependsOn: [a.secretVersion, a.writer, a.databaseSecurityGroup] },
    );
    return { app, rotation, endpoint };
}
