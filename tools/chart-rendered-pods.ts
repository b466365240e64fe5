/**
 * What the charts' pods read and write, for the wiring rules on pod inputs, client CAs and
 * writable paths (policies/rules/wiring/pod-*.ts, filesystem.ts): the Secrets, ConfigMaps,
 * CA files and writable mounts of the pods tools/chart-rendered.ts renders, and the
 * Secrets/ConfigMaps the charts render for them. Each piece cites its template
 * (chart-version/path under ../shared/charts/src/).
 */
type Values = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A container's env, mounts and securityContext, and the pod's volumes, to merge into a rendered workload. */
export interface PodFiles {
    env: Values[];
    volumeMounts: Values[];
    volumes: Values[];
    securityContext?: Values;
}

/** prometheus-redis-exporter-6.29.0/templates/deployment.yaml: the exporter's Secret/ConfigMap reads besides REDIS_PASSWORD: address source, password file, TLS files. */
export function redisExporterFiles(v: Values): PodFiles {
    const out: PodFiles = { env: [], volumeMounts: [], volumes: [] };
    const address = v.redisAddressConfig ?? {};
    if (address.enabled) {
        // deployment.yaml:58-67: REDIS_ADDR from a Secret or ConfigMap key instead of the literal value.
        const ref = { name: address.source?.name, key: address.source?.key };
        out.env.push({ name: "REDIS_ADDR", valueFrom: address.isSecret ? { secretKeyRef: ref } : { configMapKeyRef: ref } });
    }
    const file = v.auth?.redisPasswordFile ?? {};
    if (v.auth?.enabled && file.secret?.name) {
        // deployment.yaml:129-132 and 163-166: the password file's Secret mounted whole at auth.redisPasswordFile.mountPath.
        out.volumeMounts.push({ name: "redis-password-file-mount", mountPath: file.mountPath });
        out.volumes.push({ name: "redis-password-file-mount", secret: { secretName: file.secret.name } });
    }
    const tls = v.redisTlsConfig ?? {};
    if (tls.enabled) {
        // deployment.yaml:71-87: the CA and client files' env; 133-136: the `tls` volume at redisTlsConfig.mountPath
        // (values.yaml:94, /tls), read-only; 168-191: a projected volume of the Secret keys, each item at a fixed path.
        const mountPath = tls.mountPath ?? "/tls";
        const files: [string, string, string][] = [
            ["caCertFile", "REDIS_EXPORTER_TLS_CA_CERT_FILE", "tls-ca-cert.crt"],
            ["clientKeyFile", "REDIS_EXPORTER_TLS_CLIENT_KEY_FILE", "tls-client-key.key"],
            ["clientCertFile", "REDIS_EXPORTER_TLS_CLIENT_CERT_FILE", "tls-client-cert.crt"],
        ];
        const sources: Values[] = [];
        for (const [key, env, path] of files) {
            const secret = tls[key]?.secret ?? {};
            if (!secret.name || !secret.key) continue;
            out.env.push({ name: env, value: `${mountPath}/${path}` });
            sources.push({ secret: { name: secret.name, items: [{ key: secret.key, path }] } });
        }
        out.volumeMounts.push({ mountPath, name: "tls", readOnly: true });
        out.volumes.push({ name: "tls", projected: { sources } });
    }
    return out;
}

/**
 * The operator's webhook certificate: with prometheusOperator.tls.enabled (values.yaml:2841-2842, default true) the
 * Deployment mounts the Secret `<fullname>-admission` at /cert (templates/prometheus-operator/deployment.yaml:181-186,
 * 214-220), which cert-manager issues from the chart's Certificate (templates/prometheus-operator/certmanager.yaml:43-48).
 */
export function operatorFiles(v: Values, fullname: string): PodFiles {
    if ((v.prometheusOperator?.tls?.enabled ?? true) === false) return { env: [], volumeMounts: [], volumes: [] };
    return {
        env: [],
        volumeMounts: [{ name: "tls-secret", mountPath: "/cert", readOnly: true }],
        volumes: [{ name: "tls-secret", secret: { defaultMode: 420, secretName: `${fullname}-admission` } }],
    };
}

/**
 * `spec.secrets` and `spec.configMaps` of a Prometheus or Alertmanager object (the chart copies them from
 * alertmanagerSpec/prometheusSpec: templates/alertmanager/alertmanager.yaml:63-66, values.yaml:1030-1042): the
 * operator mounts each into the main container as the volume `secret-<name>` / `configmap-<name>` at
 * /etc/<app>/secrets/<name> and /etc/<app>/configmaps/<name> (prometheus-operator API reference, AlertmanagerSpec
 * and PrometheusSpec `secrets`/`configMaps`, https://prometheus-operator.dev/docs/api-reference/api/).
 */
