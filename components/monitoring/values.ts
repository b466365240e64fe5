/**
 * kube-prometheus-stack values, built purely from resolved args. Every key set
 * here must exist in the pinned chart's defaults (../shared/charts), down to
 * the first `{}`/`null`/`[]`; below that the value is a Kubernetes or operator
 * type. Both are tested.
 */
import { restrictedPodSecurityContext, restrictedSecurityContext } from "../shared/security-context";
import { PULUMI_WAIT_FOR } from "../shared/exposure";
import { alertmanagerConfig, RECEIVER_SECRET_KEY } from "./alertmanager";
import type { ResolvedMonitoring } from "./resolve";
import { resourceKeyOf, MonitoringWorkload, MONITORING_WORKLOADS, UNRENDERED_WORKLOADS } from "./workloads";

export const CHART_REPO = "https://prometheus-community.github.io/helm-charts";
/** The Secret (in the monitoring namespace) Grafana reads its admin credentials from. */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";
/** The Secret holding the receiver key; Alertmanager mounts it under /etc/alertmanager/secrets/. */
export const RECEIVER_SECRET = "alertmanager-receiver";
/** The label the Grafana sidecar loads dashboards from (set explicitly below, so it cannot drift). */
export const GRAFANA_DASHBOARD_LABEL = { key: "grafana_dashboard", value: "1" };
export const DASHBOARD_FOLDER_ANNOTATION = "grafana_folder";

type Values = Record<string, unknown>;

/** Where a chart comes from and where it goes; the release name defaults to the chart name. */
export function chartSource(chart: string, version: string, namespace: string, release = chart) {
    return { chart, version, repositoryOpts: { repo: CHART_REPO }, namespace, name: release };
}

export function podSecurityContext(w: MonitoringWorkload) {
    return { ...restrictedPodSecurityContext(w.uid), runAsGroup: w.gid, fsGroup: w.gid };
}

export function containerSecurityContext(w: MonitoringWorkload) {
    return { ...restrictedSecurityContext(w.uid), runAsGroup: w.gid };
}

/** Sets a values path (with `[name=x]` list selectors), creating what is missing. */
export function setAt(values: Values, path: string, value: unknown): void {
    const segments = path.split(".");
    let current: Values = values;
    segments.forEach((segment, i) => {
        const last = i === segments.length - 1;
        const m = /^(.+)\[name=(.+)\]$/.exec(segment);
        if (m) {
            const list = (current[m[1]] ??= []) as Values[];
            let item = list.find((x) => x.name === m[2]);
            if (!item) list.push((item = { name: m[2] }));
            if (last) Object.assign(item, value);
            current = item;
        } else if (last) {
            current[segment] = value;
        } else {
            current = (current[segment] ??= {}) as Values;
        }
    });
}

/** Applies the workload table: pod and container security contexts, priority class and resources of every workload of `chart`. */
export function applyWorkloads(values: Values, chart: string, r: ResolvedMonitoring): Values {
    for (const w of MONITORING_WORKLOADS.filter((x) => x.chart === chart)) {
        setAt(values, w.podSecurityContext, podSecurityContext(w));
        if (r.priorityClassName) setAt(values, w.priorityClassName, r.priorityClassName);
        for (const c of w.containers) {
            setAt(values, c.securityContext, containerSecurityContext(w));
            setAt(values, c.resources, r.resources[resourceKeyOf(w, c)]);
        }
    }
    return values;
}

const volumeClaim = (storageClassName: string, storage: string) => ({
    volumeClaimTemplate: { spec: { storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage } } } },
});

/** Writable paths Grafana needs beyond the chart's own emptyDirs (see kubePrometheusStackValues). */
export const GRAFANA_EXTRA_WRITABLE_PATHS = ["/tmp", "/var/log/grafana"];
const volumeNameOf = (mountPath: string) => (mountPath === "/tmp" ? "tmp" : mountPath.split("/").filter(Boolean).join("-"));

/**
 * From two replicas: a PodDisruptionBudget keeping one up (the chart's default is none:
 * kube-prometheus-stack 88.5.3 values.yaml `prometheus.podDisruptionBudget.enabled: false`, rendered by
 * templates/prometheus/podDisruptionBudget.yaml, likewise for Alertmanager), and replicas in different
 * zones (the chart's default anti-affinity is `soft` on the hostname; `hard` renders
 * requiredDuringScheduling on `podAntiAffinityTopologyKey`: templates/prometheus/prometheus.yaml and
 * templates/alertmanager/alertmanager.yaml). One replica gets neither: a budget of one would block every drain.
 */
export function highAvailability(replicas: number) {
    if (replicas < 2) return { spread: {}, budget: {} };
    return {
        spread: { podAntiAffinity: "hard", podAntiAffinityTopologyKey: "topology.kubernetes.io/zone" },
        budget: { podDisruptionBudget: { enabled: true, minAvailable: 1 } },
    };
}

