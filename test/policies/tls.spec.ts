import * as assert from "assert";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { httpRouteTlsGateway, ingressClassName, ingressTlsHosts, serviceExternalTls } from "../../policies/rules/kubernetes/tls";
import { compliantHttpRoute, compliantIngress, compliantNamespace, compliantService } from "./fixtures";
import { argsFor, assertHasViolation, assertNoViolations, assertNotApplicable, assertUnknown, createArgs, literal, mutated } from "./util";

interface IngressShape {
    spec: { ingressClassName?: string; tls?: { hosts?: string[] }[]; rules: { host?: string }[]; defaultBackend?: unknown };
    metadata: { annotations?: Record<string, string> };
}
interface RouteShape {
    metadata: { namespace?: string };
    spec: { parentRefs?: Record<string, string | undefined>[]; hostnames?: string[] };
}
interface ServiceShape {
    metadata: { annotations?: Record<string, string> };
    spec: { type?: string };
}

const ingress = (mutate: (i: IngressShape) => void) => mutated(compliantIngress(), (i) => mutate(i as unknown as IngressShape));
const route = (mutate: (r: RouteShape) => void) => mutated(compliantHttpRoute(), (r) => mutate(r as unknown as RouteShape));
const service = (mutate: (s: ServiceShape) => void) => mutated(compliantService(), (s) => mutate(s as unknown as ServiceShape));
const exact = (message: string) => new RegExp(`^${literal(message)}$`);

/** Assertions bound to one rule: `refuses(object, /message/, config?)`, `accepts(object, config?)`. */
function checks(rule: ResourceValidationPolicy) {
    return {
        refuses: (object: Record<string, unknown>, message: RegExp, config?: Record<string, unknown>) =>
            assertHasViolation(rule, argsFor(rule, object, { config }), message),
        accepts: (object: Record<string, unknown>, config?: Record<string, unknown>) =>
            assertNoViolations(rule, argsFor(rule, object, { config })),
    };
}

describe(ingressTlsHosts.name, () => {
    const rule = ingressTlsHosts;
    const { refuses, accepts } = checks(rule);

    it("is mandatory", () => assert.strictEqual(rule.enforcementLevel, "mandatory"));
    it("accepts an Ingress whose hosts are all under spec.tls (a wildcard covers one label)", () => accepts(compliantIngress()));

    it("refuses a host not listed under spec.tls", () =>
        refuses(
            ingress((i) => (i.spec.tls![0].hosts = ["*.wx.example.com"])),
            exact('host "api.example.com" (spec.rules[0].host): list it under spec.tls[].hosts'),
        ));

    it("refuses every host when spec.tls is missing", () =>
        refuses(
            ingress((i) => delete i.spec.tls),
            /host "metar\.wx\.example\.com" \(spec\.rules\[1\]\.host\)/,
        ));

    it("refuses a host two labels below a wildcard certificate", () =>
        refuses(
            ingress((i) => (i.spec.rules[1].host = "a.metar.wx.example.com")),
            /host "a\.metar\.wx\.example\.com"/,
        ));

    it("refuses a rule without a host", () =>
        refuses(
            ingress((i) => delete i.spec.rules[0].host),
            exact("spec.rules[0] has no host: set spec.rules[0].host and list it under spec.tls[].hosts"),
        ));

    it("refuses a defaultBackend unless allowDefaultBackend", async () => {
        const withDefault = ingress((i) => (i.spec.defaultBackend = { service: { name: "api", port: { number: 80 } } }));
        await refuses(withDefault, /^spec\.defaultBackend serves every host/);
        await accepts(withDefault, { allowDefaultBackend: true });
    });

    it("cannot decide when a host is unknown during preview", () =>
        assertUnknown(
            rule,
            argsFor(
                rule,
                ingress((i) => (i.spec.rules[0].host = "@unknown")),
            ),
            /spec\.rules\.0\.host can't be known/,
        ));

    it("skips exempt namespaces", () =>
        assertNotApplicable(
            rule,
            argsFor(
                rule,
                ingress((i) => delete i.spec.tls),
                { config: { exemptNamespaces: ["app"] } },
            ),
            /exempt/,
        ));
    it("is not applicable to other kinds", () => assertNotApplicable(rule, argsFor(rule, compliantService()), /only applies/));
});