export function operatorMountedObjects(spec: Values, app: "alertmanager" | "prometheus"): PodFiles {
    const out: PodFiles = { env: [], volumeMounts: [], volumes: [] };
    for (const name of (spec.secrets ?? []) as string[]) {
        out.volumes.push({ name: `secret-${name}`, secret: { secretName: name } });
        out.volumeMounts.push({ name: `secret-${name}`, mountPath: `/etc/${app}/secrets/${name}`, readOnly: true });
    }
    for (const name of (spec.configMaps ?? []) as string[]) {
        out.volumes.push({ name: `configmap-${name}`, configMap: { name } });
        out.volumeMounts.push({ name: `configmap-${name}`, mountPath: `/etc/${app}/configmaps/${name}`, readOnly: true });
    }
    return out;
}

const GRAFANA = "grafana-12.11.1";

/** grafana.ini `paths` and `unified_storage.index_path` defaults (values.yaml:960-964, 972), under what the values set. */
function grafanaPaths(g: Values) {
    const ini = g["grafana.ini"] ?? {};
    return {
        data: "/var/lib/grafana/",
        logs: "/var/log/grafana",
        plugins: "/var/lib/grafana/plugins",
        provisioning: "/etc/grafana/provisioning",
        ...(ini.paths ?? {}),
        index: ini.unified_storage?.index_path ?? "/var/lib/grafana-search/bleve",
    };
}

/** The Grafana container (templates/_pod.tpl): admin credentials, paths, config, storage and emptyDir mounts. */
export function grafanaFiles(g: Values, fullname: string): PodFiles {
    const env: Values[] = [];
    const adminSecret = g.admin?.existingSecret || fullname; // _pod.tpl:1420-1432, the chart's Secret without existingSecret
    const e = g.env ?? {};
    if (!e.GF_SECURITY_ADMIN_USER && !e.GF_SECURITY_ADMIN_USER__FILE && !e.GF_SECURITY_DISABLE_INITIAL_ADMIN_CREATION)
        env.push({
            name: "GF_SECURITY_ADMIN_USER",
            valueFrom: { secretKeyRef: { name: adminSecret, key: g.admin?.userKey || "admin-user" } },
        });
    if (!e.GF_SECURITY_ADMIN_PASSWORD && !e.GF_SECURITY_ADMIN_PASSWORD__FILE && !e.GF_SECURITY_DISABLE_INITIAL_ADMIN_CREATION)
        env.push({
            name: "GF_SECURITY_ADMIN_PASSWORD",
            valueFrom: { secretKeyRef: { name: adminSecret, key: g.admin?.passwordKey || "admin-password" } },
        });
    const paths = grafanaPaths(g);
    env.push(
        // _pod.tpl:1472-1481: Grafana's paths from grafana.ini.
        { name: "GF_PATHS_DATA", value: paths.data },
        { name: "GF_PATHS_LOGS", value: paths.logs },
        { name: "GF_PATHS_PLUGINS", value: paths.plugins },
        { name: "GF_PATHS_PROVISIONING", value: paths.provisioning },
        { name: "GF_UNIFIED_STORAGE_INDEX_PATH", value: paths.index },
    );
    for (const [name, value] of Object.entries(e)) env.push({ name, value: String(value) }); // _pod.tpl:1494
    const persistent = g.persistence?.enabled && (g.persistence?.type ?? "pvc") === "pvc";
    const extra = (g.extraEmptyDirMounts ?? []) as Values[];
    return {
        env,
        securityContext: g.containerSecurityContext,
        volumeMounts: [
            // _pod.tpl:1270-1272 (grafana.ini from the chart's ConfigMap), 1284-1290 (storage, search), 1394-1397 (extraEmptyDirMounts).
            { name: "config", mountPath: "/etc/grafana/grafana.ini", subPath: "grafana.ini" },
            { name: "storage", mountPath: "/var/lib/grafana" },
            { name: "search", mountPath: "/var/lib/grafana-search" },
            ...extra.map((m) => ({ name: m.name, mountPath: m.mountPath })),
        ],
        volumes: [
            // _pod.tpl:1565-1567, 1612-1631 (storage: the PVC when persistence is on, else an emptyDir), 1736-1739.
            { name: "config", configMap: { name: fullname } },
            persistent
                ? { name: "storage", persistentVolumeClaim: { claimName: g.persistence.existingClaim || fullname } }
                : { name: "storage", emptyDir: {} },
            { name: "search", emptyDir: {} },
            ...extra.map((m) => ({ name: m.name, emptyDir: {} })),
        ],
    };
}

