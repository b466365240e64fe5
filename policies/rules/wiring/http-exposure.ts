/**
 * What the stack exposes over HTTP, read once for the route and DNS wiring rules: the
 * Services (with their ports), the Gateway API HTTPRoutes and the Ingresses, and what
 * host and path each of them serves.
 *
 * Matching semantics, with their sources:
 * - Gateway API v1 (https://gateway-api.sigs.k8s.io/reference/spec/, quoted from the doc
 *   comments of @kubernetes-models/gateway-api 0.5.1, gateway.networking.k8s.io/v1/HTTPRoute.d.ts):
 *   "Hostnames that are prefixed with a wildcard label (`*.`) are interpreted as a suffix match.
 *   That means that a match for `*.example.com` would match both `test.example.com`, and
 *   `foo.test.example.com`, but not `example.com`" (HTTPRoute.spec.hostnames, Listener.hostname);
 *   PathPrefix "matches full path elements … a trailing `/` is ignored … `/abc`, `/abc/`, and
 *   `/abc/def` would all match the prefix `/abc`, but the path `/abcd` would not"; "If no matches
 *   are specified, the default is a prefix path match on "/""; a match without `path` has "a
 *   default prefix match on the "/" path"; "the precedence of RegularExpression path matches are
 *   implementation-specific" (read here as a full match of an RE2-like expression).
 * - Ingress (https://kubernetes.io/docs/concepts/services-networking/ingress/#hostname-wildcards):
 *   `*.foo.com` matches `bar.foo.com` but not `baz.bar.foo.com` (one label, as a certificate);
 *   path types Exact and Prefix (element-wise, as PathPrefix); ImplementationSpecific is up to the
 *   IngressClass, read here as Prefix.
 */
import { PolicyResource } from "@pulumi/policy";
import { certificateCovers, listenerCovers } from "../../values/hostname";
import { ObjectMeta } from "../kubernetes/pod-template";
import { namespaceOf } from "../kubernetes/shared";
import { plain, readKnown, UnknownValueErrorInstance } from "../unknowns";

export const SERVICE = "kubernetes:core/v1:Service";
export const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
export const isHttpRoute = (type: string) => /^kubernetes:gateway\.networking\.k8s\.io\/v1(beta1)?:HTTPRoute$/.test(type);
export const isReferenceGrant = (type: string) => /^kubernetes:gateway\.networking\.k8s\.io\/v1(beta1|alpha2)?:ReferenceGrant$/.test(type);

export type Remember = (err: UnknownValueErrorInstance) => void;

export interface StackService {
    namespace: string;
    name: string;
    ports: { name?: string; port?: number }[];
}

/** The stack's Services (chart-rendered ones included), by `namespace/name`. */
export function servicesOf(resources: PolicyResource[], remember: Remember): Map<string, StackService> {
    const out = new Map<string, StackService>();
    for (const r of resources.filter((x) => x.type === SERVICE)) {
        const read = readKnown(() => {
            const metadata = (r.props.metadata ?? {}) as ObjectMeta;
            const spec = (r.props.spec ?? {}) as { ports?: { name?: string; port?: number }[] };
            return {
                namespace: namespaceOf(r),
                name: metadata.name ?? r.name,
                ports: (spec.ports ?? []).map((p) => ({ name: p.name, port: p.port })),
            };
        });
        if (read.known) out.set(`${read.value.namespace}/${read.value.name}`, read.value);
        else remember(read.error);
    }
    return out;
}

export interface PathMatch {
    type: string;
    value: string;
}

export interface HttpRouteSpec {
    parentRefs?: { group?: string; kind?: string; namespace?: string; name?: string; sectionName?: string }[];
    hostnames?: string[];
    rules?: {
        matches?: { path?: Partial<PathMatch>; headers?: unknown[]; queryParams?: unknown[]; method?: string }[];
        backendRefs?: { group?: string; kind?: string; namespace?: string; name?: string; port?: number }[];
    }[];
}

export interface IngressBackend {
    service?: { name?: string; port?: { number?: number; name?: string } };
    resource?: unknown;
}

export interface IngressSpec {
    defaultBackend?: IngressBackend;
    rules?: { host?: string; http?: { paths?: { path?: string; pathType?: string; backend?: IngressBackend }[] } }[];
    tls?: { hosts?: string[] }[];
}