describe(ingressClassName.name, () => {
    const rule = ingressClassName;
    const { refuses, accepts } = checks(rule);

    it("is advisory by default", () => assert.strictEqual(rule.enforcementLevel, "advisory"));
    it("accepts an Ingress with spec.ingressClassName", () => accepts(compliantIngress()));
    it("refuses an Ingress without spec.ingressClassName (even with the deprecated annotation)", () =>
        refuses(
            ingress((i) => {
                delete i.spec.ingressClassName;
                i.metadata.annotations = { "kubernetes.io/ingress.class": "nginx" };
            }),
            exact("set spec.ingressClassName"),
        ));
    it("refuses a class outside allowedClassNames", () =>
        refuses(compliantIngress(), exact("set spec.ingressClassName to alb or internal (it is nginx)"), {
            allowedClassNames: ["alb", "internal"],
        }));
    it("accepts a class in allowedClassNames", () => accepts(compliantIngress(), { allowedClassNames: ["nginx"] }));
    it("cannot decide when the class is unknown", () =>
        assertUnknown(
            rule,
            argsFor(
                rule,
                ingress((i) => (i.spec.ingressClassName = "@unknown")),
            ),
            /ingressClassName/,
        ));
});

describe(httpRouteTlsGateway.name, () => {
    const rule = httpRouteTlsGateway;
    const { refuses, accepts } = checks(rule);
    const ref = (r: RouteShape) => r.spec.parentRefs![0];

    it("is mandatory and defaults to gateway-system/public, listener https", () => {
        assert.strictEqual(rule.enforcementLevel, "mandatory");
        assert.deepStrictEqual(rule.configSchema?.properties.gateways.default, [
            { namespace: "gateway-system", name: "public", sectionNames: ["https"] },
        ]);
    });

    it("accepts a route on the configured HTTPS listener", () => accepts(compliantHttpRoute()));
    it("accepts a parentRef relying on the default group and kind", () =>
        accepts(
            route((r) => {
                delete ref(r).group;
                delete ref(r).kind;
            }),
        ));
    it("matches the CRD type at v1beta1 too", () =>
        assertNoViolations(rule, createArgs(rule, "kubernetes:gateway.networking.k8s.io/v1beta1:HTTPRoute", compliantHttpRoute())));

    it("refuses a parentRef without sectionName", () =>
        refuses(
            route((r) => delete ref(r).sectionName),
            exact("spec.parentRefs[0]: set sectionName to https, the HTTPS listener of gateway-system/public"),
        ));
    it("refuses a listener that is not configured (plain http)", () =>
        refuses(
            route((r) => (ref(r).sectionName = "http")),
            exact("spec.parentRefs[0]: set sectionName to https (it is http)"),
        ));
    it("refuses a gateway that is not configured", () =>
        refuses(
            route((r) => (ref(r).name = "internal")),
            exact("spec.parentRefs[0]: set namespace and name to gateway-system/public sectionName https (it is gateway-system/internal)"),
        ));
    it("takes the route's namespace when the parentRef has none", () =>
        refuses(
            route((r) => delete ref(r).namespace),
            /\(it is app\/public\)$/,
        ));
    it("refuses a parentRef that is not a Gateway", () =>
        refuses(
            route((r) => (r.spec.parentRefs![0] = { group: "", kind: "Service", name: "api" })),
            /^spec\.parentRefs\[0\]: attach to gateway-system\/public sectionName https \(it names a Service\)$/,
        ));
    it("checks every parentRef", () =>
        refuses(
            route((r) => r.spec.parentRefs!.push({ namespace: "gateway-system", name: "public" })),
            /^spec\.parentRefs\[1\]: set sectionName/,
        ));
    it("refuses a route without parentRefs", () =>
        refuses(
            route((r) => delete r.spec.parentRefs),
            exact("set spec.parentRefs to gateway-system/public sectionName https"),
        ));

    describe("with gateways from config", () => {
        const gateways = [{ namespace: "edge", name: "shared", sectionNames: ["https", "https-alt"], hostnames: ["*.example.com"] }];
        const onShared = (mutate: (r: RouteShape) => void = () => undefined) =>
            route((r) => {
                r.spec.parentRefs = [{ namespace: "edge", name: "shared", sectionName: "https-alt" }];
                mutate(r);
            });

        it("accepts any configured section of a configured gateway", () => accepts(onShared(), { gateways }));
        it("refuses the default gateway once config replaces it", () =>
            refuses(compliantHttpRoute(), /set namespace and name to edge\/shared/, { gateways }));
        it("refuses a route hostname outside the listener's hostname", () =>
            refuses(
                onShared((r) => (r.spec.hostnames = ["api.example.org"])),
                exact("spec.hostnames[0]: set a hostname under *.example.com, the hostname of edge/shared (it is api.example.org)"),
                { gateways },
            ));
    });

    it("cannot decide when a parentRef is unknown", () =>
        assertUnknown(
            rule,
            argsFor(
                rule,
                route((r) => (r.spec.parentRefs = "@unknown" as never)),
            ),
            /spec\.parentRefs can't be known/,
        ));
    it("skips exempt namespaces", () =>
        assertNotApplicable(
            rule,
            argsFor(
                rule,
                route((r) => delete ref(r).sectionName),
                { config: { exemptNamespaces: ["app"] } },
            ),
            /exempt/,
        ));
    it("is not applicable to other kinds", () => assertNotApplicable(rule, argsFor(rule, compliantIngress())));
});

