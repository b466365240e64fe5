/** `hangar:foundation`: the AWS account, the Kubernetes cluster and the network every other section lives in. */
import { z } from "zod";
import { cidrContains, parseCidr } from "../cidr";
import { firstDuplicate, get, list, str } from "../document";
import { each, type Row, type Scope } from "../rule-table";
import {
    awsAccountId,
    awsRegion,
    cidr,
    dnsLabel,
    httpsUrl,
    kubeContext,
    mapping,
    oidcProviderArn,
    pattern,
    privateSubnetCidrs,
    privateSubnetIds,
    vpcId,
} from "../primitives";

const stackReferenceName = pattern(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "a stack reference <org>/<project>/<stack>");
/**
 * Tag keys up to 128 characters, values up to 256: AWS "Tagging AWS resources",
 * Tag naming limits and requirements (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html).
 */
const tagKey = pattern(/^[\w .:/=+@-]{1,128}$/, "an AWS tag key (1–128 characters)");
const tagValue = z.string({ error: "expected a string tag value" }).max(256, { error: "expected at most 256 characters" });

export const foundationSchema = mapping({
    /** The AWS account and region every AWS provider is pinned to (`allowedAccountIds`). */
    aws: mapping({
        accountId: awsAccountId,
        region: awsRegion,
    }),
    /**
     * The Kubernetes cluster this stack may touch. The provider always uses `context`
     * explicitly (never the kubeconfig's current-context) and, when `server` is set,
     * refuses to run unless that context points at this API server.
     */
    kubernetes: mapping({
        context: kubeContext,
        server: httpsUrl.optional(),
        /** The cluster's minor version; namespaces pin the Pod Security Standards at it. */
        version: pattern(/^v1\.(0|[1-9][0-9]*)$/, "a Kubernetes minor version such as v1.34"),
        /**
         * Subnets of the EKS control-plane ENIs (the cluster's subnets): the API server as pods reach it and
         * the source of its webhook calls. Default: `network.privateSubnetCidrs`.
         */
        controlPlaneCidrs: z.array(cidr, { error: "expected a list of CIDRs" }).min(1, { error: "expected at least 1 CIDR" }).optional(),
        /**
         * Use the PriorityClasses `<prefix>-{api,monitoring,workers,batch}` another stack of this cluster
         * created (staging's `hangar-staging`, for ephemeral stacks sharing its cluster) instead of creating
         * this stack's own: they are cluster-scoped. Default: the stack creates its own.
         */
        priorityClassPrefix: dnsLabel.optional(),
    }),
    /** The VPC the data tier lives in; omit when `stackReference` supplies it. */
    network: mapping({
        vpcId,
        vpcCidr: cidr,
        privateSubnetIds,
        privateSubnetCidrs,
    }).optional(),
    /** The cluster's IAM OIDC provider, for IRSA roles; omit when `stackReference` supplies it. */
    oidcProviderArn: oidcProviderArn.optional(),
    /** A stack (`org/project/stack`) whose outputs `vpcId`, `vpcCidr`, `privateSubnetIds`, `privateSubnetCidrs`, `oidcProviderArn` supply the network. */
    stackReference: stackReferenceName.optional(),
    /** Tags on every AWS resource (provider `defaultTags`). */
    tags: z.record(tagKey, tagValue, { error: "expected a mapping of tag keys to string values" }),
});

// ------------------------------------------------------------------- rules

const noStackReference = ({ doc }: Scope) => get(doc, "foundation.stackReference") === undefined;
const subnetIds = ({ doc }: Scope) => get(doc, "foundation.network.privateSubnetIds");
const subnetCidrs = ({ doc }: Scope) => get(doc, "foundation.network.privateSubnetCidrs");
const vpcCidr = ({ doc }: Scope) => str(get(doc, "foundation.network.vpcCidr"));
const accountId = ({ doc }: Scope) => str(get(doc, "foundation.aws.accountId"));
/** The account an OIDC provider ARN names. */
const oidcAccount = ({ doc }: Scope) => {
    const arn = str(get(doc, "foundation.oidcProviderArn"));
    return arn ? /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(arn)?.[1] : undefined;
};
/** Both CIDRs well-formed, and `subnet` not inside `vpc`. */
const outside = (vpc: string | undefined, subnet: unknown) =>
    vpc !== undefined &&
    parseCidr(vpc) !== undefined &&
    typeof subnet === "string" &&
    parseCidr(subnet) !== undefined &&
    !cidrContains(vpc, subnet);

type SubnetScope = Scope & { cidr: unknown; i: number };

export const foundationRules: Row[] = [
    {
        path: "foundation.network",
        when: (s) => noStackReference(s) && get(s.doc, "foundation.network") === undefined,
        message: "required unless foundation.stackReference supplies it",
    },
    {
        path: "foundation.oidcProviderArn",
        when: (s) => noStackReference(s) && get(s.doc, "foundation.oidcProviderArn") === undefined,
        message: "required unless foundation.stackReference supplies it",
    },
    {
        path: "foundation.network.privateSubnetCidrs",
        when: (s) =>
            Array.isArray(subnetIds(s)) && Array.isArray(subnetCidrs(s)) && list(subnetIds(s)).length !== list(subnetCidrs(s)).length,
        message: (s) => `expected one CIDR per subnet id (${list(subnetIds(s)).length} ids, ${list(subnetCidrs(s)).length} CIDRs)`,
    },
    each(
        (s: Scope) => list(subnetCidrs(s)).flatMap((cidr, i): SubnetScope[] => [{ ...s, cidr, i }]),
        [
            {
                path: "foundation.network.privateSubnetCidrs[i]",
                when: (s: SubnetScope) => outside(vpcCidr(s), s.cidr),
                message: (s: SubnetScope) => `${String(s.cidr)} is outside the VPC CIDR ${vpcCidr(s)}`,
            },
        ],
    ),
    each(
        (s: Scope) => list(get(s.doc, "foundation.kubernetes.controlPlaneCidrs")).flatMap((cidr, i): SubnetScope[] => [{ ...s, cidr, i }]),
        [
            {
                path: "foundation.kubernetes.controlPlaneCidrs[i]",
                when: (s: SubnetScope) => outside(vpcCidr(s), s.cidr),
                message: (s: SubnetScope) =>
                    `${String(s.cidr)} is outside the VPC CIDR ${vpcCidr(s)}: EKS places its control-plane ENIs in the cluster's subnets`,
            },
        ],
    ),
    {
        path: "foundation.network.privateSubnetIds",
        when: (s) => firstDuplicate(list(subnetIds(s))) !== undefined,
        message: (s) => `lists ${JSON.stringify(firstDuplicate(list(subnetIds(s))))} twice`,
    },
    {
        path: "foundation.oidcProviderArn",
        when: (s) => !!accountId(s) && !!oidcAccount(s) && oidcAccount(s) !== accountId(s),
        message: (s) => `belongs to account ${oidcAccount(s)}, not foundation.aws.accountId ${accountId(s)}`,
    },
    {
        path: "foundation.kubernetes.server",
        when: ({ doc, environment }) => environment === "prod" && get(doc, "foundation.kubernetes.server") === undefined,
        message: "required in prod: the API server URL the context must point at",
    },
];
