import * as aws from "../shared/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { partOfLabels } from "../shared/labels";
import { secretKeysAnnotation } from "../shared/secret-keys";
import { namespaceLimits, restrictedNamespace } from "../shared/namespace-limits";
import { restrictedNamespaceLabels } from "../shared/security-context";
import type { MonitoringArgs, MonitoringNetworkArgs, PostgresExporterArgs } from "./args";
import { cloudWatchAlarms } from "./alarms";
import { RECEIVER_SECRET_KEY } from "./alertmanager";
import { hangarDashboards } from "./dashboards";
import { grafanaExposure } from "./grafana";
import { exporterLogin } from "./exporter-login";
import { dependsOnOf, runtimeCredentials } from "../shared/external-secrets";
import { postgresExporter, redisExporter } from "./exporters";
import { monitoringFlowFlags, monitoringNetworkPolicies } from "./network-policies";
import { ResolvedMonitoring, resolveMonitoring } from "./resolve";
import { alertGroups, renderRulesFile } from "./rules";
import {
    chartSource,
    DASHBOARD_FOLDER_ANNOTATION,
    GRAFANA_DASHBOARD_LABEL,
    GRAFANA_ADMIN_SECRET,
    kubePrometheusStackValues,
    RECEIVER_SECRET,
} from "./values";

export * from "./args";
export { alarmKeyPolicy, alarmTopicPolicy } from "./alarms";
export { alertmanagerConfig } from "./alertmanager";
export { hangarDashboards } from "./dashboards";
export { monitoringArgsFlows, monitoringFlows, prometheusEndpoint } from "./flows";
export { exporterServiceMonitorSpec, postgresExporterValues, redisExporterValues } from "./exporters";
export { MONITORING_SIZING, MONITORING_DEFAULTS, resolveMonitoring, ResolvedMonitoring } from "./resolve";
export { alertGroups, AlertRule, renderRulesFile, AlertRuleGroup, MonitoredData } from "./rules";
export { GRAFANA_DASHBOARD_LABEL, kubePrometheusStackValues } from "./values";
export { MONITORING_RESOURCES, chartValueAt, MonitoringWorkload, MONITORING_WORKLOADS } from "./workloads";
export { kubePrometheusStackFullname } from "./pods";

const labels = partOfLabels();

/**
 * Handles only TypeScript callers use. The component-package analyzer turns every
 * class property into a schema output and cannot type resources, so they live here.
 */
const internals = new WeakMap<Monitoring, { readyResources: pulumi.Resource[] }>();

/** The monitoring namespace's quota: about twice what the stack requests, for rollouts. */
export const MONITORING_QUOTA: Record<string, { requestsCpu: string; requestsMemory: string; limitsMemory: string; pods: number }> = {
    prod: { requestsCpu: "4", requestsMemory: "12Gi", limitsMemory: "24Gi", pods: 40 },
    staging: { requestsCpu: "2", requestsMemory: "6Gi", limitsMemory: "12Gi", pods: 30 },
    ephemeral: { requestsCpu: "1", requestsMemory: "3Gi", limitsMemory: "6Gi", pods: 20 },
};

/**
 * Observability for Hangar: kube-prometheus-stack (or an existing operator),
 * its CRDs kept on delete, Hangar's alert rules and dashboards, PostgreSQL and
 * Redis exporters, and CloudWatch alarms to a KMS-encrypted SNS topic.
 * Restricted everywhere; node-exporter only on request, in its own privileged namespace.
 */
export class Monitoring extends pulumi.ComponentResource {
    /** Namespace of the stack and of Hangar's monitoring objects. */
    public readonly namespace: pulumi.Output<string>;
    /** Labels every ServiceMonitor and PrometheusRule of Hangar must carry to be picked up. */
    public readonly selectorLabels: Record<string, string>;
    /** The alert rules as a Prometheus rules file (YAML), as deployed in the `hangar-alerts` PrometheusRule. */
    public readonly rulesFile: string;
    /** `https://<grafana.host>` when Grafana is exposed. */
    public readonly grafanaUrl: pulumi.Output<string | undefined>;
    /** ARN of the SNS topic the CloudWatch alarms notify, when `cloudwatch` is set. */
    public readonly alarmTopicArn: pulumi.Output<string | undefined>;

