/**
 * HTTP exposure wiring (issue 18).
 *
 * wiring-httproute-gateway: every HTTPRoute attaches to a listener that exists and serves its
 * hostnames, and sends traffic to Service ports that exist. The Gateway is a cluster
 * prerequisite (components/platform/prerequisites.ts), not a resource of the stack, so its
 * listeners (name, hostname, protocol) are this rule's config, as the cluster declares them;
 * tools/policy-twins.ts compares them with the stack's `app.gateway`. Gateway API v1 semantics
 * (https://gateway-api.sigs.k8s.io/reference/spec/; doc comments of @kubernetes-models/gateway-api
 * 0.5.1): a parentRef's group defaults to gateway.networking.k8s.io, its kind to Gateway, its
 * namespace to the route's; `sectionName` is the listener name, and unset means every listener;
 * "If both the Listener and HTTPRoute have specified hostnames, any HTTPRoute hostnames that do
 * not match the Listener hostname MUST be ignored" (a route hostname wider than the listener's,
 * `*.example.com` on `test.example.com`, is only partly served: reported too); a backendRef's
 * group defaults to "" (core) and kind to Service, its namespace to the route's ("a ReferenceGrant
 * object is required in the referent namespace" otherwise), and "Port is required when the
 * referent is a Kubernetes Service … the service port number, not the target port". Backends of
 * other kinds are implementation-specific and not judged.
 *
 * wiring-ingress-backends: every Ingress backend names a Service of the stack in the Ingress's
 * namespace and a port it exposes (`port.number` a spec.ports[].port, `port.name` a
 * spec.ports[].name: networking.k8s.io/v1 ServiceBackendPort), and every rule host is covered
 * by spec.tls[].hosts (one-label wildcards, as certificates).
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { certificateCovers, listenerCovers } from "../../values/hostname";
import { configOf, ExemptionConfig, namespaceOf, oneOf, schemaWith } from "../kubernetes/shared";
import { readKnown, throwIfUndecided, UnknownValueErrorInstance } from "../unknowns";
import {
    Exposure,
    exposuresOf,
    HttpRouteSpec,
    INGRESS,
    IngressBackend,
    IngressSpec,
    isHttpRoute,
    isReferenceGrant,
    servicesOf,
    StackService,
} from "./http-exposure";

export interface Listener {
    name: string;
    /** Unset: the listener matches every hostname. */
    hostname?: string;
    protocol: string;
}

export interface DeclaredGateway {
    namespace: string;
    name: string;
    listeners: Listener[];
}

interface GatewayConfig extends ExemptionConfig {
    gateways: DeclaredGateway[];
}

const gatewaysSchema: PolicyConfigJSONSchema = {
    type: "array",
    description:
        "The Gateways of the cluster routes may attach to (cluster prerequisites, not created by the stack), with their listeners: name (the routes' sectionName), hostname (unset: any) and protocol.",
    items: {
        type: "object",
        required: ["namespace", "name", "listeners"],
        additionalProperties: false,
        properties: {
            namespace: { type: "string", minLength: 1 },
            name: { type: "string", minLength: 1 },
            listeners: {
                type: "array",
                minItems: 1,
                items: {
                    type: "object",
                    required: ["name", "protocol"],
                    additionalProperties: false,
                    properties: {
                        name: { type: "string", minLength: 1 },
                        hostname: { type: "string", minLength: 1 },
                        protocol: { type: "string", enum: ["HTTP", "HTTPS", "TLS", "TCP", "UDP"] },
                    },
                },
            },
        },
    },
    default: [{ namespace: "gateway-system", name: "public", listeners: [{ name: "https", protocol: "HTTPS" }] }],
};

const gatewaySchema = schemaWith({ gateways: gatewaysSchema });

const describe = (gateways: DeclaredGateway[]) =>
    oneOf(gateways.flatMap((g) => g.listeners.map((l) => `${g.namespace}/${g.name} sectionName ${l.name}`)));

/** Where a Service port is missing or the Service is unknown: the message, or undefined when it exists. */
function backendProblem(
    services: Map<string, StackService>,
    namespace: string,
    name: string | undefined,
    port: { number?: number; name?: string } | undefined,
): string | undefined {
    const service = services.get(`${namespace}/${name}`);
    if (!service) return `names Service ${namespace}/${name}, which is no Service of the stack`;
    if (port?.number === undefined && port?.name === undefined) return `names no port of Service ${namespace}/${name}`;
    const exposed = service.ports.some((p) => (port.name !== undefined ? p.name === port.name : p.port === port.number));
    if (exposed) return undefined;
    const what = port.name !== undefined ? `port name ${JSON.stringify(port.name)}` : `port ${port.number}`;
    const has = service.ports.map((p) => (port.name !== undefined ? JSON.stringify(p.name ?? null) : String(p.port))).join(", ");
    return `names ${what}, which Service ${namespace}/${name} does not expose (it has ${has || "none"})`;
}

