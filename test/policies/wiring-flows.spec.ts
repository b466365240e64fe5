/**
 * Declared network flows (issue 18): the components' declarations (pure), the stack's
 * ConfigMap evaluated against its NetworkPolicies as the AWS VPC CNI enforces them and
 * against the data tier's security groups, the undeclared flows the policies allow, and
 * the check's flow matrix.
 */
import * as assert from "assert";
import { appTierFlows } from "../../components/app/flows";
import { dumpJobFlows } from "../../components/backups/flows";
import { monitoringFlows } from "../../components/monitoring/flows";
import { declaredFlows } from "../../components/platform/flows";
import { KUBE_DNS } from "../../components/shared/flows";
import { declaredFlowsAllowed, undeclaredFlows } from "../../policies/rules/wiring/declared-flows";
import { flowMatrix } from "../../policies/rules/wiring/flows/analysis";
import { addressIn } from "../../policies/rules/wiring/flows/model";
import { ingressRuleResource, inlineRules, securityGroupVerdict } from "../../policies/rules/wiring/flows/security-groups";
import { UNKNOWN_STRING_SENTINEL } from "../../policies/rules/unknowns";
import { flowLines, flowReport } from "../../tools/check-flows";
import { Snapshot } from "../../tools/harness";
import { policyConfig } from "../../tools/policy-check";
import { Any, first, Mutation, mutationTests, realStacks, wiring } from "./wiring-fixtures";

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const RULES = [declaredFlowsAllowed.name, undeclaredFlows.name];
const SUBNETS = ["10.40.0.0/19", "10.40.32.0/19"];

const declaration = (s: Snapshot) => first(s, CONFIG_MAP, "hangar-declared-flows");
const policy = (s: Snapshot, namespace: string, name: string) =>
    s.resources.find(
        (r) => r.type === NETWORK_POLICY && (r.inputs.metadata as Any).namespace === namespace && (r.inputs.metadata as Any).name === name,
    )!;
const group = (s: Snapshot, name: string) => s.resources.find((r) => r.type === SECURITY_GROUP && (r.inputs as Any).name === name)!;

describe("declared flows: the components' declarations", () => {
    it("the app tier declares DNS, the gateway to public services, scrapes, the data tier and opted-in 443", () => {
        const flows = appTierFlows({
            namespace: "hangar",
            services: [
                { name: "api", port: 8080, public: true, metrics: { port: 9090 } },
                { name: "workers", port: 8081, allowHttpsEgress: true },
            ],
            traffic: { namespace: "gateway-system" },
            dataEgress: [{ cidrs: SUBNETS, port: 5432 }],
            scraper: { namespace: "monitoring", podLabels: { app: "p" }, name: "monitoring/prometheus" },
        });
        const lines = flows.map((f) => `${f.from.name} → ${f.to.name} ${f.port}/${f.protocol}`);
        assert.deepStrictEqual(lines, [
            "hangar/* → kube-system/kube-dns 53/UDP",
            "hangar/* → kube-system/kube-dns 53/TCP",
            "gateway-system/gateway → hangar/api 8080/TCP",
            "monitoring/prometheus → hangar/api 9090/TCP",
            "hangar/api → postgres (writer, replicas) 5432/TCP",
            "hangar/workers → postgres (writer, replicas) 5432/TCP",
            "hangar/workers → internet (external APIs) 443/TCP",
        ]);
        assert.deepStrictEqual((flows[4].to as Any).cidrs, SUBNETS);
    });

    it("load-balancer ENIs replace the gateway namespace with trafficSource vpc", () => {
        const flows = appTierFlows({
            namespace: "a",
            services: [{ name: "api", port: 80, public: true }],
            traffic: { cidrs: ["10.0.0.0/16"] },
            dataEgress: [],
        });
        assert.deepStrictEqual(flows[2].from, { name: "load-balancer ENIs", cidrs: ["10.0.0.0/16"] });
    });

    it("monitoring declares each scrape, the API server both ways and the exporters' data flows; the dump job 5432 and 443", () => {
        const base = {
            release: "kube-prometheus-stack",
            appNamespace: "hangar",
            appMetricsPorts: [],
            nodeExporter: false,
            receiver: true,
            postgres: true,
            redis: false,
            login: false,
        };
        const flows = monitoringFlows("monitoring", {
            ...base,
            controlPlaneCidrs: ["10.9.0.0/24"],
            nodeCidrs: SUBNETS,
            dataCidrs: SUBNETS,
        });
        const named = (from: string, to: string, port: number) =>
            flows.some((f) => f.from.name === from && f.to.name === to && f.port === port);
        assert.ok(named("API server (control-plane ENIs)", "monitoring/prometheus-operator", 10250));
        assert.ok(named("monitoring/postgres-exporter", "postgres (writer, replicas)", 5432));
        assert.ok(named("monitoring/alertmanager", "internet (alert receiver)", 443));
        assert.ok(!flows.some((f) => f.to.name === "cache"), "no redis exporter, no cache flow");
        const dump = dumpJobFlows({ namespace: "hangar", databaseCidrs: SUBNETS });
        assert.deepStrictEqual(
            dump.map((f) => `${f.to.name} ${f.port}`),
            ["kube-system/kube-dns 53", "kube-system/kube-dns 53", "postgres (writer, replicas) 5432", "internet (S3, STS) 443"],
        );
        assert.deepStrictEqual(dump[0].to, KUBE_DNS);
    });

    it("the Platform's declaration lists a flow two components need once, naming both", () => {
        const d = declaredFlows({
            vpcId: "vpc-1",
            podCidrs: SUBNETS,
            app: { oidcProviderArn: "arn", services: [{ name: "api", image: "x:1", port: 8080 }] },
            appCidrs: { data: [] },
            dump: { namespace: "hangar", databaseCidrs: SUBNETS },
        });
        const dns = d.flows.filter((f) => f.to.name === "kube-system/kube-dns" && f.from.name === "hangar/*");
        assert.deepStrictEqual(
            dns.map((f) => f.component),
            ["AppTier, Backups", "AppTier, Backups"],
        );
        assert.deepStrictEqual(d.network, { plugin: "aws-vpc-cni", vpcId: "vpc-1", podCidrs: SUBNETS });
    });

    it("representative addresses lie in their block and outside its excepts", () => {
        assert.strictEqual(addressIn("10.40.0.0/19", 100), "10.40.0.100");
        assert.strictEqual(addressIn("0.0.0.0/0", 1, ["0.0.0.0/8"]), "1.0.0.1");
        assert.strictEqual(addressIn("10.0.0.0/30", 9), undefined);
    });
});

