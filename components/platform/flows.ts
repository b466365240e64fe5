/**
 * The declared flows of every component (components/shared/flows.ts), recorded as one object the
 * stack creates: the ConfigMap `hangar-declared-flows` (key `flows.json`) in the app namespace. A
 * ConfigMap rather than an annotation: the declaration is a few kilobytes of JSON, over what an
 * annotation reads comfortably, and kubectl shows it as it is. The wiring rules
 * (policies/rules/wiring/declared-flows.ts) read it from the stack on the real engine and offline.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { APP_TIER_DEFAULTS, appTierFlows, AppTierArgs } from "../app";
import { DumpJobArgs, dumpJobFlows } from "../backups";
import { postgresProxyFlows, postgresRotationFlows } from "../data";
import { MonitoringArgs, monitoringArgsFlows } from "../monitoring";
import { ROLLOUTS_DEFAULTS, rolloutsFlows, RolloutsControllerArgs } from "../rollouts";
import { EXTERNAL_SECRETS_DEFAULTS, externalSecretsFlows, ExternalSecretsOperatorArgs } from "../external-secrets";
import { DECLARED_FLOWS, DeclaredFlow, FlowDeclaration } from "../shared/flows";
import { partOfLabels } from "../shared/labels";

/** The components' args as Platform passes them, CIDR lists resolved. */
export interface FlowSources {
    vpcId: string;
    /** Pods take their IPs from these (AWS VPC CNI): the private subnets. */
    podCidrs: string[];
    app: AppTierArgs;
    /** Resolved `app.network.trafficCidrs` and `dataEgress[].cidrs`. */
    appCidrs: { traffic?: string[]; data: string[][] };
    monitoring?: MonitoringArgs;
    /** Resolved `monitoring.network` CIDR lists. */
    monitoringCidrs?: { controlPlane: string[]; nodes: string[]; data: string[]; grafanaFrom?: string[] };
    dump?: { namespace: string; databaseCidrs: string[] };
    /** RDS Proxy's subnets, when the database has one. */
    proxyCidrs?: string[];
    /** The master secret's rotation function (the database's subnets) and whether Hangar creates the Secrets Manager endpoint. */
    rotation?: { cidrs: string[]; endpoint: boolean };
    rollouts?: RolloutsControllerArgs;
    /** Resolved `rollouts.network.controlPlaneCidrs`. */
    rolloutsCidrs?: string[];
    /** External Secrets Operator, when the stack installs it. */
    externalSecrets?: ExternalSecretsOperatorArgs;
    /** Resolved `externalSecrets.controlPlaneCidrs`. */
    externalSecretsCidrs?: string[];
}

