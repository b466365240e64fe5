/**
 * Pure functions that compute the app tier's Kubernetes specs: testable without
 * Pulumi, used by AppTier and AppService. Secure unless a caller explicitly asks:
 * the restricted Pod Security Standard, requests and limits, probes, spread.
 */
import type { Input } from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes/types/input";

/** Replica bounds. min == max means a fixed size and no HPA. */
export interface ReplicaArgs {
    /** Fewest replicas: the HPA's floor, or the fixed size when equal to `max` (0 with `max` 0 scales the service to zero). @default 3 */
    min?: number;
    /** Most replicas; above `min`, an HPA scales between the two. @default 10 */
    max?: number;
}

export interface ResourceQuantitiesArgs {
    /** CPU quantity, such as `250m` or `1`. */
    cpu?: string;
    /** Memory quantity, such as `256Mi` or `1Gi`. */
    memory?: string;
}

export interface ContainerResourcesArgs {
    /** What the scheduler reserves for the container. @default { cpu: "250m", memory: "256Mi" } */
    requests?: ResourceQuantitiesArgs;
    /** No CPU limit by default (throttling hurts latency more than it protects); memory always. @default { memory: "512Mi" } */
    limits?: ResourceQuantitiesArgs;
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
    /** Allow egress to any address on 443. @default false */
    allowHttpsEgress?: boolean;
    /** Writable emptyDir mounts (the root filesystem is read-only). @default ["/tmp"] */
    writablePaths?: string[];
    /** UID and GID the containers run as. @default 10001 */
    runAsUser?: number;
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
};

type Resolved = Required<Omit<AppServiceSpec, "image" | "build" | "command" | "args" | "host" | "metrics">> &
    Pick<AppServiceSpec, "image" | "build" | "command" | "args" | "host" | "metrics"> & {
        replicas: Required<ReplicaArgs>;
        resources: { requests: Required<ResourceQuantitiesArgs>; limits: { cpu?: string; memory: string } };
        probes: Required<ProbeArgs>;
        autoscaling: Required<AutoscalingArgs>;
    };
export type ResolvedService = Resolved;

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
    if (problems.length > 0) throw new Error(`AppService "${spec.name}": ${problems.join("; ")}`);
    return {
        ...spec,
        env: spec.env ?? {},
        secretEnv: spec.secretEnv ?? [],
        envFromSecrets: spec.envFromSecrets ?? [],
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
    };
}

export const PART_OF = "hangar";

export function selectorLabels(service: string): Record<string, string> {
    return { "app.kubernetes.io/name": service, "app.kubernetes.io/part-of": PART_OF };
}

/** Labels that make a namespace enforce the restricted Pod Security Standard. */
export function restrictedNamespaceLabels(): Record<string, string> {
    return {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    };
}

/** Pod-level security context of the restricted profile. */
export function restrictedPodSecurityContext(uid: number) {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        fsGroup: uid,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Container-level security context of the restricted profile, root filesystem read-only. */
export function restrictedSecurityContext(uid: number) {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

const volumeName = (p: string) => `writable${p.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`.replace(/-+$/, "");

/** The pod template spec of a service. `image` is the resolved (pinned or built) reference. */
export function podSpec(s: ResolvedService, image: Input<string>, serviceAccountName: Input<string>, production: boolean): k8s.core.v1.PodSpec {
    const probe = (path: string, failureThreshold: number) => ({
        httpGet: { path, port: "http" },
        periodSeconds: s.probes.periodSeconds,
        timeoutSeconds: s.probes.timeoutSeconds,
        failureThreshold,
    });
    const ports = [{ name: "http", containerPort: s.port, protocol: "TCP" }];
    if (s.metrics) ports.push({ name: "metrics", containerPort: s.metrics.port, protocol: "TCP" });
    const limits: Record<string, string> = { memory: s.resources.limits.memory };
    if (s.resources.limits.cpu) limits.cpu = s.resources.limits.cpu;
    const selector = selectorLabels(s.name);
    return {
        serviceAccountName,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: restrictedPodSecurityContext(s.runAsUser),
        terminationGracePeriodSeconds: 30,
        containers: [
            {
                name: s.name,
                image,
                imagePullPolicy: "IfNotPresent",
                ...(s.command ? { command: s.command } : {}),
                ...(s.args ? { args: s.args } : {}),
                ports,
                env: [
                    ...Object.entries(s.env).map(([name, value]) => ({ name, value })),
                    ...s.secretEnv.map((e) => ({ name: e.name, valueFrom: { secretKeyRef: { name: e.secret, key: e.key } } })),
                ],
                ...(s.envFromSecrets.length ? { envFrom: s.envFromSecrets.map((name) => ({ secretRef: { name } })) } : {}),
                resources: { requests: { cpu: s.resources.requests.cpu, memory: s.resources.requests.memory }, limits },
                securityContext: restrictedSecurityContext(s.runAsUser),
                startupProbe: probe(s.probes.startup, s.probes.startupFailureThreshold),
                livenessProbe: probe(s.probes.liveness, s.probes.failureThreshold),
                readinessProbe: probe(s.probes.readiness, s.probes.failureThreshold),
                volumeMounts: s.writablePaths.map((mountPath) => ({ name: volumeName(mountPath), mountPath })),
            },
        ],
        volumes: s.writablePaths.map((p) => ({ name: volumeName(p), emptyDir: { sizeLimit: "256Mi" } })),
        topologySpreadConstraints: [
            {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: production ? "DoNotSchedule" : "ScheduleAnyway",
                labelSelector: { matchLabels: selector },
            },
            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } },
        ],
    };
}

