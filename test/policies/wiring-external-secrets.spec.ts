/**
 * The ExternalSecret → store → ServiceAccount → IRSA role → policy chain (wiring-external-secret-store), and the
 * ExternalSecret → Secret → pod link (wiring-pod-references-exist counts an ExternalSecret's target): clean on both
 * real stacks, one mutation of the real prod snapshot per link, and what a preview decides.
 */
import * as assert from "assert";
import { externalSecretStore } from "../../policies/rules/wiring/external-secrets";
import { podReferencesExist } from "../../policies/rules/wiring/pod-inputs";
import { UNKNOWN_STRING_SENTINEL } from "../../policies/rules/unknowns";
import { Snapshot, SnapshotResource } from "../../tools/harness";
import { Any, first, Mutation, mutationTests, realStacks, ROLLOUT, wiring } from "./wiring-fixtures";

const EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret";
const STORE = "kubernetes:external-secrets.io/v1:SecretStore";
const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const RULE = externalSecretStore.name;
const byName = (s: Snapshot, type: string, name: string) => s.resources.find((r) => r.type === type && r.name === name)!;
const appSecret = (s: Snapshot) => first(s, EXTERNAL_SECRET, "data-tier-credentials");
const spec = (r: SnapshotResource) => r.inputs.spec as Any;
/** The app store's inline policy and role (components/shared/external-secrets.ts names both `<name>-store`). */
const appPolicy = (s: Snapshot) => byName(s, "aws:iam/rolePolicy:RolePolicy", "hangar-app-credentials-store");
const appRole = (s: Snapshot) => byName(s, "aws:iam/role:Role", "hangar-app-credentials-store");
const masterSecret = (s: Snapshot) => byName(s, "aws:secretsmanager/secret:Secret", "hangar-db-master");
const policyDoc = (s: Snapshot) => JSON.parse(String(appPolicy(s).inputs.policy));
const setPolicy = (s: Snapshot, doc: Any) => (appPolicy(s).inputs.policy = JSON.stringify(doc));

const MUTATIONS: Mutation[] = [
    [
        "an ExternalSecret naming a store that does not exist",
        RULE,
        (s) => {
            spec(appSecret(s)).secretStoreRef.name = "app-creds";
            return appSecret(s);
        },
        /ExternalSecret hangar\/data-tier-credentials: spec.secretStoreRef names SecretStore hangar\/app-creds, which the stack does not create/,
    ],
    [
        "the store moved to another namespace than its ExternalSecret's",
        RULE,
        (s) => {
            (first(s, STORE, "app-credentials").inputs.metadata as Any).namespace = "monitoring";
            return appSecret(s);
        },
        /names SecretStore hangar\/app-credentials, which the stack does not create/,
    ],
    [
        "the store authenticating as a ServiceAccount the stack lacks",
        RULE,
        (s) => {
            spec(first(s, STORE, "app-credentials")).provider.aws.auth.jwt.serviceAccountRef.name = "app-credentials-reader";
            return appSecret(s);
        },
        /SecretStore hangar\/app-credentials authenticates as ServiceAccount hangar\/app-credentials-reader, which the stack does not create/,
    ],
    [
        "the store's role trusting another ServiceAccount",
        RULE,
        (s) => {
            const trust = JSON.parse(String(appRole(s).inputs.assumeRolePolicy));
            const eq = trust.Statement[0].Condition.StringEquals;
            const sub = Object.keys(eq).find((k) => k.endsWith(":sub"))!;
            eq[sub] = "system:serviceaccount:hangar:hangar-app";
            appRole(s).inputs.assumeRolePolicy = JSON.stringify(trust);
            return appSecret(s);
        },
        /Role hangar-app-credentials-store of ServiceAccount hangar\/app-credentials: its web-identity statement does not require StringEquals/,
    ],
    [
        "the store's policy no longer built from the master secret",
        RULE,
        (s) => {
            const deps = appPolicy(s).options.propertyDependencies;
            deps.policy = deps.policy.filter((urn) => urn !== masterSecret(s).urn);
            return appSecret(s);
        },
        /Role hangar-app-credentials-store \(SecretStore hangar\/app-credentials\) has no inline policy built from secret hangar-prod\/postgres\/master and its KMS key/,
    ],
    [
        "an ExternalSecret reading a secret of no stack",
        RULE,
        (s) => {
            spec(appSecret(s)).data[0].remoteRef.key = "shared/postgres/master";
            return appSecret(s);
        },
        /remoteRef.key shared\/postgres\/master is no Secrets Manager secret of the stack/,
    ],
    [
        "the store's policy reading every secret",
        RULE,
        (s) => {
            const doc = policyDoc(s);
            doc.Statement[0].Resource = "*";
            setPolicy(s, doc);
            return appSecret(s);
        },
        /RolePolicy hangar-app-credentials-store of Role hangar-app-credentials-store: its policy allows reading every secret \(Resource \*\)/,
    ],
    [
        "the store's kms:Decrypt without kms:ViaService",
        RULE,
        (s) => {
            const doc = policyDoc(s);
            delete doc.Statement[1].Condition;
            setPolicy(s, doc);
            return appSecret(s);
        },
        /its kms:Decrypt has no kms:ViaService condition/,
    ],
    [
        "the app reading a key its ExternalSecret's template does not build",
        podReferencesExist.name,
        (s) => {
            delete spec(appSecret(s)).target.template.data.REDIS_URL;
            return first(s, ROLLOUT, "api");
        },
        /Rollout hangar\/api: container "api" env REDIS_URL reads key "REDIS_URL" of Secret hangar\/data-tier-credentials, which has no such key/,
    ],
    [
        "the dump job's ExternalSecret writing another Secret than the one it reads",
        podReferencesExist.name,
        (s) => {
            spec(first(s, EXTERNAL_SECRET, "pg-dump-master")).target.name = "pg-dump";
            return first(s, "kubernetes:batch/v1:CronJob", "pg-dump");
        },
        /CronJob hangar\/pg-dump: container "pg-dump" env PGPASSWORD reads Secret hangar\/pg-dump-master, which the stack does not create/,
    ],
];

