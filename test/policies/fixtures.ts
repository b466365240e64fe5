/**
 * Compliant Kubernetes objects, one per concern. Every failing test case
 * mutates one of these once; a test proves each passes the whole pack.
 */
import * as assert from "assert";
import { Container, ContainerGroup, ObjectMeta, podTemplateOf, PodSpec } from "../../policies/rules/kubernetes/pod-template";
import { mutated } from "./util";

export const NAMESPACE = "app";

export interface PodFixture {
    metadata: ObjectMeta;
    spec: PodSpec;
}

const securityContext = () => ({
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
});

function container(name: string, image: string): Container {
    return {
        name,
        image,
        ports: [{ name: "http", containerPort: 8080 }],
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
        securityContext: securityContext(),
    };
}

/** A pod that meets the restricted profile: pod-level identity and seccomp, locked-down containers of all three kinds. */
export function compliantPod(): PodFixture {
    return {
        metadata: { labels: { app: "api" } },
        spec: {
            // A built-in class, so the pod passes kubernetes-pod-priority-class without a PriorityClass beside it.
            priorityClassName: "system-cluster-critical",
            securityContext: {
                runAsNonRoot: true,
                runAsUser: 10001,
                runAsGroup: 10001,
                fsGroup: 10001,
                seccompProfile: { type: "RuntimeDefault" },
                appArmorProfile: { type: "RuntimeDefault" },
                seLinuxOptions: { type: "container_t", level: "s0:c123,c456" },
                sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "1024" }],
            },
            containers: [container("api", "ghcr.io/hangar/api:1.4.2")],
            initContainers: [{ ...container("migrate", "ghcr.io/hangar/api@sha256:" + "a".repeat(64)), ports: [] }],
            ephemeralContainers: [
                { name: "debug", image: "registry.internal:5000/tools/debug:2024.1", securityContext: securityContext() },
            ],
            volumes: [
                { name: "tmp", emptyDir: {} },
                { name: "config", configMap: { name: "api" } },
                { name: "credentials", secret: { secretName: "api" } },
                { name: "token", projected: { sources: [{ serviceAccountToken: { path: "token", expirationSeconds: 3600 } }] } },
            ],
        },
    };
}

export interface WorkloadKind {
    type: string;
    /** Wraps a pod template into an object of this kind, in namespace `app`. */
    wrap(pod: PodFixture): Record<string, unknown>;
}

const meta = (name: string) => ({ name, namespace: NAMESPACE, labels: { app: "api" } });
const selector = { matchLabels: { app: "api" } };
/** Jobs may only restart OnFailure or Never. */
const forJob = (pod: PodFixture) => ({ metadata: pod.metadata, spec: { ...pod.spec, restartPolicy: "OnFailure" } });

export const WORKLOAD_KINDS: WorkloadKind[] = [
    {
        type: "kubernetes:core/v1:Pod",
        wrap: (pod) => ({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { ...meta("api"), ...pod.metadata, namespace: NAMESPACE },
            spec: pod.spec,
        }),
    },
    {
        type: "kubernetes:apps/v1:Deployment",
        wrap: (pod) => ({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: meta("api"),
            spec: { replicas: 2, selector, template: pod },
        }),
    },
    {
        type: "kubernetes:apps/v1:StatefulSet",
        wrap: (pod) => ({
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            metadata: meta("api"),
            spec: { serviceName: "api", replicas: 2, selector, template: pod },
        }),
    },
    {
        type: "kubernetes:apps/v1:DaemonSet",
        wrap: (pod) => ({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: meta("api"), spec: { selector, template: pod } }),
    },
    {
        type: "kubernetes:apps/v1:ReplicaSet",
        wrap: (pod) => ({
            apiVersion: "apps/v1",
            kind: "ReplicaSet",
            metadata: meta("api"),
            spec: { replicas: 2, selector, template: pod },
        }),
    },
    {
        type: "kubernetes:batch/v1:Job",
        wrap: (pod) => ({
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: meta("migrate"),
            spec: { backoffLimit: 2, template: forJob(pod) },
        }),
    },
    {
        type: "kubernetes:batch/v1:CronJob",
        wrap: (pod) => ({
            apiVersion: "batch/v1",
            kind: "CronJob",
            metadata: meta("dump"),
            spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template: forJob(pod) } } },
        }),
    },
    {
        type: "kubernetes:core/v1:ReplicationController",
        wrap: (pod) => ({
            apiVersion: "v1",
            kind: "ReplicationController",
            metadata: meta("api"),
            spec: { replicas: 1, selector: { app: "api" }, template: pod },
        }),
    },
    {
        type: "kubernetes:core/v1:PodTemplate",
        wrap: (pod) => ({ apiVersion: "v1", kind: "PodTemplate", metadata: meta("api"), template: pod }),
    },
    {
        type: "kubernetes:argoproj.io/v1alpha1:Rollout",
        wrap: (pod) => ({
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Rollout",
            metadata: meta("api"),
            spec: { replicas: 2, selector, template: pod, strategy: { canary: { steps: [{ setWeight: 10 }, { pause: {} }] } } },
        }),
    },
];