describe("declared flows: the model", () => {
    const web = { namespace: "app", podLabels: { app: "web" }, name: "app/web" };
    const dns = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" }, name: "kube-system/kube-dns" };
    const lb = { name: "load-balancer ENIs", cidrs: ["10.0.0.0/16"] };
    const inputs = {
        declaration: {
            network: { plugin: "aws-vpc-cni", vpcId: "vpc-1", podCidrs: ["10.0.0.0/24"] },
            flows: [
                { from: lb, to: web, port: 8080, protocol: "TCP" as const, why: "public", component: "t" },
                { from: web, to: dns, port: 53, protocol: "UDP" as const, why: "DNS", component: "t" },
            ],
        },
        pods: [{ workload: "Deployment web", namespace: "app", labels: { app: "web" }, ports: [{ name: "http", containerPort: 8080 }] }],
        policies: [
            { namespace: "app", name: "deny", spec: { podSelector: {}, policyTypes: ["Ingress" as const, "Egress" as const] } },
            {
                namespace: "app",
                name: "web",
                spec: {
                    podSelector: { matchLabels: { app: "web" } },
                    ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ port: 8080 }] }],
                },
            },
            {
                namespace: "app",
                name: "dns",
                spec: {
                    podSelector: {},
                    policyTypes: ["Egress" as const],
                    egress: [
                        {
                            to: [{ namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                            ports: [{ protocol: "UDP" as const, port: 53 }],
                        },
                    ],
                },
            },
        ],
        namespaces: { app: {} },
        stores: [],
    };

    it("trafficSource vpc: the VPC CIDR admits every pod of the VPC, which the matrix lists unless an allowance documents it", () => {
        const bare = flowMatrix(inputs, []);
        assert.ok(
            bare.declared.every((r) => r.networkPolicy === "allowed"),
            JSON.stringify(bare.declared),
        );
        assert.deepStrictEqual(
            bare.undeclared.map((u) => `${u.from} → ${u.to} ${u.port}/${u.protocol} ${u.policies.join(",")}`),
            ["kube-system/kube-dns → app/web 8080/TCP app/web"],
        );
        const documented = flowMatrix(inputs, [{ from: { kind: "pod" }, to: { declaring: "load-balancer ENIs" }, reason: "vpc mode" }]);
        assert.strictEqual(documented.undeclared[0].allowance, "vpc mode");
    });

    it("a declared pod endpoint of a stack namespace that selects no pod is reported, not skipped", () => {
        const stale = structuredClone(inputs);
        stale.declaration.flows[0].to = { ...web, podLabels: { app: "website" } };
        assert.match(
            flowMatrix(stale, []).declared[0].problem ?? "",
            /app\/web \(namespace app, labels \{"app":"website"\}\) selects no pod of the stack/,
        );
    });

    it("security groups admit by CIDR, protocol and port range, or by a referenced group (the nodes' group pods send from)", () => {
        const store = (rules: ReturnType<typeof inlineRules>) => ({
            urn: "s",
            name: "db",
            port: 5432,
            groups: [{ urn: "g", name: "g", vpcId: "vpc-1", rules }],
        });
        const cidr = inlineRules([{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.0.0.0/24"] }]);
        assert.ok(securityGroupVerdict([store(cidr)], 5432, ["10.0.0.100"]).admitted);
        assert.ok(!securityGroupVerdict([store(cidr)], 5432, ["10.0.1.100"]).admitted);
        assert.ok(!securityGroupVerdict([store(cidr)], 6379, ["10.0.0.100"]).admitted);
        assert.ok(
            securityGroupVerdict([store(inlineRules([{ protocol: "-1", securityGroups: ["sg-node"] }]))], 5432, ["192.168.0.1"]).admitted,
        );
        const separate = ingressRuleResource({ ipProtocol: "tcp", fromPort: 5000, toPort: 6000, cidrIpv4: "10.0.0.0/16" });
        assert.ok(securityGroupVerdict([store([separate])], 5432, ["10.0.3.4"]).admitted);
    });
});

describe("wiring rules: declared flows allowed, undeclared flows documented", () => {
    const stacks = realStacks();

    for (const stack of ["prod", "staging"] as const) {
        it(`${stack}: every declared flow is allowed and admitted, and no undeclared flow lacks a documented allowance`, async () => {
            const hits = (await wiring(stacks[stack], stack, RULES)).filter((v) => RULES.includes(v.policy));
            assert.deepStrictEqual(hits, []);
            const report = (await flowReport(stacks[stack], policyConfig(stack)))!;
            assert.ok(
                report.declared.length > 30 && report.declared.every((r) => r.networkPolicy === "allowed" && r.securityGroup !== "blocked"),
            );
            assert.ok(report.declared.filter((r) => r.securityGroup === "admitted").length >= 5, "the data flows are judged at the SGs");
            assert.deepStrictEqual(
                report.undeclared.filter((u) => !u.allowance),
                [],
            );
        });
    }

    it("the check's matrix prints each declared flow with both verdicts, and the undeclared ones with their allowance", async () => {
        const lines = flowLines(await flowReport(stacks.prod, policyConfig("prod")));
        assert.match(lines[0], /^from\s+to\s+port\s+NetworkPolicy\s+security group\s+declared by: why$/);
        assert.ok(
            lines.some((l) =>
                /^hangar\/api\s+postgres \(writer, replicas\)\s+5432\/TCP\s+allowed\s+admitted\s+AppTier: data tier \(DATABASE_READ_URL, replicas\)$/.test(
                    l,
                ),
            ),
        );
        assert.ok(lines.some((l) => /^hangar\/\*\s+kube-system\/kube-dns\s+53\/UDP\s+allowed\s+n\/a\s+AppTier, Backups: DNS$/.test(l)));
        assert.ok(lines.some((l) => /allowed connections no flow declares: 0 undocumented/.test(l)));
        assert.ok(lines.some((l) => /allowance \d+: hangar\/workers → .*443\/TCP \(hangar\/workers-egress\)/.test(l)));
    });

    const MUTATIONS: Mutation[] = [
        [
            "the API's egress rule to the database removed",
            declaredFlowsAllowed.name,
            (s) => {
                const p = policy(s, "hangar", "api-egress");
                (p.inputs.spec as Any).egress = (p.inputs.spec as Any).egress.filter((r: Any) => r.ports[0].port !== 5432);
                return declaration(s);
            },
            /declared flow hangar\/api → postgres \(writer, replicas\) 5432\/TCP \(AppTier: data tier \(DATABASE_READ_URL, replicas\)\) is denied on the egress side of hangar\/api: isolated by hangar\/default-deny, hangar\/allow-dns, hangar\/api-egress/,
        ],
        [
            "the app namespace's DNS egress removed",
            declaredFlowsAllowed.name,
            (s) => {
                (policy(s, "hangar", "allow-dns").inputs.spec as Any).egress = [];
                return declaration(s);
            },
            /declared flow hangar\/\* → kube-system\/kube-dns 53\/UDP .* denied on the egress side of hangar\/pg-dump/,
        ],
        [
            "the API's ingress policy opened to every peer and port",
            undeclaredFlows.name,
            (s) => {
                const p = policy(s, "hangar", "api-ingress");
                (p.inputs.spec as Any).ingress.push({});
                return p;
            },
            /gateway-system\/gateway → hangar\/api 9090\/TCP is allowed by hangar\/api-ingress but no flow declares it/,
        ],
        [
            "the database security group's CIDRs no longer holding the pods' subnet",
            declaredFlowsAllowed.name,
            (s) => {
                const g = group(s, "hangar-prod-postgres");
                (g.inputs as Any).ingress[0].cidrBlocks = ["10.40.64.0/19"];
                return g;
            },
            /declared flow hangar\/api → postgres .* 5432\/TCP .* is blocked at security group hangar-prod-postgres of hangar-db: no ingress rule admits TCP 5432 from 10\.40\.0\.\d+/,
        ],
    ];
    mutationTests(stacks, MUTATIONS);

    it("cannot decide during preview when the declaration is unknown, instead of failing", async () => {
        const preview = structuredClone(stacks.prod);
        preview.preview = true;
        (declaration(preview).inputs as Any).data["flows.json"] = UNKNOWN_STRING_SENTINEL;
        const hits = (await wiring(preview, "prod", RULES)).filter((v) => RULES.includes(v.policy));
        assert.strictEqual(hits.length, 2, JSON.stringify(hits));
        assert.ok(
            hits.every((v) => v.enforcementLevel === "advisory" && /can't run|cannot decide/.test(v.message)),
            JSON.stringify(hits),
        );
    });
});