/** Namespaces whose ReferenceGrants admit HTTPRoutes of `from` to Services (any name, or the named one). */
function grantsOf(resources: PolicyResource[], remember: (e: UnknownValueErrorInstance) => void) {
    const grants: { namespace: string; from: string[]; to: (string | undefined)[] }[] = [];
    for (const r of resources.filter((x) => isReferenceGrant(x.type))) {
        const read = readKnown(() => {
            const spec = (r.props.spec ?? {}) as {
                from?: { group?: string; kind?: string; namespace?: string }[];
                to?: { group?: string; kind?: string; name?: string }[];
            };
            return {
                namespace: namespaceOf(r),
                from: (spec.from ?? [])
                    .filter((f) => f.group === "gateway.networking.k8s.io" && f.kind === "HTTPRoute")
                    .map((f) => f.namespace ?? ""),
                to: (spec.to ?? []).filter((t) => (t.group ?? "") === "" && t.kind === "Service").map((t) => t.name),
            };
        });
        if (read.known) grants.push(read.value);
        else remember(read.error);
    }
    return (from: string, namespace: string, name: string | undefined) =>
        grants.some((g) => g.namespace === namespace && g.from.includes(from) && g.to.some((t) => t === undefined || t === name));
}

function parentProblems(route: Exposure<HttpRouteSpec>, gateways: DeclaredGateway[]): string[] {
    const refs = route.spec.parentRefs ?? [];
    if (refs.length === 0) return [`spec.parentRefs is empty: attach it to ${describe(gateways)}`];
    return refs.flatMap((ref, i) => {
        const at = `spec.parentRefs[${i}]`;
        const group = ref.group ?? "gateway.networking.k8s.io";
        const kind = ref.kind ?? "Gateway";
        if (group !== "gateway.networking.k8s.io" || kind !== "Gateway")
            return [`${at} names a ${kind} of group ${JSON.stringify(group)}, not a Gateway: attach it to ${describe(gateways)}`];
        const namespace = ref.namespace ?? route.namespace;
        const gateway = gateways.find((g) => g.namespace === namespace && g.name === ref.name);
        if (!gateway)
            return [`${at} names Gateway ${namespace}/${ref.name}, which the policy config does not declare: use ${describe(gateways)}`];
        const names = gateway.listeners.map((l) => l.name);
        if (!ref.sectionName)
            return [`${at} names no sectionName, so it attaches to every listener of ${namespace}/${ref.name}: set ${oneOf(names)}`];
        const listener = gateway.listeners.find((l) => l.name === ref.sectionName);
        if (!listener)
            return [
                `${at} sectionName ${JSON.stringify(ref.sectionName)} is no listener of Gateway ${namespace}/${ref.name}: set ${oneOf(names)}`,
            ];
        const problems: string[] = [];
        if (listener.protocol !== "HTTPS")
            problems.push(
                `${at} attaches to listener ${listener.name} of ${namespace}/${ref.name}, which speaks ${listener.protocol}, not HTTPS`,
            );
        if (listener.hostname)
            for (const [j, host] of (route.spec.hostnames ?? []).entries())
                if (!listenerCovers(listener.hostname, host))
                    problems.push(
                        `spec.hostnames[${j}] ${JSON.stringify(host)} does not fall under ${JSON.stringify(listener.hostname)}, the hostname of ` +
                            `listener ${listener.name} of ${namespace}/${ref.name} (${at}); the gateway ignores it`,
                    );
        return problems;
    });
}

