/**
 * The preflight: reads each of a stack's cluster prerequisites
 * (components/platform/prerequisites.ts) from the real cluster before anything
 * changes, and names what is missing and how to install it. `preview` and `up`
 * run it first (option `preflight`, default on); `hangar preflight <stack>` runs
 * it alone.
 */
import { clusterPrerequisites, type Prerequisite, type Requirement } from "../components/platform/prerequisites";
import { parseConfig, readStackConfig, toPlatformArgs } from "../config";
import { loadKubeconfig } from "../config/load/kubeconfig";
import { kubeReader } from "./kube-reader";
import { PreflightError } from "./errors";
// The guardrails' own matching, so the preflight and the pack judge a listener and a selector alike.
import { listenerCovers } from "../policies/values/hostname";
import { selectorMatches } from "../policies/rules/wiring/flows/evaluate";
import type { KubeReader, KubeResponse } from "./kube-reader";
import * as fs from "fs";

export interface PreflightFinding {
    id: string;
    neededBy: string;
    ok: boolean;
    /** What is wrong, when not ok. */
    problem?: string;
    /** How to provide it, when not ok. */
    install?: string;
}

// API objects are read as plain data.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const condition = (obj: Any, type: string): Any => (obj?.status?.conditions ?? []).find((c: Any) => c?.type === type);
const isTrue = (obj: Any, type: string) => condition(obj, type)?.status === "True";

class Missing extends Error {}

async function read(reader: KubeReader, path: string, what: string): Promise<Any> {
    const res: KubeResponse = await reader.get(path);
    if (res.status === 404) throw new Missing(`${what} does not exist`);
    if (res.status === 401 || res.status === 403) {
        throw new Error(`cannot read ${what}: HTTP ${res.status} (the preflight needs get on ${path})`);
    }
    if (res.status < 200 || res.status >= 300)
        throw new Error(`reading ${what} failed: HTTP ${res.status} ${res.body?.message ?? ""}`.trim());
    return res.body;
}

async function namespaceLabels(reader: KubeReader, name: string): Promise<Record<string, string>> {
    const res = await reader.get(`/api/v1/namespaces/${name}`);
    // A namespace Hangar has yet to create carries at least the label the API server sets on every namespace.
    const live = res.status === 200 ? (res.body?.metadata?.labels ?? {}) : {};
    return { "kubernetes.io/metadata.name": name, ...live };
}

async function checkGateway(reader: KubeReader, r: Extract<Requirement, { kind: "gateway" }>): Promise<string[]> {
    const gw = await read(
        reader,
        `/apis/gateway.networking.k8s.io/v1/namespaces/${r.namespace}/gateways/${r.name}`,
        `Gateway ${r.namespace}/${r.name}`,
    );
    const problems: string[] = [];
    if (!isTrue(gw, "Programmed"))
        problems.push(`Gateway ${r.namespace}/${r.name} is not Programmed (is a controller running for its class?)`);
    const listener = (gw.spec?.listeners ?? []).find((l: Any) => l?.name === r.listener);
    if (!listener) {
        const names = (gw.spec?.listeners ?? []).map((l: Any) => l.name).join(", ") || "none";
        return [...problems, `Gateway ${r.namespace}/${r.name} has no listener "${r.listener}" (listeners: ${names})`];
    }
    if (listener.protocol !== "HTTPS")
        problems.push(`listener "${r.listener}" is ${listener.protocol}, not HTTPS: routes would be served without TLS`);
    const kinds = (listener.allowedRoutes?.kinds ?? []).map((k: Any) => k.kind);
    if (kinds.length > 0 && !kinds.includes("HTTPRoute"))
        problems.push(`listener "${r.listener}" admits only ${kinds.join(", ")}, not HTTPRoute`);
    const from = listener.allowedRoutes?.namespaces?.from ?? "Same";
    for (const ns of r.routeNamespaces) {
        const admitted =
            from === "All" ||
            (from === "Same" && ns === r.namespace) ||
            (from === "Selector" && selectorMatches(listener.allowedRoutes.namespaces.selector ?? {}, await namespaceLabels(reader, ns)));
        if (!admitted)
            problems.push(`listener "${r.listener}" does not admit routes from namespace ${ns} (allowedRoutes.namespaces.from: ${from})`);
    }
    for (const host of r.hosts) {
        // A listener without a hostname serves every name (Gateway API `Listener.hostname`).
        if (listener.hostname && !listenerCovers(listener.hostname, host))
            problems.push(`listener "${r.listener}" serves ${listener.hostname}, not ${host}`);
    }
    return problems;
}

