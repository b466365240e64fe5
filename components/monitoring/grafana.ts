/**
 * Grafana exposed like the app: an HTTPRoute on the gateway's HTTPS listener
 * (the certificate belongs to the Gateway), or an Ingress with TLS and a
 * cert-manager issuer. The Service is the grafana subchart's: <release>-grafana, port 80.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GatewayRef } from "../app-spec";
import { PART_OF } from "../app-spec";
import type { GrafanaArgs } from "./args";
import type { ResolvedMonitoring } from "./resolve";

/** The grafana chart names its Service `<release>-grafana` unless the release name already contains "grafana". */
export function grafanaServiceName(releaseName: string): string {
    return releaseName.includes("grafana") ? releaseName : `${releaseName}-grafana`;
}

export function grafanaRouteSpec(host: string, service: string, gateway: GatewayRef) {
    return {
        parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", namespace: gateway.namespace, name: gateway.name, sectionName: gateway.listener }],
        hostnames: [host],
        rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: service, port: 80 }] }],
    };
}

export function grafanaIngressSpec(host: string, service: string, className: string) {
    return {
        ingressClassName: className,
        tls: [{ hosts: [host], secretName: "grafana-tls" }],
        rules: [{ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: service, port: { number: 80 } } } }] } }],
    };
}

export function grafanaExposure(name: string, r: ResolvedMonitoring, args: GrafanaArgs, parent: pulumi.Resource, dependsOn: pulumi.Resource[]) {
    const host = r.grafana.host as string;
    const service = grafanaServiceName(r.releaseName);
    const metadata = { name: "grafana", namespace: r.namespace, labels: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/part-of": PART_OF } };
    if (r.grafana.exposure === "gateway") {
        const gateway: GatewayRef = {
            namespace: args.gateway?.namespace ?? "gateway-system",
            name: args.gateway?.name ?? "public",
            listener: args.gateway?.listener ?? "https",
        };
        return new k8s.apiextensions.CustomResource(
            `${name}-grafana`,
            { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata, spec: grafanaRouteSpec(host, service, gateway) },
            { parent, dependsOn },
        );
    }
    return new k8s.networking.v1.Ingress(
        `${name}-grafana`,
        {
            metadata: {
                ...metadata,
                annotations: { ...args.ingress?.annotations, "cert-manager.io/cluster-issuer": args.ingress?.clusterIssuer ?? "letsencrypt-prod" },
            },
            spec: grafanaIngressSpec(host, service, args.ingress?.className as string),
        },
        { parent, dependsOn },
    );
}