describe("wiring rules: External Secrets Operator's chain", () => {
    const stacks = realStacks();

    for (const stack of ["prod", "staging"] as const)
        it(`${stack}: clean, with every ExternalSecret judged`, async () => {
            const s = stacks[stack];
            assert.ok(s.resources.filter((r) => r.type === EXTERNAL_SECRET).length >= 3);
            const hits = (await wiring(s, stack, [RULE, podReferencesExist.name])).filter(
                (v) => v.policy === RULE || v.policy === podReferencesExist.name,
            );
            assert.deepStrictEqual(hits, []);
        });

    mutationTests(stacks, MUTATIONS);

    it("decides during preview by the policy's dependencies when its document (ARNs) is unknown; undecided without them", async () => {
        const preview = structuredClone(stacks.prod);
        preview.preview = true;
        for (const r of preview.resources.filter((x) => x.type === "aws:iam/rolePolicy:RolePolicy"))
            r.inputs.policy = UNKNOWN_STRING_SENTINEL;
        assert.deepStrictEqual(await wiring(preview, "prod", [RULE]), []);
        const deps = appPolicy(preview).options.propertyDependencies;
        deps.policy = deps.policy.filter((urn) => urn !== masterSecret(preview).urn);
        // Without the dependency only a known document could grant the secret by name: undecided, not passed.
        const hits = await wiring(preview, "prod", [RULE]);
        assert.ok(
            hits.length === 1 &&
                hits[0].enforcementLevel === "advisory" &&
                /cannot decide: hangar-app-credentials-data-tier-credentials/.test(hits[0].message),
            JSON.stringify(hits),
        );
    });

    it("accepts a store that grants a secret by name (the DR pilot light's), and judges that document", async () => {
        const s = structuredClone(stacks.prod);
        const deps = appPolicy(s).options.propertyDependencies;
        deps.policy = deps.policy.filter((urn) => urn !== masterSecret(s).urn);
        const doc = policyDoc(s);
        doc.Statement[0].Resource = [
            "arn:aws:secretsmanager:eu-west-1:210987654321:secret:hangar-prod/postgres/master-??????",
            doc.Statement[0].Resource[1],
        ];
        setPolicy(s, doc);
        assert.deepStrictEqual(await wiring(s, "prod", [RULE]), []);
        doc.Statement[0].Resource[0] = "arn:aws:secretsmanager:eu-west-1:210987654321:secret:hangar-prod/postgres/monitor-??????";
        setPolicy(s, doc);
        const hits = await wiring(s, "prod", [RULE]);
        assert.ok(
            hits.length === 1 && /no inline policy built from secret hangar-prod\/postgres\/master/.test(hits[0].message),
            JSON.stringify(hits),
        );
    });

    it("cannot decide during preview when the store's trust policy is unknown, instead of passing or failing", async () => {
        const preview = structuredClone(stacks.prod);
        preview.preview = true;
        appRole(preview).inputs.assumeRolePolicy = UNKNOWN_STRING_SENTINEL;
        const hits = await wiring(preview, "prod", [RULE]);
        assert.ok(
            hits.length === 1 &&
                hits[0].enforcementLevel === "advisory" &&
                /can't run policy 'wiring-external-secret-store'.*cannot decide: hangar-app-credentials-data-tier-credentials/.test(
                    hits[0].message,
                ),
            JSON.stringify(hits),
        );
    });

    it("is not applicable to a stack without ExternalSecrets", async () => {
        const none = structuredClone(stacks.prod);
        none.resources = none.resources.filter((r) => r.type !== EXTERNAL_SECRET && r.type !== STORE && r.type !== SERVICE_ACCOUNT);
        assert.deepStrictEqual(
            (await wiring(none, "prod", [RULE])).filter((v) => v.policy === RULE),
            [],
        );
    });
});
