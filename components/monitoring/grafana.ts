/**
 * Grafana exposed like the app (shared/exposure): an HTTPRoute on the gateway's
 * HTTPS listener or an Ingress with TLS and a cert-manager issuer.
 */
import * as pulumi from "@pulumi/pulumi";
import { exposeHttp } from "../shared/exposure";
import { selectorLabels } from "../shared/labels";
import type { GrafanaArgs } from "./args";
import type { ResolvedMonitoring } from "./resolve";

/**
 * The grafana chart names its Service `<release>-grafana` unless the release name already contains "grafana"
 * (grafana 12.11.1 `templates/_helpers.tpl`, `grafana.fullname`), on port 80 (`values.yaml`, `service.port`).
 */
export function grafanaServiceName(releaseName: string): string {
    return releaseName.includes("grafana") ? releaseName : `${releaseName}-grafana`;
}

export const GRAFANA_SERVICE_PORT = 80;

export function grafanaExposure(
    name: string,
    r: ResolvedMonitoring,
    args: GrafanaArgs,
    parent: pulumi.Resource,
    dependsOn: pulumi.Resource[],
) {
    return exposeHttp(
        `${name}-grafana`,
        {
            exposure: r.grafana.exposure,
            host: r.grafana.host as string,
            metadata: { name: "grafana", namespace: r.namespace, labels: selectorLabels("grafana") },
            backend: { service: grafanaServiceName(r.releaseName), port: GRAFANA_SERVICE_PORT },
            tlsSecretName: "grafana-tls",
            gateway: args.gateway,
            ingress: args.ingress,
            owner: `Monitoring "${name}"`,
        },
        { parent, dependsOn },
    );
}
