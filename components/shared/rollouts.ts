/**
 * Names the app tier's Rollouts and the Rollouts controller share: the Gateway API traffic-router plugin is named
 * alike in the controller's `trafficRouterPlugins` and the Rollout's `trafficRouting.plugins`
 * (rollouts-plugin-trafficrouter-gatewayapi README; argo-rollouts-2.41.0 values.yaml trafficRouterPlugins).
 */
export const GATEWAY_PLUGIN = "argoproj-labs/gatewayAPI";
