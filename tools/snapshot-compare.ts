/**
 * Records a normalized snapshot of the program for a fixed set of stack
 * variants, to prove a restructure changes nothing: every URN, input, option,
 * registered output and invoke. Usage: tsx tools/snapshot-compare.ts <outDir>
 */
import * as fs from "fs";
import * as path from "path";
import { readStackConfig } from "../config";
import { ROOT, runStack, RunOptions } from "./harness";

const laptop = path.join(ROOT, "test/fixtures/kubeconfig/laptop.yaml");
const prodWithDr = (change: Record<string, unknown>) => {
    const config = structuredClone(readStackConfig(path.join(ROOT, "Pulumi.prod.yaml"))) as Record<string, Record<string, unknown>>;
    config["hangar:dr"] = { ...config["hangar:dr"], ...change };
    return config;
};
const arn = "arn:aws:secretsmanager:eu-central-1:210987654321:secret:hangar-dr-kubeconfig-AbCdEf";
const server = "https://DR0CLUSTER.gr7.eu-central-1.eks.amazonaws.com";
const pilotLight = {
    enabled: true,
    kubeconfigSecretArn: arn,
    context: "hangar-dr",
    server,
    oidcProviderArn: "arn:aws:iam::210987654321:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/DR0",
    replicas: 0,
};
const drKubeconfig = `apiVersion: v1\nkind: Config\nclusters: [{name: dr, cluster: {server: "${server}"}}]\ncontexts: [{name: hangar-dr, context: {cluster: dr, user: u}}]\nusers: [{name: u, user: {token: t}}]\n`;

const VARIANTS: Record<string, [string, RunOptions]> = {
    prod: ["prod", { kubeconfig: laptop }],
    staging: ["staging", { kubeconfig: laptop }],
    "prod-preview": ["prod", { kubeconfig: laptop, preview: true }],
    "staging-preview": ["staging", { kubeconfig: laptop, preview: true }],
    "three-services": ["pr-42", { kubeconfig: laptop, stackFile: path.join(ROOT, "test/fixtures/stack-files/three-services.yaml") }],
    promoted: ["prod", { kubeconfig: laptop, config: prodWithDr({ promoted: true }) }],
    "pilot-light": ["prod", { kubeconfig: laptop, config: prodWithDr({ pilotLight }), secrets: { [arn]: drKubeconfig } }],
};

(async () => {
    const out = path.resolve(process.argv[2] ?? "out/snapshots");
    fs.mkdirSync(out, { recursive: true });
    for (const [name, [stack, options]] of Object.entries(VARIANTS)) {
        const s = await runStack(stack, options);
        const normalized = {
            error: s.error,
            outputs: s.outputs,
            resources: [...s.resources].sort((a, b) => a.urn.localeCompare(b.urn)),
            invokes: [...s.invokes].map((i) => JSON.stringify(i)).sort(),
        };
        fs.writeFileSync(path.join(out, `${name}.json`), `${JSON.stringify(normalized, null, 1)}\n`);
        process.stdout.write(`${name}: ${s.resources.length} resources${s.error ? ` (error: ${s.error.message})` : ""}\n`);
    }
})().catch((err) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
});
