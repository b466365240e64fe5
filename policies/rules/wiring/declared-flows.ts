/**
 * Declared network flows (issue 18), evaluated like the CNI (./flows/model.ts):
 * - wiring-declared-flows-allowed: every flow of the stack's declaration (the ConfigMap
 *   `hangar-declared-flows`, key `flows.json`) is allowed by the NetworkPolicies on both sides, and a
 *   flow to a data store's port is admitted by the store's security groups, per CIDR;
 * - wiring-undeclared-flows: no connection between known endpoints is allowed that no flow declares,
 *   unless the policy config documents it (`allowedUndeclared`, each with its reason).
 * The program's objects are read as the engine sends them; an unknown value leaves the rule undecided.
 */
import { PolicyResource, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { ObjectMeta } from "../kubernetes/pod-template";
import { configOf, ExemptionConfig, schemaWith } from "../kubernetes/shared";
import { plain, readKnown, throwIfUndecided, UnknownValueErrorInstance } from "../unknowns";
import { Allowance, FlowInputs, flowMatrix, FlowMatrix } from "./flows/analysis";
import { NetworkPolicy } from "./flows/evaluate";
import { Declaration } from "./flows/model";
import { DataStore, ingressRuleResource, inlineRules, SecurityGroupModel } from "./flows/security-groups";
import { namespaceLabels } from "./monitors";
import { podsOf } from "./services";

/** components/shared/flows.ts DECLARED_FLOWS (policies/ imports nothing of the program). */
export const DECLARED_FLOWS = { configMap: "hangar-declared-flows", key: "flows.json" };
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
/**
 * The stores and the property naming their groups; the ports are the engines' defaults when unset (RDS PostgreSQL 5432:
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ConnectToPostgreSQLInstance.html; ElastiCache Redis OSS and
 * Valkey 6379: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/GettingStarted.ConnectToCacheNode.html). Hangar's
 * RDS instances are PostgreSQL. RDS Proxy for PostgreSQL listens on 5432 and has no port setting ("Connecting to a
 * database through RDS Proxy", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-connecting.html). The
 * kind is what a declared endpoint's `store` names (components/shared/flows.ts DataStoreKind).
 *
 * Two more kinds carry security groups in the database's subnets without being stores: a Secrets Manager rotation
 * function deployed from the Serverless Application Repository (its groups are the stack's `vpcSecurityGroupIds`
 * template parameter, found through propertyDependencies of `parameters`; only sources, port 0) and a Secrets Manager
 * interface endpoint (`securityGroupIds`, 443: https://docs.aws.amazon.com/secretsmanager/latest/userguide/vpc-endpoint-overview.html).
 * `applies` picks those of them by a known input.
 */
const STORES: Record<string, { groups: string; port: number; kind: string; applies?: (p: Record<string, unknown>) => boolean }> = {
    "aws:rds/instance:Instance": { groups: "vpcSecurityGroupIds", port: 5432, kind: "postgres" },
    "aws:rds/proxy:Proxy": { groups: "vpcSecurityGroupIds", port: 5432, kind: "postgres-proxy" },
    "aws:elasticache/replicationGroup:ReplicationGroup": { groups: "securityGroupIds", port: 6379, kind: "cache" },
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": {
        groups: "parameters",
        port: 0,
        kind: "rotation-function",
        applies: (p) => /applications\/SecretsManager\w+Rotation/.test(String(p.applicationId ?? "")),
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": {
        groups: "securityGroupIds",
        port: 443,
        kind: "secrets-manager-endpoint",
        applies: (p) => String(p.serviceName ?? "").endsWith(".secretsmanager"),
    },
};

interface FlowConfig extends ExemptionConfig {
    allowedUndeclared: Allowance[];
}

const matcher: PolicyConfigJSONSchema = {
    type: "object",
    properties: {
        kind: { type: "string", enum: ["pod", "address"] },
        namespace: { type: "string" },
        podLabels: { type: "object", additionalProperties: { type: "string" } },
        name: { type: "string" },
        declaring: { type: "string" },
    },
    additionalProperties: false,
};
const undeclaredSchema = schemaWith({
    allowedUndeclared: {
        type: "array",
        description:
            "Connections the NetworkPolicies may allow without a declared flow, each with its reason: { from, to, port?, protocol?, reason }; " +
            "from/to match endpoints by kind, namespace, podLabels, name (`*` wildcards) or `declaring` (a flow on that port is declared from it to, or to it from, an endpoint of that name).",
        items: {
            type: "object",
            properties: {
                from: matcher,
                to: matcher,
                port: { type: "integer" },
                protocol: { type: "string", enum: ["TCP", "UDP", "SCTP"] },
                reason: { type: "string" },
            },
            required: ["from", "to", "reason"],
            additionalProperties: false,
        },
        default: [],
    },
});

