/**
 * Hostname matching. DNS names compare case-insensitively; the two kinds of
 * wildcard differ:
 *  - Gateway API (HTTPRoute `spec.hostnames` against a listener's `hostname`;
 *    gateway-api `apis/v1/shared_types.go`, Hostname): a `*.` wildcard listener
 *    covers any name below its suffix at any depth, but not the suffix itself.
 *  - TLS certificates (an Ingress `spec.tls[].hosts` entry against a rule's
 *    host; RFC 6125 6.4.3): a `*.` wildcard covers exactly one label.
 * One module for the stack-file rules and the guardrails pack.
 */

/** True when a route hostname `routeHostname` falls under the listener hostname `listenerHostname`. */
export function listenerCovers(listenerHostname: string, routeHostname: string): boolean {
    const listener = listenerHostname.toLowerCase();
    const route = routeHostname.toLowerCase();
    if (listener === route) return true;
    if (!listener.startsWith("*.")) return false;
    const suffix = listener.slice(1);
    return route.endsWith(suffix) && route.length > suffix.length;
}

/** A certificate name covers a host exactly or, for `*.example.com`, one label below example.com. */
export function certificateCovers(certName: string, host: string): boolean {
    const cert = certName.toLowerCase();
    const name = host.toLowerCase();
    if (cert === name) return true;
    if (!cert.startsWith("*.") || name.startsWith("*.")) return false;
    const dot = name.indexOf(".");
    return dot > 0 && name.slice(dot + 1) === cert.slice(2);
}