export function kubePrometheusStackValues(r: ResolvedMonitoring): Values {
    const selector = { matchLabels: r.selectorLabels };
    const selectors = Object.fromEntries(
        ["rule", "serviceMonitor", "podMonitor", "probe", "scrapeConfig"].flatMap((kind) => [
            // Without this, a nil selector means "only this release's objects".
            [`${kind}SelectorNilUsesHelmValues`, false],
            [`${kind}Selector`, selector],
        ]),
    );
    const controlPlane = !r.managedControlPlane;
    const values: Values = {
        // The CRDs come from prometheus-operator-crds, a Release kept on delete.
        crds: { enabled: false },
        defaultRules: {
            rules: {
                etcd: controlPlane,
                kubeControllerManager: controlPlane,
                kubeSchedulerAlerting: controlPlane,
                kubeSchedulerRecording: controlPlane,
                node: r.nodeExporter,
                nodeExporterAlerting: r.nodeExporter,
                nodeExporterRecording: r.nodeExporter,
                kubePrometheusNodeRecording: r.nodeExporter,
                windows: false,
            },
        },
        kubeControllerManager: { enabled: controlPlane },
        kubeScheduler: { enabled: controlPlane },
        kubeEtcd: { enabled: controlPlane },
        prometheusOperator: {
            // Chart v4 omits Helm hooks, so the certgen Jobs never run: cert-manager issues the webhook certificate.
            // The webhooks default to Ignore while patch.enabled (templates/prometheus-operator/admission-webhooks/
            // validatingWebhookConfiguration.yaml, 88.5.3): a malformed PrometheusRule would be accepted and break
            // alerting silently. Fail refuses it; every Hangar PrometheusRule waits for the operator (readyResources).
            // IgnoreOnInstallOnly would always mean Ignore: Chart v4 renders every run as an install.
            // Without cert-manager (operatorWebhooks off) nothing issues the webhook certificate: the webhooks go, and with
            // them operator TLS, which mounts the same `<fullname>-admission` Secret (templates/prometheus-operator/
            // deployment.yaml, 88.5.3: `tls.enabled` adds the `tls-secret` volume); the operator then listens on http 8080.
            ...(r.operatorWebhooks === "cert-manager"
                ? { admissionWebhooks: { certManager: { enabled: true }, failurePolicy: "Fail" } }
                : { admissionWebhooks: { enabled: false }, tls: { enabled: false } }),
        },
        prometheus: {
            // Awaited like a Deployment: up fails if the StatefulSet never gets ready (a PVC Pending on a
            // missing StorageClass, say). The chart annotates the Prometheus object with these values
            // (templates/prometheus/prometheus.yaml, `.Values.prometheus.annotations`); the operator sets Available.
            annotations: { [PULUMI_WAIT_FOR]: "condition=Available" },
            prometheusSpec: {
                replicas: r.prometheus.replicas,
                retention: r.prometheus.retention,
                retentionSize: r.prometheus.retentionSize,
                storageSpec: volumeClaim(r.storageClass, r.prometheus.storageSize),
                externalLabels: { environment: r.environment },
                ...selectors,
                ...highAvailability(r.prometheus.replicas).spread,
            },
            ...highAvailability(r.prometheus.replicas).budget,
        },
        alertmanager: {
            // templates/alertmanager/alertmanager.yaml, `.Values.alertmanager.annotations`.
            annotations: { [PULUMI_WAIT_FOR]: "condition=Available" },
            alertmanagerSpec: {
                replicas: r.alertmanager.replicas,
                storage: volumeClaim(r.storageClass, r.alertmanager.storageSize),
                ...(r.alertmanager.receiverType ? { secrets: [RECEIVER_SECRET] } : {}),
                ...highAvailability(r.alertmanager.replicas).spread,
            },
            ...highAvailability(r.alertmanager.replicas).budget,
            config: alertmanagerConfig(
                r.alertmanager.receiverType,
                r.alertmanager.channel,
                RECEIVER_SECRET,
                RECEIVER_SECRET_KEY,
                r.environment,
            ),
        },
        grafana: {
            admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
            // Its init container runs as root to chown a volume Hangar does not use.
            initChownData: { enabled: false },
            testFramework: { enabled: false },
            // The root filesystem is read-only. The chart mounts emptyDirs at /var/lib/grafana (`storage`, which holds
            // paths.data and paths.plugins) and /var/lib/grafana-search (grafana 12.11.1 templates/_pod.tpl); Grafana
            // also writes a scratch /tmp and, for file logging, paths.logs (/var/log/grafana, values.yaml grafana.ini).
            extraEmptyDirMounts: GRAFANA_EXTRA_WRITABLE_PATHS.map((mountPath) => ({ name: volumeNameOf(mountPath), mountPath })),
            env: {
                // The plugin preinstaller downloads plugins at start: nothing to fetch (Hangar lists no plugins, and
                // egress is closed), and with no plugins listed the bundled-plugins directory is never written, so
                // shadowBundledPlugins (which would hide every unlisted bundled plugin) stays off.
                GF_PLUGINS_PREINSTALL_DISABLED: "true",
                ...(r.grafana.host ? { GF_SERVER_ROOT_URL: `https://${r.grafana.host}` } : {}),
            },
            sidecar: {
                dashboards: {
                    enabled: true,
                    label: GRAFANA_DASHBOARD_LABEL.key,
                    labelValue: GRAFANA_DASHBOARD_LABEL.value,
                    searchNamespace: "ALL",
                    folderAnnotation: DASHBOARD_FOLDER_ANNOTATION,
                    provider: { foldersFromFilesStructure: true },
                },
            },
        },
        "kube-state-metrics": {},
        nodeExporter: { enabled: r.nodeExporter },
        "prometheus-node-exporter": { namespaceOverride: r.nodeExporterNamespace },
    };
    // Every toggle of a workload the table does not cover stays off, explicitly.
    for (const w of UNRENDERED_WORKLOADS) setAt(values, w.toggle, false);
    applyWorkloads(values, "kube-prometheus-stack", r);
    // kube-state-metrics renders its pod securityContext only when `enabled` (and strips the key).
    setAt(values, "kube-state-metrics.securityContext.enabled", true);
    return values;
}