/** True when an HPA manages the replica count (and the Deployment must not set it). */
export const hasAutoscaler = (s: ResolvedService) => s.replicas.max > s.replicas.min;

/** A PodDisruptionBudget only protects something with at least two replicas. */
export const needsDisruptionBudget = (s: ResolvedService) => s.replicas.min >= 2;

export function deploymentSpec(s: ResolvedService, image: Input<string>, serviceAccountName: Input<string>, production: boolean): k8s.apps.v1.DeploymentSpec {
    const selector = selectorLabels(s.name);
    return {
        ...(hasAutoscaler(s) ? {} : { replicas: s.replicas.min }),
        revisionHistoryLimit: 5,
        progressDeadlineSeconds: 600,
        selector: { matchLabels: selector },
        // prod never trades capacity for speed during a rollout.
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: production ? 0 : "25%", maxSurge: production ? 1 : "25%" } },
        template: { metadata: { labels: selector }, spec: podSpec(s, image, serviceAccountName, production) },
    };
}

export function autoscalerSpec(s: ResolvedService): k8s.autoscaling.v2.HorizontalPodAutoscalerSpec {
    const utilization = (name: string, averageUtilization: number) => ({
        type: "Resource",
        resource: { name, target: { type: "Utilization", averageUtilization } },
    });
    return {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: s.name },
        minReplicas: s.replicas.min,
        maxReplicas: s.replicas.max,
        metrics: [utilization("cpu", s.autoscaling.cpuUtilization), utilization("memory", s.autoscaling.memoryUtilization)],
    };
}

export function serviceSpec(s: ResolvedService): k8s.core.v1.ServiceSpec {
    const ports = [{ name: "http", port: s.port, targetPort: "http", protocol: "TCP" }];
    if (s.metrics) ports.push({ name: "metrics", port: s.metrics.port, targetPort: "metrics", protocol: "TCP" });
    return { type: "ClusterIP", selector: selectorLabels(s.name), ports };
}

/** Where public traffic enters from: the controller's namespace, or load-balancer ENIs in the VPC. */
export interface TrafficSource {
    namespace?: string;
    cidrs?: string[];
}

/** A data-tier destination the service may reach (vanilla NetworkPolicy matches CIDRs, not hostnames). */
export interface DataEgress {
    cidrs: string[];
    port: number;
}

export function ingressPolicySpec(s: ResolvedService, traffic: TrafficSource, monitoringNamespace: string): k8s.networking.v1.NetworkPolicySpec {
    const fromNamespace = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });
    const httpFrom: k8s.networking.v1.NetworkPolicyPeer[] = [{ podSelector: {} }];
    if (s.public) {
        if (traffic.namespace) httpFrom.push(fromNamespace(traffic.namespace));
        for (const cidr of traffic.cidrs ?? []) httpFrom.push({ ipBlock: { cidr } });
    }
    const ingress: k8s.networking.v1.NetworkPolicyIngressRule[] = [{ from: httpFrom, ports: [{ protocol: "TCP", port: s.port }] }];
    if (s.metrics) ingress.push({ from: [fromNamespace(monitoringNamespace)], ports: [{ protocol: "TCP", port: s.metrics.port }] });
    return { podSelector: { matchLabels: selectorLabels(s.name) }, policyTypes: ["Ingress"], ingress };
}

export function egressPolicySpec(s: ResolvedService, data: DataEgress[]): k8s.networking.v1.NetworkPolicySpec {
    const egress: k8s.networking.v1.NetworkPolicyEgressRule[] = data.map((d) => ({ to: d.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: d.port }] }));
    if (s.allowHttpsEgress) egress.push({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] });
    return { podSelector: { matchLabels: selectorLabels(s.name) }, policyTypes: ["Egress"], egress };
}

/** Namespace-wide: deny everything, then allow DNS to kube-dns. */
export function defaultDenySpec(): k8s.networking.v1.NetworkPolicySpec {
    return { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
}

export function dnsEgressSpec(): k8s.networking.v1.NetworkPolicySpec {
    return {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
            {
                to: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                        podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                    },
                ],
                ports: [
                    { protocol: "UDP", port: 53 },
                    { protocol: "TCP", port: 53 },
                ],
            },
        ],
    };
}

export interface GatewayRef {
    namespace: string;
    name: string;
    /** The HTTPS listener (`sectionName`). */
    listener: string;
}

export function httpRouteSpec(s: ResolvedService, gateway: GatewayRef) {
    return {
        parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", namespace: gateway.namespace, name: gateway.name, sectionName: gateway.listener }],
        hostnames: [s.host as string],
        rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: s.name, port: s.port }] }],
    };
}

export function ingressSpec(s: ResolvedService, className: string): k8s.networking.v1.IngressSpec {
    return {
        ingressClassName: className,
        tls: [{ hosts: [s.host as string], secretName: `${s.name}-tls` }],
        rules: [
            {
                host: s.host,
                http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: s.name, port: { name: "http" } } } }] },
            },
        ],
    };
}
