/**
 * Progressive delivery with Argo Rollouts (controller v1.9.0, chart argo-rollouts 2.41.0): the Rollout that
 * replaces a service's Deployment for `canary` and `blueGreen`, its extra Services and its AnalysisTemplate.
 * Pure: testable without Pulumi. Field names follow the Rollout and AnalysisTemplate CRDs
 * (argo-rollouts-2.41.0/templates/crds/rollout-crd.yaml, analysis-template-crd.yaml).
 *
 * The controller owns two things Pulumi must leave alone: the weights of the HTTPRoute's backendRefs (an
 * atomic list under server-side apply, so the route ignores `spec.rules` after creation: exposure.ts) and,
 * under an HPA, `spec.replicas` (left unset and ignored, as for Deployments). It also adds
 * `rollouts-pod-template-hash` to the selectors of the stable/canary (active/preview) Services: a map under
 * server-side apply, so Pulumi's applies, which never send that key, leave it in place.
 */
import type { Input } from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes/types/input";
import { PULUMI_WAIT_FOR } from "../shared/exposure";
import { selectorLabels } from "../shared/labels";
import { GATEWAY_PLUGIN } from "../shared/rollouts";
import type { ResolvedService } from "./spec";
import { hasAutoscaler } from "./workload";

/** The label the controller puts on every pod of a Rollout (and on the Services it points at one revision). */
export const ROLLOUT_HASH_LABEL = "rollouts-pod-template-hash";
/** The same label as Prometheus names it on scraped series (podTargetLabels, sanitized). */
export const ROLLOUT_HASH_METRIC_LABEL = "rollouts_pod_template_hash";
export { GATEWAY_PLUGIN };

/** What the analysis measures: the monitoring stack's Prometheus and the app's metric names and thresholds. */
export interface RolloutAnalysisSource {
    /** Prometheus's HTTP address, e.g. http://kube-prometheus-stack-prometheus.monitoring.svc:9090. */
    prometheusAddress: string;
    /** Counter of requests, labelled with the status. @default "http_requests_total" */
    requestsMetric?: string;
    /** Histogram buckets of request durations. @default "http_request_duration_seconds_bucket" */
    durationBucketMetric?: string;
    /** Label of the HTTP status on the requests counter. @default "code" */
    statusLabel?: string;
    /** Highest 5xx share, unless the service sets its own. */
    errorRatio: number;
    /** Highest p95 latency, seconds, unless the service sets its own. */
    latencyP95Seconds: number;
}

/** How the tier's Rollouts are routed and analysed. */
export interface RolloutDeliveryArgs {
    /** The controller runs the Gateway API traffic-router plugin: canaries are split on the HTTPRoute. @default false: by replica counts */
    gatewayTrafficRouter?: boolean;
    /** Analyse on Prometheus; without it, rollouts progress on their pauses alone. @default none */
    analysis?: RolloutAnalysisSource;
}

export const usesRollout = (s: ResolvedService) => s.strategy !== "rolling";
export const canaryServiceName = (s: ResolvedService) => `${s.name}-canary`;
export const previewServiceName = (s: ResolvedService) => `${s.name}-preview`;
export const metricsServiceName = (s: ResolvedService) => `${s.name}-metrics`;
export const analysisTemplateName = (s: ResolvedService) => `${s.name}-rollout`;

/** True when the canary is split on the service's HTTPRoute (public, gateway exposure, plugin installed). */
export const routesCanary = (s: ResolvedService, d: RolloutDeliveryArgs | undefined) =>
    s.strategy === "canary" && s.public && s.exposure === "gateway" && !!d?.gatewayTrafficRouter;

/** The Rollout is analysed: the service has metrics and the stack a Prometheus. */
export const analysed = (s: ResolvedService, d: RolloutDeliveryArgs | undefined) => !!s.metrics && !!d?.analysis;

const hashArg = [{ name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } }];

