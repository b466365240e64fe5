/**
 * One service of the app tier as callers describe it (the component contract),
 * its documented defaults, and `resolveService`, which fills them and refuses
 * what the types cannot say. Pure: testable without Pulumi.
 */
import type { ContainerResourcesArgs, ResourceQuantitiesArgs } from "../shared/resources";
import type { MigrationArgs } from "./migration";

/** Replica bounds. min == max means a fixed size and no HPA. */
export interface ReplicaArgs {
    /** Fewest replicas: the HPA's floor, or the fixed size when equal to `max` (0 with `max` 0 scales the service to zero). @default 3 */
    min?: number;
    /** Most replicas; above `min`, an HPA scales between the two. @default 10 */
    max?: number;
}

export interface ProbeArgs {
    /** HTTP path of the liveness probe, on the `http` port. @default "/healthz" */
    liveness?: string;
    /** HTTP path of the readiness probe, on the `http` port. @default "/readyz" */
    readiness?: string;
    /** HTTP path of the startup probe, on the `http` port. @default "/healthz" */
    startup?: string;
    /** Seconds between probes, for all three. @default 10 */
    periodSeconds?: number;
    /** Seconds a probe may take before it counts as failed. @default 2 */
    timeoutSeconds?: number;
    /** Consecutive failures before liveness restarts the container or readiness takes the pod out of the Service. @default 3 */
    failureThreshold?: number;
    /** Startup budget is periodSeconds × this. @default 30 */
    startupFailureThreshold?: number;
}

export interface AutoscalingArgs {
    /** Target average CPU utilisation, % of requests. @default 70 */
    cpuUtilization?: number;
    /** Target average memory utilisation, % of requests. @default 80 */
    memoryUtilization?: number;
}

export interface MetricsArgs {
    /** Container port of the metrics endpoint (named `metrics`). */
    port: number;
    /** HTTP path the ServiceMonitor scrapes. @default "/metrics" */
    path?: string;
}

export interface SecretEnvArgs {
    /** Environment variable name. */
    name: string;
    /** Kubernetes Secret in the service's namespace. */
    secret: string;
    /** Key in that Secret. */
    key: string;
}

/** One canary step: shift this share of traffic (or of the pods, without a traffic router) to the new version, then pause. */
export interface CanaryStepArgs {
    /** Percent of traffic on the new version, 1–99. */
    weight: number;
    /** Seconds to hold the step while the analysis runs; 0 waits for a manual promotion. */
    pauseSeconds: number;
}

export interface CanaryArgs {
    /** The steps, in increasing weight; the last one is followed by full promotion. @default 10% 60 s, 25% 120 s, 50% 120 s */
    steps?: CanaryStepArgs[];
}

export interface BlueGreenArgs {
    /** Promote the preview to active once it is ready and its analysis passed; false waits for `kubectl argo rollouts promote`. @default false */
    autoPromote?: boolean;
    /** Seconds the old (blue) pods keep running after the switch, for a quick rollback. @default 30 */
    scaleDownDelaySeconds?: number;
}

/** The analysis that gates a canary or blue-green rollout, on the service's own metrics. */
export interface RolloutAnalysisArgs {
    /** Seconds between two measurements. @default 60 */
    intervalSeconds?: number;
    /** Failed measurements tolerated before the rollout aborts (and rolls back). @default 1 */
    failureLimit?: number;
    /** Highest 5xx share of the new version's requests. @default the monitoring stack's `thresholds.errorRatio` */
    errorRatio?: number;
    /** Highest p95 latency of the new version, seconds. @default the monitoring stack's `thresholds.latencyP95Seconds` */
    latencyP95Seconds?: number;
}

export interface ImageBuildArgs {
    /** Build context directory. */
    context: string;
    /** Path of the Dockerfile. @default "<context>/Dockerfile" */
    dockerfile?: string;
    /** Build stage of a multi-stage Dockerfile; the last stage when unset. */
    target?: string;
}

