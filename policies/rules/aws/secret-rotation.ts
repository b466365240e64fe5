/**
 * aws-secret-rotation-required (issue 20.5): every Secrets Manager secret that holds an RDS instance's master
 * credentials has an enabled `SecretRotation` in the stack, so the password Pulumi set (and keeps in state) stops
 * being valid ("Rotate AWS Secrets Manager secrets", https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html).
 *
 * What makes a secret a master credential, from relations only (never IDs or ARNs, which mocks invent):
 * - a `SecretVersion` of the secret (its `secretId` from the secret) whose `secretString` was computed from the same
 *   resource as an RDS instance's `password` (the `random.RandomPassword` both read): the secret holds that instance's
 *   master password. Other secrets of the database (the exporter's login: its own password) are not master secrets;
 * - or, for a secret whose value Pulumi does not write, its name: Hangar names master secrets `<id>/postgres/master`
 *   (components/data/rotation.ts), so a literal name ending in `/postgres/master` is one.
 * A rotation covers the secret when its `secretId` comes from the secret (propertyDependencies) or names it literally,
 * it is not `rotationEnabled: false`, and it has a `rotationLambdaArn` and `rotationRules` (a Lambda-rotated secret
 * needs both: "RotateSecret", https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html).
 * The policy cannot see `ignoreChanges` on the instance's password: the component spec tests that.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { RDS_INSTANCE } from "./rds";
import { awsStackRule, isSet, isUnknown, RequiredConfig, requiredSwitch, StackContext } from "./shared";

export const SECRET = "aws:secretsmanager/secret:Secret";
export const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
export const SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation";
/** Hangar's name for a database's master secret (components/data/rotation.ts masterSecret). */
export const MASTER_SECRET_NAME = /\/postgres\/master$/;

const depUrns = (r: PolicyResource, key: string) => (r.propertyDependencies[key] ?? []).map((d) => d.urn);

/** The RDS instances whose master password the secret holds (by the password's source), and whether its name says so. */
function masterOf(secret: PolicyResource, resources: PolicyResource[], ctx: StackContext<RequiredConfig>): string[] | undefined {
    const versions = resources.filter((r) => r.type === SECRET_VERSION && depUrns(r, "secretId").includes(secret.urn));
    const instances = resources.filter((r) => r.type === RDS_INSTANCE && depUrns(r, "password").length > 0);
    const holders = instances.filter((i) =>
        versions.some((v) => depUrns(v, "secretString").some((u) => depUrns(i, "password").includes(u))),
    );
    if (holders.length > 0) return holders.map((i) => i.name);
    if (isUnknown(() => secret.props.name)) {
        ctx.cannotDecide(`secret ${secret.name}: its name is unknown and its value comes from no RDS instance's password`);
        return undefined;
    }
    return MASTER_SECRET_NAME.test(String(secret.props.name ?? "")) ? [] : undefined;
}

/** Whether a rotation covers the secret and is on (or undecided: a reason). */
function rotates(r: PolicyResource, secret: PolicyResource): boolean | string {
    const bySecret = depUrns(r, "secretId").includes(secret.urn);
    if (!bySecret) {
        if (isUnknown(() => r.props.secretId)) return `rotation ${r.name}: secretId is unknown and comes from no secret`;
        const id = r.props.secretId;
        if (isUnknown(() => secret.props.name) || id !== secret.props.name) return false;
    }
    if (isUnknown(() => r.props.rotationEnabled)) return `rotation ${r.name}: rotationEnabled is unknown`;
    if (r.props.rotationEnabled === false) return false;
    return isSet(r.props, "rotationLambdaArn") && isSet(r.props, "rotationRules");
}

export const secretRotationRequired: StackValidationPolicy = awsStackRule<RequiredConfig>({
    name: "aws-secret-rotation-required",
    description:
        "Every Secrets Manager secret holding an RDS master password must have an enabled SecretRotation (a rotation function and rules), where the environment requires it.",
    enforcementLevel: "advisory",
    ...requiredSwitch("an enabled rotation of every database master secret", "master secret rotation"),
    subjects: [SECRET],
    remedy: "set the rotation's secretId from the secret's id output",
    check: (secret, ctx) => {
        const masters = masterOf(secret, ctx.resources, ctx);
        if (masters === undefined) return;
        const verdicts = ctx.resources.filter((r) => r.type === SECRET_ROTATION).map((r) => rotates(r, secret));
        if (verdicts.includes(true)) return;
        const why = verdicts.filter((v): v is string => typeof v === "string");
        if (why.length > 0) return ctx.cannotDecide(why.join("; "));
        const whose =
            masters.length > 0 ? `the master password of RDS instance ${masters.join(", ")}` : "a database master credential (by its name)";
        ctx.report(
            `secret ${secret.name} holds ${whose} and nothing rotates it: add an aws.secretsmanager.SecretRotation with secretId from the secret, ` +
                "a rotationLambdaArn (the single-user PostgreSQL rotation function) and rotationRules, and ignoreChanges on the instance's password",
        );
    },
});

export const secretRotationPolicies = [secretRotationRequired];