describe(serviceExternalTls.name, () => {
    const rule = serviceExternalTls;
    const { refuses, accepts } = checks(rule);
    const sslCert = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert";

    it("is mandatory", () => assert.strictEqual(rule.enforcementLevel, "mandatory"));
    it("accepts a ClusterIP Service", () => accepts(compliantService()));
    it("accepts a Service without a type (ClusterIP)", () => accepts(service((s) => delete s.spec.type)));

    for (const type of ["LoadBalancer", "NodePort"]) {
        it(`refuses a ${type} Service without a TLS annotation`, () =>
            refuses(
                service((s) => (s.spec.type = type)),
                exact(
                    `core/v1 Service of type ${type}: set metadata.annotations["${sslCert}"] to terminate TLS, or set spec.type: ClusterIP and expose it through the TLS gateway`,
                ),
            ));
        it(`accepts a ${type} Service annotated as terminating TLS`, () =>
            accepts(
                service((s) => {
                    s.spec.type = type;
                    s.metadata.annotations = { [sslCert]: "arn:aws:acm:eu-west-1:123456789012:certificate/abc" };
                }),
            ));
    }

    it("refuses an empty certificate annotation", () =>
        refuses(
            service((s) => {
                s.spec.type = "LoadBalancer";
                s.metadata.annotations = { [sslCert]: "" };
            }),
            /set metadata\.annotations/,
        ));

    it("uses the annotations and values from config", async () => {
        const config = { tlsAnnotations: [{ key: "hangar.dev/tls-termination", value: "true" }] };
        const annotated = (value: string) =>
            service((s) => {
                s.spec.type = "LoadBalancer";
                s.metadata.annotations = { "hangar.dev/tls-termination": value };
            });
        await accepts(annotated("true"), config);
        await refuses(annotated("false"), /set metadata\.annotations\["hangar\.dev\/tls-termination"\]: "true"/, config);
    });

    it("cannot decide when the type is unknown", () =>
        assertUnknown(
            rule,
            argsFor(
                rule,
                service((s) => (s.spec.type = "@unknown")),
            ),
            /spec\.type can't be known/,
        ));
    it("skips exempt namespaces", () =>
        assertNotApplicable(
            rule,
            argsFor(
                rule,
                service((s) => (s.spec.type = "NodePort")),
                { config: { exemptNamespaces: ["app"] } },
            ),
            /exempt/,
        ));
    it("is not applicable to other kinds", () => assertNotApplicable(rule, argsFor(rule, compliantNamespace())));
});
