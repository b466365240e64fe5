/**
 * wiring-irsa-role-trust: a ServiceAccount annotated with `eks.amazonaws.com/role-arn`
 * (IAM roles for service accounts, https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html)
 * takes that ARN from a Role of the stack (the annotation's propertyDependencies name
 * it: that holds on the real engine, where the ARN is an output), and the Role trusts
 * exactly this ServiceAccount: a statement allowing `sts:AssumeRoleWithWebIdentity`
 * to a Federated OIDC provider, with `StringEquals` on `<issuer>:sub` =
 * `system:serviceaccount:<namespace>:<name>` and `<issuer>:aud` = `sts.amazonaws.com`
 * for that provider's issuer (https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html).
 * A role any other subject can assume, or none, is a pod without AWS access or a
 * credential another workload can take.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { ObjectMeta } from "../kubernetes/pod-template";
import { configOf, ExemptionConfig, schemaWith } from "../kubernetes/shared";
import { readKnown, throwIfUndecided, UnknownValueErrorInstance } from "../unknowns";

const ROLE_ARN = "eks.amazonaws.com/role-arn";

interface Statement {
    Effect?: string;
    Action?: string | string[];
    Principal?: { Federated?: string | string[] };
    Condition?: Record<string, Record<string, string | string[]>>;
}

/** Why the trust policy does not admit exactly `subject`, or undefined when it does. */
export function trustProblem(policy: unknown, subject: string): string | undefined {
    let doc: { Statement?: Statement | Statement[] };
    try {
        doc = typeof policy === "string" ? JSON.parse(policy) : (policy as typeof doc);
    } catch {
        return "its assumeRolePolicy is not JSON";
    }
    const statements = ([] as Statement[]).concat(doc?.Statement ?? []);
    const web = statements.filter(
        (s) => s.Effect === "Allow" && ([] as string[]).concat(s.Action ?? []).includes("sts:AssumeRoleWithWebIdentity"),
    );
    if (web.length === 0) return "its trust policy allows no sts:AssumeRoleWithWebIdentity";
    for (const s of web) {
        const providers = ([] as string[]).concat(s.Principal?.Federated ?? []);
        const issuers = providers.map((p) => p.split(":oidc-provider/")[1]).filter(Boolean);
        const equals = s.Condition?.StringEquals ?? {};
        const exact = issuers.some((issuer) => equals[`${issuer}:sub`] === subject && equals[`${issuer}:aud`] === "sts.amazonaws.com");
        if (!exact)
            return (
                `its web-identity statement does not require StringEquals ${issuers[0] ?? "<issuer>"}:sub = ${subject} ` +
                `and :aud = sts.amazonaws.com for its Federated OIDC provider`
            );
        if (s.Condition?.StringLike) return "its web-identity statement also has StringLike conditions: a wildcard admits other subjects";
    }
    return undefined;
}

export const irsaRoleTrust: StackValidationPolicy = {
    name: "wiring-irsa-role-trust",
    description:
        "Every ServiceAccount with an eks.amazonaws.com/role-arn annotation takes it from a Role of the stack that trusts exactly system:serviceaccount:<namespace>:<name> on its OIDC provider.",
    enforcementLevel: "mandatory",
    configSchema: schemaWith(),
    validateStack: (args, reportViolation) => {
        const config = configOf<ExemptionConfig>(schemaWith(), args);
        const accounts = args.resources.filter((r) => r.type === "kubernetes:core/v1:ServiceAccount");
        let firstUnknown: UnknownValueErrorInstance | undefined;
        const undecided: string[] = [];
        let annotated = 0;
        for (const sa of accounts) {
            const read = readKnown(() => {
                const metadata = (sa.props.metadata ?? {}) as ObjectMeta;
                // The key, not its value: the ARN is the Role's output, unknown during preview.
                if (!metadata.annotations || !Object.keys(metadata.annotations).includes(ROLE_ARN)) return undefined;
                annotated++;
                if (metadata.namespace && config.exemptNamespaces.includes(metadata.namespace)) return undefined;
                const who = `ServiceAccount ${metadata.namespace}/${metadata.name ?? sa.name}`;
                const roles = (sa.propertyDependencies.metadata ?? []).filter((d) => d.type === "aws:iam/role:Role");
                if (roles.length !== 1)
                    return `${who}: its ${ROLE_ARN} annotation must be the arn of one Role of the stack (it depends on ${roles.length})`;
                const problem = trustProblem(
                    roles[0].props.assumeRolePolicy,
                    `system:serviceaccount:${metadata.namespace}:${metadata.name}`,
                );
                return problem && `${who}: Role ${roles[0].name}: ${problem}`;
            });
            if (!read.known) {
                firstUnknown ??= read.error;
                undecided.push(sa.name);
            } else if (read.value) reportViolation(read.value, sa.urn);
        }
        if (annotated === 0 && undecided.length === 0) args.notApplicable("no ServiceAccount carries an IRSA role");
        throwIfUndecided(firstUnknown, undecided, " (values unknown during preview)");
    },
};

export const irsaPolicies = [irsaRoleTrust];
