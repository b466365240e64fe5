/**
 * Wiring rules (issue 18) for HTTP exposure and DNS failover: HTTPRoutes on a declared HTTPS
 * listener with hostnames under it and backends that exist, Ingress backends and TLS hosts,
 * Route 53 health checks probing a host and path a route serves, and SECONDARY failover records
 * pointing at another region that holds the app's database.
 */
import * as assert from "assert";
import { Snapshot } from "../../tools/harness";
import { policyConfig } from "../../tools/policy-check";
import { certificateCovers, listenerCovers } from "../../policies/values/hostname";
import { elbRegion, failoverSecondaryRegion, healthCheckHostServed, probeProblem } from "../../policies/rules/wiring/dns";
import { pathMatches, Served } from "../../policies/rules/wiring/http-exposure";
import { httpRouteGateway, ingressBackends } from "../../policies/rules/wiring/routes";
import { UNKNOWN_STRING_SENTINEL } from "../../policies/rules/unknowns";
import { Any, first, Mutation, mutationTests, realStacks, SERVICE, wiring } from "./wiring-fixtures";

const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";
const RECORD = "aws:route53/record:Record";

const route = (s: Snapshot, name = "api") => first(s, ROUTE, name);
const spec = (r: { inputs: Record<string, unknown> }) => r.inputs.spec as Any;
const healthCheck = (s: Snapshot) => first(s, HEALTH_CHECK);
const record = (s: Snapshot, role: string) =>
    s.resources.find((r) => r.type === RECORD && (r.inputs as Any).failoverRoutingPolicies?.[0]?.type === role)!;

