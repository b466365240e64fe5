/**
 * TLS at the edge of the cluster: Ingress hosts covered by spec.tls, HTTPRoutes
 * attached only to the HTTPS listeners of configured Gateways, and no Service
 * exposed outside the cluster without TLS termination.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { certificateCovers, listenerCovers } from "../../values/hostname";
import { ObjectMeta } from "./pod-template";
import { ExemptionConfig, kubernetesRule, namespaceOf, oneOf, stringList, typeLabel } from "./shared";

const INGRESS_TYPES = [
    "kubernetes:networking.k8s.io/v1:Ingress",
    "kubernetes:networking.k8s.io/v1beta1:Ingress",
    "kubernetes:extensions/v1beta1:Ingress",
];

interface IngressSpec {
    ingressClassName?: string;
    defaultBackend?: unknown;
    backend?: unknown;
    rules?: { host?: string }[];
    tls?: { hosts?: string[]; secretName?: string }[];
}

const specOf = <T>(props: Record<string, unknown>) => (props.spec ?? {}) as T;

interface IngressTlsConfig extends ExemptionConfig {
    allowDefaultBackend: boolean;
}

export const ingressTlsHosts: ResourceValidationPolicy = kubernetesRule<IngressTlsConfig>({
    name: "kubernetes-ingress-tls-hosts",
    description: "Every host an Ingress serves must be listed under spec.tls[].hosts, so it is only served over HTTPS.",
    enforcementLevel: "mandatory",
    properties: {
        allowDefaultBackend: {
            type: "boolean",
            default: false,
            description: "Allow spec.defaultBackend, which serves hosts that spec.tls does not list.",
        },
    },
    types: INGRESS_TYPES,
    check: (props, config) => {
        const spec = specOf<IngressSpec>(props);
        const tlsHosts = (spec.tls ?? []).flatMap((t) => t.hosts ?? []);
        const messages: string[] = [];
        (spec.rules ?? []).forEach((rule, i) => {
            if (!rule.host) messages.push(`spec.rules[${i}] has no host: set spec.rules[${i}].host and list it under spec.tls[].hosts`);
            else if (!tlsHosts.some((h) => certificateCovers(h, rule.host as string)))
                messages.push(`host "${rule.host}" (spec.rules[${i}].host): list it under spec.tls[].hosts`);
        });
        if (!config.allowDefaultBackend && (spec.defaultBackend ?? spec.backend)) {
            messages.push(
                "spec.defaultBackend serves every host, with or without TLS: remove it and set spec.rules[].host for each host, listed under spec.tls[].hosts",
            );
        }
        return messages;
    },
});

interface IngressClassConfig extends ExemptionConfig {
    allowedClassNames: string[];
}

export const ingressClassName: ResourceValidationPolicy = kubernetesRule<IngressClassConfig>({
    name: "kubernetes-ingress-class-name",
    description:
        "Every Ingress must name its controller with spec.ingressClassName (not the deprecated kubernetes.io/ingress.class annotation).",
    enforcementLevel: "advisory",
    properties: {
        allowedClassNames: stringList("IngressClasses an Ingress may name; empty allows any."),
    },
    types: INGRESS_TYPES,
    check: (props, config) => {
        const className = specOf<IngressSpec>(props).ingressClassName;
        const allowed = config.allowedClassNames;
        if (!className) return [`set spec.ingressClassName${allowed.length ? ` to ${oneOf(allowed)}` : ""}`];
        if (allowed.length > 0 && !allowed.includes(className))
            return [`set spec.ingressClassName to ${oneOf(allowed)} (it is ${className})`];
        return [];
    },
});

interface GatewayEntry {
    namespace: string;
    name: string;
    sectionNames: string[];
    hostnames?: string[];
}

interface RouteConfig extends ExemptionConfig {
    gateways: GatewayEntry[];
}

interface ParentRef {
    group?: string;
    kind?: string;
    namespace?: string;
    name?: string;
    sectionName?: string;
}

const describeGateways = (gateways: GatewayEntry[]) =>
    oneOf(gateways.map((g) => `${g.namespace}/${g.name} sectionName ${oneOf(g.sectionNames)}`));

export const httpRouteTlsGateway: ResourceValidationPolicy = kubernetesRule<RouteConfig>({
    name: "kubernetes-httproute-tls-gateway",
    description:
        "HTTPRoutes may attach only to the HTTPS listeners of configured Gateways: every spec.parentRefs[] names a configured gateway and one of its sectionNames.",
    enforcementLevel: "mandatory",
    properties: {
        gateways: {
            type: "array",
            minItems: 1,
            description:
                "The TLS gateways routes may attach to, with the sectionNames of their HTTPS listeners and, optionally, those listeners' hostnames.",
            items: {
                type: "object",
                required: ["namespace", "name", "sectionNames"],
                additionalProperties: false,
                properties: {
                    namespace: { type: "string", minLength: 1 },
                    name: { type: "string", minLength: 1 },
                    sectionNames: { type: "array", minItems: 1, items: { type: "string", minLength: 1 } },
                    hostnames: { type: "array", items: { type: "string", minLength: 1 } },
                },
            },
            default: [{ namespace: "gateway-system", name: "public", sectionNames: ["https"] }],
        },
    },
    types: (type) => /^kubernetes:gateway\.networking\.k8s\.io\/v1(beta1)?:HTTPRoute$/.test(type),
    check: (props, config, args) => {
        const spec = specOf<{ parentRefs?: ParentRef[]; hostnames?: string[] }>(props);
        const refs = spec.parentRefs ?? [];
        const routeNamespace = namespaceOf(args);
        if (refs.length === 0) return [`set spec.parentRefs to ${describeGateways(config.gateways)}`];
        return refs.flatMap((ref, i) => {
            const at = `spec.parentRefs[${i}]`;
            const group = ref.group ?? "gateway.networking.k8s.io";
            const kind = ref.kind ?? "Gateway";
            if (group !== "gateway.networking.k8s.io" || kind !== "Gateway")
                return [`${at}: attach to ${describeGateways(config.gateways)} (it names a ${kind}${group ? ` of group ${group}` : ""})`];
            const namespace = ref.namespace ?? routeNamespace;
            const gateway = config.gateways.find((g) => g.namespace === namespace && g.name === ref.name);
            if (!gateway) return [`${at}: set namespace and name to ${describeGateways(config.gateways)} (it is ${namespace}/${ref.name})`];
            if (!ref.sectionName)
                return [`${at}: set sectionName to ${oneOf(gateway.sectionNames)}, the HTTPS listener of ${namespace}/${ref.name}`];
            if (!gateway.sectionNames.includes(ref.sectionName))
                return [`${at}: set sectionName to ${oneOf(gateway.sectionNames)} (it is ${ref.sectionName})`];
            const listenerHosts = gateway.hostnames ?? [];
            if (listenerHosts.length === 0) return [];
            return (spec.hostnames ?? [])
                .map((host, j) => ({ host, j }))
                .filter(({ host }) => !listenerHosts.some((l) => listenerCovers(l, host)))
                .map(
                    ({ host, j }) =>
                        `spec.hostnames[${j}]: set a hostname under ${oneOf(listenerHosts)}, the hostname of ${namespace}/${ref.name} (it is ${host})`,
                );
        });
    },
});

interface ServiceTlsConfig extends ExemptionConfig {
    tlsAnnotations: { key: string; value?: string }[];
}

export const serviceExternalTls: ResourceValidationPolicy = kubernetesRule<ServiceTlsConfig>({
    name: "kubernetes-service-external-tls",
    description:
        "Services of type LoadBalancer or NodePort must be annotated as terminating TLS; expose everything else through the TLS gateway or Ingress.",
    enforcementLevel: "mandatory",
    properties: {
        tlsAnnotations: {
            type: "array",
            description:
                "Annotations that mark a Service as terminating TLS; one must be present (with this value, when one is given; non-empty otherwise).",
            items: {
                type: "object",
                required: ["key"],
                additionalProperties: false,
                properties: { key: { type: "string", minLength: 1 }, value: { type: "string" } },
            },
            default: [{ key: "service.beta.kubernetes.io/aws-load-balancer-ssl-cert" }],
        },
    },
    types: ["kubernetes:core/v1:Service"],
    check: (props, config, args) => {
        const type = specOf<{ type?: string }>(props).type;
        if (type !== "LoadBalancer" && type !== "NodePort") return [];
        const annotations = ((props.metadata ?? {}) as ObjectMeta).annotations ?? {};
        const terminated = config.tlsAnnotations.some((a) =>
            a.value === undefined ? !!annotations[a.key] : annotations[a.key] === a.value,
        );
        if (terminated) return [];
        const wanted = oneOf(
            config.tlsAnnotations.map((a) => `metadata.annotations["${a.key}"]${a.value === undefined ? "" : `: "${a.value}"`}`),
        );
        return [
            `${typeLabel(args.type)} of type ${type}: set ${wanted || "a TLS annotation"} to terminate TLS, or set spec.type: ClusterIP and expose it through the TLS gateway`,
        ];
    },
});

export const tlsPolicies = [ingressTlsHosts, ingressClassName, httpRouteTlsGateway, serviceExternalTls];
