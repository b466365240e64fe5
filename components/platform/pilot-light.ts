/**
 * The DR pilot light: the app tier on the DR cluster, pointed at the DR replica, with its own External Secrets
 * Operator whose store reads the master secret's replica in the DR region (README, "After a DR promotion"). Its children are
 * Platform's, named as before this module existed (URNs unchanged).
 */
import * as aws from "../shared/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppTier } from "../app";
import { ExternalSecretsOperator } from "../external-secrets";
import { partOfLabels } from "../shared/labels";
import { physicalName } from "../shared/naming";
import { priorityClasses } from "../shared/priority-classes";
import { PilotLightArgs, PLATFORM_DEFAULTS, PlatformArgs } from "./args";
import { verifyClusterTarget } from "./cluster-target";
import * as credentials from "./credentials";
import { appTierArgs } from "./mappers";

export function pilotLightTier(
    name: string,
    platform: pulumi.Resource,
    a: {
        args: PlatformArgs;
        pilot: PilotLightArgs;
        drNetworkCidrs: string[];
        drAws: aws.Provider;
        /** The random and docker providers. */
        others: pulumi.ProviderResource[];
        /** The DR replica's own address and port: nothing on the DR side may wait on a primary-region output. */
        replica: { address: pulumi.Input<string>; port: pulumi.Input<number> };
        credentials: credentials.CredentialContext;
        sslMode: string;
    },
): AppTier {
    const drKubernetes = drKubernetesProvider(name, platform, a.pilot, a.drAws);
    const providers = [a.drAws, drKubernetes, ...a.others];
    const eso = new ExternalSecretsOperator(
        `${name}-external-secrets-dr`,
        credentials.operatorArgs(a.args, { controlPlaneCidrs: a.drNetworkCidrs }),
        { parent: platform, providers },
    );
    // The master secret's replica in the DR region (components/data/rotation.ts replicates it there whenever DR is on;
    // Secrets Manager replicates within the account, so the primary's account ID): readable while the primary region is
    // down, and after a promotion (stop-replication-to-replica) the same name and ARN as a standalone secret.
    const drRegion = a.args.dr!.region;
    const drCredentials = credentials.appCredentials(
        {
            ...a.credentials,
            database: { ...a.credentials.database!, port: a.replica.port },
            cache: undefined,
            oidcProviderArn: a.pilot.oidcProviderArn,
            region: drRegion,
        },
        a.sslMode,
        {
            database: a.replica.address,
            // By name: nothing on the DR side may wait on a primary-region output.
            secret: credentials.masterSecretByName(a.credentials.database!, { region: drRegion, accountId: a.args.aws.accountId }),
        },
    );
    return new AppTier(
        `${name}-app-dr`,
        appTierArgs(a.args, {
            credentials: drCredentials,
            oidcProviderArn: a.pilot.oidcProviderArn,
            dataCidrs: a.drNetworkCidrs,
            fixedReplicas: a.pilot.replicas ?? PLATFORM_DEFAULTS.dr.pilotLight.replicas,
            priorityClassNames: priorityClasses(`${name}-priority-dr`, physicalName(pulumi.getStack()), partOfLabels(), {
                parent: platform,
                provider: drKubernetes,
            }),
        }),
        // Its ExternalSecrets wait for the DR cluster's operator (its CRDs); nothing waits on a primary-region output.
        { parent: platform, providers, dependsOn: eso.readyResources },
    );
}

/**
 * The DR cluster's provider. Its kubeconfig comes from Secrets Manager, so the
 * expected-cluster check runs when the value arrives, before the provider can use it.
 */
function drKubernetesProvider(name: string, parent: pulumi.Resource, pilot: PilotLightArgs, drAws: aws.Provider): k8s.Provider {
    const kubeconfig = aws.secretsmanager
        .getSecretVersionOutput({ secretId: pilot.kubeconfigSecretArn }, { parent, provider: drAws })
        .secretString.apply((text) => {
            try {
                verifyClusterTarget({ kubeconfig: text, context: pilot.context, server: pilot.server }, "hangar:dr.pilotLight");
            } catch (err) {
                throw new pulumi.RunError((err as Error).message);
            }
            return text;
        });
    return new k8s.Provider(
        `${name}-k8s-dr`,
        { kubeconfig: pulumi.secret(kubeconfig), context: pilot.context, enableServerSideApply: true },
        { parent },
    );
}
