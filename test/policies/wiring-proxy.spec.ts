/**
 * RDS Proxy in front of the writer (issue 20): the app's DATABASE_URL targets the proxy and verifies it against
 * the Amazon Trust Services roots (the proxy's certificate is ACM's), the instance URLs against the RDS CAs; the
 * declared flows app → proxy and proxy → writer are judged against the proxy's and the database's security groups
 * (by CIDR, by group reference, and the proxy's egress); the proxy's CloudWatch alarms.
 */
import * as assert from "assert";
import { X509Certificate } from "crypto";
import { declaredFlowsAllowed, undeclaredFlows } from "../../policies/rules/wiring/declared-flows";
import { UNKNOWN_STRING_SENTINEL } from "../../policies/rules/unknowns";
import { reveal, Snapshot, SnapshotResource } from "../../tools/harness";
import { Any, first, Mutation, mutationTests, realStacks, wiring } from "./wiring-fixtures";

const RULES = [declaredFlowsAllowed.name, undeclaredFlows.name];
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const PROXY = "aws:rds/proxy:Proxy";
const group = (s: Snapshot, name: string) => s.resources.find((r) => r.type === SECURITY_GROUP && (r.inputs as Any).name === name)!;
const byType = (s: Snapshot, type: string) => s.resources.filter((r) => r.type === type);
/** The app's URLs: External Secrets Operator's templates (the password filled in at run time). */
const urls = (s: Snapshot) =>
    (reveal(first(s, "kubernetes:external-secrets.io/v1:ExternalSecret", "data-tier-credentials").inputs.spec) as Any).target.template
        .data as Record<string, string>;
const bundle = (s: Snapshot, file: string) =>
    (first(s, "kubernetes:core/v1:ConfigMap", "app-ca-bundles").inputs.data as Any)[file] as string;
/** The self-signed certificates of a PEM bundle. */
const roots = (pem: string) =>
    (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [])
        .map((c) => new X509Certificate(c))
        .filter((c) => c.subject === c.issuer);

/**
 * Amazon Root CA 1, SHA-256 fingerprint as the Amazon Trust Services repository publishes it
 * (https://www.amazontrust.com/repository/): the root ACM's certificates, and so RDS Proxy's, chain to.
 */
const AMAZON_ROOT_CA_1 = "8E:CD:E6:88:4F:3D:87:B1:12:5B:A3:1A:C3:FC:B1:3D:70:16:DE:7F:57:CC:90:4F:E1:CB:97:C6:AE:98:19:6E";

