/**
 * The operator namespace's NetworkPolicies and declared flows (components/shared/flows.ts). Pure.
 *
 * | pod | ingress | egress |
 * | --- | --- | --- |
 * | controller | none (no webhook, no metrics Service) | API server 443; Secrets Manager and STS 443 |
 *
 * Secrets Manager and STS answer on public endpoints or on interface VPC endpoints inside the VPC
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/vpc-endpoint-overview.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_sts_vpce.html), so the egress keeps 443 to
 * 0.0.0.0/0 as the dump job's does (the documented `internet*` allowance of wiring-undeclared-flows).
 */
import type * as k8s from "@pulumi/kubernetes/types/input";
import { addresses, DeclaredFlow, dnsFlows, internet, pods as flowPods, secretsManagerEndpoint, tcpFlow } from "../shared/flows";
import { defaultDenySpec, dnsEgressSpec, ipBlocks, tcp } from "../shared/network-policy";

/**
 * The controller's pod labels: `external-secrets.selectorLabels` (external-secrets-2.9.0/templates/_helpers.tpl:141-144)
 * with the release `external-secrets` (the chart's name, so `external-secrets.fullname` is the release: _helpers.tpl:13-24).
 */
export const ESO_CONTROLLER = {
    release: "external-secrets",
    labels: { "app.kubernetes.io/name": "external-secrets", "app.kubernetes.io/instance": "external-secrets" },
};

export interface ExternalSecretsFlowArgs {
    namespace: string;
    controlPlaneCidrs: string[];
    /**
     * The subnets of a Secrets Manager interface endpoint with private DNS in the cluster's VPC (the rotation's, when
     * Hangar creates it): the regional name then resolves to its ENIs for every caller in the VPC, the controller
     * included ("Access Secrets Manager using an interface VPC endpoint",
     * https://docs.aws.amazon.com/secretsmanager/latest/userguide/vpc-endpoint-overview.html). @default none: public endpoints
     */
    secretsManagerEndpointCidrs?: string[];
}

export function externalSecretsPolicySpecs(a: ExternalSecretsFlowArgs): Record<string, k8s.networking.v1.NetworkPolicySpec> {
    return {
        "default-deny": defaultDenySpec(),
        "allow-dns": dnsEgressSpec(),
        "external-secrets": {
            podSelector: { matchLabels: ESO_CONTROLLER.labels },
            policyTypes: ["Ingress", "Egress"],
            ingress: [],
            egress: [
                { to: ipBlocks(a.controlPlaneCidrs), ports: tcp(443) },
                { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: tcp(443) },
            ],
        },
    };
}

/** The controller's own flows. */
export function externalSecretsFlows(a: ExternalSecretsFlowArgs): DeclaredFlow[] {
    const component = "ExternalSecretsOperator";
    const controller = flowPods(a.namespace, ESO_CONTROLLER.labels, "external-secrets");
    return [
        ...dnsFlows(a.namespace, component),
        tcpFlow(
            controller,
            addresses("API server (control-plane ENIs)", a.controlPlaneCidrs),
            443,
            "controller watches ExternalSecrets, writes Secrets, requests ServiceAccount tokens",
            component,
        ),
        ...(a.secretsManagerEndpointCidrs
            ? [
                  tcpFlow(controller, secretsManagerEndpoint(a.secretsManagerEndpointCidrs), 443, "reads secrets (private DNS)", component),
                  tcpFlow(controller, internet("STS"), 443, "exchanges the stores' ServiceAccount tokens (IRSA)", component),
              ]
            : [tcpFlow(controller, internet("Secrets Manager, STS"), 443, "reads secrets with the stores' IRSA roles", component)]),
    ];
}
