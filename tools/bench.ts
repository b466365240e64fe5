/**
 * `npm run bench`: measurements, not tests. Prints, from one run on this machine:
 *  1. the offline check for prod against the floor (a process that only loads the
 *     SDKs the program uses), as a ratio, run from TypeScript (tsx) and from
 *     precompiled JavaScript;
 *  2. program time per service at 3, 30 and 100 app services (linearity);
 *  2b. parseConfig per call (the tests call it by the hundred);
 *  3. policy time per resource over the prod snapshot;
 *  4. the whole test suite (`npm test`, once: it takes minutes) against its 90 s budget,
 *     with its slowest spec files. BENCH_SUITE=0 skips it.
 * Medians of a few runs; the machines are noisy, so compare ratios within one run.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseConfig, readStackConfig } from "../config";
import { ROOT, runStack } from "./harness";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeCommand(args: string[], env: NodeJS.ProcessEnv = process.env): number {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: ROOT, env, stdio: "pipe" });
    if (result.status !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
    return Number(process.hrtime.bigint() - started) / 1e6;
}

function medianOf(runs: number, f: () => number): number {
    return median(Array.from({ length: runs }, f));
}

/** Compiles the repository to bin/ (tsc) so the check can run as plain JavaScript. */
function compile(): void {
    execFileSync(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", path.join(ROOT, "tsconfig.bin.json")], {
        cwd: ROOT,
        stdio: "pipe",
    });
    // Files the compiled code reads next to itself.
    for (const asset of [path.join("components", "backups", "pg-dump.sh"), path.join("policies", "package.json")]) {
        fs.copyFileSync(path.join(ROOT, asset), path.join(ROOT, "bin", asset));
    }
}

/** The staging stack file with n services. */
function withServices(n: number): Record<string, unknown> {
    const config = structuredClone(readStackConfig(path.join(ROOT, "Pulumi.staging.yaml"))) as Record<string, Record<string, unknown>>;
    const template = (config["hangar:app"].services as Record<string, unknown>[])[0];
    config["hangar:app"].services = Array.from({ length: n }, (_, i) => ({
        ...template,
        name: `svc-${i}`,
        host: `svc-${i}.staging.hangar.example.aero`,
    }));
    config["hangar:app"].quota = { requestsCpu: "1000", requestsMemory: "2000Gi", limitsMemory: "4000Gi", pods: 5000 };
    return config;
}

async function main() {
    const lines: string[] = [];
    const say = (line: string) => {
        lines.push(line);
        process.stdout.write(`${line}\n`);
    };
    say(
        `Hangar benchmarks — ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ${RUNS} runs each (medians)`,
    );

    // 1. the check against the floor
    const floorScript =
        "for (const m of ['@pulumi/pulumi','@pulumi/aws','@pulumi/kubernetes','@pulumi/random','@pulumi/docker','yaml','zod']) require(m);";
    const floor = medianOf(RUNS, () => timeCommand(["-e", floorScript]));
    const checkTs = medianOf(RUNS, () => timeCommand(["--import", "tsx", "tools/check-cli.ts", "prod"]));
    compile();
    const checkJs = medianOf(RUNS, () => timeCommand(["bin/tools/check-cli.js", "prod"]));
    say(`floor (load the SDKs only)        ${floor.toFixed(0)} ms`);
    say(`check prod, TypeScript via tsx    ${checkTs.toFixed(0)} ms  = ${(checkTs / floor).toFixed(2)} × floor`);
    say(`check prod, precompiled JS        ${checkJs.toFixed(0)} ms  = ${(checkJs / floor).toFixed(2)} × floor`);

    // 2. per-service scaling (program time inside the child, which excludes process start)
    const perService: [number, number][] = [];
    for (const n of [3, 30, 100]) {
        const ms = median(
            await Promise.all(
                Array.from({ length: Math.max(1, Math.floor(RUNS / 2)) }, async () => {
                    const snapshot = await runStack("bench", { config: withServices(n) });
                    if (snapshot.error) throw new Error(snapshot.error.message);
                    return snapshot.durationMs;
                }),
            ),
        );
        perService.push([n, ms]);
        say(`${String(n).padStart(3)} services: program ${ms.toFixed(0)} ms, ${(ms / n).toFixed(1)} ms per service`);
    }
    const [[n1, t1], [n2, t2], [n3, t3]] = perService;
    // Marginal cost per added service: constant when the program scales linearly.
    say(
        `marginal cost per service: ${((t2 - t1) / (n2 - n1)).toFixed(1)} ms (3 → 30), ${((t3 - t2) / (n3 - n2)).toFixed(1)} ms (30 → 100); total time × ${(t3 / t1).toFixed(1)} for services × ${(n3 / n1).toFixed(1)}`,
    );

    // 2b. config parsing: a pure function the tests call by the hundred
    {
        const raw = structuredClone(readStackConfig(path.join(ROOT, "Pulumi.prod.yaml"))) as Record<string, Record<string, unknown>>;
        (raw["hangar:app"].services as Record<string, unknown>[])[0].port = -1;
        const perParse = medianOf(RUNS, () => {
            const started = process.hrtime.bigint();
            for (let i = 0; i < 300; i++) parseConfig(raw, "prod");
            return Number(process.hrtime.bigint() - started) / 1e6 / 300;
        });
        say(`parseConfig of a bad prod stack file: ${perParse.toFixed(2)} ms per parse`);
    }

    // 3. policies per resource
    try {
        const { policyTimePerResource } = await import("./policy-bench");
        const { resources, ms } = await policyTimePerResource("prod");
        say(`policies over prod: ${resources} resources in ${ms.toFixed(1)} ms = ${((ms * 1000) / resources).toFixed(0)} µs per resource`);
    } catch (err) {
        say(`policies: not measured (${(err as Error).message})`);
    }

    // 4. the suite, as CI runs it
    if (process.env.BENCH_SUITE !== "0") {
        const suite = spawnSync(process.execPath, [path.join(ROOT, "tools", "test-all.js")], { cwd: ROOT, encoding: "utf8" });
        const took = /npm test took ([\d.]+) s/.exec(suite.stdout)?.[1];
        const verdict = suite.stdout.trim().split("\n").pop();
        const budgets = JSON.parse(fs.readFileSync(path.join(ROOT, "test", "budgets.json"), "utf8")) as { suite: number };
        // CPU seconds compare between runs on a shared machine; wall time does not.
        const cpu = /CPU \(user \+ system\): (.*)$/m.exec(suite.stdout)?.[1];
        say(`npm test: ${took ?? "?"} s (suite budget ${budgets.suite} s), CPU ${cpu ?? "?"} — ${verdict}`);
        const slowest = suite.stdout.split("Slowest spec files")[1]?.split("\n").slice(1, 6) ?? [];
        for (const line of slowest) say(`  ${line.trim()}`);
    }
    fs.mkdirSync(path.join(ROOT, "out"), { recursive: true });
    fs.writeFileSync(path.join(ROOT, "out", "bench.txt"), `${lines.join("\n")}\n`);
}

main().catch((err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
});
