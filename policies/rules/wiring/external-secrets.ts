/**
 * wiring-external-secret-store: every ExternalSecret (external-secrets.io/v1) can read what it asks for. External
 * Secrets Operator resolves `spec.secretStoreRef` to a SecretStore in the ExternalSecret's namespace (kind
 * SecretStore, the default) or a ClusterSecretStore (https://external-secrets.io/latest/api/externalsecret/); an AWS
 * store with `auth.jwt.serviceAccountRef` assumes the IRSA role of that ServiceAccount, in the store's namespace (or
 * the ref's, for a ClusterSecretStore), with a token it requests for it
 * (https://external-secrets.io/latest/provider/aws-secrets-manager/#eks-service-account-credentials); the role's
 * policy must allow secretsmanager:GetSecretValue on each secret a `remoteRef.key` names and kms:Decrypt on its key.
 * A link missing anywhere leaves the ExternalSecret not Ready and its target Secret unwritten: the pods that read it
 * never start, though each object is valid alone.
 *
 * Relations are read as the engine knows them, never from ARNs (the mocks' differ from AWS's): the store by kind,
 * namespace and name; the role from the ServiceAccount's `eks.amazonaws.com/role-arn` propertyDependencies (as
 * wiring-irsa-role-trust), its trust with that rule's `trustProblem`; a `remoteRef.key` names a Secrets Manager secret
 * of the stack by its `name` (known before the secret exists); the role's inline RolePolicies (those whose `role`
 * depends on the Role) must depend, through `policy`, on that secret and on the KMS key its `kmsKeyId` depends on,
 * or grant it by name (`…:secret:<name>-??????`, a document known without the secret's outputs).
 * The policy document itself (built from ARNs, unknown during preview) is judged when known: an Allow of
 * secretsmanager:GetSecretValue on no wildcard resource, and kms:Decrypt only with a `kms:ViaService` condition; in a
 * preview it is judged by those dependencies alone, and in `pulumi up` and the offline check in full.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ObjectMeta } from "../kubernetes/pod-template";
import { configOf, ExemptionConfig, schemaWith } from "../kubernetes/shared";
import { readKnown, throwIfUndecided, UnknownValueErrorInstance } from "../unknowns";
import { EXTERNAL_SECRET } from "./external-secret-targets";
import { trustProblem } from "./irsa";

const STORE_TYPES: Record<string, string> = {
    SecretStore: "kubernetes:external-secrets.io/v1:SecretStore",
    ClusterSecretStore: "kubernetes:external-secrets.io/v1:ClusterSecretStore",
};
const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const SM_SECRET = "aws:secretsmanager/secret:Secret";
const ROLE_ARN = "eks.amazonaws.com/role-arn";

interface Statement {
    Effect?: string;
    Action?: string | string[];
    Resource?: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
}

const actions = (s: Statement) => ([] as string[]).concat(s.Action ?? []);
const meta = (r: PolicyResource) => (r.props.metadata ?? {}) as ObjectMeta;
const dependsOn = (r: PolicyResource, prop: string, target: PolicyResource) =>
    (r.propertyDependencies[prop] ?? []).some((d) => d.urn === target.urn);

/** Why a policy document does not grant reading secrets narrowly (no wildcard, decrypt only through Secrets Manager). */
export function documentProblem(document: unknown): string | undefined {
    let doc: { Statement?: Statement | Statement[] };
    try {
        doc = typeof document === "string" ? JSON.parse(document) : (document as typeof doc);
    } catch {
        return "its policy is not JSON";
    }
    const allows = ([] as Statement[]).concat(doc?.Statement ?? []).filter((s) => s.Effect === "Allow");
    const reads = allows.filter((s) =>
        actions(s).some((a) => a === "secretsmanager:GetSecretValue" || a === "secretsmanager:*" || a === "*"),
    );
    if (reads.length === 0) return "its policy allows no secretsmanager:GetSecretValue";
    if (reads.some((s) => ([] as string[]).concat(s.Resource ?? []).some((r) => r === "*" || r.endsWith(":secret:*"))))
        return "its policy allows reading every secret (Resource *): name the stack's secrets";
    const decrypts = allows.filter((s) => actions(s).some((a) => a === "kms:Decrypt" || a === "kms:*" || a === "*"));
    if (decrypts.length === 0) return "its policy allows no kms:Decrypt of the secrets' keys";
    if (decrypts.some((s) => !s.Condition?.StringEquals?.["kms:ViaService"]))
        return "its kms:Decrypt has no kms:ViaService condition: the key would decrypt anything, not only through Secrets Manager";
    return undefined;
}

/** True when the document allows GetSecretValue on the ARN pattern of the secret `name` (`…:secret:<name>-??????`). */
export function grantsByName(document: string, name: string): boolean {
    try {
        const statements = ([] as Statement[]).concat((JSON.parse(document) as { Statement?: Statement[] }).Statement ?? []);
        return statements.some(
            (s) =>
                s.Effect === "Allow" &&
                actions(s).includes("secretsmanager:GetSecretValue") &&
                ([] as string[]).concat(s.Resource ?? []).some((r) => r.endsWith(`:secret:${name}-??????`)),
        );
    } catch {
        return false;
    }
}

