/**
 * The value types several sections share. Every message says what is expected,
 * so that `formatIssue` can print `hangar:<key path>: <message>` and the user
 * knows what to change.
 */
import { z } from "zod";

/** An integer in [min, max], with one message for every way to miss it. */
export function intIn(min: number, max: number) {
    const error = `expected an integer ${min}–${max}`;
    return z.int({ error }).min(min, { error }).max(max, { error });
}

/** A mapping that refuses unknown keys, so a typo never passes silently. */
export function mapping<T extends z.ZodRawShape>(shape: T) {
    return z.strictObject(shape, { error: "expected a mapping" });
}

export const bool = () => z.boolean({ error: "expected true or false" });

export function pattern(re: RegExp, what: string) {
    return z.string({ error: `expected ${what}` }).regex(re, { error: `expected ${what}` });
}

/** A non-empty string, with one message for both ways to miss it. */
export function nonEmpty(what: string) {
    return z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
}

// ------------------------------------------------------------------- AWS

export const awsRegion = pattern(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, "an AWS region such as eu-west-1");
export const awsAccountId = pattern(/^\d{12}$/, "a 12-digit AWS account id");
export const vpcId = pattern(/^vpc-[0-9a-f]{8,17}$/, "a VPC id such as vpc-0a1b2c3d4e5f60718");
export const subnetId = pattern(/^subnet-[0-9a-f]{8,17}$/, "a subnet id such as subnet-0a1b2c3d4e5f60718");
export const oidcProviderArn = pattern(
    /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/\S+$/,
    "an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/<issuer>)",
);
export const secretArn = pattern(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:\S+$/, "a Secrets Manager secret ARN");
export const rdsInstanceClass = pattern(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "an RDS instance class such as db.r7g.large");

/** RDS and ElastiCache daily windows (`hh24:mi-hh24:mi`, UTC). */
export const dailyWindow = pattern(/^[0-2]\d:[0-5]\d-[0-2]\d:[0-5]\d$/, "a daily UTC window such as 03:00-04:00");
/** RDS and ElastiCache weekly maintenance windows (`ddd:hh24:mi-ddd:hh24:mi`, UTC); `what` names an example. */
export const weeklyWindow = (what: string) =>
    pattern(/^(mon|tue|wed|thu|fri|sat|sun):[0-2]\d:[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):[0-2]\d:[0-5]\d$/, what);

// ------------------------------------------------------ network and names

/** RFC 1123 label: Kubernetes namespaces and most object names. */
export const dnsLabel = pattern(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    "a DNS label (lower-case letters, digits and '-', at most 63 characters)",
);
export const hostname = pattern(
    /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/,
    "a fully qualified lower-case hostname such as api.example.com",
);
export const httpsUrl = pattern(/^https:\/\/[^\s/]+(:\d+)?(\/\S*)?$/, "an https:// URL");
export const httpPath = pattern(/^\/[\w./~%-]*$/, "an HTTP path such as /healthz");
const cidrPattern = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
export const cidr = pattern(cidrPattern, "an IPv4 CIDR such as 10.0.0.0/16");
export const kubeContext = nonEmpty("a kubeconfig context name");

/**
 * Registry/name pinned by a tag other than `latest`, or by digest. This pattern
 * is the stack file's image-reference grammar; policies/values/image.ts splits
 * what it admits.
 */
export const pinnedImage = pattern(
    /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+(:(?!latest$)[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/,
    "an image pinned by tag or digest (registry/name:1.2.3 or registry/name@sha256:…), never :latest",
);

/** Private subnets of a VPC, one per availability zone: at least two, for Multi-AZ. */
export const privateSubnetIds = z
    .array(subnetId, { error: "expected a list of subnet ids" })
    .min(2, { error: "expected at least 2 subnets (two availability zones)" });
/** The CIDRs of `privateSubnetIds`, in the same order. */
export const privateSubnetCidrs = z
    .array(cidr, { error: "expected a list of CIDRs" })
    .min(2, { error: "expected at least 2 CIDRs (two availability zones)" });
