/**
 * wiring-rotation-function-network (issue 20.5): the function that rotates a database's master secret can reach
 * the database and Secrets Manager. Each `SecretRotation` whose `rotationLambdaArn` comes from a Serverless
 * Application Repository stack (`aws:serverlessrepository/cloudFormationStack`, the rotation templates' output
 * `RotationLambdaARN`) is followed to:
 * - the function's security groups: the stack's groups its `parameters` were computed from (the template's
 *   `vpcSecurityGroupIds`, "Rotation function templates",
 *   https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_available-rotation-templates.html), never IDs;
 * - its subnets: the literal `vpcSubnetIds` parameter (comma-separated IDs from the stack file or the foundation);
 * - the database: the RDS instance the rotated secret's `SecretVersion` took its `secretString` from (its host),
 *   with that instance's `vpcSecurityGroupIds` groups and its DB subnet group.
 * It holds when the function runs in subnets of the database's subnet group, a database group admits TCP on the
 * instance's port (5432 unless set) from a function group by reference, a function group lets that port out to a
 * database group (or to any address), and 443 out to Secrets Manager (any address, or the groups of a Secrets
 * Manager interface endpoint of the stack, which must admit a function group): "Network access for Lambda rotation
 * functions", https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotation-network-rotation.html; a group
 * Pulumi creates lets out only what it is given (https://www.pulumi.com/registry/packages/aws/api-docs/ec2/securitygroup/).
 * A rotation function that is not a SAR stack of this stack is not judged. Unknown values leave it undecided.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { schemaWith } from "../kubernetes/shared";
import { readKnown, throwIfUndecided, UnknownValueErrorInstance } from "../unknowns";
import { groupsOf } from "./declared-flows";
import { ruleAdmits, ruleAdmitsGroups, SecurityGroupModel } from "./flows/security-groups";

const ROTATION = "aws:secretsmanager/secretRotation:SecretRotation";
const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const SAR_STACK = "aws:serverlessrepository/cloudFormationStack:CloudFormationStack";
const RDS_INSTANCE = "aws:rds/instance:Instance";
const SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup";
const VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";

const deps = (r: PolicyResource, key: string, type?: string) =>
    (r.propertyDependencies[key] ?? []).filter((d) => type === undefined || d.type === type);
/** 0.0.0.0 lies only in CIDRs that start at the bottom of the address space: an "any address" egress rule. */
const ANY = "0.0.0.0";

