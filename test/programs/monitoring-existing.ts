// Monitoring on a cluster that already runs the Prometheus operator: no chart, no CRDs.
import { Monitoring } from "../../components/monitoring";
import { providers } from "./monitoring-common";

const monitoring = new Monitoring(
    "existing",
    {
        environment: "staging",
        mode: "existing-operator",
        namespace: "observability",
        selectorLabels: { prometheus: "platform" },
        postgres: { host: "db.example.internal", port: 5433, database: "hangar", username: "monitor", password: "pw" },
        cloudwatch: { elasticache: { replicationGroupId: "hangar-staging", nodeCount: 1 } },
    },
    { providers: providers() },
);

export const selectorLabels = monitoring.selectorLabels;
export const readyResources = monitoring.readyResources.length;
