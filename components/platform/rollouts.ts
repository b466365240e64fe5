/**
 * Platform's mappers for progressive delivery: whether the stack needs the Argo Rollouts controller, its args,
 * and where the analysis reads Prometheus. Pure.
 */
import { APP_SERVICE_DEFAULTS } from "../app";
import type * as pulumi from "@pulumi/pulumi";
import { kubePrometheusStackFullname, prometheusEndpoint, ResolvedMonitoring } from "../monitoring";
import type { RolloutsControllerArgs } from "../rollouts";
import type { PlatformArgs, PlatformRolloutsArgs } from "./args";
import type { Prerequisite } from "./prerequisites";

/** The controller's args out of the stack's `app.rollouts` (the route-rules switch is the app tier's). */
export function rolloutsControllerArgs(r: PlatformRolloutsArgs | undefined): RolloutsControllerArgs {
    const { applyRouteRules: _apply, ...rest } = r ?? {};
    return rest;
}

/** True when some service runs as an Argo Rollout (its strategy, or the component default `canary`). */
export function needsRolloutsController(args: PlatformArgs): boolean {
    return (args.app?.services ?? []).some((s) => (s.strategy ?? APP_SERVICE_DEFAULTS.strategy) !== "rolling");
}

/** Where the monitoring stack's Prometheus answers (kube-prometheus-stack 88.5.3 templates/prometheus/service.yaml: `<fullname>-prometheus`, port 9090). */
export function prometheusAddress(namespace: string, release: string): string {
    return `http://${kubePrometheusStackFullname(release)}-prometheus.${namespace}.svc:9090`;
}

/** The controller's args when the stack runs Rollouts: its settings, scraped and networked like the monitoring stack's pods. */
export function controllerArgs(
    args: PlatformArgs,
    c: {
        monitoring?: ResolvedMonitoring;
        serviceMonitorLabels?: Record<string, string>;
        controlPlaneCidrs: pulumi.Input<string[]>;
        priorityClassName?: pulumi.Input<string>;
    },
): RolloutsControllerArgs | undefined {
    if (!needsRolloutsController(args)) return undefined;
    const prometheus = c.monitoring && prometheusEndpoint(c.monitoring.namespace, c.monitoring.releaseName);
    return {
        ...rolloutsControllerArgs(args.app?.rollouts),
        podSecurityVersion: args.kubernetes.version,
        priorityClassName: c.priorityClassName,
        serviceMonitorLabels: c.serviceMonitorLabels,
        network: {
            controlPlaneCidrs: c.controlPlaneCidrs,
            prometheus:
                prometheus && "namespace" in prometheus ? { namespace: prometheus.namespace, podLabels: prometheus.podLabels } : undefined,
        },
    };
}

/**
 * With `app.rollouts.mode: existing` the cluster must already serve the Rollout and AnalysisTemplate kinds
 * (argo-rollouts-2.41.0 templates/crds/rollout-crd.yaml, analysis-template-crd.yaml); in `chart` mode the Release installs them.
 */
export function rolloutsPrerequisites(args: PlatformArgs): Prerequisite[] {
    if (!needsRolloutsController(args) || (args.app?.rollouts?.mode ?? "chart") !== "existing") return [];
    const install =
        "install Argo Rollouts (helm install argo-rollouts argo/argo-rollouts --version 2.41.0 -n argo-rollouts, with the Gateway API plugin for routed canaries), or set app.rollouts.mode: chart";
    return ["rollouts.argoproj.io", "analysistemplates.argoproj.io"].map((name) => ({
        id: `crd:${name}`,
        neededBy: "canary and blue-green services (Argo Rollouts)",
        install,
        requirement: { kind: "crd" as const, name },
    }));
}