/** What is wrong with one ExternalSecret's chain, or undefined when it holds. */
function chainProblem(es: PolicyResource, resources: PolicyResource[]): string | undefined {
    const m = meta(es);
    const spec = (es.props.spec ?? {}) as { secretStoreRef?: { kind?: string; name?: string }; data?: { remoteRef?: { key?: string } }[] };
    const who = `ExternalSecret ${m.namespace}/${m.name}`;
    const kind = spec.secretStoreRef?.kind ?? "SecretStore";
    const cluster = kind === "ClusterSecretStore";
    const store = resources.find(
        (r) => r.type === STORE_TYPES[kind] && meta(r).name === spec.secretStoreRef?.name && (cluster || meta(r).namespace === m.namespace),
    );
    if (!store)
        return `${who}: spec.secretStoreRef names ${kind} ${cluster ? "" : `${m.namespace}/`}${spec.secretStoreRef?.name}, which the stack does not create; create it or name one that exists`;
    const jwt = (
        store.props.spec as { provider?: { aws?: { auth?: { jwt?: { serviceAccountRef?: { name?: string; namespace?: string } } } } } }
    )?.provider?.aws?.auth?.jwt?.serviceAccountRef;
    const storeName = `${kind} ${meta(store).namespace ? `${meta(store).namespace}/` : ""}${meta(store).name}`;
    if (!jwt?.name)
        return `${who}: ${storeName} authenticates with no auth.jwt.serviceAccountRef (an IRSA role): Hangar's stores read with one`;
    const saNamespace = cluster ? jwt.namespace : meta(store).namespace;
    const sa = resources.find((r) => r.type === SERVICE_ACCOUNT && meta(r).name === jwt.name && meta(r).namespace === saNamespace);
    if (!sa) return `${who}: ${storeName} authenticates as ServiceAccount ${saNamespace}/${jwt.name}, which the stack does not create`;
    const saName = `ServiceAccount ${saNamespace}/${jwt.name}`;
    if (!Object.keys(meta(sa).annotations ?? {}).includes(ROLE_ARN)) return `${who}: ${saName} carries no ${ROLE_ARN} annotation`;
    const roles = (sa.propertyDependencies.metadata ?? []).filter((d) => d.type === ROLE);
    if (roles.length !== 1)
        return `${who}: ${saName}'s ${ROLE_ARN} must be the arn of one Role of the stack (it depends on ${roles.length})`;
    const role = roles[0];
    const trust = trustProblem(role.props.assumeRolePolicy, `system:serviceaccount:${saNamespace}:${jwt.name}`);
    if (trust) return `${who}: Role ${role.name} of ${saName}: ${trust}`;
    const policies = resources.filter((r) => r.type === ROLE_POLICY && dependsOn(r, "role", role));
    for (const ref of spec.data ?? []) {
        const key = ref.remoteRef?.key;
        const secret = resources.find((r) => r.type === SM_SECRET && r.props.name === key);
        if (!secret)
            return `${who}: remoteRef.key ${key} is no Secrets Manager secret of the stack (by its name); read the stack's secrets only`;
        const keys = (secret.propertyDependencies.kmsKeyId ?? []).filter((d) => d.type === "aws:kms/key:Key");
        let granting = policies.filter((p) => dependsOn(p, "policy", secret) && keys.every((k) => dependsOn(p, "policy", k)));
        // Or by name, in a document known without the secret's outputs (the DR pilot light's store: nothing on the DR
        // side may wait on the primary region). An unknown document here leaves the ExternalSecret undecided.
        if (granting.length === 0) granting = policies.filter((p) => grantsByName(String(p.props.policy), String(key)));
        if (granting.length === 0)
            return (
                `${who}: Role ${role.name} (${storeName}) has no inline policy built from secret ${key}` +
                `${keys.length ? " and its KMS key" : ""}: grant secretsmanager:GetSecretValue on it and kms:Decrypt on its key`
            );
        for (const p of granting) {
            const doc = readKnown(() => String(p.props.policy));
            // Unknown during preview (it holds ARNs): the dependencies above decided; up and the offline check read it.
            const problem = doc.known ? documentProblem(doc.value) : undefined;
            if (problem) return `${who}: RolePolicy ${p.name} of Role ${role.name}: ${problem}`;
        }
    }
    return undefined;
}

export const externalSecretStore: StackValidationPolicy = {
    name: "wiring-external-secret-store",
    description:
        "Every ExternalSecret names a SecretStore of the stack whose ServiceAccount exists with an IRSA role trusting exactly it, and that role's policy grants reading each secret the ExternalSecret reads (and decrypting it through Secrets Manager).",
    enforcementLevel: "mandatory",
    configSchema: schemaWith(),
    validateStack: (args, reportViolation) => {
        const config = configOf<ExemptionConfig>(schemaWith(), args);
        const externalSecrets = args.resources.filter((r) => r.type === EXTERNAL_SECRET);
        let firstUnknown: UnknownValueErrorInstance | undefined;
        const undecided: string[] = [];
        for (const es of externalSecrets) {
            const read = readKnown(() =>
                config.exemptNamespaces.includes(meta(es).namespace ?? "") ? undefined : chainProblem(es, args.resources),
            );
            if (!read.known) {
                firstUnknown ??= read.error;
                undecided.push(es.name);
            } else if (read.value) reportViolation(read.value, es.urn);
        }
        if (externalSecrets.length === 0) args.notApplicable("no ExternalSecret in the stack");
        throwIfUndecided(firstUnknown, undecided, " (values unknown during preview)");
    },
};

export const externalSecretPolicies = [externalSecretStore];