export interface FlowRead {
    /** The declaration's ConfigMap, absent when the stack declares no flows. */
    urn?: string;
    inputs?: FlowInputs;
    /** Policy "namespace/name" → URN. */
    urns: Map<string, string>;
    undecided: string[];
    firstUnknown?: UnknownValueErrorInstance;
}

export function groupsOf(resources: PolicyResource[], remember: (e: UnknownValueErrorInstance) => void, undecided: string[]) {
    const groups = new Map<string, SecurityGroupModel>();
    const all = resources.filter((x) => x.type === SECURITY_GROUP);
    const urns = new Set(all.map((r) => r.urn));
    const deps = (r: PolicyResource, key: string) => (r.propertyDependencies[key] ?? []).map((d) => d.urn).filter((u) => urns.has(u));
    for (const r of all) {
        const read = readKnown(() => ({
            name: String(r.props.name ?? r.name),
            vpcId: r.props.vpcId as string | undefined,
            rules: inlineRules(r.props.ingress as Record<string, unknown>[] | undefined, deps(r, "ingress"), r.urn),
            egress: inlineRules(r.props.egress as Record<string, unknown>[] | undefined, deps(r, "egress"), r.urn),
        }));
        if (read.known) groups.set(r.urn, { urn: r.urn, ...read.value });
        else {
            remember(read.error);
            undecided.push(`SecurityGroup ${r.name}`);
        }
    }
    for (const r of resources.filter((x) => x.type === INGRESS_RULE || x.type === EGRESS_RULE)) {
        const group = groups.get((r.propertyDependencies.securityGroupId ?? [])[0]?.urn);
        if (!group) continue;
        const read = readKnown(() => ingressRuleResource(r.props, deps(r, "referencedSecurityGroupId")));
        if (read.known) (r.type === INGRESS_RULE ? group.rules : (group.egress ??= [])).push(read.value);
        else {
            remember(read.error);
            undecided.push(`${r.type.split(":").pop()} ${r.name}`);
        }
    }
    return groups;
}

/** The declaration and what it is evaluated against, read from the stack's resources. */
export function readFlows(resources: PolicyResource[]): FlowRead {
    const out: FlowRead = { urns: new Map(), undecided: [] };
    const remember = (err: UnknownValueErrorInstance) => (out.firstUnknown ??= err);
    const cm = resources.find((r) => {
        if (r.type !== CONFIG_MAP) return false;
        const name = readKnown(() => (r.props.metadata as ObjectMeta | undefined)?.name);
        return name.known && name.value === DECLARED_FLOWS.configMap;
    });
    if (!cm) return out;
    out.urn = cm.urn;
    const text = readKnown(() => String((cm.props.data as Record<string, string> | undefined)?.[DECLARED_FLOWS.key] ?? ""));
    if (!text.known) {
        remember(text.error);
        out.undecided.push(`ConfigMap ${DECLARED_FLOWS.configMap}`);
        return out;
    }
    const declaration = JSON.parse(text.value || "null") as Declaration | null;
    if (!declaration?.network || !Array.isArray(declaration.flows))
        throw new Error(`ConfigMap ${DECLARED_FLOWS.configMap}: data.${DECLARED_FLOWS.key} is not a flow declaration`);
    const policies: NetworkPolicy[] = [];
    for (const r of resources.filter((x) => x.type === NETWORK_POLICY)) {
        const read = readKnown(() => {
            const metadata = (r.props.metadata ?? {}) as ObjectMeta;
            return {
                namespace: metadata.namespace ?? "default",
                name: metadata.name ?? r.name,
                spec: plain(r.props.spec ?? {}),
            } as NetworkPolicy;
        });
        if (read.known) {
            policies.push(read.value);
            out.urns.set(`${read.value.namespace}/${read.value.name}`, r.urn);
        } else {
            remember(read.error);
            out.undecided.push(`NetworkPolicy ${r.name}`);
        }
    }
    const before = out.firstUnknown;
    const pods = podsOf(resources, remember).map((p) => ({ ...p, namespace: p.namespace ?? "default" }));
    if (out.firstUnknown !== before) out.undecided.push("a pod template");
    const labelsOf = namespaceLabels(resources);
    const namespaces: Record<string, Record<string, string>> = {};
    for (const r of resources.filter((x) => x.type === NAMESPACE)) {
        const name = readKnown(() => (r.props.metadata as ObjectMeta | undefined)?.name);
        if (name.known && name.value) namespaces[name.value] = labelsOf(name.value);
    }
    const groups = groupsOf(resources, remember, out.undecided);
    const stores: DataStore[] = [];
    for (const r of resources.filter((x) => STORES[x.type])) {
        const s = STORES[r.type];
        if (s.applies) {
            const applies = readKnown(() => s.applies!(r.props));
            if (!applies.known) {
                remember(applies.error);
                out.undecided.push(`${r.type.split(":").pop()} ${r.name}`);
                continue;
            }
            if (!applies.value) continue;
        }
        const port = readKnown(() => (s.port === 0 ? 0 : ((r.props.port as number | undefined) ?? s.port)));
        if (!port.known) {
            remember(port.error);
            out.undecided.push(`${r.type.split(":").pop()} ${r.name}`);
        }
        const own = (r.propertyDependencies[s.groups] ?? []).map((d) => groups.get(d.urn)).filter((g) => g !== undefined);
        stores.push({ urn: r.urn, name: r.name, port: port.known ? port.value : s.port, kind: s.kind, groups: own });
    }
    out.inputs = { declaration, pods, policies, namespaces, stores };
    return out;
}

