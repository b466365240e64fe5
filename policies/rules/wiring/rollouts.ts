/**
 * wiring-rollout-references: what an Argo Rollout names exists and fits (argo-rollouts 2.41.0, Rollout CRD
 * templates/crds/rollout-crd.yaml; the controller refuses or stalls a Rollout whose references are missing):
 * - the Services of its strategy (`canary.stableService`/`canaryService`, `blueGreen.activeService`/`previewService`)
 *   are Services of the stack in its namespace whose selector selects the Rollout's pod template (the controller
 *   only adds `rollouts-pod-template-hash` to that selector);
 * - every AnalysisTemplate it runs (`canary.analysis`, `canary.steps[].analysis`, `blueGreen.prePromotionAnalysis`,
 *   `postPromotionAnalysis`) is an AnalysisTemplate of the stack in its namespace (a ClusterAnalysisTemplate with
 *   `clusterScope`);
 * - the HTTPRoute the Gateway API plugin splits traffic on (`trafficRouting.plugins["argoproj-labs/gatewayAPI"]`,
 *   `httpRoute` in `namespace`, plugin README) is an HTTPRoute of the stack with a backendRef to the stable and
 *   one to the canary Service.
 */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ObjectMeta, podTemplateOf } from "../kubernetes/pod-template";
import { configOf, ExemptionConfig, schemaWith } from "../kubernetes/shared";
import { plain, readKnown, throwIfUndecided, UnknownValueErrorInstance } from "../unknowns";
import { selects } from "./services";

const ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";
const SERVICE = "kubernetes:core/v1:Service";
const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const TEMPLATE = "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate";
const CLUSTER_TEMPLATE = "kubernetes:argoproj.io/v1alpha1:ClusterAnalysisTemplate";
const GATEWAY_PLUGIN = "argoproj-labs/gatewayAPI";

interface TemplateRef {
    templateName?: string;
    clusterScope?: boolean;
}
interface Analysis {
    templates?: TemplateRef[];
}
interface Strategy {
    canary?: {
        stableService?: string;
        canaryService?: string;
        analysis?: Analysis;
        steps?: { analysis?: Analysis }[];
        trafficRouting?: { plugins?: Record<string, { httpRoute?: string; namespace?: string }> };
    };
    blueGreen?: { activeService?: string; previewService?: string; prePromotionAnalysis?: Analysis; postPromotionAnalysis?: Analysis };
}

interface Named {
    namespace: string | undefined;
    name: string | undefined;
    props: Record<string, unknown>;
}

function named(resources: PolicyResource[], types: string[], remember: (err: UnknownValueErrorInstance) => void): Named[] {
    const out: Named[] = [];
    for (const r of resources.filter((x) => types.includes(x.type))) {
        const read = readKnown(() => {
            const metadata = (r.props.metadata ?? {}) as ObjectMeta;
            return { namespace: metadata.namespace, name: metadata.name, props: plain(r.props) as Record<string, unknown> };
        });
        if (read.known) out.push(read.value);
        else remember(read.error);
    }
    return out;
}