export interface Paths {
    /** `spec.template.spec` for a Deployment, `spec` for a Pod… */
    specPath: string;
    metadataPath: string;
}

function pathsOf(type: string, object: Record<string, unknown>): Paths {
    const pod = podTemplateOf(type, object);
    assert.ok(pod);
    return { specPath: pod.specPath, metadataPath: pod.metadataPath };
}

/** Runs `check` on the pod wrapped in every pod-template kind, naming the kind when it fails. */
export async function onEveryKind(
    pod: PodFixture,
    check: (type: string, object: Record<string, unknown>, paths: Paths) => Promise<unknown>,
): Promise<void> {
    for (const kind of WORKLOAD_KINDS) {
        const object = kind.wrap(pod);
        try {
            await check(kind.type, object, pathsOf(kind.type, object));
        } catch (err) {
            if (err instanceof assert.AssertionError) err.message = `${kind.type}: ${err.message}`;
            throw err;
        }
    }
}

/** The first container of a group in the compliant pod, and how messages name it. */
export const CONTAINERS: Record<ContainerGroup, { name: string; label: string }> = {
    containers: { name: "api", label: 'container "api"' },
    initContainers: { name: "migrate", label: 'init container "migrate"' },
    ephemeralContainers: { name: "debug", label: 'ephemeral container "debug"' },
};

/** The compliant pod with one change to the first container of `group`. */
export function withContainer(pod: PodFixture, mutate: (c: Container) => void, group: ContainerGroup = "containers"): PodFixture {
    return mutated(pod, (p) => mutate((p.spec[group] as Container[])[0]));
}

export function compliantNamespace(name = NAMESPACE): Record<string, unknown> {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name,
            labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest" },
        },
    };
}

export function compliantResourceQuota(namespace = NAMESPACE): Record<string, unknown> {
    return {
        apiVersion: "v1",
        kind: "ResourceQuota",
        metadata: { name: "quota", namespace },
        spec: { hard: { "requests.cpu": "4", "requests.memory": "8Gi", "limits.memory": "16Gi", pods: "50" } },
    };
}

export function compliantLimitRange(namespace = NAMESPACE): Record<string, unknown> {
    return {
        apiVersion: "v1",
        kind: "LimitRange",
        metadata: { name: "limits", namespace },
        spec: { limits: [{ type: "Container", default: { memory: "256Mi" }, defaultRequest: { cpu: "100m", memory: "128Mi" } }] },
    };
}

export function compliantIngress(): Record<string, unknown> {
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: "api", namespace: NAMESPACE },
        spec: {
            ingressClassName: "nginx",
            tls: [{ hosts: ["api.example.com", "*.wx.example.com"], secretName: "api-tls" }],
            rules: [
                {
                    host: "api.example.com",
                    http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } }] },
                },
                {
                    host: "metar.wx.example.com",
                    http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } }] },
                },
            ],
        },
    };
}

export function compliantHttpRoute(): Record<string, unknown> {
    return {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: "api", namespace: NAMESPACE },
        spec: {
            parentRefs: [
                { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: "gateway-system", name: "public", sectionName: "https" },
            ],
            hostnames: ["api.example.com"],
            rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: "api", port: 80 }] }],
        },
    };
}

export function compliantService(): Record<string, unknown> {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "api", namespace: NAMESPACE },
        spec: { type: "ClusterIP", selector: { app: "api" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
    };
}

/** The ConfigMap and Secret the compliant pod mounts (volumes "config" and "credentials"): its references exist. */
export function compliantPodInputs(): Record<string, unknown>[] {
    return [
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "api", namespace: NAMESPACE }, data: { "app.yaml": "" } },
        { apiVersion: "v1", kind: "Secret", metadata: { name: "api", namespace: NAMESPACE }, type: "Opaque", stringData: { token: "" } },
    ];
}