/** The matrix of a stack with a policy config's allowances (the check prints it), or undefined without a declaration. */
export function stackFlowMatrix(resources: PolicyResource[], allowances: Allowance[]): (FlowMatrix & { read: FlowRead }) | undefined {
    const read = readFlows(resources);
    if (!read.inputs) return undefined;
    return { ...flowMatrix(read.inputs, allowances), read };
}

/**
 * The matrix a flow rule judges. Ends the rule when there is nothing to judge: not applicable without a
 * declaration, "cannot decide" when part of it is unknown during preview; undefined when nothing is left.
 */
function judgedMatrix(args: StackValidationArgs, allowances: Allowance[]): (FlowMatrix & { read: FlowRead }) | undefined {
    const read = readFlows(args.resources);
    if (!read.urn) args.notApplicable(`the stack declares no flows (ConfigMap ${DECLARED_FLOWS.configMap})`);
    if (!read.inputs || read.undecided.length) {
        throwIfUndecided(read.firstUnknown, read.undecided, " (values unknown during preview)");
        return undefined;
    }
    return { ...flowMatrix(read.inputs, allowances), read };
}

const flowName = (r: { from: string; to: string; port: number; protocol: string }) => `${r.from} → ${r.to} ${r.port}/${r.protocol}`;

export const declaredFlowsAllowed: StackValidationPolicy = {
    name: "wiring-declared-flows-allowed",
    description:
        "Every declared network flow is allowed by the NetworkPolicies as the AWS VPC CNI enforces them, and admitted by the data tier's security groups per CIDR.",
    enforcementLevel: "mandatory",
    configSchema: schemaWith(),
    validateStack: (args, reportViolation) => {
        const m = judgedMatrix(args, []);
        if (!m) return;
        const { read } = m;
        for (const row of m.declared) {
            const what = `declared flow ${flowName(row)} (${row.component}: ${row.why})`;
            if (row.problem) reportViolation(`${what}: ${row.problem}; declare the labels its pods carry`, read.urn);
            for (const d of row.denials)
                reportViolation(
                    `${what} is denied on the ${d.side} side of ${d.pod}: isolated by ${d.policies.join(", ")} and no rule allows it; ` +
                        `add an ${d.side} rule for it`,
                    read.urn,
                );
            for (const b of row.blockedBy)
                for (const g of b.groups)
                    reportViolation(
                        `${what} is blocked at security group ${g.name} of ${b.store}: no ingress rule admits TCP ${row.port} from ${b.source} ` +
                            `(the source's subnet${row.sourceStore ? ` or the groups of ${row.sourceStore}` : ""}); admit the source's subnet CIDRs or groups`,
                        g.urn,
                    );
            for (const b of row.egressBlockedBy ?? [])
                for (const g of b.groups)
                    reportViolation(
                        `${what} is blocked at security group ${g.name} of ${b.store}: no egress rule lets TCP ${row.port} out to ${row.to}; ` +
                            `add an egress rule to the destination's group`,
                        g.urn,
                    );
            if (row.missingStore) reportViolation(`${what}: ${row.missingStore}`, read.urn);
        }
    },
};

export const undeclaredFlows: StackValidationPolicy = {
    name: "wiring-undeclared-flows",
    description:
        "No connection between the stack's pods, the declared pods and the declared addresses is allowed by the NetworkPolicies unless a flow declares it or the policy config documents it.",
    enforcementLevel: "mandatory",
    configSchema: undeclaredSchema,
    validateStack: (args, reportViolation) => {
        const config = configOf<FlowConfig>(undeclaredSchema, args);
        const m = judgedMatrix(args, config.allowedUndeclared);
        if (!m) return;
        const { read } = m;
        for (const row of m.undeclared.filter((r) => !r.allowance)) {
            const by = row.policies.length ? `allowed by ${row.policies.join(", ")}` : "allowed: no NetworkPolicy isolates either side";
            reportViolation(
                `${flowName(row)} is ${by} but no flow declares it; narrow the rule, declare the flow, or document it in allowedUndeclared`,
                read.urns.get(row.policies[row.policies.length - 1] ?? "") ?? read.urn,
            );
        }
    },
};

export const declaredFlowPolicies = [declaredFlowsAllowed, undeclaredFlows];