/** One service of the app tier (the component contract; the stack file's `app.services[]` maps onto it). */
export interface AppServiceSpec {
    /** DNS label; names every Kubernetes object of the service. */
    name: string;
    /** Image pinned by tag or digest. Exactly one of `image` or `build`. */
    image?: string;
    /** Build the image and push it to a KMS-encrypted ECR repository; the Deployment uses the pushed digest. */
    build?: ImageBuildArgs;
    /** Container port of the HTTP server. */
    port: number;
    /** Container command, replacing the image's entrypoint. */
    command?: string[];
    /** Container arguments, replacing the image's CMD. */
    args?: string[];
    /** Plain environment variables (never secrets: use `secretEnv`). @default {} */
    env?: Record<string, string>;
    /** Environment variables read from Secret keys. @default [] */
    secretEnv?: SecretEnvArgs[];
    /** Secrets whose every key becomes an environment variable. @default [] */
    envFromSecrets?: string[];
    /** Reachable from outside the cluster (needs `host`). @default false */
    public?: boolean;
    /** `gateway` (HTTPRoute) or `ingress` (Ingress). @default "gateway" */
    exposure?: string;
    /** Public hostname; served only over TLS. */
    host?: string;
    /**
     * More public hostnames the service answers on, through the same route or Ingress and listener
     * (Platform adds the primary region's own name that Route 53 health-checks). @default []
     */
    extraHosts?: string[];
    /** Controller-specific Ingress annotations for this service. @default {} */
    ingressAnnotations?: Record<string, string>;
    /** Replica bounds; min < max adds an HPA, min ≥ 2 a PodDisruptionBudget. */
    replicas?: ReplicaArgs;
    /** Container requests and limits. */
    resources?: ContainerResourcesArgs;
    /** HTTP startup, liveness and readiness probes. */
    probes?: ProbeArgs;
    /** HPA targets, used when `replicas.min` < `replicas.max`. */
    autoscaling?: AutoscalingArgs;
    /** Prometheus scrape endpoint on its own port. @default none */
    metrics?: MetricsArgs;
    /**
     * App buckets (`AppTierArgs.buckets`) the service reads and writes: it then runs as its own ServiceAccount
     * `<name>` with an IRSA role allowed exactly these buckets and their keys, and gets `BUCKET_<NAME>` (each
     * bucket's physical name) and `AWS_REGION`. @default [] (the tier's shared ServiceAccount)
     */
    buckets?: string[];
    /** Allow egress to any address on 443. @default false */
    allowHttpsEgress?: boolean;
    /** Writable emptyDir mounts (the root filesystem is read-only). @default ["/tmp"] */
    writablePaths?: string[];
    /** UID and GID the containers run as. @default 10001 */
    runAsUser?: number;
    /**
     * A migration Job run with the service's `image` against the writer before each new image rolls out
     * (./migration.ts); the workload waits for it. Needs a pinned `image` (its name is the image's hash).
     * @default none
     */
    migration?: MigrationArgs;
    /**
     * How a new version replaces the old: `rolling` (a Deployment), `canary` or `blueGreen` (an Argo Rollout,
     * which needs the Argo Rollouts controller and its CRDs; see RolloutsController). @default "canary"
     */
    strategy?: string;
    /** Steps of a `canary` rollout. */
    canary?: CanaryArgs;
    /** Promotion of a `blueGreen` rollout. */
    blueGreen?: BlueGreenArgs;
    /** Analysis of a `canary` or `blueGreen` rollout (needs `metrics`). */
    analysis?: RolloutAnalysisArgs;
}

/** The defaults `AppServiceSpec` documents; the prod profile must agree (tested). */
export const APP_SERVICE_DEFAULTS = {
    exposure: "gateway",
    public: false,
    replicas: { min: 3, max: 10 },
    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } },
    probes: {
        liveness: "/healthz",
        readiness: "/readyz",
        startup: "/healthz",
        periodSeconds: 10,
        timeoutSeconds: 2,
        failureThreshold: 3,
        startupFailureThreshold: 30,
    },
    autoscaling: { cpuUtilization: 70, memoryUtilization: 80 },
    allowHttpsEgress: false,
    writablePaths: ["/tmp"],
    runAsUser: 10001,
    strategy: "canary",
    canary: {
        steps: [
            { weight: 10, pauseSeconds: 60 },
            { weight: 25, pauseSeconds: 120 },
            { weight: 50, pauseSeconds: 120 },
        ],
    },
    blueGreen: { autoPromote: false, scaleDownDelaySeconds: 30 },
    analysis: { intervalSeconds: 60, failureLimit: 1 },
};

/** The delivery strategies: `rolling` runs a Deployment, the others an Argo Rollout. */
export const STRATEGIES = ["rolling", "canary", "blueGreen"] as const;

