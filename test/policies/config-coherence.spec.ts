/**
 * Two rules describe the same Gateway listeners in each policy config: `kubernetes-httproute-tls-gateway` (per
 * resource: which gateways and sectionNames a route may attach to, and their hostnames) and
 * `wiring-httproute-gateway` (per stack: the declared listeners with protocol and hostname). They are kept
 * separate because the first also runs where the second cannot decide (per resource, in preview); this test keeps
 * them from drifting apart in every environment's file, defaults included.
 */
import * as assert from "assert";
import { resolvePackConfig } from "../../tools/policy/pack-config";
import { policyConfig } from "../../tools/policy-check";

interface Listener {
    name: string;
    hostname?: string;
    protocol: string;
}
type Gateway = { namespace: string; name: string };
type TlsGateway = Gateway & { sectionNames: string[]; hostnames?: string[] };
type WiringGateway = Gateway & { listeners: Listener[] };

const key = (g: Gateway) => `${g.namespace}/${g.name}`;

/** Each gateway's HTTPS listeners as the per-resource rule's config states them. */
function fromWiring(gateways: WiringGateway[]) {
    return gateways
        .map((g) => {
            const https = g.listeners.filter((l) => l.protocol === "HTTPS");
            const hostnames = https.flatMap((l) => (l.hostname ? [l.hostname] : []));
            // A listener without a hostname serves any name: the per-resource rule then checks no hostname.
            const anyHost = https.some((l) => !l.hostname);
            return { gateway: key(g), sectionNames: https.map((l) => l.name).sort(), hostnames: anyHost ? [] : hostnames.sort() };
        })
        .sort((a, b) => a.gateway.localeCompare(b.gateway));
}

function fromTls(gateways: TlsGateway[]) {
    return gateways
        .map((g) => ({ gateway: key(g), sectionNames: [...g.sectionNames].sort(), hostnames: [...(g.hostnames ?? [])].sort() }))
        .sort((a, b) => a.gateway.localeCompare(b.gateway));
}

describe("the policy configs describe each Gateway once", () => {
    for (const env of ["prod", "staging", "ephemeral"]) {
        it(`policies/config/${env}.json: kubernetes-httproute-tls-gateway names exactly wiring-httproute-gateway's HTTPS listeners`, () => {
            const resolved = resolvePackConfig(policyConfig(env));
            const tls = resolved.get("kubernetes-httproute-tls-gateway")!.properties.gateways as TlsGateway[];
            const wiring = resolved.get("wiring-httproute-gateway")!.properties.gateways as WiringGateway[];
            assert.deepStrictEqual(fromTls(tls), fromWiring(wiring));
        });
    }

    it("would catch a listener renamed in one rule only", () => {
        const wiring: WiringGateway[] = [{ namespace: "gateway-system", name: "public", listeners: [{ name: "tls", protocol: "HTTPS" }] }];
        const tls: TlsGateway[] = [{ namespace: "gateway-system", name: "public", sectionNames: ["https"] }];
        assert.notDeepStrictEqual(fromTls(tls), fromWiring(wiring));
    });
});
