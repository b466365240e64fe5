/**
 * The parts of @pulumi/aws the components use, from the SDK's own service modules: `aws.rds.Instance` reads
 * as it does with `import * as aws from "@pulumi/aws"`, and the classes are the same (the SDK's index loads
 * these very modules). Its index's declarations pull in every AWS service, 780,000 lines that each
 * TypeScript program over the components parsed (our build, Pulumi's schema analysis, a consumer's
 * `pulumi up` type-check); these modules are about half.
 */
import * as backup from "@pulumi/aws/backup";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import * as ecr from "@pulumi/aws/ecr";
import * as elasticache from "@pulumi/aws/elasticache";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import * as rds from "@pulumi/aws/rds";
import * as route53 from "@pulumi/aws/route53";
import * as s3 from "@pulumi/aws/s3";
import * as secretsmanager from "@pulumi/aws/secretsmanager";
import * as serverlessrepository from "@pulumi/aws/serverlessrepository";
import * as sns from "@pulumi/aws/sns";
import * as vpc from "@pulumi/aws/vpc";

export { backup, cloudwatch, ec2, ecr, elasticache, iam, kms, rds, route53, s3, secretsmanager, serverlessrepository, sns, vpc };
export { Provider } from "@pulumi/aws/provider";
export { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
export { getPartitionOutput } from "@pulumi/aws/getPartition";
export { getRegionOutput } from "@pulumi/aws/getRegion";
export type { Region } from "@pulumi/aws/types/enums";
