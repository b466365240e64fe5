/**
 * wiring-bucket-access: a pod that is told an app bucket's name (an env var `BUCKET_<NAME>`, Hangar's convention
 * for app buckets: components/app/buckets.ts) runs as a ServiceAccount of the stack whose IRSA role (the
 * role-arn annotation's propertyDependencies, as in ./irsa.ts) may use that bucket: an inline RolePolicy of the
 * role allows S3 actions on `arn:<partition>:s3:::<bucket>` and `arn:<partition>:s3:::<bucket>/*`, and KMS
 * actions on the bucket's key (the key its BucketServerSideEncryptionConfiguration depends on) only through S3
 * (`kms:ViaService` s3.<region>.amazonaws.com: https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
 * And least privilege: no role grants an app bucket (a bucket some pod names), or its key, that no pod of its
 * ServiceAccount names. Bucket ARNs are read from the policy text (Hangar builds them from the deterministic
 * names, so they are known during preview). A KMS statement names its keys by alias (`kms:ResourceAliases`,
 * related to the Alias resources of that name and their target Key), or by key ARN (related through the
 * policy's propertyDependencies); one on `*` or `key/*` without an alias condition grants every key.
 * Buckets no pod names through `BUCKET_*` (the dump bucket, whose job has a prefix-scoped role) are not app
 * buckets and are out of scope; managed-policy attachments are not read.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ObjectMeta, podTemplateOf } from "../kubernetes/pod-template";
import { configOf, ExemptionConfig, schemaWith } from "../kubernetes/shared";
import { readKnown, throwIfUndecided, UnknownValueErrorInstance } from "../unknowns";

const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const KEY = "aws:kms/key:Key";
const ALIAS = "aws:kms/alias:Alias";
const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const ENCRYPTION = [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const ROLE_ARN = "eks.amazonaws.com/role-arn";
export const BUCKET_ENV = /^BUCKET_[A-Z0-9_]+$/;

interface Statement {
    Effect?: string;
    Action?: string | string[];
    Resource?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const glob = (pattern: string) =>
    new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
    );

/** What a role's policy texts grant: S3 bucket-level and object-level resource patterns, and KMS keys by alias. */
export interface S3Grants {
    buckets: string[];
    objects: string[];
    /** KMS statements without a kms:ViaService condition naming S3. */
    keysOutsideS3: number;
    /** Aliases (`alias/<name>`) in kms:ResourceAliases conditions of KMS statements. */
    keyAliases: string[];
    /** A KMS statement on every key (`*` or `…:key/*` without an alias condition). */
    anyKey: boolean;
}

export function s3Grants(policies: unknown[]): S3Grants {
    const grants: S3Grants = { buckets: [], objects: [], keysOutsideS3: 0, keyAliases: [], anyKey: false };
    for (const policy of policies) {
        let doc: { Statement?: Statement | Statement[] };
        try {
            doc = typeof policy === "string" ? JSON.parse(policy) : (policy as typeof doc);
        } catch {
            continue;
        }
        for (const s of list(doc?.Statement)) {
            if (s.Effect !== "Allow") continue;
            const actions = list(s.Action).map((a) => a.toLowerCase());
            if (actions.some((a) => a === "*" || a.startsWith("s3:"))) {
                for (const r of list(s.Resource)) {
                    if (r === "*") {
                        grants.buckets.push("*");
                        grants.objects.push("*");
                    }
                    const m = /^arn:[^:]+:s3:::([^/]+)(\/(.*))?$/.exec(r);
                    if (m && m[2] === undefined) grants.buckets.push(m[1]);
                    else if (m && /^\*?$/.test(m[3])) grants.objects.push(m[1]);
                    else if (m) grants.objects.push(`${m[1]}/${m[3]}`);
                }
            }
            if (actions.some((a) => a === "*" || a.startsWith("kms:"))) {
                const conditions = Object.values(s.Condition ?? {});
                const via = conditions.flatMap((keys) => list(keys["kms:ViaService"]));
                if (via.length === 0 || !via.every((v) => /^s3\.[a-z0-9-]+\.amazonaws\.com$/.test(v))) grants.keysOutsideS3++;
                const aliases = conditions.flatMap((keys) => list(keys["kms:ResourceAliases"]));
                grants.keyAliases.push(...aliases);
                if (aliases.length === 0 && list(s.Resource).some((r) => r === "*" || /:key\/\*$/.test(r))) grants.anyKey = true;
            }
        }
    }
    return grants;
}

/** The grant patterns (bucket or object level) that reach `bucket`. */
const reaching = (patterns: string[], bucket: string) => patterns.filter((p) => glob(p.split("/")[0]).test(bucket));