    /**
     * What a ServiceMonitor or PrometheusRule must `dependsOn`: the CRDs (and the operator's webhook)
     * exist after them. TypeScript only (a getter, so the component package's schema leaves it out).
     */
    get readyResources(): pulumi.Resource[] {
        return internals.get(this)?.readyResources ?? [];
    }

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hangar:index:Monitoring", name, {}, opts);
        let r: ResolvedMonitoring;
        try {
            r = resolveMonitoring(args);
        } catch (err) {
            throw new pulumi.ResourceError((err as Error).message, this);
        }
        const child = { parent: this };
        this.selectorLabels = r.selectorLabels;

        const namespace = r.createNamespace
            ? restrictedNamespace(
                  name,
                  { namespace: r.namespace, quota: MONITORING_QUOTA[r.environment], labels, podSecurityVersion: args.podSecurityVersion },
                  child,
              )
            : undefined;
        this.namespace = namespace ? namespace.metadata.name : pulumi.output(r.namespace);
        const base: pulumi.Resource[] = namespace ? [namespace] : [];
        const readyResources = r.installChart ? this.installStack(name, r, args, base) : base;
        const ruleGroups = alertGroups(r, {
            postgres: args.postgres !== undefined,
            redis: args.redis !== undefined,
            postgresReplicas: args.postgres?.replicas,
        });
        internals.set(this, { readyResources });
        this.rulesFile = renderRulesFile(ruleGroups);
        const ready = { parent: this, dependsOn: readyResources };

        this.grafanaUrl = pulumi.output(r.installChart && r.grafana.host ? `https://${r.grafana.host}` : undefined);
        if (r.installChart && r.grafana.host) grafanaExposure(name, r, args.grafana ?? {}, this, base);