/** A service with every documented default filled in. */
export type ResolvedService = Required<Omit<AppServiceSpec, "image" | "build" | "command" | "args" | "host" | "metrics" | "migration">> &
    Pick<AppServiceSpec, "image" | "build" | "command" | "args" | "host" | "metrics" | "migration"> & {
        canary: Required<CanaryArgs>;
        blueGreen: Required<BlueGreenArgs>;
        analysis: Required<Pick<RolloutAnalysisArgs, "intervalSeconds" | "failureLimit">> & RolloutAnalysisArgs;
        replicas: Required<ReplicaArgs>;
        resources: { requests: Required<ResourceQuantitiesArgs>; limits: { cpu?: string; memory: string } };
        probes: Required<ProbeArgs>;
        autoscaling: Required<AutoscalingArgs>;
    };

/** Fills documented defaults and validates what the TypeScript types cannot say. */
export function resolveService(spec: AppServiceSpec): ResolvedService {
    const d = APP_SERVICE_DEFAULTS;
    const problems: string[] = [];
    if ((spec.image === undefined) === (spec.build === undefined)) problems.push("set exactly one of image or build");
    if (spec.image !== undefined && !/(:(?!latest$)[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/.test(spec.image.replace(/^[^/]+\//, ""))) {
        problems.push(`image ${spec.image} is not pinned by tag or digest`);
    }
    const exposure = spec.exposure ?? d.exposure;
    if (exposure !== "gateway" && exposure !== "ingress") problems.push(`exposure must be gateway or ingress, not ${exposure}`);
    if (spec.public && !spec.host) problems.push("a public service needs a host");
    const replicas = { ...d.replicas, ...spec.replicas };
    const scaledToZero = replicas.min === 0 && replicas.max === 0;
    if (!scaledToZero && (replicas.min < 1 || replicas.min > replicas.max)) {
        problems.push(`replicas must satisfy 1 ≤ min ≤ max, or min = max = 0 (got ${replicas.min}–${replicas.max})`);
    }
    const m = spec.migration;
    if (m) {
        // The Job is named by the image reference's hash, known when the program runs only for a pinned image.
        if (spec.build) problems.push("a migration needs a pinned image, not build");
        if (m.command.length === 0) problems.push("migration.command is empty");
        if (m.activeDeadlineSeconds !== undefined && !(m.activeDeadlineSeconds >= 1))
            problems.push("migration.activeDeadlineSeconds must be ≥ 1");
        if (m.backoffLimit !== undefined && !(m.backoffLimit >= 0)) problems.push("migration.backoffLimit must be ≥ 0");
    }
    const strategy = spec.strategy ?? d.strategy;
    if (!(STRATEGIES as readonly string[]).includes(strategy)) problems.push(`strategy must be ${STRATEGIES.join(", ")}, not ${strategy}`);
    const steps = spec.canary?.steps ?? d.canary.steps;
    if (steps.length === 0 || steps.some((st, i) => st.weight < 1 || st.weight > 99 || (i > 0 && st.weight <= steps[i - 1].weight))) {
        problems.push("canary.steps need weights that increase within 1–99");
    }
    if (problems.length > 0) throw new Error(`AppService "${spec.name}": ${problems.join("; ")}`);
    return {
        ...spec,
        env: spec.env ?? {},
        secretEnv: spec.secretEnv ?? [],
        envFromSecrets: spec.envFromSecrets ?? [],
        extraHosts: spec.extraHosts ?? [],
        buckets: spec.buckets ?? [],
        public: spec.public ?? d.public,
        exposure,
        ingressAnnotations: spec.ingressAnnotations ?? {},
        replicas,
        resources: {
            requests: {
                cpu: spec.resources?.requests?.cpu ?? d.resources.requests.cpu,
                memory: spec.resources?.requests?.memory ?? d.resources.requests.memory,
            },
            limits: { cpu: spec.resources?.limits?.cpu, memory: spec.resources?.limits?.memory ?? d.resources.limits.memory },
        },
        probes: { ...d.probes, ...spec.probes },
        autoscaling: { ...d.autoscaling, ...spec.autoscaling },
        allowHttpsEgress: spec.allowHttpsEgress ?? d.allowHttpsEgress,
        writablePaths: spec.writablePaths ?? d.writablePaths,
        runAsUser: spec.runAsUser ?? d.runAsUser,
        strategy,
        canary: { steps },
        blueGreen: { ...d.blueGreen, ...spec.blueGreen },
        analysis: { ...d.analysis, ...spec.analysis },
    };
}