export const rotationFunctionNetwork: StackValidationPolicy = {
    name: "wiring-rotation-function-network",
    description:
        "A master secret's rotation function (a SAR rotation stack) runs in the database's subnets with a security group the database's group admits by reference, and its groups let it out to the database and to Secrets Manager.",
    enforcementLevel: "mandatory",
    configSchema: schemaWith(),
    validateStack: (args, reportViolation) => {
        const rotations = args.resources.filter((r) => r.type === ROTATION);
        if (rotations.length === 0) args.notApplicable("the stack rotates no secret");
        const undecided: string[] = [];
        let first: UnknownValueErrorInstance | undefined;
        const remember = (e: UnknownValueErrorInstance) => (first ??= e);
        const groups = groupsOf(args.resources, remember, undecided);
        // A group whose rules are unknown could be any function's or database's: nothing is judged without them.
        if (undecided.length > 0) return throwIfUndecided(first, undecided, " (values unknown during preview)");
        const byUrn = new Map(args.resources.map((r) => [r.urn, r]));
        const groupsFrom = (r: PolicyResource, key: string) =>
            deps(r, key)
                .map((d) => groups.get(d.urn))
                .filter((g): g is SecurityGroupModel => g !== undefined);
        const endpoints = args.resources.filter((r) => {
            if (r.type !== VPC_ENDPOINT) return false;
            const service = readKnown(() => String(r.props.serviceName ?? ""));
            if (!service.known) {
                remember(service.error);
                undecided.push(`VpcEndpoint ${r.name}`);
                return false;
            }
            return service.value.endsWith(".secretsmanager");
        });
        for (const rotation of rotations) {
            const app = deps(rotation, "rotationLambdaArn", SAR_STACK)
                .map((d) => byUrn.get(d.urn))
                .find((r) => r !== undefined);
            if (!app) continue;
            const what = `rotation ${rotation.name} (function of ${app.name})`;
            const secretUrns = deps(rotation, "secretId").map((d) => d.urn);
            const versions = args.resources.filter(
                (r) => r.type === SECRET_VERSION && deps(r, "secretId").some((d) => secretUrns.includes(d.urn)),
            );
            const db = versions
                .flatMap((v) => deps(v, "secretString", RDS_INSTANCE))
                .map((d) => byUrn.get(d.urn))
                .find((r) => r !== undefined);
            const fnGroups = groupsFrom(app, "parameters");
            if (fnGroups.length === 0) {
                reportViolation(
                    `${what}: vpcSecurityGroupIds names no security group of the stack; give the function its own group`,
                    app.urn,
                );
                continue;
            }
            const fnUrns = fnGroups.map((g) => g.urn);
            const out = (port: number, to: string[]) =>
                fnGroups.some((g) => (g.egress ?? []).some((r) => ruleAdmitsGroups(r, port, to) || ruleAdmits(r, port, ANY)));
            if (!db) {
                reportViolation(
                    `${what}: the rotated secret's value comes from no RDS instance of the stack; set its host from the instance`,
                    rotation.urn,
                );
                continue;
            }
            const read = readKnown(() => ({
                subnets: String((app.props.parameters as Record<string, unknown> | undefined)?.vpcSubnetIds ?? "")
                    .split(",")
                    .map((x) => x.trim())
                    .filter((x) => x),
                port: (db.props.port as number | undefined) ?? 5432,
                dbSubnets: deps(db, "dbSubnetGroupName", SUBNET_GROUP)
                    .map((d) => byUrn.get(d.urn))
                    .flatMap((g) => ((g?.props.subnetIds as string[] | undefined) ?? []).map((x) => x)),
            }));
            if (!read.known) {
                remember(read.error);
                undecided.push(what);
                continue;
            }
            const { subnets, port, dbSubnets } = read.value;
            if (subnets.length === 0 || subnets.some((x) => !dbSubnets.includes(x)))
                reportViolation(
                    `${what}: vpcSubnetIds ${JSON.stringify(subnets.join(","))} must be subnets of ${db.name}'s DB subnet group (${dbSubnets.join(", ") || "none found"})`,
                    app.urn,
                );
            const dbGroups = groupsFrom(db, "vpcSecurityGroupIds");
            if (!dbGroups.some((g) => g.rules.some((r) => ruleAdmitsGroups(r, port, fnUrns))))
                for (const g of dbGroups.length ? dbGroups : [undefined])
                    reportViolation(
                        `${what}: security group ${g?.name ?? "(none)"} of ${db.name} admits no TCP ${port} from the function's group ${fnGroups.map((f) => f.name).join(", ")}; add an ingress rule referencing it`,
                        g?.urn ?? db.urn,
                    );
            if (
                !out(
                    port,
                    dbGroups.map((g) => g.urn),
                )
            )
                for (const g of fnGroups)
                    reportViolation(
                        `${what}: security group ${g.name} lets no TCP ${port} out to ${db.name}'s group; add an egress rule`,
                        g.urn,
                    );
            const endpointGroups = endpoints.flatMap((e) => groupsFrom(e, "securityGroupIds"));
            if (
                !out(
                    443,
                    endpointGroups.map((g) => g.urn),
                )
            )
                for (const g of fnGroups)
                    reportViolation(`${what}: security group ${g.name} lets no TCP 443 out to Secrets Manager; add an egress rule`, g.urn);
            for (const e of endpoints) {
                const own = groupsFrom(e, "securityGroupIds");
                if (!own.some((g) => g.rules.some((r) => ruleAdmitsGroups(r, 443, fnUrns))))
                    for (const g of own.length ? own : [undefined])
                        reportViolation(
                            `${what}: Secrets Manager endpoint ${e.name}'s group ${g?.name ?? "(none)"} admits no TCP 443 from the function's group (private DNS sends it there); add an ingress rule referencing it`,
                            g?.urn ?? e.urn,
                        );
            }
        }
        throwIfUndecided(first, undecided, " (values unknown during preview)");
    },
};

export const rotationWiringPolicies = [rotationFunctionNetwork];