const MUTATIONS: Mutation[] = [
    [
        "a route's sectionName naming a listener the Gateway does not have",
        httpRouteGateway.name,
        (s) => {
            spec(route(s)).parentRefs[0].sectionName = "http";
            return route(s);
        },
        /HTTPRoute hangar\/api: spec.parentRefs\[0\] sectionName "http" is no listener of Gateway gateway-system\/public: set https/,
    ],
    [
        "a route on another Gateway",
        httpRouteGateway.name,
        (s) => {
            spec(route(s, "grafana")).parentRefs[0].name = "internal";
            return route(s, "grafana");
        },
        /HTTPRoute monitoring\/grafana: spec.parentRefs\[0\] names Gateway gateway-system\/internal, which the policy config does not declare/,
    ],
    [
        "a route hostname outside the listener's hostname",
        httpRouteGateway.name,
        (s) => {
            spec(route(s)).hostnames.push("api.example.com");
            return route(s);
        },
        /spec.hostnames\[2\] "api.example.com" does not fall under "\*.hangar.example.aero", the hostname of listener https/,
    ],
    [
        "a backend port changed to one the Service does not expose",
        httpRouteGateway.name,
        (s) => {
            spec(route(s)).rules[0].backendRefs[0].port = 8081;
            return route(s);
        },
        /HTTPRoute hangar\/api: spec.rules\[0\].backendRefs\[0\] names port 8081, which Service hangar\/api does not expose \(it has 8080, 9090\)/,
    ],
    [
        "Grafana's route naming the container port instead of the chart Service's port",
        httpRouteGateway.name,
        (s) => {
            spec(route(s, "grafana")).rules[0].backendRefs[0].port = 3000;
            return route(s, "grafana");
        },
        /names port 3000, which Service monitoring\/kube-prometheus-stack-grafana does not expose \(it has 80\)/,
    ],
    [
        "the backend Service renamed",
        httpRouteGateway.name,
        (s) => {
            (first(s, SERVICE, "api").inputs.metadata as Any).name = "api-v2";
            return route(s);
        },
        /spec.rules\[0\].backendRefs\[0\] names Service hangar\/api, which is no Service of the stack/,
    ],
    [
        "the health check probing the load balancer's hostname",
        healthCheckHostServed.name,
        (s) => {
            (healthCheck(s).inputs as Any).fqdn = "k8s-gateway-public-1a2b3c4d5e.elb.eu-west-1.amazonaws.com";
            return healthCheck(s);
        },
        /HealthCheck hangar-dr-primary: fqdn k8s-gateway-public-1a2b3c4d5e.elb.eu-west-1.amazonaws.com is no host an HTTPRoute or Ingress of the stack serves/,
    ],
    [
        "the regional host dropped from the route (the real-world outage)",
        healthCheckHostServed.name,
        (s) => {
            spec(route(s)).hostnames = ["api.hangar.example.aero"];
            return healthCheck(s);
        },
        /fqdn api-eu-west-1.hangar.example.aero is no host .* \(they serve (grafana.hangar.example.aero, )?api.hangar.example.aero\b/,
    ],
    [
        "the health check's path not served by the route",
        healthCheckHostServed.name,
        (s) => {
            spec(route(s)).rules[0].matches = [{ path: { type: "PathPrefix", value: "/mcp" } }];
            return healthCheck(s);
        },
        /resourcePath "\/healthz" is no path HTTPRoute hangar\/api serves for api-eu-west-1.hangar.example.aero/,
    ],
    [
        "the health check without SNI",
        healthCheckHostServed.name,
        (s) => {
            (healthCheck(s).inputs as Any).enableSni = false;
            return healthCheck(s);
        },
        /enableSni is not true/,
    ],
    [
        "the PRIMARY record no longer health-checked",
        failoverSecondaryRegion.name,
        (s) => {
            record(s, "PRIMARY").options.propertyDependencies.healthCheckId = [];
            return record(s, "SECONDARY");
        },
        /its PRIMARY hangar-dr-primary takes no healthCheckId from a HealthCheck of the stack/,
    ],
    [
        "the SECONDARY record pointing at the primary load balancer",
        failoverSecondaryRegion.name,
        (s) => {
            (record(s, "SECONDARY").inputs as Any).records = [...(record(s, "PRIMARY").inputs as Any).records];
            return record(s, "SECONDARY");
        },
        /points at k8s-gateway-public-1a2b3c4d5e.elb.eu-west-1.amazonaws.com, the PRIMARY's own target/,
    ],
    [
        "the SECONDARY record pointing at a region without the app's database",
        failoverSecondaryRegion.name,
        (s) => {
            (record(s, "SECONDARY").inputs as Any).records = ["k8s-gateway-public-0a1b2c.elb.us-east-1.amazonaws.com"];
            return record(s, "SECONDARY");
        },
        /is in us-east-1, where the stack keeps no database of the app \(RDS instances in eu-west-1, eu-central-1\)/,
    ],
    [
        "the SECONDARY record under another name than its PRIMARY",
        failoverSecondaryRegion.name,
        (s) => {
            (record(s, "SECONDARY").inputs as Any).name = "api2.hangar.example.aero";
            return record(s, "SECONDARY");
        },
        /no PRIMARY record of the stack has its zone, name and type \(Z0123456789ABCDEFGHIJ api2.hangar.example.aero CNAME\)/,
    ],
];

describe("wiring rules: HTTP exposure and DNS failover", () => {
    const stacks = realStacks();

    it("find the real stacks clean, and judge what each creates (prod: routes and failover; staging: an Ingress)", async () => {
        const names = [httpRouteGateway, ingressBackends, healthCheckHostServed, failoverSecondaryRegion].map((p) => p.name);
        for (const [stack, snapshot] of [
            ["prod", stacks.prod],
            ["staging", stacks.staging],
        ] as const) {
            const hits = (await wiring(snapshot, stack, names)).filter((v) => names.includes(v.policy));
            assert.deepStrictEqual(hits, [], stack);
        }
        assert.ok(stacks.prod.resources.some((r) => r.type === ROUTE) && stacks.prod.resources.some((r) => r.type === HEALTH_CHECK));
        assert.ok(stacks.staging.resources.some((r) => r.type === INGRESS));
    });

    mutationTests(stacks, MUTATIONS);

    describe("on staging's real Ingress", () => {
        const ingressHits = async (mutate: (ingress: Any) => void) => {
            const s = structuredClone(stacks.staging);
            const ingress = first(s, INGRESS, "api");
            mutate(ingress.inputs);
            const hits = (await wiring(s, "staging", [ingressBackends.name])).filter((v) => v.policy === ingressBackends.name);
            assert.ok(
                hits.every((v) => v.urn === ingress.urn && v.enforcementLevel === "mandatory"),
                JSON.stringify(hits),
            );
            return hits.map((v) => v.message);
        };
        const backend = (ingress: Any) => ingress.spec.rules[0].http.paths[0].backend.service;

        it("catch a backend port name the Service does not have", async () => {
            const messages = await ingressHits((i) => (backend(i).port = { name: "web" }));
            assert.match(
                messages.join("\n"),
                /Ingress hangar\/api: spec.rules\[0\].http.paths\[0\].backend names port name "web", which Service hangar\/api does not expose \(it has "http", "metrics"\)/,
            );
        });

        it("catch a backend port number, and a Service name, that do not exist", async () => {
            assert.match(
                (await ingressHits((i) => (backend(i).port = { number: 80 }))).join("\n"),
                /names port 80, which Service hangar\/api does not expose \(it has 8080, 9090\)/,
            );
            assert.match(
                (await ingressHits((i) => (backend(i).name = "api-old"))).join("\n"),
                /names Service hangar\/api-old, which is no Service of the stack/,
            );
        });

        it("catch a rule host no spec.tls entry covers", async () => {
            const messages = await ingressHits((i) => (i.spec.tls[0].hosts = ["*.hangar.example.aero"]));
            assert.match(messages.join("\n"), /spec.rules\[0\].host "api.staging.hangar.example.aero" is not under spec.tls\[\].hosts/);
        });
    });

    it("count a health check served by an Ingress whose TLS covers the host, not by one without TLS", async () => {
        const s = structuredClone(stacks.prod);
        const ingress = structuredClone(first(stacks.staging, INGRESS, "api"));
        ingress.urn = ingress.urn.replace("staging", "prod");
        spec(ingress).rules[0].host = "api-eu-west-1.hangar.example.aero";
        spec(ingress).tls[0].hosts = ["api-eu-west-1.hangar.example.aero"];
        s.resources = [...s.resources.filter((r) => r.type !== ROUTE), ingress];
        const rule = async () =>
            (await wiring(s, "prod", [healthCheckHostServed.name])).filter((v) => v.policy === healthCheckHostServed.name);
        assert.deepStrictEqual(await rule(), []);
        spec(ingress).tls = [];
        assert.match(
            (await rule()).map((v) => v.message).join("\n"),
            /fqdn api-eu-west-1.hangar.example.aero is no host .* serves over HTTPS/,
        );
    });

    it("cannot decide during preview when a failover record's target is unknown, instead of failing", async () => {
        const preview = structuredClone(stacks.prod);
        preview.preview = true;
        (record(preview, "SECONDARY").inputs as Any).records = UNKNOWN_STRING_SENTINEL;
        const hits = (await wiring(preview, "prod", [failoverSecondaryRegion.name])).filter(
            (v) => v.policy === failoverSecondaryRegion.name,
        );
        assert.ok(
            hits.length === 1 && hits[0].enforcementLevel === "advisory" && /can't run|cannot decide/.test(hits[0].message),
            JSON.stringify(hits),
        );
    });

    it("cannot decide during preview when a route's spec is unknown, instead of failing", async () => {
        const preview = structuredClone(stacks.prod);
        preview.preview = true;
        route(preview).inputs.spec = UNKNOWN_STRING_SENTINEL;
        const hits = (await wiring(preview, "prod")).filter((v) => [httpRouteGateway.name, healthCheckHostServed.name].includes(v.policy));
        assert.deepStrictEqual([...new Set(hits.map((v) => v.policy))].sort(), [healthCheckHostServed.name, httpRouteGateway.name]);
        assert.ok(
            hits.every((v) => v.enforcementLevel === "advisory" && /can't run|cannot decide/.test(v.message)),
            JSON.stringify(hits),
        );
    });

    it("declare the same Gateway listeners as kubernetes-httproute-tls-gateway, in every environment", () => {
        for (const env of ["prod", "staging", "ephemeral"]) {
            const config = policyConfig(env) as Any;
            const wired = (config[httpRouteGateway.name]?.gateways ?? []) as Any[];
            const tls = (config["kubernetes-httproute-tls-gateway"]?.gateways ?? [
                { namespace: "gateway-system", name: "public", sectionNames: ["https"] },
            ]) as Any[];
            const https = wired.map(
                (g) => `${g.namespace}/${g.name} ${g.listeners.filter((l: Any) => l.protocol === "HTTPS").map((l: Any) => l.name)}`,
            );
            assert.deepStrictEqual(
                https,
                tls.map((g) => `${g.namespace}/${g.name} ${g.sectionNames}`),
                env,
            );
        }
    });
});

describe("hostname and path matching of the route rules", () => {
    it("Gateway API: a `*.` listener covers any depth below its suffix, never the suffix itself", () => {
        assert.ok(listenerCovers("*.example.com", "test.example.com"));
        assert.ok(listenerCovers("*.example.com", "foo.test.example.com"));
        assert.ok(listenerCovers("*.example.com", "*.example.com"));
        assert.ok(listenerCovers("*.example.com", "*.test.example.com"));
        assert.ok(listenerCovers("*.Example.com", "API.example.COM"));
        assert.ok(!listenerCovers("*.example.com", "example.com"));
        assert.ok(!listenerCovers("*.example.com", "test.example.net"));
        assert.ok(!listenerCovers("*.example.com", "testexample.com"));
        // A route wider than an exact listener is only partly served (its other names are ignored).
        assert.ok(!listenerCovers("test.example.com", "*.example.com"));
        assert.ok(listenerCovers("test.example.com", "test.example.com"));
    });

    it("Ingress and certificates: a `*.` host covers exactly one label", () => {
        assert.ok(certificateCovers("*.foo.com", "bar.foo.com"));
        assert.ok(!certificateCovers("*.foo.com", "baz.bar.foo.com"));
        assert.ok(!certificateCovers("*.foo.com", "foo.com"));
    });

    it("paths: PathPrefix by whole elements, Exact, RegularExpression as a full match", () => {
        const prefix = (value: string) => ({ type: "PathPrefix", value });
        assert.ok(pathMatches(prefix("/"), "/healthz"));
        assert.ok(pathMatches(prefix("/abc"), "/abc") && pathMatches(prefix("/abc"), "/abc/") && pathMatches(prefix("/abc/"), "/abc/def"));
        assert.ok(!pathMatches(prefix("/abc"), "/abcd"));
        assert.ok(pathMatches({ type: "Exact", value: "/healthz" }, "/healthz"));
        assert.ok(!pathMatches({ type: "Exact", value: "/healthz" }, "/healthz/"));
        assert.ok(pathMatches({ type: "RegularExpression", value: "/health.*" }, "/healthz"));
        assert.ok(!pathMatches({ type: "RegularExpression", value: "/health" }, "/healthz"));
    });

    it("health checks: HTTPS with SNI on 443, enabled, to a served host and path", () => {
        const served: Served[] = [
            {
                what: "HTTPRoute hangar/api",
                hosts: ["api.example.aero"],
                covers: listenerCovers,
                paths: [{ type: "Exact", value: "/healthz" }],
                https: () => true,
            },
        ];
        const hc = { type: "HTTPS", fqdn: "api.example.aero.", resourcePath: "/healthz?full=1" };
        assert.strictEqual(probeProblem(hc, served), undefined);
        assert.match(probeProblem({ ...hc, disabled: true }, served)!, /always healthy/);
        assert.match(probeProblem({ ...hc, type: "HTTP" }, served)!, /type HTTP probes api.example.aero without TLS/);
        assert.match(probeProblem({ ...hc, type: "HTTPS_STR_MATCH" }, served)!, /enableSni is not true/);
        assert.strictEqual(probeProblem({ ...hc, type: "HTTPS_STR_MATCH", enableSni: true }, served), undefined);
        assert.match(probeProblem({ ...hc, port: 8443 }, served)!, /port 8443 is not 443/);
        assert.match(probeProblem({ ...hc, resourcePath: "/healthz/deep" }, served)!, /resourcePath "\/healthz\/deep" is no path/);
    });

    it("read the region of ALB and NLB DNS names, and none from other names", () => {
        assert.strictEqual(elbRegion("k8s-gateway-public-9f8e7d6c5b.elb.eu-central-1.amazonaws.com"), "eu-central-1");
        assert.strictEqual(elbRegion("my-alb-1234567890.us-west-2.elb.amazonaws.com."), "us-west-2");
        assert.strictEqual(elbRegion("api-eu-west-1.hangar.example.aero"), undefined);
    });
});