async function checkIngressClass(reader: KubeReader, name: string, now: number): Promise<string[]> {
    await read(reader, `/apis/networking.k8s.io/v1/ingressclasses/${name}`, `IngressClass ${name}`);
    const list = await read(reader, `/apis/networking.k8s.io/v1/ingresses`, "the cluster's Ingresses");
    // up waits for .status.loadBalancer.ingress: an Ingress of this class still without it after 10 minutes means the
    // controller does not publish it (ingress-nginx needs --publish-service). With no Ingress of the class yet, nothing shows.
    const stale = (list.items ?? []).filter(
        (i: Any) =>
            i.spec?.ingressClassName === name &&
            (i.status?.loadBalancer?.ingress ?? []).length === 0 &&
            now - Date.parse(i.metadata?.creationTimestamp ?? "") > 10 * 60_000,
    );
    return stale.length === 0
        ? []
        : [
              `the controller of class ${name} publishes no load-balancer status (Ingress ${stale[0].metadata.namespace}/${stale[0].metadata.name} has none)`,
          ];
}

async function check(reader: KubeReader, r: Requirement, now: number): Promise<string[]> {
    switch (r.kind) {
        case "crd": {
            const crd = await read(
                reader,
                `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${r.name}`,
                `CustomResourceDefinition ${r.name}`,
            );
            if (!isTrue(crd, "Established")) return [`CustomResourceDefinition ${r.name} is not Established`];
            // apiextensions.k8s.io/v1 CustomResourceDefinitionVersion: `served` per version.
            const versions = ((crd.spec as { versions?: { name?: string; served?: boolean }[] } | undefined)?.versions ?? []).filter(
                (v) => v.served,
            );
            return r.version && !versions.some((v) => v.name === r.version)
                ? [
                      `CustomResourceDefinition ${r.name} does not serve ${r.version} (serves ${versions.map((v) => v.name).join(", ") || "nothing"})`,
                  ]
                : [];
        }
        case "gateway":
            return checkGateway(reader, r);
        case "storageClass": {
            const sc = await read(reader, `/apis/storage.k8s.io/v1/storageclasses/${r.name}`, `StorageClass ${r.name}`);
            const mode = sc.volumeBindingMode ?? "Immediate";
            return r.zoneSpread && mode !== "WaitForFirstConsumer"
                ? [
                      `StorageClass ${r.name} binds volumes ${mode}: a volume made before scheduling pins zone-spread replicas to its zone (needs WaitForFirstConsumer)`,
                  ]
                : [];
        }
        case "apiService": {
            const api = await read(reader, `/apis/apiregistration.k8s.io/v1/apiservices/${r.name}`, `APIService ${r.name}`);
            const available = condition(api, "Available");
            return available?.status === "True"
                ? []
                : [`APIService ${r.name} is not Available${available?.message ? `: ${available.message}` : ""}`];
        }
        case "ingressClass":
            return checkIngressClass(reader, r.name, now);
        case "priorityClass":
            await read(reader, `/apis/scheduling.k8s.io/v1/priorityclasses/${r.name}`, `PriorityClass ${r.name}`);
            return [];
        case "clusterIssuer": {
            const issuer = await read(reader, `/apis/cert-manager.io/v1/clusterissuers/${r.name}`, `ClusterIssuer ${r.name}`);
            const ready = condition(issuer, "Ready");
            return ready?.status === "True" ? [] : [`ClusterIssuer ${r.name} is not Ready${ready?.message ? `: ${ready.message}` : ""}`];
        }
    }
}

