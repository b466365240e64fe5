/**
 * Pure functions that compute a service's workload specs (Deployment, pod,
 * HPA, Service): testable without Pulumi. Secure unless a caller explicitly asks:
 * the restricted Pod Security Standard, requests and limits, probes, spread.
 */
import type { Input } from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes/types/input";
import { caBundleMount, CA_BUNDLE_VOLUME } from "../shared/ca-bundle";
import { selectorLabels } from "../shared/labels";
import { restrictedPodSecurityContext, restrictedSecurityContext } from "../shared/security-context";
import type { ResolvedService } from "./spec";

/** The emptyDir volume of a writable path. */
export const writableVolumeName = (p: string) => `writable${p.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`.replace(/-+$/, "");

/**
 * The pod template spec of a service. `image` is the resolved (pinned or built) reference; `caBundles`, the
 * ConfigMap of the AWS CA bundles mounted read-only at /opt/hangar-ca (shared/ca-bundle.ts).
 */
export function podSpec(
    s: ResolvedService,
    image: Input<string>,
    serviceAccountName: Input<string>,
    production: boolean,
    priorityClassName?: Input<string>,
    caBundles?: Input<string>,
): k8s.core.v1.PodSpec {
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
        ...(priorityClassName ? { priorityClassName } : {}),
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
                volumeMounts: [
                    ...s.writablePaths.map((mountPath) => ({ name: writableVolumeName(mountPath), mountPath })),
                    ...(caBundles ? [caBundleMount()] : []),
                ],
            },
        ],
        volumes: [
            ...s.writablePaths.map((p) => ({ name: writableVolumeName(p), emptyDir: { sizeLimit: "256Mi" } })),
            ...(caBundles ? [{ name: CA_BUNDLE_VOLUME, configMap: { name: caBundles } }] : []),
        ],
        topologySpreadConstraints: [
            {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: production ? "DoNotSchedule" : "ScheduleAnyway",
                labelSelector: { matchLabels: selector },
                // Count each revision apart: during a rollout old and new pods together would look spread while the new ones are not.
                matchLabelKeys: ["pod-template-hash"],
            },
            {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: selector },
                // Count each revision apart: during a rollout old and new pods together would look spread while the new ones are not.
                matchLabelKeys: ["pod-template-hash"],
            },
        ],
    };
}

/** True when an HPA manages the replica count (and the Deployment must not set it). */
export const hasAutoscaler = (s: ResolvedService) => s.replicas.max > s.replicas.min;

/** A PodDisruptionBudget only protects something with at least two replicas. */
export const needsDisruptionBudget = (s: ResolvedService) => s.replicas.min >= 2;

export function deploymentSpec(
    s: ResolvedService,
    image: Input<string>,
    serviceAccountName: Input<string>,
    production: boolean,
    priorityClassName?: Input<string>,
    caBundles?: Input<string>,
): k8s.apps.v1.DeploymentSpec {
    const selector = selectorLabels(s.name);
    return {
        ...(hasAutoscaler(s) ? {} : { replicas: s.replicas.min }),
        revisionHistoryLimit: 5,
        progressDeadlineSeconds: 600,
        selector: { matchLabels: selector },
        // prod never trades capacity for speed during a rollout.
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: production ? 0 : "25%", maxSurge: production ? 1 : "25%" } },
        template: { metadata: { labels: selector }, spec: podSpec(s, image, serviceAccountName, production, priorityClassName, caBundles) },
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

/**
 * Resource options of a service's Deployment. Under an HPA, `spec.replicas` is
 * handed over the way Kubernetes' "Transferring ownership" (Server-Side Apply
 * docs) asks: never left without a manager. The Deployment omits the field, and
 * `ignoreChanges` makes the engine keep the previous inputs' value
 * (pulumi/pulumi step_generator.go, processIgnoreChanges) and the provider send
 * the live value while Pulumi still owns it, or drop it once another manager
 * (the HPA, through the scale subresource) does (pulumi-kubernetes
 * provider/pkg/await/await.go, handleSSAIgnoreFields). Without it, the apply
 * that drops the field resets a fixed-size Deployment to 1 replica.
 * test/components/replicas-handover.spec.ts replays the switch.
 */
export function deploymentOptions(s: ResolvedService): { ignoreChanges?: string[] } {
    return hasAutoscaler(s) ? { ignoreChanges: ["spec.replicas"] } : {};
}