        new k8s.apiextensions.CustomResource(
            `${name}-alerts`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: "hangar-alerts", namespace: r.namespace, labels: { ...r.selectorLabels, ...labels } },
                spec: { groups: ruleGroups },
            },
            ready,
        );

        for (const [key, dashboard] of Object.entries(hangarDashboards(r))) {
            new k8s.core.v1.ConfigMap(
                `${name}-dashboard-${key}`,
                {
                    metadata: {
                        name: `hangar-dashboard-${key}`,
                        namespace: r.namespace,
                        labels: { ...labels, [GRAFANA_DASHBOARD_LABEL.key]: GRAFANA_DASHBOARD_LABEL.value },
                        annotations: { [DASHBOARD_FOLDER_ANNOTATION]: "Hangar" },
                    },
                    data: { [`hangar-${key}.json`]: JSON.stringify(dashboard) },
                },
                { parent: this, dependsOn: base },
            );
        }

        if (args.network && namespace && r.installChart) this.networkPolicies(name, r, args, args.network, base);
        // Credentials the exporters and the login Job read, written by External Secrets Operator (awaited Ready).
        const credentials = args.credentials
            ? runtimeCredentials(`${name}-credentials`, r.namespace, args.credentials, {
                  parent: this,
                  dependsOn: [...base, ...dependsOnOf(opts)],
              })
            : [];
        const exporters = { name, r, parent: this, dependsOn: [...readyResources, ...credentials] };
        if (args.postgres) this.postgres(exporters, args.postgres);
        if (args.redis) redisExporter(exporters, args.redis);

        this.alarmTopicArn = args.cloudwatch ? cloudWatchAlarms(name, args.cloudwatch, r, this).arn : pulumi.output(undefined);

        this.registerOutputs({
            namespace: this.namespace,
            selectorLabels: this.selectorLabels,
            rulesFile: this.rulesFile,
            grafanaUrl: this.grafanaUrl,
            alarmTopicArn: this.alarmTopicArn,
        });
    }

    /** The exporter connects as its own login when `login` is given (a Job creates it; the exporter waits for it). */
    private postgres(ctx: Parameters<typeof postgresExporter>[0], pg: PostgresExporterArgs) {
        if (pg.login) {
            const login = exporterLogin(ctx, pg, pg.login);
            return postgresExporter({ ...ctx, dependsOn: [...ctx.dependsOn, login.job] }, { ...pg, ...login });
        }
        if (pg.username === undefined || pg.password === undefined)
            throw new pulumi.ResourceError("Monitoring: postgres needs username and password, or login", this);
        return postgresExporter(ctx, { ...pg, username: pg.username, password: pg.password });
    }

    /** Default deny and the flows of ./network-policies.ts, in the namespace this component created. */
    private networkPolicies(
        name: string,
        r: ResolvedMonitoring,
        args: MonitoringArgs,
        net: MonitoringNetworkArgs,
        base: pulumi.Resource[],
    ) {
        const { flags, grafanaFrom } = monitoringFlowFlags(r, args, net);
        monitoringNetworkPolicies({ name, namespace: r.namespace, parent: this, dependsOn: base }, flags, net, grafanaFrom);
    }

    /** CRDs (kept on delete), Grafana's admin Secret, the receiver Secret and kube-prometheus-stack. Returns what later objects wait for. */
    private installStack(name: string, r: ResolvedMonitoring, args: MonitoringArgs, base: pulumi.Resource[]): pulumi.Resource[] {
        const inNamespace = { parent: this, dependsOn: base };
        // retainOnDelete does not reach a Chart's children: the CRDs get their own Release so that
        // deleting the stack never deletes every ServiceMonitor and PrometheusRule in the cluster.
        const crds = new k8s.helm.v3.Release(`${name}-crds`, chartSource("prometheus-operator-crds", r.crdsChartVersion, r.namespace), {
            parent: this,
            dependsOn: base,
            retainOnDelete: true,
        });

        const password = new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, { parent: this });
        const adminSecret = new k8s.core.v1.Secret(
            `${name}-grafana-admin`,
            {
                metadata: {
                    name: GRAFANA_ADMIN_SECRET,
                    namespace: r.namespace,
                    labels,
                    annotations: secretKeysAnnotation({ "admin-user": true, "admin-password": true }),
                },
                type: "Opaque",
                stringData: { "admin-user": "admin", "admin-password": pulumi.secret(password.result) },
            },
            inNamespace,
        );
        const secrets: pulumi.Resource[] = [adminSecret];
        const receiver = args.alertmanager?.receiver;
        if (receiver) {
            const version = aws.secretsmanager.getSecretVersionOutput({ secretId: receiver.secretArn }, { parent: this });
            const key = version.secretString.apply((s) => receiverKey(s, receiver.secretJsonKey));
            secrets.push(
                new k8s.core.v1.Secret(
                    `${name}-receiver`,
                    {
                        metadata: {
                            name: RECEIVER_SECRET,
                            namespace: r.namespace,
                            labels,
                            annotations: secretKeysAnnotation({ [RECEIVER_SECRET_KEY]: true }),
                        },
                        type: "Opaque",
                        stringData: { [RECEIVER_SECRET_KEY]: pulumi.secret(key) },
                    },
                    inNamespace,
                ),
            );
        }
        if (r.nodeExporter) {
            // node-exporter needs the host's network, PID namespace and filesystem: the one privileged exemption.
            const exporterNamespace = new k8s.core.v1.Namespace(
                `${name}-node-exporter`,
                {
                    metadata: {
                        name: r.nodeExporterNamespace,
                        labels: {
                            ...labels,
                            "pod-security.kubernetes.io/enforce": "privileged",
                            "pod-security.kubernetes.io/warn": "baseline",
                            "pod-security.kubernetes.io/warn-version": restrictedNamespaceLabels(args.podSecurityVersion)[
                                "pod-security.kubernetes.io/warn-version"
                            ],
                        },
                    },
                },
                { parent: this },
            );
            namespaceLimits(
                `${name}-node-exporter`,
                {
                    namespace: exporterNamespace.metadata.name,
                    quota: { requestsCpu: "2", requestsMemory: "2Gi", limitsMemory: "4Gi", pods: 200 },
                    labels,
                },
                { parent: this, dependsOn: [exporterNamespace] },
            );
            base = [...base, exporterNamespace];
        }
        const chart = new k8s.helm.v4.Chart(
            `${name}-stack`,
            { ...chartSource("kube-prometheus-stack", r.chartVersion, r.namespace, r.releaseName), values: kubePrometheusStackValues(r) },
            { parent: this, dependsOn: [...base, crds, ...secrets] },
        );
        return [...base, crds, chart];
    }
}

/** The receiver key out of a secret string: the whole string, or one property of a JSON object. */
export function receiverKey(secretString: string | undefined, jsonKey: string | undefined): string {
    if (!secretString) return "";
    if (!jsonKey) return secretString;
    const value = (JSON.parse(secretString) as Record<string, unknown>)[jsonKey];
    if (typeof value !== "string") throw new Error(`Monitoring: the receiver secret has no string property "${jsonKey}"`);
    return value;
}