/** The declaration, pure: each component's flows, a flow two components need listed once (both named). */
export function declaredFlows(s: FlowSources): FlowDeclaration {
    const flows: DeclaredFlow[] = [];
    const monitoring = s.monitoring && s.monitoringCidrs ? monitoringArgsFlows(s.monitoring, s.monitoringCidrs) : undefined;
    const network = s.app.network ?? {};
    flows.push(
        ...appTierFlows({
            namespace: s.app.namespace ?? APP_TIER_DEFAULTS.namespace,
            services: s.app.services,
            traffic: s.appCidrs.traffic ? { cidrs: s.appCidrs.traffic } : { namespace: network.trafficNamespace ?? "gateway-system" },
            dataEgress: (network.dataEgress ?? []).map((d, i) => ({ port: d.port, cidrs: s.appCidrs.data[i] ?? [], proxied: d.proxied })),
            scraper: monitoring?.prometheus,
        }),
        ...(monitoring?.flows ?? []),
    );
    if (s.dump) flows.push(...dumpJobFlows(s.dump));
    if (s.proxyCidrs) flows.push(...postgresProxyFlows(s.proxyCidrs));
    if (s.rotation) flows.push(...postgresRotationFlows(s.rotation.cidrs, s.rotation.endpoint, s.proxyCidrs !== undefined));
    if (s.rollouts?.network && (s.rollouts.mode ?? ROLLOUTS_DEFAULTS.mode) === "chart")
        flows.push(
            ...rolloutsFlows({
                namespace: s.rollouts.namespace ?? ROLLOUTS_DEFAULTS.namespace,
                controlPlaneCidrs: s.rolloutsCidrs ?? [],
                pluginDownload: s.rollouts.gatewayPlugin?.location.startsWith("https://") ?? false,
                prometheus: s.rollouts.network.prometheus,
            }),
        );
    const eso = s.externalSecrets;
    if (eso?.controlPlaneCidrs && (eso.mode ?? EXTERNAL_SECRETS_DEFAULTS.mode) === "managed")
        flows.push(
            ...externalSecretsFlows({
                namespace: eso.namespace ?? EXTERNAL_SECRETS_DEFAULTS.namespace,
                controlPlaneCidrs: s.externalSecretsCidrs ?? [],
                secretsManagerEndpointCidrs: s.rotation?.endpoint ? s.rotation.cidrs : undefined,
            }),
        );
    const merged = new Map<string, DeclaredFlow>();
    for (const f of flows) {
        const key = JSON.stringify([f.from, f.to, f.port, f.protocol]);
        const seen = merged.get(key);
        if (!seen) merged.set(key, { ...f });
        else if (!seen.component.split(", ").includes(f.component)) seen.component = `${seen.component}, ${f.component}`;
    }
    return { network: { plugin: "aws-vpc-cni", vpcId: s.vpcId, podCidrs: [...s.podCidrs] }, flows: [...merged.values()] };
}

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** The ConfigMap, in `namespace` (the app tier's), once the CIDR lists are known. */
export function declaredFlowsConfigMap(
    name: string,
    namespace: pulumi.Input<string>,
    sources: Omit<
        FlowSources,
        | "vpcId"
        | "podCidrs"
        | "appCidrs"
        | "monitoringCidrs"
        | "dump"
        | "proxyCidrs"
        | "rotation"
        | "rolloutsCidrs"
        | "externalSecretsCidrs"
    > &
        Inputs<Pick<FlowSources, "vpcId" | "podCidrs">> & {
            dump?: DumpJobArgs;
            proxyCidrs?: pulumi.Input<string[]>;
            rotation?: { cidrs: pulumi.Input<string[]>; endpoint: boolean };
        },
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.ConfigMap {
    const net = sources.app.network ?? {};
    const mon = sources.monitoring?.network;
    const data = pulumi
        .all([
            sources.vpcId,
            sources.podCidrs,
            net.trafficCidrs ?? null,
            pulumi.all((net.dataEgress ?? []).map((d) => d.cidrs)),
            mon ? pulumi.all([mon.controlPlaneCidrs, mon.nodeCidrs, mon.dataCidrs, mon.grafanaFrom?.cidrs ?? null]) : null,
            sources.dump ? pulumi.all([sources.dump.namespace, sources.dump.databaseCidrs]) : null,
            pulumi.all([sources.proxyCidrs ?? null, sources.rotation?.cidrs ?? null]),
            pulumi.all([sources.rollouts?.network?.controlPlaneCidrs ?? null, sources.externalSecrets?.controlPlaneCidrs ?? null]),
        ])
        .apply(([vpcId, podCidrs, traffic, appData, m, dump, [proxyCidrs, rotationCidrs], [rolloutsCidrs, esoCidrs]]) =>
            declaredFlows({
                vpcId,
                podCidrs,
                app: sources.app,
                appCidrs: { traffic: traffic ?? undefined, data: appData },
                monitoring: sources.monitoring,
                monitoringCidrs: m ? { controlPlane: m[0], nodes: m[1], data: m[2], grafanaFrom: m[3] ?? undefined } : undefined,
                dump: dump ? { namespace: dump[0], databaseCidrs: dump[1] } : undefined,
                proxyCidrs: proxyCidrs ?? undefined,
                rotation: rotationCidrs && sources.rotation ? { cidrs: rotationCidrs, endpoint: sources.rotation.endpoint } : undefined,
                rollouts: sources.rollouts,
                rolloutsCidrs: rolloutsCidrs ?? undefined,
                externalSecrets: sources.externalSecrets,
                externalSecretsCidrs: esoCidrs ?? undefined,
            }),
        );
    return new k8s.core.v1.ConfigMap(
        name,
        {
            metadata: { name: DECLARED_FLOWS.configMap, namespace, labels: partOfLabels() },
            data: { [DECLARED_FLOWS.key]: data.apply((d) => `${JSON.stringify(d, null, 1)}\n`) },
        },
        opts,
    );
}
