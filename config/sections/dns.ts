/** `hangar:dns`: the Route 53 hosted zone the public names (and DR failover records) live in. */
import { get } from "../document";
import type { Row } from "../rule-table";
import { hostname, mapping, pattern } from "../primitives";

export const dnsSchema = mapping({
    hostedZoneId: pattern(/^Z[A-Z0-9]{1,32}$/, "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ").optional(),
    domain: hostname.optional(),
});

// ------------------------------------------------------------------- rules

export const dnsRules: Row[] = [
    {
        path: "dns.domain",
        when: ({ doc }) => get(doc, "dns.hostedZoneId") !== undefined && get(doc, "dns.domain") === undefined,
        message: "required when dns.hostedZoneId is set",
    },
];
