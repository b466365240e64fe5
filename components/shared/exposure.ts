/**
 * Public HTTP exposure, one way for every public backend (app services and
 * Grafana): a Gateway API HTTPRoute on the Gateway's HTTPS listener (the
 * certificate belongs to the Gateway, so no per-route issuer), or an Ingress
 * with `ingressClassName`, `spec.tls` and a cert-manager issuer.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface GatewayArgs {
    /** Namespace of the Gateway. @default "gateway-system" */
    namespace?: string;
    /** Name of the Gateway. @default "public" */
    name?: string;
    /** The HTTPS listener routes attach to (`sectionName`). @default "https" */
    listener?: string;
}

export interface IngressArgs {
    /** IngressClass of the cluster's controller; required for `ingress` exposure. */
    className?: string;
    /** cert-manager ClusterIssuer for the Ingress certificates. @default "letsencrypt-prod" */
    clusterIssuer?: string;
    /** Controller-specific annotations on every Ingress. @default {} */
    annotations?: Record<string, string>;
}

/** The defaults `GatewayArgs` and `IngressArgs` document; the stack-file profile must agree (tested). */
export const GATEWAY_DEFAULTS = { namespace: "gateway-system", name: "public", listener: "https" };
export const INGRESS_DEFAULTS = { clusterIssuer: "letsencrypt-prod" };

/**
 * The provider's readiness annotation (`pulumi.com/waitFor`, pulumi-kubernetes 4.18+ generic await: one
 * `condition=<Type>` or `jsonpath={…}=<value>` expression, or a JSON list of them that must all hold).
 * An HTTPRoute has no top-level conditions: the Gateway reports Accepted and ResolvedRefs per parent
 * (gateway-api v1 RouteParentStatus), so an unattached route or a missing backend fails `up`.
 */
export const PULUMI_WAIT_FOR = "pulumi.com/waitFor";
export const HTTP_ROUTE_WAIT_FOR = JSON.stringify([
    'jsonpath={.status.parents[0].conditions[?(@.type=="Accepted")].status}=True',
    'jsonpath={.status.parents[0].conditions[?(@.type=="ResolvedRefs")].status}=True',
]);

/** A resolved Gateway listener reference. */
export interface GatewayRef {
    namespace: string;
    name: string;
    /** The HTTPS listener (`sectionName`). */
    listener: string;
}

export function resolveGateway(gateway: GatewayArgs | undefined): GatewayRef {
    return {
        namespace: gateway?.namespace ?? GATEWAY_DEFAULTS.namespace,
        name: gateway?.name ?? GATEWAY_DEFAULTS.name,
        listener: gateway?.listener ?? GATEWAY_DEFAULTS.listener,
    };
}

/** The Service a route or Ingress sends traffic to. */
export interface ExposedBackend {
    /** Service name. */
    service: string;
    /** Service port number (HTTPRoute `backendRefs[].port`). */
    port: number;
    /** Service port name, used by the Ingress backend instead of the number when set. */
    portName?: string;
}

/**
 * The route's rules. With a `canaryService` the backendRefs carry the weights Argo Rollouts' Gateway API plugin
 * moves: stable 100, canary 0 at creation (the plugin sets `weight` on both refs:
 * rollouts-plugin-trafficrouter-gatewayapi README, "HTTPRoute").
 */
export function httpRouteSpec(hosts: string[], backend: ExposedBackend, gateway: GatewayRef, canaryService?: string) {
    const backendRefs = canaryService
        ? [
              { name: backend.service, port: backend.port, weight: 100 },
              { name: canaryService, port: backend.port, weight: 0 },
          ]
        : [{ name: backend.service, port: backend.port }];
    return {
        parentRefs: [
            {
                group: "gateway.networking.k8s.io",
                kind: "Gateway",
                namespace: gateway.namespace,
                name: gateway.name,
                sectionName: gateway.listener,
            },
        ],
        hostnames: hosts,
        rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs }],
    };
}

export function ingressSpec(hosts: string[], className: string, backend: ExposedBackend, tlsSecretName: string) {
    const port = backend.portName ? { name: backend.portName } : { number: backend.port };
    return {
        ingressClassName: className,
        tls: [{ hosts, secretName: tlsSecretName }],
        rules: hosts.map((host) => ({
            host,
            http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: backend.service, port } } }] },
        })),
    };
}

export interface HttpExposureArgs {
    /** `gateway` or `ingress`. */
    exposure: string;
    /** The public hostname, served over TLS only. */
    host: string;
    /** More hostnames the same route or Ingress serves (under the same listener or certificate). @default [] */
    extraHosts?: string[];
    /** Metadata of the HTTPRoute or Ingress. */
    metadata: { name: string; namespace: pulumi.Input<string>; labels: Record<string, string> };
    backend: ExposedBackend;
    /** Secret cert-manager writes the Ingress certificate to. */
    tlsSecretName: string;
    gateway?: GatewayArgs;
    ingress?: IngressArgs;
    /** Annotations of this Ingress on top of `ingress.annotations`. @default {} */
    annotations?: Record<string, string>;
    /** Who asks, for the error message (`AppService "api"`). */
    owner: string;
    /**
     * The canary Service of an Argo Rollout that splits traffic on this route: the route is created with
     * stable 100 / canary 0 and Pulumi ignores `spec.rules` afterwards, since the controller moves the weights
     * (see `ROUTE_RULES_IGNORED`). @default none
     */
    canaryService?: string;
    /** Apply `spec.rules` even with a canary: the second step of a rules change (README, "Progressive delivery"). @default false */
    applyRules?: boolean;
}

/**
 * The path Pulumi stops applying on a route whose weights a controller moves. `backendRefs` is an atomic list
 * under server-side apply (a CRD list without `x-kubernetes-list-type` is atomic: Kubernetes docs, "Server-Side Apply", Merge strategy), so any apply that sends the rules sets
 * the whole list, weights included, and resets a canary mid-rollout. With `ignoreChanges` the engine keeps the old
 * inputs (pulumi/pulumi step_generator.go, processIgnoreChanges) and the provider drops a field other managers own
 * from the apply (pulumi-kubernetes provider/pkg/await/await.go, handleSSAIgnoreFields).
 */
export const ROUTE_RULES_IGNORED = ["spec.rules"];

/** The HTTPRoute or Ingress, named `name`. */
export function exposeHttp(name: string, a: HttpExposureArgs, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    if (a.exposure === "gateway") {
        return new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "HTTPRoute",
                metadata: { ...a.metadata, annotations: { [PULUMI_WAIT_FOR]: HTTP_ROUTE_WAIT_FOR } },
                spec: httpRouteSpec([a.host, ...(a.extraHosts ?? [])], a.backend, resolveGateway(a.gateway), a.canaryService),
            },
            a.canaryService && !a.applyRules ? { ...opts, ignoreChanges: [...(opts.ignoreChanges ?? []), ...ROUTE_RULES_IGNORED] } : opts,
        );
    }
    const className = a.ingress?.className;
    if (!className) throw new pulumi.ResourceError(`${a.owner}: ingress exposure needs ingress.className`, opts.parent);
    return new k8s.networking.v1.Ingress(
        name,
        {
            metadata: {
                ...a.metadata,
                annotations: {
                    ...a.ingress?.annotations,
                    ...a.annotations,
                    "cert-manager.io/cluster-issuer": a.ingress?.clusterIssuer ?? INGRESS_DEFAULTS.clusterIssuer,
                },
            },
            spec: ingressSpec([a.host, ...(a.extraHosts ?? [])], className, a.backend, a.tlsSecretName),
        },
        opts,
    );
}
