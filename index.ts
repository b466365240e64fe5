/**
 * The Hangar program: parse the stack file, build the platform, export outputs.
 * Config mistakes and a wrong Kubernetes target end the run with a plain message
 * (RunError: no stack trace) before any resource is registered; the stack
 * file's warnings are logged and the run goes on.
 */
import * as pulumi from "@pulumi/pulumi";
import { ClusterTargetError, Platform } from "./components/index";
import { toPlatformArgs } from "./config";
import { loadKubeconfig } from "./config/load/kubeconfig";
import { programConfig, runtimeStackConfig } from "./config/load/runtime";

// Warnings and notices about the stack file (keys with no effect, the environment from the name) go to the log.
const config = programConfig(runtimeStackConfig(), pulumi.getStack(), (message) => pulumi.log.warn(message));

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