export const bucketAccess: StackValidationPolicy = {
    name: "wiring-bucket-access",
    description:
        "A pod's BUCKET_<NAME> env var names a bucket of the stack its ServiceAccount's IRSA role may use (objects and key, the key through S3 only), and no role grants an app bucket or its key that no pod of its ServiceAccount names.",
    enforcementLevel: "mandatory",
    configSchema: schemaWith(),
    validateStack: (args, reportViolation) => {
        const config = configOf<ExemptionConfig>(schemaWith(), args);
        const all = args.resources;
        let firstUnknown: UnknownValueErrorInstance | undefined;
        const undecided: string[] = [];
        const known = <T>(what: string, read: () => T): T | undefined => {
            const r = readKnown(read);
            if (r.known) return r.value;
            firstUnknown ??= r.error;
            undecided.push(what);
            return undefined;
        };
        const depsOf = (r: PolicyResource, prop: string, types: string[]) =>
            (r.propertyDependencies[prop] ?? []).filter((d) => types.includes(d.type));

        // Pods and the buckets they name.
        interface Pod {
            resource: PolicyResource;
            account: string;
            names: { env: string; bucket: string }[];
        }
        const pods: Pod[] = [];
        for (const r of all) {
            const view = known(r.name, () => podTemplateOf(r.type, r.props));
            if (!view) continue;
            const ns = known(r.name, () => (r.props.metadata as ObjectMeta | undefined)?.namespace ?? "default");
            if (ns === undefined || config.exemptNamespaces.includes(ns)) continue;
            // Entry by entry: other env values (hosts, ports) may be unknown during preview and are not read.
            const names: { env: string; bucket: string }[] = [];
            for (const c of view.containers) {
                const env = known(r.name, () => list(c.container.env as { name?: string; value?: unknown }[] | undefined).length) ?? 0;
                for (let i = 0; i < env; i++) {
                    const entry = (c.container.env as { name?: string; value?: unknown }[])[i];
                    const name = known(r.name, () => entry.name);
                    if (typeof name !== "string" || !BUCKET_ENV.test(name)) continue;
                    const value = known(r.name, () => entry.value);
                    if (typeof value === "string") names.push({ env: name, bucket: value });
                }
            }
            const account = names.length > 0 ? known(r.name, () => view.spec.serviceAccountName ?? "default") : "";
            if (account !== undefined) pods.push({ resource: r, account: `${ns}/${account}`, names });
        }
        const appBuckets = new Set(pods.flatMap((p) => p.names.map((n) => n.bucket)));
        if (appBuckets.size === 0 && undecided.length === 0) args.notApplicable("no pod names a bucket through BUCKET_<NAME>");

        const bucketByName = new Map<string, PolicyResource>();
        for (const b of all.filter((r) => BUCKETS.includes(r.type))) {
            const name = known(b.name, () => b.props.bucket as string | undefined);
            if (typeof name === "string") bucketByName.set(name, b);
        }
        const keysByAlias = (alias: string) =>
            all
                .filter((r) => r.type === ALIAS && known(r.name, () => r.props.name) === alias)
                .flatMap((r) => depsOf(r, "targetKeyId", [KEY]));
        const keysOf = (bucket: PolicyResource) =>
            all
                .filter((r) => ENCRYPTION.includes(r.type) && depsOf(r, "bucket", BUCKETS).some((b) => b.urn === bucket.urn))
                .flatMap((r) => depsOf(r, "rules", [KEY]));
        const appKeys = new Map<string, string>(); // key URN → app bucket
        for (const name of appBuckets) {
            const b = bucketByName.get(name);
            if (b) for (const k of keysOf(b)) appKeys.set(k.urn, name);
        }

        // Every ServiceAccount with an IRSA role: what its pods name, and what its role grants.
        for (const sa of all.filter((r) => r.type === SERVICE_ACCOUNT)) {
            const meta = (sa.props.metadata ?? {}) as ObjectMeta;
            const account = `${known(sa.name, () => meta.namespace)}/${known(sa.name, () => meta.name)}`;
            const namespace = known(sa.name, () => meta.namespace);
            if (namespace && config.exemptNamespaces.includes(namespace)) continue;
            // The annotation's key, not its value: the ARN is the Role's output, unknown during preview.
            const annotated = known(sa.name, () => Object.keys(meta.annotations ?? {}).includes(ROLE_ARN));
            const roles = annotated ? depsOf(sa, "metadata", [ROLE]) : [];
            const users = pods.filter((p) => p.account === account);
            const named = new Set(users.flatMap((p) => p.names.map((n) => n.bucket)));
            if (roles.length !== 1) {
                for (const p of users.filter((u) => u.names.length > 0))
                    reportViolation(
                        `${p.resource.name} names buckets (${p.names.map((n) => n.env).join(", ")}) but runs as ServiceAccount ${account}, which has no IRSA role of the stack`,
                        p.resource.urn,
                    );
                continue;
            }
            const role = roles[0];
            const policies = all.filter((r) => r.type === ROLE_POLICY && depsOf(r, "role", [ROLE]).some((d) => d.urn === role.urn));
            const texts = policies.map((p) => {
                const read = readKnown(() => p.props.policy as unknown);
                return { p, text: read.known ? read.value : undefined, error: read.known ? undefined : read.error };
            });
            const grants = s3Grants(texts.filter((t) => t.text !== undefined).map((t) => t.text));
            // A policy unknown during preview may grant anything: what it alone could decide stays undecided.
            const unknownTexts = texts.filter((t) => t.error !== undefined);
            const decided = unknownTexts.length === 0;
            const cannotTell = (what: string) => {
                firstUnknown ??= unknownTexts[0].error;
                undecided.push(what);
            };
            // Keys by alias (kms:ResourceAliases) or by ARN (the policy's propertyDependencies), each with the policy granting it.
            const grantedKeys = new Map<string, PolicyResource>();
            for (const t of texts) {
                const g = t.text === undefined ? undefined : s3Grants([t.text]);
                const byAlias = g ? g.keyAliases.flatMap(keysByAlias) : [];
                const every = g?.anyKey ? [...appKeys.keys()].map((urn) => ({ urn })) : [];
                for (const k of [...byAlias, ...every, ...depsOf(t.p, "policy", [KEY])]) grantedKeys.set(k.urn, t.p);
            }
            const who = `ServiceAccount ${account} (Role ${role.name})`;

            for (const p of users)
                for (const n of p.names) {
                    const bucket = bucketByName.get(n.bucket);
                    if (!bucket) {
                        reportViolation(
                            `${p.resource.name}: ${n.env} names bucket "${n.bucket}", which no Bucket of the stack has`,
                            p.resource.urn,
                        );
                        continue;
                    }
                    const objects = reaching(grants.objects, n.bucket).some((g) => !g.includes("/"));
                    const missing = reaching(grants.buckets, n.bucket).length === 0 || !objects;
                    if (missing && !decided) cannotTell(`${p.resource.name}: access to ${n.bucket}`);
                    else if (missing)
                        reportViolation(
                            `${p.resource.name}: ${n.env} names bucket "${n.bucket}", but ${who} is not allowed S3 on arn:…:s3:::${n.bucket} and arn:…:s3:::${n.bucket}/*`,
                            p.resource.urn,
                        );
                    const ungranted = keysOf(bucket).filter((k) => !grantedKeys.has(k.urn));
                    if (ungranted.length > 0 && !decided) cannotTell(`${p.resource.name}: the key of ${n.bucket}`);
                    else
                        for (const key of ungranted)
                            reportViolation(
                                `${p.resource.name}: ${n.env} names bucket "${n.bucket}", but ${who} may not use its key ${key.name} (SSE-KMS reads and writes need kms:Decrypt/GenerateDataKey)`,
                                p.resource.urn,
                            );
                }

            // Least privilege: app buckets and keys granted beyond what the pods name. A policy unknown during preview
            // is judged by what it is computed from: it may grant an app bucket or key only when it depends on one
            // (Hangar names app buckets and keys by deterministic names, so a policy naming only them is known).
            const appResources = new Set([
                ...[...appBuckets].flatMap((b) => (bucketByName.get(b) ? [bucketByName.get(b)!.urn] : [])),
                ...appKeys.keys(),
                ...all.filter((r) => r.type === ALIAS && depsOf(r, "targetKeyId", [KEY]).some((k) => appKeys.has(k.urn))).map((r) => r.urn),
            ]);
            for (const t of unknownTexts)
                if (Object.values(t.p.propertyDependencies).some((deps) => deps.some((d) => appResources.has(d.urn))))
                    cannotTell(`${t.p.name}: whether it grants app buckets`);
            for (const name of appBuckets) {
                if (named.has(name)) continue;
                const extra = [...reaching(grants.buckets, name), ...reaching(grants.objects, name)];
                if (extra.length === 0) continue;
                const at = texts.find((t) => {
                    const g = t.text === undefined ? undefined : s3Grants([t.text]);
                    return g !== undefined && reaching([...g.buckets, ...g.objects], name).length > 0;
                });
                reportViolation(
                    `${who} grants app bucket "${name}" (${[...new Set(extra)].join(", ")}), which no pod of ${account} names: grant only the buckets its pods use`,
                    (at?.p ?? role).urn,
                );
            }
            for (const [keyUrn, policy] of grantedKeys) {
                const bucket = appKeys.get(keyUrn);
                if (bucket !== undefined && !named.has(bucket))
                    reportViolation(`${who} grants the key of app bucket "${bucket}", which no pod of ${account} names`, policy.urn);
            }
            if (decided && grantedKeys.size > 0 && grants.keysOutsideS3 > 0 && named.size > 0)
                reportViolation(
                    `${who}: a KMS statement lacks StringEquals kms:ViaService = s3.<region>.amazonaws.com: its bucket keys must be usable through S3 only`,
                    ([...grantedKeys.values()][0] ?? role).urn,
                );
        }
        throwIfUndecided(firstUnknown, undecided, " (values unknown during preview)");
    },
};

export const bucketAccessPolicies = [bucketAccess];
