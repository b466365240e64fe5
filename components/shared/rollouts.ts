/**
 * Names the app tier's Rollouts and the Rollouts controller share: the Gateway API traffic-router plugin is named
 * alike in the controller's `trafficRouterPlugins` and the Rollout's `trafficRouting.plugins`
 * (rollouts-plugin-trafficrouter-gatewayapi README; argo-rollouts-2.41.0 values.yaml trafficRouterPlugins).
 */
export const GATEWAY_PLUGIN = "argoproj-labs/gatewayAPI";

/**
 * The controller's pods as argo-rollouts 2.41.0 labels them with release `argo-rollouts` (templates/controller/deployment.yaml:
 * `argo-rollouts.selectorLabels` — name and instance, templates/_helpers.tpl — and `app.kubernetes.io/component`
 * from values.yaml `controller.component`), and its metrics port (values.yaml `controller.containerPorts.metrics`).
 */
export const ROLLOUTS_CONTROLLER = {
    labels: {
        "app.kubernetes.io/name": "argo-rollouts",
        "app.kubernetes.io/instance": "argo-rollouts",
        "app.kubernetes.io/component": "rollouts-controller",
    },
    metricsPort: 8090,
};
