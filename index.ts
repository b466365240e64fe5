/**
 * The Hangar program: parse the stack file, build the platform, export outputs.
 * Config mistakes and a wrong Kubernetes target end the run with a plain message
 * (RunError: no stack trace) before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { ClusterTargetError, Platform } from "./components/index";
import { formatIssues, parseConfig, toPlatformArgs } from "./config";
import { loadKubeconfig } from "./config/load/kubeconfig";
import { runtimeStackConfig } from "./config/load/runtime";

const parsed = parseConfig(runtimeStackConfig(), pulumi.getStack());
if (!parsed.ok) throw new pulumi.RunError(formatIssues(parsed.errors));
const config = parsed.config;

const kubeconfig = loadKubeconfig();
if (kubeconfig === undefined) {
    throw new pulumi.RunError(
        `no kubeconfig found: set KUBECONFIG to a kubeconfig with the context "${config.foundation.kubernetes.context}"`,
    );
}

let platform: Platform;
try {
    platform = new Platform("hangar", toPlatformArgs(config, kubeconfig));
} catch (err) {
    if (err instanceof ClusterTargetError) throw new pulumi.RunError(err.message);
    throw err;
}

export const environment = config.environment;
export const awsAccountId = config.foundation.aws.accountId;
export const awsRegion = config.foundation.aws.region;
export const kubernetesContext = config.foundation.kubernetes.context;
export const kubernetesServer = platform.kubernetesServer;
// The endpoints users ask for (`hangar outputs <stack>`): none of them is a credential.
export const appNamespace = platform.appNamespace;
export const appUrls = platform.appUrls;
export const databaseAddress = platform.databaseAddress;
export const databaseReaderAddress = platform.databaseReaderAddress;
export const databaseCredentialsArn = platform.databaseSecretArn;
export const cacheCredentialsArn = platform.cacheSecretArn;
export const cacheAddress = platform.cacheAddress;
export const drReplicaAddress = platform.drReplicaAddress;
