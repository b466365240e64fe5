/**
 * The primary region's own name for a failover record: `api.example.aero` in
 * eu-west-1 is `api-eu-west-1.example.aero`. One label under the same parent, so
 * a `*.example.aero` listener and certificate cover it. Pure and dependency-free:
 * the stack-file rules use it too.
 */
export function regionalHost(recordName: string, region: string): string {
    const [label, ...rest] = recordName.split(".");
    return [`${label}-${region}`, ...rest].join(".");
}