describe("RDS Proxy: the app's URLs and the CA each host needs", () => {
    const stacks = realStacks();

    it("prod: DATABASE_URL targets the proxy and names the Amazon roots; the replica and writer URLs name the RDS CAs", () => {
        const u = urls(stacks.prod);
        const proxy = first(stacks.prod, PROXY);
        assert.strictEqual(proxy.inputs.requireTls, true);
        assert.match(u.DATABASE_URL, /@hangar-prod\.proxy-[a-z0-9]+\.eu-west-1\.rds\.amazonaws\.com:5432\//);
        assert.match(u.DATABASE_URL, /sslmode=verify-full&sslrootcert=\/opt\/hangar-ca\/rds-proxy-ca-bundle\.pem$/);
        assert.match(
            u.DATABASE_READ_URL,
            /@hangar-prod-replica-1\.[a-z0-9]+\.eu-west-1\.rds\.amazonaws\.com:5432\/.*sslrootcert=\/opt\/hangar-ca\/rds-ca-bundle\.pem$/,
        );
        assert.match(
            u.DATABASE_WRITER_URL,
            /@hangar-prod\.[a-z0-9]+\.eu-west-1\.rds\.amazonaws\.com:5432\/.*sslrootcert=\/opt\/hangar-ca\/rds-ca-bundle\.pem$/,
        );
    });

    it("staging (proxy off): DATABASE_URL is the writer's, verified against the RDS CAs; no proxy is created", () => {
        const u = urls(stacks.staging);
        assert.strictEqual(byType(stacks.staging, PROXY).length, 0);
        assert.strictEqual(u.DATABASE_URL, u.DATABASE_WRITER_URL);
        assert.match(u.DATABASE_URL, /sslrootcert=\/opt\/hangar-ca\/rds-ca-bundle\.pem$/);
    });

    it("the proxy's bundle holds Amazon Root CA 1 (and no RDS CA); the instances' bundle holds the writer's RDS root", () => {
        const proxyRoots = roots(bundle(stacks.prod, "rds-proxy-ca-bundle.pem"));
        assert.ok(
            proxyRoots.some((c) => c.fingerprint256 === AMAZON_ROOT_CA_1 && /CN=Amazon Root CA 1/.test(c.subject)),
            "Amazon Root CA 1 in the proxy bundle",
        );
        assert.ok(!proxyRoots.some((c) => /OU=Amazon RDS/.test(c.subject)), "no RDS CA in the proxy bundle");
        // The writer's caCertIdentifier rds-ca-rsa2048-g1 is "Amazon RDS <region> Root CA RSA2048 G1"
        // (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html).
        const writer = stacks.prod.resources.find((r) => r.type === "aws:rds/instance:Instance" && r.inputs.identifier === "hangar-prod")!;
        assert.strictEqual(writer.inputs.caCertIdentifier, "rds-ca-rsa2048-g1");
        assert.ok(
            roots(bundle(stacks.prod, "rds-ca-bundle.pem")).some((c) => /CN=Amazon RDS eu-west-1 Root CA RSA2048 G1/.test(c.subject)),
        );
    });

    it("the proxy pools for the writer with prod's database.proxy settings", () => {
        const proxy = first(stacks.prod, PROXY).inputs as Any;
        assert.deepStrictEqual([proxy.engineFamily, proxy.idleClientTimeout, proxy.auths[0].iamAuth], ["POSTGRESQL", 1800, "DISABLED"]);
        const pool = first(stacks.prod, "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup").inputs as Any;
        assert.deepStrictEqual(pool.connectionPoolConfig, {
            maxConnectionsPercent: 90,
            maxIdleConnectionsPercent: 50,
            connectionBorrowTimeout: 120,
        });
        assert.strictEqual((first(stacks.prod, "aws:rds/proxyTarget:ProxyTarget").inputs as Any).dbInstanceIdentifier, "hangar-prod");
    });

    it("the proxy's role reads only the master secret and decrypts only through Secrets Manager", () => {
        const role = byType(stacks.prod, "aws:iam/rolePolicy:RolePolicy").find((r) => r.name === "hangar-db-proxy")!;
        const statements = (JSON.parse(String(role.inputs.policy)) as Any).Statement as Any[];
        assert.deepStrictEqual(
            statements.map((st) => [st.Action, st.Condition ?? null]),
            [
                ["secretsmanager:GetSecretValue", null],
                ["kms:Decrypt", { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } }],
            ],
        );
        assert.ok(statements.every((st) => st.Resource !== "*"));
    });

    it("alarms on the proxy's client connections and borrow latency (AWS/RDS, ProxyName)", () => {
        const alarms = byType(stacks.prod, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((r) => (r.inputs.dimensions as Any)?.ProxyName);
        assert.deepStrictEqual(
            alarms.map((a) => [a.inputs.metricName, a.inputs.namespace, (a.inputs.dimensions as Any).ProxyName]).sort(),
            [
                ["ClientConnections", "AWS/RDS", "hangar-prod"],
                ["DatabaseConnectionsBorrowLatency", "AWS/RDS", "hangar-prod"],
            ],
        );
    });
});

describe("wiring rules: the proxy path", () => {
    const stacks = realStacks();

    for (const stack of ["prod", "staging"] as const) {
        it(`${stack}: the flow rules are clean`, async () => {
            assert.deepStrictEqual(
                (await wiring(stacks[stack], stack, RULES)).filter((v) => RULES.includes(v.policy)),
                [],
            );
        });
    }

    it("prod declares app → proxy and proxy → writer", () => {
        const text = String((first(stacks.prod, "kubernetes:core/v1:ConfigMap", "hangar-declared-flows").inputs.data as Any)["flows.json"]);
        const flows = (JSON.parse(text) as Any).flows as Any[];
        const line = (f: Any) => `${f.from.name} → ${f.to.name} ${f.port} ${f.to.store ?? ""}`;
        assert.ok(flows.map(line).includes("hangar/api → postgres proxy 5432 postgres-proxy"));
        assert.ok(flows.map(line).includes("postgres proxy → postgres (writer, replicas) 5432 postgres"));
        assert.ok(flows.map(line).includes("postgres proxy → internet (Secrets Manager) 443 "));
    });

    const MUTATIONS: Mutation[] = [
        [
            "the proxy's group admits no subnet",
            declaredFlowsAllowed.name,
            (s) => {
                const g = group(s, "hangar-prod-postgres-proxy");
                (g.inputs.ingress as Any[])[0].cidrBlocks = [];
                return g;
            },
            /declared flow hangar\/api → postgres proxy 5432\/TCP .* is blocked at security group hangar-prod-postgres-proxy of hangar-db-proxy: no ingress rule admits TCP 5432/,
        ],
        [
            "the proxy's egress rule to the database removed",
            declaredFlowsAllowed.name,
            (s) => {
                s.resources = s.resources.filter((r) => !(r.type === EGRESS_RULE && r.name === "hangar-db-proxy-to-db"));
                return group(s, "hangar-prod-postgres-proxy");
            },
            /declared flow postgres proxy → postgres \(writer, replicas\) 5432\/TCP .* is blocked at security group hangar-prod-postgres-proxy of hangar-db-proxy: no egress rule lets TCP 5432 out/,
        ],
        [
            "the proxy's egress to Secrets Manager removed (its target would never become available)",
            declaredFlowsAllowed.name,
            (s) => {
                s.resources = s.resources.filter((r) => !(r.type === EGRESS_RULE && r.name === "hangar-db-proxy-to-secrets"));
                return group(s, "hangar-prod-postgres-proxy");
            },
            /declared flow postgres proxy → internet \(Secrets Manager\) 443\/TCP .* is blocked at security group hangar-prod-postgres-proxy of hangar-db-proxy: no egress rule lets TCP 443 out/,
        ],
        [
            "the database admits only the proxy's group: a reference to a stack group does not admit the pods",
            declaredFlowsAllowed.name,
            (s) => {
                const g = group(s, "hangar-prod-postgres");
                (g.inputs.ingress as Any[])[0].cidrBlocks = [];
                return g;
            },
            /declared flow monitoring\/postgres-exporter → postgres \(writer, replicas\) 5432\/TCP .* is blocked at security group hangar-prod-postgres of hangar-db/,
        ],
        [
            "the proxy gone while the app still declares its flow",
            declaredFlowsAllowed.name,
            (s) => {
                s.resources = s.resources.filter((r) => r.type !== PROXY);
                return first(s, "kubernetes:core/v1:ConfigMap", "hangar-declared-flows");
            },
            /declared flow hangar\/api → postgres proxy 5432\/TCP .*: the stack has no postgres-proxy store in VPC/,
        ],
    ];
    mutationTests(stacks, MUTATIONS);

    it("the database admitting only the proxy's group still admits the proxy (by reference), not the pods", async () => {
        const s = structuredClone(stacks.prod);
        (group(s, "hangar-prod-postgres").inputs.ingress as Any[])[0].cidrBlocks = [];
        const messages = (await wiring(s, "prod", [declaredFlowsAllowed.name]))
            .filter((v) => v.policy === declaredFlowsAllowed.name)
            .map((v) => v.message);
        assert.ok(messages.length > 0);
        assert.ok(!messages.some((m) => /declared flow postgres proxy →/.test(m)), messages.join("\n"));
    });

    it("decides during preview, where the groups' IDs are unknown, and stays undecided on an unknown CIDR", async () => {
        const preview = structuredClone(stacks.prod);
        preview.preview = true;
        const db = group(preview, "hangar-prod-postgres");
        (db.inputs.ingress as Any[])[1].securityGroups = [UNKNOWN_STRING_SENTINEL];
        for (const egress of byType(preview, EGRESS_RULE) as SnapshotResource[]) {
            egress.inputs.securityGroupId = UNKNOWN_STRING_SENTINEL;
            if (egress.inputs.referencedSecurityGroupId) egress.inputs.referencedSecurityGroupId = UNKNOWN_STRING_SENTINEL;
        }
        const proxy = first(preview, PROXY);
        (proxy.inputs as Any).vpcSecurityGroupIds = [UNKNOWN_STRING_SENTINEL];
        assert.deepStrictEqual(
            (await wiring(preview, "prod", RULES)).filter((v) => RULES.includes(v.policy)),
            [],
        );

        (db.inputs.ingress as Any[])[0].cidrBlocks = [UNKNOWN_STRING_SENTINEL];
        const hits = (await wiring(preview, "prod", RULES)).filter((v) => RULES.includes(v.policy));
        assert.ok(hits.length > 0 && hits.every((v) => /cannot decide: SecurityGroup hangar-db-sg/.test(v.message)), JSON.stringify(hits));
    });
});