/** Reads every prerequisite from the cluster; one finding each, in the order given. */
export async function verifyPrerequisites(
    prerequisites: Prerequisite[],
    reader: KubeReader,
    now = Date.now(),
): Promise<PreflightFinding[]> {
    return Promise.all(
        prerequisites.map(async (p): Promise<PreflightFinding> => {
            try {
                const problems = await check(reader, p.requirement, now);
                return problems.length === 0
                    ? { id: p.id, neededBy: p.neededBy, ok: true }
                    : { id: p.id, neededBy: p.neededBy, ok: false, problem: problems.join("; "), install: p.install };
            } catch (err) {
                const problem = err instanceof Missing ? err.message : `${(err as Error).message} (API server ${reader.server})`;
                return { id: p.id, neededBy: p.neededBy, ok: false, problem, install: p.install };
            }
        }),
    );
}

/** The findings as lines a person reads: one per failed prerequisite, what needs it and how to fix it. */
export function formatFindings(findings: PreflightFinding[]): string {
    return findings
        .map((f) => (f.ok ? `  ok    ${f.id}` : `  FAIL  ${f.id}: ${f.problem}\n        needed by ${f.neededBy}; ${f.install}`))
        .join("\n");
}

/** Everything the preflight of one stack needs: its parsed stack file's platform args and a reader of its cluster. */
export interface StackPreflightInput {
    prerequisites: Prerequisite[];
    reader: KubeReader;
}

/**
 * Runs the preflight of `input` and throws {@link PreflightError} naming every
 * unmet prerequisite; returns the findings when all are met.
 */
export async function assertPrerequisites(stackName: string, input: StackPreflightInput): Promise<PreflightFinding[]> {
    const findings = await verifyPrerequisites(input.prerequisites, input.reader);
    if (findings.some((f) => !f.ok)) throw new PreflightError(stackName, findings);
    return findings;
}

/**
 * The preflight input of a stack file: its prerequisites, and a reader of the cluster its
 * `foundation.kubernetes.context` names in the kubeconfig `env` points at (KUBECONFIG, else ~/.kube/config).
 * Assumes the stack file was validated (stackEnvironment) first.
 */
export function stackPreflightInput(stack: string, stackFile: string, env: NodeJS.ProcessEnv): StackPreflightInput {
    const parsed = parseConfig(fs.existsSync(stackFile) ? readStackConfig(stackFile) : {}, stack);
    if (!parsed.ok) throw new Error(`stack "${stack}": the stack file does not parse`);
    const kubeconfig = loadKubeconfig(env);
    const context = parsed.config.foundation.kubernetes.context;
    if (kubeconfig === undefined) {
        const finding = {
            id: "kubeconfig",
            neededBy: "every Kubernetes resource",
            ok: false,
            problem: "no kubeconfig (KUBECONFIG or ~/.kube/config)",
            install: `point KUBECONFIG at a kubeconfig with context "${context}"`,
        };
        throw new PreflightError(stack, [finding]);
    }
    let reader: KubeReader;
    try {
        reader = kubeReader(kubeconfig, context);
    } catch (err) {
        // A kubeconfig without the stack's context (or its cluster's server) is the caller's to fix, not an internal error.
        const finding = {
            id: "kubeconfig",
            neededBy: "every Kubernetes resource",
            ok: false,
            problem: (err as Error).message,
            install: `add context "${context}" to the kubeconfig (KUBECONFIG or ~/.kube/config), or fix hangar:foundation.kubernetes.context`,
        };
        throw new PreflightError(stack, [finding]);
    }
    return { prerequisites: clusterPrerequisites(toPlatformArgs(parsed.config, kubeconfig)), reader };
}
