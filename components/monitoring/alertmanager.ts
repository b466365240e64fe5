/**
 * Alertmanager's configuration (kube-prometheus-stack `alertmanager.config`).
 * The receiver key never appears here: Alertmanager reads it from a file,
 * the Secret `alertmanagerSpec.secrets` mounts at /etc/alertmanager/secrets/<name>/.
 */

/** The key of the receiver Secret that holds the routing key or URL. */
export const RECEIVER_SECRET_KEY = "receiver-key";
export const ONCALL_RECEIVER = "hangar-oncall";

export function receiverKeyPath(secretName: string, key: string): string {
    return `/etc/alertmanager/secrets/${secretName}/${key}`;
}

function receiver(type: string, file: string, channel: string | undefined): Record<string, unknown> {
    switch (type) {
        case "slack":
            return { name: ONCALL_RECEIVER, slack_configs: [{ api_url_file: file, send_resolved: true, ...(channel ? { channel } : {}) }] };
        case "webhook":
            return { name: ONCALL_RECEIVER, webhook_configs: [{ url_file: file, send_resolved: true }] };
        default:
            return { name: ONCALL_RECEIVER, pagerduty_configs: [{ routing_key_file: file, send_resolved: true }] };
    }
}

/**
 * Routes everything to the on-call receiver (or nowhere without one), and the
 * Watchdog heartbeat to `null`. Lists replace the chart's, so `null` is kept.
 */
export function alertmanagerConfig(
    receiverType: string | undefined,
    channel: string | undefined,
    secretName: string,
    key: string,
    environment: string,
) {
    return {
        global: { resolve_timeout: "5m" },
        route: {
            group_by: ["namespace", "alertname"],
            group_wait: "30s",
            group_interval: "5m",
            repeat_interval: environment === "prod" ? "4h" : "12h",
            receiver: receiverType ? ONCALL_RECEIVER : "null",
            routes: [{ receiver: "null", matchers: ['alertname = "Watchdog"'] }],
        },
        receivers: [{ name: "null" }, ...(receiverType ? [receiver(receiverType, receiverKeyPath(secretName, key), channel)] : [])],
        templates: ["/etc/alertmanager/config/*.tmpl"],
    };
}