export const httpRouteGateway: StackValidationPolicy = {
    name: "wiring-httproute-gateway",
    description:
        "Every HTTPRoute attaches (parentRefs, sectionName) to an HTTPS listener of a Gateway the policy config declares, its hostnames fall under that listener's hostname, and each backendRef names a Service of the stack and a port it exposes.",
    enforcementLevel: "mandatory",
    configSchema: gatewaySchema,
    validateStack: (args, reportViolation) => {
        const config = configOf<GatewayConfig>(gatewaySchema, args);
        if (!args.resources.some((r) => isHttpRoute(r.type))) args.notApplicable("the stack creates no HTTPRoute");
        let firstUnknown: UnknownValueErrorInstance | undefined;
        const remember = (err: UnknownValueErrorInstance) => (firstUnknown ??= err);
        const undecided: string[] = [];
        const services = servicesOf(args.resources, remember);
        const granted = grantsOf(args.resources, remember);
        const targetsUnknown = firstUnknown !== undefined;
        for (const route of exposuresOf<HttpRouteSpec>(args.resources, isHttpRoute, remember, undecided)) {
            if (config.exemptNamespaces.includes(route.namespace)) continue;
            const who = `HTTPRoute ${route.namespace}/${route.name}`;
            for (const problem of parentProblems(route, config.gateways)) reportViolation(`${who}: ${problem}`, route.resource.urn);
            for (const [i, rule] of (route.spec.rules ?? []).entries())
                for (const [j, ref] of (rule.backendRefs ?? []).entries()) {
                    if ((ref.group ?? "") !== "" || (ref.kind ?? "Service") !== "Service") continue;
                    const at = `spec.rules[${i}].backendRefs[${j}]`;
                    const namespace = ref.namespace ?? route.namespace;
                    if (namespace !== route.namespace && !granted(route.namespace, namespace, ref.name))
                        reportViolation(
                            `${who}: ${at} names Service ${namespace}/${ref.name} in another namespace, and no ReferenceGrant of the stack ` +
                                `in ${namespace} admits HTTPRoutes from ${route.namespace}`,
                            route.resource.urn,
                        );
                    const problem = backendProblem(services, namespace, ref.name, { number: ref.port });
                    if (problem && targetsUnknown && !services.has(`${namespace}/${ref.name}`)) undecided.push(`${who} ${at}`);
                    else if (problem) reportViolation(`${who}: ${at} ${problem}`, route.resource.urn);
                }
        }
        throwIfUndecided(firstUnknown, undecided, " (values unknown during preview)");
    },
};

const backendsOf = (spec: IngressSpec): [string, IngressBackend][] => [
    ...(spec.defaultBackend ? [["spec.defaultBackend", spec.defaultBackend] as [string, IngressBackend]] : []),
    ...(spec.rules ?? []).flatMap((rule, i) =>
        (rule.http?.paths ?? []).map((p, j) => [`spec.rules[${i}].http.paths[${j}].backend`, p.backend ?? {}] as [string, IngressBackend]),
    ),
];

export const ingressBackends: StackValidationPolicy = {
    name: "wiring-ingress-backends",
    description:
        "Every Ingress backend names a Service of the stack in its namespace and a port (number or name) that Service exposes, and every rule host is covered by spec.tls[].hosts.",
    enforcementLevel: "mandatory",
    configSchema: schemaWith(),
    validateStack: (args, reportViolation) => {
        const config = configOf<ExemptionConfig>(schemaWith(), args);
        if (!args.resources.some((r) => r.type === INGRESS)) args.notApplicable("the stack creates no Ingress");
        let firstUnknown: UnknownValueErrorInstance | undefined;
        const remember = (err: UnknownValueErrorInstance) => (firstUnknown ??= err);
        const undecided: string[] = [];
        const services = servicesOf(args.resources, remember);
        const targetsUnknown = firstUnknown !== undefined;
        for (const ingress of exposuresOf<IngressSpec>(args.resources, (t) => t === INGRESS, remember, undecided)) {
            if (config.exemptNamespaces.includes(ingress.namespace)) continue;
            const who = `Ingress ${ingress.namespace}/${ingress.name}`;
            for (const [at, backend] of backendsOf(ingress.spec)) {
                if (!backend.service) continue; // a `resource` backend (another API group's object) is not a Service
                const problem = backendProblem(services, ingress.namespace, backend.service.name, backend.service.port);
                if (problem && targetsUnknown && !services.has(`${ingress.namespace}/${backend.service.name}`))
                    undecided.push(`${who} ${at}`);
                else if (problem) reportViolation(`${who}: ${at} ${problem}`, ingress.resource.urn);
            }
            const tlsHosts = (ingress.spec.tls ?? []).flatMap((t) => t.hosts ?? []);
            for (const [i, rule] of (ingress.spec.rules ?? []).entries()) {
                if (!rule.host)
                    reportViolation(
                        `${who}: spec.rules[${i}] has no host, so it serves every host, TLS or not: set a host`,
                        ingress.resource.urn,
                    );
                else if (!tlsHosts.some((t) => certificateCovers(t, rule.host!)))
                    reportViolation(
                        `${who}: spec.rules[${i}].host ${JSON.stringify(rule.host)} is not under spec.tls[].hosts, so it is served without TLS`,
                        ingress.resource.urn,
                    );
            }
        }
        throwIfUndecided(firstUnknown, undecided, " (values unknown during preview)");
    },
};

export const routeWiringPolicies = [httpRouteGateway, ingressBackends];
