/**
 * Wiring rules (issue 18) for what Prometheus scrapes and what NetworkPolicies protect:
 * monitors select Services or pods (the charts' too, from tools/chart-rendered.ts) on
 * port names that exist, a Prometheus selects each monitor, and every NetworkPolicy
 * selects a pod.
 */
import * as assert from "assert";
import { Snapshot } from "../../tools/harness";
import { policyConfig, wiringResources } from "../../tools/policy-check";
import { runPolicies } from "../../tools/policy/runner";
import { monitorSelectsTargets } from "../../policies/rules/wiring/monitors";
import { networkPolicySelectsPods } from "../../policies/rules/wiring/network-policies";
import { Any, first, Mutation, mutationTests, realStacks } from "./wiring-fixtures";

const SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const CHART = "kubernetes:helm.sh/v4:Chart";

const chart = (s: Snapshot, name: string) => s.resources.find((r) => r.type === CHART && (r.inputs as Any).name === name)!;

const MUTATIONS: Mutation[] = [
    [
        "a ServiceMonitor's selector no longer matching the exporter's Service",
        monitorSelectsTargets.name,
        (s) => {
            const m = first(s, SERVICE_MONITOR, "prometheus-postgres-exporter");
            (m.inputs.spec as Any).selector.matchLabels["app.kubernetes.io/instance"] = "postgres-exporter";
            return m;
        },
        /ServiceMonitor monitoring\/prometheus-postgres-exporter: spec.selector .* selects no Service of the stack in namespace monitoring/,
    ],
    [
        "a ServiceMonitor naming a namespace without its Service",
        monitorSelectsTargets.name,
        (s) => {
            const m = first(s, SERVICE_MONITOR, "prometheus-redis-exporter");
            (m.inputs.spec as Any).namespaceSelector.matchNames = ["hangar"];
            return m;
        },
        /selects no Service of the stack in namespace hangar/,
    ],
    [
        "the exporter chart's Service port renamed in its values",
        monitorSelectsTargets.name,
        (s) => {
            const values = (chart(s, "prometheus-postgres-exporter").inputs as Any).values;
            values.service = { ...(values.service ?? {}), name: "metrics" };
            return first(s, SERVICE_MONITOR, "prometheus-postgres-exporter");
        },
        /endpoints\[0\].port "http" is no port name of Service monitoring\/prometheus-postgres-exporter/,
    ],
    [
        "an app ServiceMonitor's endpoint port renamed",
        monitorSelectsTargets.name,
        (s) => {
            const m = first(s, SERVICE_MONITOR, "api");
            (m.inputs.spec as Any).endpoints[0].port = "prom";
            return m;
        },
        /ServiceMonitor hangar\/api: endpoints\[0\].port "prom" is no port name of Service hangar\/api/,
    ],
    [
        "a ServiceMonitor without the label the Prometheus selects",
        monitorSelectsTargets.name,
        (s) => {
            const m = first(s, SERVICE_MONITOR, "workers");
            delete (m.inputs.metadata as Any).labels.release;
            return m;
        },
        /ServiceMonitor hangar\/workers: no Prometheus of the stack selects it/,
    ],
    [
        "the Prometheus' serviceMonitorSelector changed in the chart's values",
        monitorSelectsTargets.name,
        (s) => {
            const spec = (chart(s, "kube-prometheus-stack").inputs as Any).values.prometheus.prometheusSpec;
            spec.serviceMonitorSelector = { matchLabels: { release: "monitoring" } };
            return first(s, SERVICE_MONITOR, "api");
        },
        /no Prometheus of the stack selects it/,
    ],
    [
        "an app NetworkPolicy's podSelector label changed",
        networkPolicySelectsPods.name,
        (s) => {
            const np = s.resources.find(
                (r) => r.type === NETWORK_POLICY && Object.keys((r.inputs.spec as Any).podSelector?.matchLabels ?? {}).length > 0,
            )!;
            const labels = (np.inputs.spec as Any).podSelector.matchLabels;
            labels[Object.keys(labels)[0]] = "nobody";
            return np;
        },
        /NetworkPolicy \S+: spec.podSelector .* selects no pod of the stack in namespace/,
    ],
    [
        "a monitoring NetworkPolicy selecting a chart pod by a label the chart does not set",
        networkPolicySelectsPods.name,
        (s) => {
            const np = first(s, NETWORK_POLICY, "kube-state-metrics");
            (np.inputs.spec as Any).podSelector = { matchExpressions: [{ key: "app.kubernetes.io/component", operator: "Exists" }] };
            return np;
        },
        /NetworkPolicy monitoring\/kube-state-metrics: spec.podSelector .* selects no pod/,
    ],
];

describe("wiring rules: monitors and NetworkPolicies", () => {
    const stacks = realStacks();

    mutationTests(stacks, MUTATIONS);

    it("take monitors whose targets are made at run time from the policy config, by name pattern", async () => {
        const s = structuredClone(stacks.prod);
        const m = first(s, SERVICE_MONITOR, "api");
        (m.inputs.spec as Any).selector.matchLabels = { "k8s-app": "kubelet" };
        const config = policyConfig("prod");
        const rule = (exemptMonitors: unknown[]) =>
            runPolicies(
                wiringResources(s),
                { ...config, [monitorSelectsTargets.name]: { exemptMonitors } },
                { policies: [monitorSelectsTargets] },
            );
        assert.deepStrictEqual(await rule([{ namespace: "hangar", name: "a*", reason: "the operator creates the kubelet Service" }]), []);
        const other = await rule([{ namespace: "monitoring", name: "a*", reason: "another namespace" }]);
        assert.ok(
            other.some((v) => /selects no Service/.test(v.message)),
            JSON.stringify(other),
        );
    });

    it("read PodMonitors against the pods' container port names", async () => {
        const s = structuredClone(stacks.prod);
        const m = first(s, SERVICE_MONITOR, "api");
        m.type = "kubernetes:monitoring.coreos.com/v1:PodMonitor";
        const spec = m.inputs.spec as Any;
        spec.podMetricsEndpoints = spec.endpoints;
        delete spec.endpoints;
        // The api's ServiceMonitor selects its metrics Service (a Rollout's pods are scraped through it); a PodMonitor selects the pods.
        spec.selector = { matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "hangar" } };
        const run = () => runPolicies(wiringResources(s), policyConfig("prod"), { policies: [monitorSelectsTargets] });
        assert.deepStrictEqual(await run(), []);
        spec.podMetricsEndpoints[0].port = "prom";
        const hits = await run();
        assert.ok(
            hits.some((v) => /PodMonitor hangar\/api: podMetricsEndpoints\[0\].port "prom" is no port name of Rollout/.test(v.message)),
            JSON.stringify(hits),
        );
    });
});