/** The problems of one Rollout, each a message. */
function judge(
    rollout: PolicyResource,
    stack: { services: Named[]; routes: Named[]; templates: Named[]; clusterTemplates: Named[] },
): string[] {
    const metadata = (rollout.props.metadata ?? {}) as ObjectMeta;
    const namespace = metadata.namespace;
    const who = `Rollout ${namespace}/${metadata.name ?? rollout.name}`;
    const labels = { ...(podTemplateOf(rollout.type, rollout.props)?.metadata.labels ?? {}) };
    const strategy = plain(((rollout.props.spec ?? {}) as { strategy?: Strategy }).strategy ?? {});
    const problems: string[] = [];
    const services: [string, string | undefined][] = strategy.blueGreen
        ? [
              ["blueGreen.activeService", strategy.blueGreen.activeService],
              ["blueGreen.previewService", strategy.blueGreen.previewService],
          ]
        : [
              ["canary.stableService", strategy.canary?.stableService],
              ["canary.canaryService", strategy.canary?.canaryService],
          ];
    for (const [field, name] of services) {
        if (name === undefined) continue;
        const svc = stack.services.find((s) => s.namespace === namespace && s.name === name);
        const selector = ((svc?.props.spec ?? {}) as { selector?: Record<string, string> }).selector ?? {};
        if (!svc) problems.push(`${who}: spec.strategy.${field} ${name} is no Service of the stack in namespace ${namespace}`);
        else if (Object.keys(selector).length === 0 || !selects(selector, labels))
            problems.push(
                `${who}: spec.strategy.${field} ${name} selects ${JSON.stringify(selector)}, not the Rollout's pods ${JSON.stringify(labels)}`,
            );
    }
    const analyses: [string, Analysis | undefined][] = [
        ["canary.analysis", strategy.canary?.analysis],
        ...(strategy.canary?.steps ?? []).map((s, i): [string, Analysis | undefined] => [`canary.steps[${i}].analysis`, s.analysis]),
        ["blueGreen.prePromotionAnalysis", strategy.blueGreen?.prePromotionAnalysis],
        ["blueGreen.postPromotionAnalysis", strategy.blueGreen?.postPromotionAnalysis],
    ];
    for (const [field, analysis] of analyses)
        for (const t of analysis?.templates ?? []) {
            const found = t.clusterScope
                ? stack.clusterTemplates.some((c) => c.name === t.templateName)
                : stack.templates.some((c) => c.namespace === namespace && c.name === t.templateName);
            if (!found)
                problems.push(
                    `${who}: spec.strategy.${field} runs ${t.clusterScope ? "ClusterAnalysisTemplate" : "AnalysisTemplate"} ${t.templateName}, which the stack does not create${t.clusterScope ? "" : ` in namespace ${namespace}`}`,
                );
        }
    const plugin = strategy.canary?.trafficRouting?.plugins?.[GATEWAY_PLUGIN];
    if (plugin?.httpRoute) {
        const routeNamespace = plugin.namespace ?? namespace;
        const route = stack.routes.find((r) => r.namespace === routeNamespace && r.name === plugin.httpRoute);
        const refs =
            ((route?.props.spec ?? {}) as { rules?: { backendRefs?: { name?: string }[] }[] }).rules?.flatMap((r) => r.backendRefs ?? []) ??
            [];
        if (!route)
            problems.push(
                `${who}: the Gateway API plugin splits traffic on HTTPRoute ${routeNamespace}/${plugin.httpRoute}, which the stack does not create`,
            );
        else
            for (const [field, name] of services)
                if (name && !refs.some((b) => b.name === name))
                    problems.push(
                        `${who}: HTTPRoute ${routeNamespace}/${plugin.httpRoute} has no backendRef to ${field} ${name}: the plugin can only move weights between refs the route has`,
                    );
    }
    return problems;
}

export const rolloutReferences: StackValidationPolicy = {
    name: "wiring-rollout-references",
    description:
        "Every Argo Rollout's stable/canary or active/preview Services select its pods, its AnalysisTemplates exist, and the HTTPRoute it splits traffic on routes to both Services.",
    enforcementLevel: "mandatory",
    configSchema: schemaWith(),
    validateStack: (args, reportViolation) => {
        const config = configOf<ExemptionConfig>(schemaWith(), args);
        const rollouts = args.resources.filter((r) => r.type === ROLLOUT);
        if (rollouts.length === 0) args.notApplicable("the stack creates no Rollout");
        let firstUnknown: UnknownValueErrorInstance | undefined;
        const remember = (err: UnknownValueErrorInstance) => (firstUnknown ??= err);
        const stack = {
            services: named(args.resources, [SERVICE], remember),
            routes: named(args.resources, [ROUTE], remember),
            templates: named(args.resources, [TEMPLATE], remember),
            clusterTemplates: named(args.resources, [CLUSTER_TEMPLATE], remember),
        };
        const othersUnknown = firstUnknown !== undefined;
        const undecided: string[] = [];
        for (const r of rollouts) {
            const read = readKnown(() => {
                const namespace = ((r.props.metadata ?? {}) as ObjectMeta).namespace;
                return namespace && config.exemptNamespaces.includes(namespace) ? [] : judge(r, stack);
            });
            if (!read.known) {
                remember(read.error);
                undecided.push(r.name);
            } else if (read.value.length > 0 && othersUnknown)
                undecided.push(`${r.name} (a Service, route or template is unknown during preview)`);
            else for (const message of read.value) reportViolation(message, r.urn);
        }
        throwIfUndecided(firstUnknown, undecided, " (values unknown during preview)");
    },
};

export const rolloutWiringPolicies = [rolloutReferences];