export function rolloutSpec(
    s: ResolvedService,
    template: k8s.core.v1.PodTemplateSpec,
    namespace: Input<string>,
    production: boolean,
    delivery: RolloutDeliveryArgs | undefined,
) {
    const analysis = analysed(s, delivery) ? { templates: [{ templateName: analysisTemplateName(s) }], args: hashArg } : undefined;
    const strategy =
        s.strategy === "blueGreen"
            ? {
                  blueGreen: {
                      activeService: s.name,
                      previewService: previewServiceName(s),
                      autoPromotionEnabled: s.blueGreen.autoPromote,
                      scaleDownDelaySeconds: s.blueGreen.scaleDownDelaySeconds,
                      // The preview is measured before it takes traffic; a failed run aborts (the active stays).
                      ...(analysis ? { prePromotionAnalysis: analysis } : {}),
                  },
              }
            : {
                  canary: {
                      stableService: s.name,
                      canaryService: canaryServiceName(s),
                      // prod never trades capacity for speed, as its Deployments (workload.ts).
                      maxUnavailable: production ? 0 : "25%",
                      maxSurge: production ? 1 : "25%",
                      ...(routesCanary(s, delivery)
                          ? { trafficRouting: { plugins: { [GATEWAY_PLUGIN]: { httpRoute: s.name, namespace } } } }
                          : {}),
                      // Background analysis for the whole rollout: a failed run aborts and sets the weight back to 0.
                      ...(analysis ? { analysis } : {}),
                      steps: s.canary.steps.flatMap((step) => [
                          { setWeight: step.weight },
                          { pause: step.pauseSeconds > 0 ? { duration: `${step.pauseSeconds}s` } : {} },
                      ]),
                  },
              };
    return {
        ...(hasAutoscaler(s) ? {} : { replicas: s.replicas.min }),
        revisionHistoryLimit: 5,
        progressDeadlineSeconds: 600,
        // A rollout stuck past the deadline aborts like a failed analysis, instead of waiting forever.
        progressDeadlineAbort: true,
        selector: { matchLabels: selectorLabels(s.name) },
        template,
        strategy,
    };
}

/** The canary (or preview) Service: the pods of the service, narrowed by the controller to one revision. */
export function revisionServiceSpec(s: ResolvedService): k8s.core.v1.ServiceSpec {
    return {
        type: "ClusterIP",
        selector: selectorLabels(s.name),
        ports: [{ name: "http", port: s.port, targetPort: "http", protocol: "TCP" }],
    };
}

/**
 * The Service Prometheus scrapes a Rollout's pods through: the controller narrows the stable and canary
 * Services to one revision each, so scraping through them would lose the canary (or count pods twice at rest).
 */
export function metricsServiceSpec(s: ResolvedService): k8s.core.v1.ServiceSpec {
    return {
        type: "ClusterIP",
        selector: selectorLabels(s.name),
        ports: [{ name: "metrics", port: s.metrics!.port, targetPort: "metrics", protocol: "TCP" }],
    };
}

/** Total seconds of a canary's pauses (0 for a manual pause): the base of `up`'s timeout. */
export function stepsSeconds(s: ResolvedService): number {
    return s.strategy === "canary" ? s.canary.steps.reduce((t, step) => t + step.pauseSeconds, 0) : 0;
}

/** True when a rollout of this service waits for a person (`kubectl argo rollouts promote`). */
export function manualPromotion(s: ResolvedService): boolean {
    return s.strategy === "blueGreen"
        ? !s.blueGreen.autoPromote
        : s.strategy === "canary" && s.canary.steps.some((st) => st.pauseSeconds === 0);
}

/**
 * How `pulumi up` waits for a Rollout. The provider's generic await (pulumi-kubernetes 4.18+,
 * provider/pkg/await/await.go) reads `pulumi.com/waitFor`: the Rollout is ready when its phase is Healthy and its
 * `Completed` condition holds ("the rollout completed its update to the desired revision and is not in the middle
 * of any update": argo-rollouts pkg/apis/rollouts/v1alpha1/types.go, RolloutCompleted), i.e. the stable ReplicaSet
 * is the current pod hash. The annotation has no failure predicate, so an aborted rollout never satisfies it and
 * the wait runs into its timeout: the steps' pauses, the analysis's failed measurements and the progress deadline
 * (`pulumi.com/timeoutSeconds`, and the same as `customTimeouts`). The Automation API then reads the abort reason
 * (automation/rollouts.ts). A rollout that waits for a person (manual promotion) is not awaited
 * (`pulumi.com/skipAwait`): `up` returns once the new revision is applied, and the check says so.
 *
 * Right after an apply the status still describes the previous revision (Healthy, Completed) until the controller
 * sees the new spec, and a jsonpath condition cannot compare `status.observedGeneration` with `metadata.generation`
 * (a filter compares fields of one list element only), so this wait can pass on that stale status; the Automation
 * API's `up` then waits for the new generation's promotion itself (automation/rollouts.ts, awaitPromotion).
 */
export function rolloutAwait(s: ResolvedService): { annotations: Record<string, string>; timeoutSeconds?: number } {
    if (manualPromotion(s)) return { annotations: { "pulumi.com/skipAwait": "true" } };
    const analysis = s.analysis.intervalSeconds * (s.analysis.failureLimit + 2);
    const timeoutSeconds = stepsSeconds(s) + analysis + 600; // + progressDeadlineSeconds
    return {
        annotations: {
            [PULUMI_WAIT_FOR]: JSON.stringify(["jsonpath={.status.phase}=Healthy", "condition=Completed"]),
            "pulumi.com/timeoutSeconds": String(timeoutSeconds),
        },
        timeoutSeconds,
    };
}