/** The Secrets and ConfigMaps the grafana chart renders for its pod: the config (configmap.yaml) and the admin Secret (secret.yaml). */
export function grafanaObjects(g: Values, fullname: string): { type: string; name: string; body: Values; source: string }[] {
    const out = [];
    if (g.createConfigmap ?? true)
        out.push({
            type: "kubernetes:core/v1:ConfigMap",
            name: fullname,
            body: { data: { "grafana.ini": "" } }, // templates/configmap.yaml: grafana.ini from the values' grafana.ini
            source: `${GRAFANA}/templates/configmap.yaml`,
        });
    const e = g.env ?? {};
    if (
        !g.admin?.existingSecret &&
        !e.GF_SECURITY_ADMIN_PASSWORD__FILE &&
        !e.GF_SECURITY_ADMIN_PASSWORD &&
        !e.GF_SECURITY_DISABLE_INITIAL_ADMIN_CREATION
    )
        out.push({
            type: "kubernetes:core/v1:Secret",
            name: fullname,
            // templates/secret.yaml:1-16 with grafana.secretsData (_helpers.tpl): admin-user and admin-password.
            body: { type: "Opaque", data: { "admin-user": "", "admin-password": "" } },
            source: `${GRAFANA}/templates/secret.yaml`,
        });
    return out;
}

/** Merges a container's files into a rendered container and its pod. */
export function withFiles(container: Values, pod: Values, files: PodFiles): void {
    container.env = [...(container.env ?? []), ...files.env];
    container.volumeMounts = [...(container.volumeMounts ?? []), ...files.volumeMounts];
    if (files.securityContext) container.securityContext = files.securityContext;
    pod.volumes = [...(pod.volumes ?? []), ...files.volumes];
}

/**
 * external-secrets 2.9.0 (a helm.v3.Release: its CRDs are templates, kept on delete). The controller Deployment
 * (templates/deployment.yaml, `createOperator`: named `external-secrets.fullname`, _helpers.tpl:13-24; pod labels
 * `external-secrets.selectorLabels`, _helpers.tpl:141-144; container `.Chart.Name` with the metrics port
 * `metrics.listen.port`, values.yaml:346-347, deployment.yaml:162-165; the pod securityContext only with a key besides
 * `enabled`, deployment.yaml:55-58). It mounts no Secret or ConfigMap unless `extraVolumes` (deployment.yaml:191-193,
 * 212). The webhook (templates/webhook-deployment.yaml, `webhook.create`) mounts its certificate Secret and the cert
 * controller (templates/cert-controller-deployment.yaml, `certController.create`) writes it: Hangar turns both off
 * (components/external-secrets/index.ts), so they are listed only when a values file turns them on.
 */
export function externalSecretsRendered(release: string, v: Values): { type: string; name: string; body: Values; source: string }[] {
    const ES = "external-secrets-2.9.0";
    const name =
        v.fullnameOverride ||
        (release.includes(v.nameOverride || "external-secrets") ? release : `${release}-${v.nameOverride || "external-secrets"}`);
    const podContext = (c: Values | undefined) => {
        if (!c?.enabled || Object.keys(c).length < 2) return {};
        const { enabled: _enabled, ...rest } = c;
        return { securityContext: rest };
    };
    const deployment = (n: string, labels: Record<string, string>, container: Values, pod: Values, source: string) => ({
        type: "kubernetes:apps/v1:Deployment",
        name: n,
        body: {
            metadata: { labels },
            spec: {
                selector: { matchLabels: labels },
                template: { metadata: { labels }, spec: { ...pod, containers: [container] } },
            },
        },
        source: `${ES}/${source}`,
    });
    const chartName = v.nameOverride || "external-secrets";
    const out = [];
    if (v.createOperator ?? true) {
        const labels = { "app.kubernetes.io/name": chartName, "app.kubernetes.io/instance": release };
        out.push(
            deployment(
                name,
                labels,
                { name: "external-secrets", ports: [{ name: "metrics", containerPort: v.metrics?.listen?.port ?? 8080 }] },
                podContext(v.podSecurityContext),
                "templates/deployment.yaml",
            ),
        );
    }
    if (v.webhook?.create ?? true) {
        // _helpers.tpl:145-148 (webhook selector labels); webhook-deployment.yaml:152-155, 163-166 mount the Secret
        // `<fullname>-webhook` at webhook.certDir (values.yaml:508, /tmp/certs).
        const labels = { "app.kubernetes.io/name": `${chartName}-webhook`, "app.kubernetes.io/instance": release };
        out.push(
            deployment(
                `${name}-webhook`,
                labels,
                {
                    name: "webhook",
                    ports: [{ name: "webhook", containerPort: v.webhook?.port ?? 10250 }],
                    volumeMounts: [{ name: "certs", mountPath: v.webhook?.certDir ?? "/tmp/certs", readOnly: true }],
                },
                { ...podContext(v.webhook?.podSecurityContext), volumes: [{ name: "certs", secret: { secretName: `${name}-webhook` } }] },
                "templates/webhook-deployment.yaml",
            ),
        );
    }
    return out;
}
