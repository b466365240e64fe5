/**
 * Resource requests and limits on every container that may carry them
 * (containers and initContainers; the API refuses resources on ephemeral
 * containers). ResourceQuota and LimitRange per namespace: see namespaces.ts.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { ContainerView, PodView, resourceContainers } from "./pod-template";
import { compareQuantities, parseQuantity } from "../../values/quantity";
import { ExemptionConfig, podRule } from "./shared";

/** `container "api": set resources.requests.cpu` for each of `names` the container leaves unset. */
function missing(pod: PodView, list: "requests" | "limits", names: string[]): string[] {
    return resourceContainers(pod).flatMap((c) =>
        names
            .filter((name) => (c.container.resources?.[list]?.[name] ?? undefined) === undefined)
            .map((name) => `${c.label}: set resources.${list}.${name}`),
    );
}

export const resourceRequests: ResourceValidationPolicy = podRule<ExemptionConfig>({
    name: "kubernetes-container-resource-requests",
    description: "Every container must request cpu and memory, so the scheduler and the namespace quota can account for it.",
    enforcementLevel: "advisory",
    check: (pod) => missing(pod, "requests", ["cpu", "memory"]),
});

interface LimitsConfig extends ExemptionConfig {
    requireCpuLimit: boolean;
}

export const resourceLimits: ResourceValidationPolicy = podRule<LimitsConfig>({
    name: "kubernetes-container-resource-limits",
    description: "Every container must set a memory limit (and a cpu limit when requireCpuLimit is set).",
    enforcementLevel: "advisory",
    properties: {
        requireCpuLimit: {
            type: "boolean",
            default: false,
            description: "Also require resources.limits.cpu (off by default: cpu limits throttle, requests already share cpu fairly).",
        },
    },
    check: (pod, config) => missing(pod, "limits", config.requireCpuLimit ? ["cpu", "memory"] : ["memory"]),
});

function quantityProblems(c: ContainerView): string[] {
    const requests = c.container.resources?.requests ?? {};
    const limits = c.container.resources?.limits ?? {};
    const messages: string[] = [];
    for (const [list, values] of [
        ["requests", requests],
        ["limits", limits],
    ] as const) {
        for (const [name, value] of Object.entries(values)) {
            if (!parseQuantity(value))
                messages.push(
                    `${c.label}: set resources.${list}.${name} to a valid quantity such as 250m, 0.5, 128Mi or 1G (it is ${JSON.stringify(value)})`,
                );
        }
    }
    for (const [name, value] of Object.entries(requests)) {
        const request = parseQuantity(value);
        const limit = parseQuantity(limits[name]);
        if (request && limit && compareQuantities(request, limit) > 0) {
            messages.push(`${c.label}: set resources.requests.${name} (${value}) to at most resources.limits.${name} (${limits[name]})`);
        }
    }
    return messages;
}

export const requestsWithinLimits: ResourceValidationPolicy = podRule<ExemptionConfig>({
    name: "kubernetes-container-requests-within-limits",
    description: "Container resource requests and limits must be valid quantities, and no request may exceed its limit.",
    enforcementLevel: "mandatory",
    check: (pod) => resourceContainers(pod).flatMap(quantityProblems),
});

export const resourcePolicies = [resourceRequests, resourceLimits, requestsWithinLimits];