/** A route or Ingress read from the stack: where it lives and its spec as plain data. */
export interface Exposure<S> {
    resource: PolicyResource;
    namespace: string;
    name: string;
    spec: S;
}

export function exposuresOf<S>(resources: PolicyResource[], is: (type: string) => boolean, remember: Remember, undecided: string[]) {
    const out: Exposure<S>[] = [];
    for (const r of resources.filter((x) => is(x.type))) {
        const read = readKnown(() => ({
            resource: r,
            namespace: namespaceOf(r),
            name: ((r.props.metadata ?? {}) as ObjectMeta).name ?? r.name,
            spec: plain((r.props.spec ?? {}) as S),
        }));
        if (read.known) out.push(read.value);
        else {
            remember(read.error);
            undecided.push(`${r.type.split(":").pop()} ${r.name}`);
        }
    }
    return out;
}

/** Element-wise prefix match (Gateway API PathPrefix, Ingress Prefix): a trailing `/` of the prefix is ignored. */
export function prefixMatches(prefix: string, path: string): boolean {
    const p = prefix.replace(/\/+$/, "");
    return p === "" || path === p || path.startsWith(`${p}/`);
}

export function pathMatches(match: PathMatch, path: string): boolean {
    if (match.type === "Exact") return path === match.value;
    if (match.type === "RegularExpression") {
        try {
            return new RegExp(`^(?:${match.value})$`).test(path);
        } catch {
            return false;
        }
    }
    return prefixMatches(match.value, path);
}

/** One way the stack serves requests: for these hosts (undefined: any host), these paths, over HTTPS or not. */
export interface Served {
    what: string;
    hosts: string[] | undefined;
    /** Host matching: the Gateway API's suffix wildcard or the Ingress's one-label wildcard. */
    covers: (pattern: string, host: string) => boolean;
    paths: PathMatch[];
    https: (host: string) => boolean;
}

const ROOT: PathMatch = { type: "PathPrefix", value: "/" };

/**
 * Host and paths of each HTTPRoute rule that forwards (has backendRefs). A match that also asks for
 * headers, query parameters or a method is left out: a health checker's plain request need not meet it.
 * HTTPS is the listener's business (wiring-httproute-gateway admits only HTTPS listeners).
 */
export function servedByRoute(route: Exposure<HttpRouteSpec>): Served[] {
    const hosts = route.spec.hostnames?.length ? route.spec.hostnames : undefined;
    return (route.spec.rules ?? [])
        .filter((rule) => (rule.backendRefs ?? []).length > 0)
        .map((rule) => ({
            what: `HTTPRoute ${route.namespace}/${route.name}`,
            hosts,
            covers: listenerCovers,
            paths: rule.matches?.length
                ? rule.matches
                      .filter((m) => !m.headers?.length && !m.queryParams?.length && !m.method)
                      .map((m) => ({ type: m.path?.type ?? "PathPrefix", value: m.path?.value ?? "/" }))
                : [ROOT],
            https: () => true,
        }));
}

/** Host and paths of each Ingress rule (and its default backend); HTTPS where spec.tls lists the host. */
export function servedByIngress(ingress: Exposure<IngressSpec>): Served[] {
    const tlsHosts = (ingress.spec.tls ?? []).flatMap((t) => t.hosts ?? []);
    const https = (host: string) => tlsHosts.some((t) => certificateCovers(t, host));
    const what = `Ingress ${ingress.namespace}/${ingress.name}`;
    const served: Served[] = (ingress.spec.rules ?? []).map((rule) => ({
        what,
        hosts: rule.host ? [rule.host] : undefined,
        covers: certificateCovers,
        paths: (rule.http?.paths ?? []).map((p) => ({ type: p.pathType === "Exact" ? "Exact" : "PathPrefix", value: p.path ?? "/" })),
        https,
    }));
    if (ingress.spec.defaultBackend) served.push({ what, hosts: undefined, covers: certificateCovers, paths: [ROOT], https });
    return served;
}

export const servesHost = (s: Served, host: string) => s.hosts === undefined || s.hosts.some((h) => s.covers(h, host));
