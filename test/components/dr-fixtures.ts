/** The DR cluster a pilot light runs on, as the tests stand it in: its kubeconfig in Secrets Manager, its API server. */
import * as path from "path";
import { readStackConfig } from "../../config";

const ROOT = path.resolve(__dirname, "..", "..");

export const DR_KUBECONFIG_ARN = "arn:aws:secretsmanager:eu-central-1:210987654321:secret:hangar-dr-kubeconfig-AbCdEf";
export const DR_SERVER = "https://DR0CLUSTER.gr7.eu-central-1.eks.amazonaws.com";

/** `dr.pilotLight` pointing at the stand-in DR cluster. */
export const PILOT_LIGHT = {
    enabled: true,
    kubeconfigSecretArn: DR_KUBECONFIG_ARN,
    context: "hangar-dr",
    server: DR_SERVER,
    oidcProviderArn: "arn:aws:iam::210987654321:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/DR0",
    replicas: 0,
};

/** A kubeconfig whose context `hangar-dr` points at `server`. */
export const drKubeconfig = (server: string = DR_SERVER) =>
    `apiVersion: v1\nkind: Config\nclusters: [{name: dr, cluster: {server: "${server}"}}]\ncontexts: [{name: hangar-dr, context: {cluster: dr, user: u}}]\nusers: [{name: u, user: {token: t}}]\n`;

/** The prod stack file's config with one `hangar:<section>` changed. */
export function prodWith(section: string, change: Record<string, unknown>): Record<string, unknown> {
    const config = structuredClone(readStackConfig(path.join(ROOT, "Pulumi.prod.yaml"))) as Record<string, Record<string, unknown>>;
    config[`hangar:${section}`] = { ...config[`hangar:${section}`], ...change };
    return config;
}
