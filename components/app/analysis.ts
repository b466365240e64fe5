/**
 * The AnalysisTemplate that gates a service's canary or blue-green rollout, on its own metrics in the
 * Prometheus the monitoring stack runs: the 5xx ratio and the p95 latency of the new revision's pods only
 * (`rollouts_pod_template_hash`, which the ServiceMonitor copies from the pod: podTargetLabels).
 *
 * A quiet service must not abort its rollout. With no requests the ratio is 0/0 (NaN) and a histogram with no
 * observations has a NaN quantile; with no series at all the query is empty and Argo Rollouts counts an error
 * per measurement (consecutiveErrorLimit, default 4, then the run errors). So the queries never return NaN or
 * nothing: the denominator is kept only when > 0, a NaN quantile fails `>= 0`, and `or vector(0)` stands in.
 * The metrics only set a `failureCondition`: a measurement fails when it holds and succeeds otherwise
 * (argo-rollouts docs, "Analysis": failureCondition without successCondition), and a comparison with NaN is
 * false (IEEE 754, as Go's float64), so even a NaN that slipped through would not fail the measurement.
 * More than `failureLimit` failed measurements fail the run, and a failed run aborts the rollout: the canary's
 * weight goes back to 0 and its pods scale down (argo-rollouts docs, "Canary": background analysis).
 */
import { selectorLabels } from "../shared/labels";
import { ROLLOUT_HASH_METRIC_LABEL, RolloutAnalysisSource, analysisTemplateName } from "./rollout";
import type { ResolvedService } from "./spec";

/** The argument the Rollout passes: the pod-template hash of the revision under test. */
export const HASH_ARG = "{{args.canary-hash}}";

export interface AnalysisQueries {
    errorRatio: string;
    latencyP95: string;
}

/** The PromQL of both metrics for the revision `hash` (the template argument, or a value in tests). */
export function analysisQueries(s: ResolvedService, src: RolloutAnalysisSource, namespace: string, hash = HASH_ARG): AnalysisQueries {
    const req = src.requestsMetric ?? "http_requests_total";
    const bucket = src.durationBucketMetric ?? "http_request_duration_seconds_bucket";
    const status = src.statusLabel ?? "code";
    const sel = `namespace="${namespace}", service="${s.name}", ${ROLLOUT_HASH_METRIC_LABEL}="${hash}"`;
    return {
        errorRatio:
            `(sum(rate(${req}{${sel}, ${status}=~"5.."}[2m])) / (sum(rate(${req}{${sel}}[2m])) > 0))` +
            // No 5xx series, or no traffic at all: a ratio of 0.
            " or vector(0)",
        latencyP95: `(histogram_quantile(0.95, sum by (le) (rate(${bucket}{${sel}}[2m]))) >= 0) or vector(0)`,
    };
}

/** The thresholds: the service's own, else the monitoring stack's. */
export function analysisThresholds(s: ResolvedService, src: RolloutAnalysisSource) {
    return {
        errorRatio: s.analysis.errorRatio ?? src.errorRatio,
        latencyP95Seconds: s.analysis.latencyP95Seconds ?? src.latencyP95Seconds,
    };
}

/** The failure conditions, in the expr language Argo Rollouts evaluates (`result` is the query's vector). */
export function failureConditions(s: ResolvedService, src: RolloutAnalysisSource): AnalysisQueries {
    const t = analysisThresholds(s, src);
    return { errorRatio: `result[0] > ${t.errorRatio}`, latencyP95: `result[0] > ${t.latencyP95Seconds}` };
}

export function analysisTemplate(s: ResolvedService, src: RolloutAnalysisSource, namespace: string) {
    const q = analysisQueries(s, src, namespace);
    const c = failureConditions(s, src);
    const metric = (name: keyof AnalysisQueries, query: string) => ({
        name: name === "errorRatio" ? "error-ratio" : "latency-p95",
        interval: `${s.analysis.intervalSeconds}s`,
        failureLimit: s.analysis.failureLimit,
        failureCondition: c[name],
        provider: { prometheus: { address: src.prometheusAddress, query } },
    });
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "AnalysisTemplate",
        metadata: { name: analysisTemplateName(s), namespace, labels: selectorLabels(s.name) },
        spec: { args: [{ name: "canary-hash" }], metrics: [metric("errorRatio", q.errorRatio), metric("latencyP95", q.latencyP95)] },
    };
}
