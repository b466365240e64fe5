import * as assert from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { main } from "../../automation/cli";
import { PreflightError, preview } from "../../automation";
import { verifyPrerequisites } from "../../automation/preflight";
import { kubeReader } from "../../automation/kube-reader";
import { clusterPrerequisites, Prerequisite } from "../../components/platform/prerequisites";
import { parseConfig, readStackConfig, toPlatformArgs } from "../../config";
import { FakeCli, REPO_ROOT } from "./harness";

// A fake Kubernetes API server on 127.0.0.1: each path answers with the object in `objects`, else 404.
// It only serves callers that present the kubeconfig's token.
type Objects = Record<string, object>;
const TOKEN = "preflight-fixture-token";
async function fakeApiServer(objects: Objects): Promise<{ url: string; paths: string[]; close: () => Promise<void> }> {
    const paths: string[] = [];
    const server = http.createServer((req, res) => {
        paths.push(req.url ?? "");
        if (req.headers.authorization !== `Bearer ${TOKEN}`) {
            res.writeHead(401).end('{"message":"Unauthorized"}');
            return;
        }
        const body = objects[req.url ?? ""];
        res.writeHead(body ? 200 : 404, { "Content-Type": "application/json" }).end(JSON.stringify(body ?? { kind: "Status", code: 404 }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    return { url: `http://127.0.0.1:${port}`, paths, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const kubeconfigFor = (server: string, context: string, user: object = { token: TOKEN }) =>
    stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "fake", cluster: { server } }],
        contexts: [{ name: context, context: { cluster: "fake", user: "u" } }],
        users: [{ name: "u", user }],
    });

function prerequisitesOf(stack: string): Prerequisite[] {
    const parsed = parseConfig(readStackConfig(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`)), stack);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    return clusterPrerequisites(toPlatformArgs(parsed.config, kubeconfigFor("http://127.0.0.1:1", "x")));
}

const established = { status: { conditions: [{ type: "Established", status: "True" }] } };
const crds = (...names: string[]) =>
    Object.fromEntries(names.map((n) => [`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${n}`, established]));
const listener = (extra: object = {}) => ({
    name: "https",
    protocol: "HTTPS",
    hostname: "*.hangar.example.aero",
    allowedRoutes: {
        namespaces: {
            from: "Selector",
            selector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["hangar", "monitoring"] }] },
        },
    },
    ...extra,
});
const gateway = (listeners: object[], programmed = "True") => ({
    "/apis/gateway.networking.k8s.io/v1/namespaces/gateway-system/gateways/public": {
        spec: { listeners },
        status: { conditions: [{ type: "Programmed", status: programmed }] },
    },
});
const storageClass = (volumeBindingMode: string) => ({ "/apis/storage.k8s.io/v1/storageclasses/gp3": { volumeBindingMode } });
const metricsApi = (status: string) => ({
    "/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io": {
        status: { conditions: [{ type: "Available", status, message: status === "True" ? "" : "failing or missing response" }] },
    },
});
/** A cluster with everything prod needs. */
const PROD_CLUSTER: Objects = {
    ...crds(
        "issuers.cert-manager.io",
        "certificates.cert-manager.io",
        "gateways.gateway.networking.k8s.io",
        "httproutes.gateway.networking.k8s.io",
    ),
    ...gateway([listener()]),
    ...storageClass("WaitForFirstConsumer"),
    ...metricsApi("True"),
};

async function findingsOf(stack: string, objects: Objects) {
    const api = await fakeApiServer(objects);
    try {
        const findings = await verifyPrerequisites(
            prerequisitesOf(stack),
            kubeReader(kubeconfigFor(api.url, "c"), "c"),
            Date.parse("2026-12-02T12:00:00Z"),
        );
        return Object.fromEntries(findings.map((f) => [f.id, f]));
    } finally {
        await api.close();
    }
}

describe("cluster prerequisites", () => {
    it("declares what each stack file needs of its cluster, once each, with how to install it", () => {
        const prod = prerequisitesOf("prod").map((p) => p.id);
        assert.deepStrictEqual(prod, [
            "crd:issuers.cert-manager.io",
            "crd:certificates.cert-manager.io",
            "storageClass:gp3",
            "crd:gateways.gateway.networking.k8s.io",
            "crd:httproutes.gateway.networking.k8s.io",
            "gateway:gateway-system/public/https",
            "apiService:v1beta1.metrics.k8s.io",
        ]);
        const gw = prerequisitesOf("prod").find((p) => p.requirement.kind === "gateway")!.requirement;
        assert.deepStrictEqual(gw.kind === "gateway" && gw.routeNamespaces, ["hangar", "monitoring"], "the app and Grafana both attach");
        const staging = prerequisitesOf("staging").map((p) => p.id);
        for (const id of ["ingressClass:traefik", "clusterIssuer:letsencrypt-prod", "crd:clusterissuers.cert-manager.io"])
            assert.ok(staging.includes(id), id);
        for (const p of [...prerequisitesOf("prod"), ...prerequisitesOf("staging")]) assert.ok(p.install.length > 20, p.id);
    });

    it("passes a cluster that has everything prod needs", async () => {
        const findings = await findingsOf("prod", PROD_CLUSTER);
        assert.deepStrictEqual(
            Object.values(findings).filter((f) => !f.ok),
            [],
        );
    });

    it("names every missing prerequisite of an empty cluster, and how to install it", async () => {
        const findings = Object.values(await findingsOf("prod", {}));
        assert.strictEqual(findings.filter((f) => f.ok).length, 0);
        const crd = findings.find((f) => f.id === "crd:certificates.cert-manager.io")!;
        assert.match(crd.problem!, /CustomResourceDefinition certificates.cert-manager.io does not exist/);
        assert.match(crd.install!, /install cert-manager .* or set monitoring.operatorWebhooks: off/);
        assert.match(
            findings.find((f) => f.id === "gateway:gateway-system/public/https")!.problem!,
            /Gateway gateway-system\/public does not exist/,
        );
        assert.match(findings.find((f) => f.id === "apiService:v1beta1.metrics.k8s.io")!.install!, /metrics-server/);
    });

    it("with an existing External Secrets Operator, requires its CRDs Established and serving external-secrets.io/v1", async () => {
        const doc = readStackConfig(path.join(REPO_ROOT, "Pulumi.staging.yaml")) as Record<string, unknown>;
        const parsed = parseConfig({ ...doc, "hangar:externalSecrets": { mode: "existing" } }, "staging");
        assert.ok(parsed.ok);
        const wanted = clusterPrerequisites(toPlatformArgs(parsed.config, kubeconfigFor("http://127.0.0.1:1", "x"))).filter((p) =>
            p.id.endsWith(".external-secrets.io"),
        );
        assert.deepStrictEqual(
            wanted.map((p) => p.id),
            ["crd:externalsecrets.external-secrets.io", "crd:secretstores.external-secrets.io"],
        );
        const crd = (served: string[]) => ({
            ...established,
            spec: { versions: ["v1beta1", "v1"].map((name) => ({ name, served: served.includes(name) })) },
        });
        const api = await fakeApiServer({
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/externalsecrets.external-secrets.io": crd(["v1beta1"]),
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/secretstores.external-secrets.io": crd(["v1beta1", "v1"]),
        });
        try {
            const findings = await verifyPrerequisites(wanted, kubeReader(kubeconfigFor(api.url, "c"), "c"));
            assert.deepStrictEqual(
                findings.filter((f) => !f.ok).map((f) => [f.id, f.problem]),
                [
                    [
                        "crd:externalsecrets.external-secrets.io",
                        "CustomResourceDefinition externalsecrets.external-secrets.io does not serve v1 (serves v1beta1)",
                    ],
                ],
            );
        } finally {
            await api.close();
        }
    });

    it("requires another stack's PriorityClasses where the stack uses them (foundation.kubernetes.priorityClassPrefix)", async () => {
        const doc = readStackConfig(path.join(REPO_ROOT, "Pulumi.staging.yaml")) as Record<string, Record<string, Record<string, unknown>>>;
        doc["hangar:foundation"].kubernetes.priorityClassPrefix = "hangar-staging";
        const parsed = parseConfig(doc, "pr-3");
        assert.ok(parsed.ok);
        const wanted = clusterPrerequisites(toPlatformArgs(parsed.config, kubeconfigFor("http://127.0.0.1:1", "x"))).filter(
            (p) => p.requirement.kind === "priorityClass",
        );
        assert.deepStrictEqual(
            wanted.map((p) => p.id),
            ["api", "monitoring", "workers", "batch"].map((t) => `priorityClass:hangar-staging-${t}`),
        );
        assert.deepStrictEqual(
            prerequisitesOf("staging").filter((p) => p.requirement.kind === "priorityClass"),
            [],
            "staging creates its own",
        );
        const classes = Object.fromEntries(
            ["api", "monitoring", "workers"].map((t) => [`/apis/scheduling.k8s.io/v1/priorityclasses/hangar-staging-${t}`, { value: 1 }]),
        );
        const api = await fakeApiServer(classes);
        try {
            const findings = await verifyPrerequisites(wanted, kubeReader(kubeconfigFor(api.url, "c"), "c"));
            assert.deepStrictEqual(
                findings.filter((f) => !f.ok).map((f) => f.id),
                ["priorityClass:hangar-staging-batch"],
            );
            assert.match(findings.find((f) => !f.ok)!.problem!, /PriorityClass hangar-staging-batch does not exist/);
        } finally {
            await api.close();
        }
    });

    it("refuses a Gateway whose listener is missing, not HTTPS, or does not admit Hangar's namespaces and hosts", async () => {
        const gwId = "gateway:gateway-system/public/https";
        const missing = await findingsOf("prod", { ...PROD_CLUSTER, ...gateway([listener({ name: "http" })]) });
        assert.match(missing[gwId].problem!, /has no listener "https" \(listeners: http\)/);
        const same = await findingsOf("prod", {
            ...PROD_CLUSTER,
            ...gateway([listener({ allowedRoutes: { namespaces: { from: "Same" } } })]),
        });
        assert.match(same[gwId].problem!, /does not admit routes from namespace hangar .*Same/);
        assert.match(same[gwId].problem!, /namespace monitoring/);
        const plain = await findingsOf("prod", {
            ...PROD_CLUSTER,
            ...gateway([listener({ protocol: "HTTP", hostname: "*.other.example" })], "False"),
        });
        assert.match(plain[gwId].problem!, /not Programmed/);
        assert.match(plain[gwId].problem!, /is HTTP, not HTTPS/);
        assert.match(plain[gwId].problem!, /serves \*\.other\.example, not api\.hangar\.example\.aero/);
        const all = await findingsOf("prod", {
            ...PROD_CLUSTER,
            ...gateway([listener({ allowedRoutes: { namespaces: { from: "All" } } })]),
        });
        assert.strictEqual(all[gwId].ok, true);
    });

    it("requires WaitForFirstConsumer where replicas spread across zones, and an Available metrics API", async () => {
        const findings = await findingsOf("prod", { ...PROD_CLUSTER, ...storageClass("Immediate"), ...metricsApi("False") });
        assert.match(findings["storageClass:gp3"].problem!, /binds volumes Immediate.*needs WaitForFirstConsumer/);
        assert.match(findings["apiService:v1beta1.metrics.k8s.io"].problem!, /not Available: failing or missing response/);
        const staging = await findingsOf("staging", storageClass("Immediate"));
        assert.strictEqual(staging["storageClass:gp3"].ok, true, "one replica: nothing to spread");
    });

    it("requires an Ingress controller that publishes load-balancer status, and a Ready ClusterIssuer", async () => {
        const ingress = (status: object) => ({
            "/apis/networking.k8s.io/v1/ingressclasses/traefik": {},
            "/apis/networking.k8s.io/v1/ingresses": {
                items: [
                    {
                        metadata: { namespace: "other", name: "web", creationTimestamp: "2026-12-01T00:00:00Z" },
                        spec: { ingressClassName: "traefik" },
                        status,
                    },
                ],
            },
            "/apis/cert-manager.io/v1/clusterissuers/letsencrypt-prod": { status: { conditions: [{ type: "Ready", status: "True" }] } },
        });
        const silent = await findingsOf("staging", ingress({ loadBalancer: {} }));
        assert.match(silent["ingressClass:traefik"].problem!, /publishes no load-balancer status \(Ingress other\/web has none\)/);
        const publishing = await findingsOf("staging", ingress({ loadBalancer: { ingress: [{ hostname: "lb.example" }] } }));
        assert.strictEqual(publishing["ingressClass:traefik"].ok, true);
        assert.strictEqual(publishing["clusterIssuer:letsencrypt-prod"].ok, true);
    });

    it("authenticates with an exec credential plugin, as EKS kubeconfigs do (aws eks get-token)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-exec-"));
        const plugin = path.join(dir, "get-token");
        const credential = { apiVersion: "client.authentication.k8s.io/v1beta1", kind: "ExecCredential", status: { token: TOKEN } };
        fs.writeFileSync(plugin, `#!/bin/sh\ncat <<'EOF'\n${JSON.stringify(credential)}\nEOF\n`, { mode: 0o755 });
        const api = await fakeApiServer(PROD_CLUSTER);
        try {
            const reader = kubeReader(kubeconfigFor(api.url, "c", { exec: { apiVersion: credential.apiVersion, command: plugin } }), "c");
            const findings = await verifyPrerequisites(prerequisitesOf("prod"), reader);
            assert.ok(
                findings.every((f) => f.ok),
                JSON.stringify(findings.filter((f) => !f.ok)),
            );
        } finally {
            await api.close();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("stops preview before the CLI runs, and hangar preflight exits 5 with the findings", async () => {
        const api = await fakeApiServer({});
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-preflight-"));
        const kubeconfig = path.join(dir, "kubeconfig");
        fs.writeFileSync(kubeconfig, kubeconfigFor(api.url, "hangar-prod"));
        const fake = new FakeCli();
        try {
            const options = fake.options({ preflight: true });
            options.envVars = { ...options.envVars, KUBECONFIG: kubeconfig };
            await assert.rejects(preview("prod", options), (err: unknown) => {
                assert.ok(err instanceof PreflightError);
                assert.strictEqual(err.code, "PREFLIGHT");
                assert.match(err.message, /lacks 7 prerequisite\(s\)/);
                return true;
            });
            assert.deepStrictEqual(fake.invocations(), [], "the CLI never ran");

            let out = "";
            const io = { stdout: (t: string) => (out += t), stderr: (t: string) => (out += t), env: {}, connection: options };
            assert.strictEqual(await main(["preflight", "prod"], io), 5);
            assert.match(
                out,
                /FAIL {2}crd:certificates.cert-manager.io: CustomResourceDefinition certificates.cert-manager.io does not exist/,
            );
        } finally {
            await api.close();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
