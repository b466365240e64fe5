/**
 * Pure helpers over Kubernetes objects as Pulumi passes them to policies (the
 * manifest fields: apiVersion, kind, metadata, spec…). Nothing here imports
 * Pulumi, so every function is testable on plain objects; under the policy
 * engine the same objects are unknown-checking proxies, and reading a value
 * unknown during preview throws from inside these functions.
 */

export interface ObjectMeta {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

export interface SeccompProfile {
    type?: string;
    localhostProfile?: string;
}

export interface AppArmorProfile {
    type?: string;
    localhostProfile?: string;
}

export interface SELinuxOptions {
    user?: string;
    role?: string;
    type?: string;
    level?: string;
}

export interface WindowsOptions {
    gmsaCredentialSpecName?: string;
    gmsaCredentialSpec?: string;
    runAsUserName?: string;
    hostProcess?: boolean;
}

/** The fields a container inherits from the pod's securityContext unless it sets them itself. */
export interface InheritableSecurityContext {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    runAsGroup?: number;
    seccompProfile?: SeccompProfile;
    seLinuxOptions?: SELinuxOptions;
    appArmorProfile?: AppArmorProfile;
    windowsOptions?: WindowsOptions;
}

export interface PodSecurityContext extends InheritableSecurityContext {
    fsGroup?: number;
    supplementalGroups?: number[];
    sysctls?: { name: string; value: string }[];
}

export interface SecurityContext extends InheritableSecurityContext {
    allowPrivilegeEscalation?: boolean;
    privileged?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
    procMount?: string;
    readOnlyRootFilesystem?: boolean;
}

export interface ContainerPort {
    name?: string;
    containerPort: number;
    hostPort?: number;
    protocol?: string;
}

export type ResourceList = Record<string, string | number>;

export interface Container {
    name: string;
    image?: string;
    ports?: ContainerPort[];
    resources?: { requests?: ResourceList; limits?: ResourceList };
    securityContext?: SecurityContext;
    [field: string]: unknown;
}

export interface Volume {
    name: string;
    [source: string]: unknown;
}

export interface PodSpec {
    containers?: Container[];
    initContainers?: Container[];
    ephemeralContainers?: Container[];
    securityContext?: PodSecurityContext;
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    volumes?: Volume[];
    os?: { name?: string };
    [field: string]: unknown;
}

/** Where each pod-template kind keeps its pod template, as a property path from the top of the object. */
export const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
    "kubernetes:core/v1:Pod": [],
    "kubernetes:core/v1:PodTemplate": ["template"],
    "kubernetes:core/v1:ReplicationController": ["spec", "template"],
    "kubernetes:apps/v1:Deployment": ["spec", "template"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template"],
    "kubernetes:batch/v1:Job": ["spec", "template"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template"],
    // Argo Rollouts' Rollout carries a Deployment's pod template (argo-rollouts-2.41.0 templates/crds/rollout-crd.yaml).
    "kubernetes:argoproj.io/v1alpha1:Rollout": ["spec", "template"],
};

export const POD_TEMPLATE_TYPES: readonly string[] = Object.keys(POD_TEMPLATE_PATHS);

export type ContainerGroup = "containers" | "initContainers" | "ephemeralContainers";

export const CONTAINER_GROUPS: readonly ContainerGroup[] = ["containers", "initContainers", "ephemeralContainers"];

const GROUP_LABEL: Record<ContainerGroup, string> = {
    containers: "container",
    initContainers: "init container",
    ephemeralContainers: "ephemeral container",
};

export type Source = "container" | "pod";

/** A container with the security context it actually runs with. */
export interface ContainerView {
    group: ContainerGroup;
    index: number;
    name: string;
    /** `container "api"`, `init container "migrate"`, `ephemeral container "debug"`: how messages name it. */
    label: string;
    /** Path of the container in the object, e.g. `spec.template.spec.containers[0]`. */
    path: string;
    container: Container;
    /** The container's own securityContext (empty when unset). */
    own: SecurityContext;
    /** Pod-level values inherited unless the container overrides them; read lazily, field by field. */
    effective: InheritableSecurityContext;
    /** Where an inheritable field's effective value comes from, or undefined when neither level sets it. */
    sourceOf(field: keyof InheritableSecurityContext): Source | undefined;
}

/** The pod template of a workload: its metadata, spec and containers. */
export interface PodView {
    type: string;
    /** Path of the pod template's metadata, e.g. `spec.template.metadata` (`metadata` for a Pod). */
    metadataPath: string;
    /** Path of the pod spec, e.g. `spec.template.spec` (`spec` for a Pod). */
    specPath: string;
    metadata: ObjectMeta;
    spec: PodSpec;
    /** The pod-level securityContext (empty when unset). */
    securityContext: PodSecurityContext;
    /** True for `spec.os.name: windows`, which the restricted profile exempts from its Linux-only checks. */
    windows: boolean;
    /** Every container: containers, then initContainers, then ephemeralContainers. */
    containers: ContainerView[];
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `undefined` and `null` both mean "not set" in a manifest. */
function isSet<T>(value: T | null | undefined): value is T {
    return value !== undefined && value !== null;
}

function child(value: unknown, key: string): unknown {
    return isObject(value) ? value[key] : undefined;
}

function joinPath(parts: readonly string[], leaf: string): string {
    return [...parts, leaf].join(".");
}

/** Inheritable fields a container setting replaces whole (windowsOptions merges). */
const REPLACED_WHOLE = ["runAsNonRoot", "runAsUser", "runAsGroup", "seccompProfile", "seLinuxOptions", "appArmorProfile"] as const;

/**
 * The effective value of each inheritable field: the container's when set, the
 * pod's otherwise. windowsOptions merges field by field, as the kubelet does
 * (securitycontext.DetermineEffectiveSecurityContext); the others are replaced whole.
 */
export function effectiveSecurityContext(pod: PodSecurityContext, own: SecurityContext): InheritableSecurityContext {
    const effective: InheritableSecurityContext = {};
    for (const field of REPLACED_WHOLE) {
        Object.defineProperty(effective, field, {
            enumerable: true,
            get: () => (isSet(own[field]) ? own[field] : isSet(pod[field]) ? pod[field] : undefined),
        });
    }
    Object.defineProperty(effective, "windowsOptions", {
        enumerable: true,
        get: () => mergeWindowsOptions(pod.windowsOptions, own.windowsOptions),
    });
    return effective;
}

function mergeWindowsOptions(fromPod: WindowsOptions | undefined, fromContainer: WindowsOptions | undefined): WindowsOptions | undefined {
    if (!isSet(fromPod) && !isSet(fromContainer)) return undefined;
    const merged: Record<string, unknown> = {};
    for (const key of ["gmsaCredentialSpecName", "gmsaCredentialSpec", "runAsUserName", "hostProcess"] as const) {
        const value = isSet(fromContainer?.[key]) ? fromContainer?.[key] : fromPod?.[key];
        if (isSet(value)) merged[key] = value;
    }
    return merged as WindowsOptions;
}

function containerViews(spec: PodSpec, pod: PodSecurityContext, specPath: string): ContainerView[] {
    const views: ContainerView[] = [];
    for (const group of CONTAINER_GROUPS) {
        const list = spec[group];
        if (!Array.isArray(list)) continue;
        list.forEach((container: Container, index: number) => {
            const own: SecurityContext = isObject(container.securityContext) ? container.securityContext : {};
            const name = typeof container.name === "string" ? container.name : `#${index}`;
            views.push({
                group,
                index,
                name,
                label: `${GROUP_LABEL[group]} "${name}"`,
                path: `${specPath}.${group}[${index}]`,
                container,
                own,
                effective: effectiveSecurityContext(pod, own),
                sourceOf: (field) => (isSet(own[field]) ? "container" : isSet(pod[field]) ? "pod" : undefined),
            });
        });
    }
    return views;
}

/** The pod template of `props` when `type` is a pod-template kind, else undefined. */
export function podTemplateOf(type: string, props: Record<string, unknown>): PodView | undefined {
    const templatePath = POD_TEMPLATE_PATHS[type];
    if (!templatePath) return undefined;
    let template: unknown = props;
    for (const key of templatePath) template = child(template, key);
    const metadata = child(template, "metadata");
    const spec = child(template, "spec");
    const podSpec: PodSpec = isObject(spec) ? (spec as PodSpec) : {};
    const securityContext: PodSecurityContext = isObject(podSpec.securityContext) ? podSpec.securityContext : {};
    const specPath = joinPath(templatePath, "spec");
    return {
        type,
        metadataPath: joinPath(templatePath, "metadata"),
        specPath,
        metadata: isObject(metadata) ? (metadata as ObjectMeta) : {},
        spec: podSpec,
        securityContext,
        windows: child(podSpec.os, "name") === "windows",
        containers: containerViews(podSpec, securityContext, specPath),
    };
}

/** The containers that may carry resources: ephemeral containers may not (the API rejects them). */
export function resourceContainers(pod: PodView): ContainerView[] {
    return pod.containers.filter((c) => c.group !== "ephemeralContainers");
}
