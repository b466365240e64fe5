// Monitoring with node-exporter opted in (ephemeral sizing, no receiver needed outside prod).
import { Monitoring } from "../../components/monitoring";
import { providers } from "./monitoring-common";

new Monitoring(
    "node-exporter",
    { environment: "ephemeral", nodeExporter: true, priorityClassName: "hangar-pr-1-monitoring" },
    { providers: providers() },
);
