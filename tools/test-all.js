// `npm test`: the typecheck, the linters and the mocha suite (tools/run-tests.js, two parallel workers) start
// together. The typecheck (tsc -b) is the one long static check (about 20 CPU-s; oxlint and Biome take under a
// second); the specs do not wait for it, but the pack test does: tsc -b builds components/dist, which its
// prepack must find finished rather than build a second time beside it (HANGAR_BUILD_READY names the file this
// script writes when the typecheck is done). A failing static check does not stop the suite; each counts as one
// failure in the last line CI reads: "N passed, N failed".
const { spawn } = require("child_process");
const path = require("path");

const root = path.resolve(__dirname, "..");
// Offline: the static checks and the suite need no extra CA, and Node 20 loads NODE_EXTRA_CA_CERTS at every start (tools/run-tests.js).
delete process.env.NODE_EXTRA_CA_CERTS;
const bin = (pkg, file) => path.join(root, "node_modules", pkg, file);
const STATIC = [
    // tsc -b: builds components/ to components/dist (the package's own build, which the pack test's prepack then
    // finds up to date) and type-checks the rest against it, parsing the SDKs' declarations once for both.
    { name: "typecheck (tsc -b: components/dist, then the rest)", steps: [[bin("typescript", "bin/tsc"), "-b", "tsconfig.json"]] },
    {
        // oxlint runs ESLint's and typescript-eslint's recommended rules (.oxlintrc.json); Biome checks the layout.
        name: "lint (oxlint, biome format)",
        steps: [[bin("oxlint", "bin/oxlint")], [bin("@biomejs/biome", "bin/biome"), "format", "."]],
    },
];

/** CPU seconds (user + system) of this process's reaped children so far (Linux /proc; 0 elsewhere). */
function childrenCpu() {
    return require("./test-timing").procStat("self")?.reaped ?? 0;
}

/** CPU seconds of the reaped children, attributed to each as it is reaped (its exit event follows its reaping). */
let reapedCpu = 0;
function run(args, onOutput, onCpu = () => {}) {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
        child.stdout.on("data", onOutput);
        child.stderr.on("data", onOutput);
        child.on("exit", () => {
            const now = childrenCpu();
            onCpu(now - reapedCpu);
            reapedCpu = now;
        });
        child.on("close", (code) => resolve(code ?? 1));
    });
}

let staticCpu = 0;

async function staticCheck(check) {
    const started = Date.now();
    let output = "";
    let ok = true;
    for (const step of check.steps) {
        ok =
            (await run(
                step,
                (d) => (output += d),
                (cpu) => (staticCpu += cpu),
            )) === 0;
        if (!ok) break;
    }
    return { ...check, ok, output, seconds: (Date.now() - started) / 1000 };
}

async function main() {
    const started = Date.now();
    const built = path.join(require("os").tmpdir(), `hangar-build-ready-${process.pid}`);
    process.env.HANGAR_BUILD_READY = built;
    const report = (r) => process.stdout.write(`${r.ok ? "ok  " : "FAIL"} ${r.name} (${r.seconds.toFixed(1)} s)\n${r.ok ? "" : r.output}`);
    const lanes = STATIC.map((check) => staticCheck(check).then((r) => (report(r), r)));
    void lanes[0].then((r) => require("fs").writeFileSync(built, r.ok ? "ok" : "failed"));
    let last = "";
    let pending = "";
    // The specs' CPU as the runner adds it up per spec file (each file's process tree, tools/test-timing.js):
    // getrusage misses the harness workers, which outlive the mocha worker that started them.
    const ownReport = !process.env.HANGAR_TEST_CPU_REPORT;
    const cpuReport = process.env.HANGAR_TEST_CPU_REPORT || path.join(require("os").tmpdir(), `hangar-test-cpu-${process.pid}.json`);
    process.env.HANGAR_TEST_CPU_REPORT = cpuReport;
    const mochaCode = await run([path.join(__dirname, "run-tests.js"), ...process.argv.slice(2)], (d) => {
        pending += d;
        const lines = pending.split("\n");
        pending = lines.pop();
        for (const line of lines) {
            if (/^\d+ passed, \d+ failed/.test(line)) last = line;
            else process.stdout.write(`${line}\n`);
        }
    });
    if (/^\d+ passed, \d+ failed/.test(pending)) last = pending;
    else if (pending) process.stdout.write(pending);
    const results = await Promise.all(lanes);
    require("fs").rmSync(built, { force: true });
    if (results.some((r) => !r.ok))
        process.stdout.write(
            `\nStatic checks failed: ${results
                .filter((r) => !r.ok)
                .map((r) => r.name)
                .join(", ")}\n`,
        );
    const failedChecks = results.filter((r) => !r.ok).length;
    const match = /^(\d+) passed, (\d+) failed(.*)$/.exec(last);
    const passed = match ? Number(match[1]) : 0;
    const failed = (match ? Number(match[2]) : 1) + failedChecks;
    let perFile = [];
    try {
        perFile = Object.values(JSON.parse(require("fs").readFileSync(cpuReport, "utf8"))).filter((f) => typeof f.cpu === "number");
    } catch {
        // no report: the runner failed before it wrote one
    }
    if (ownReport) require("fs").rmSync(cpuReport, { force: true });
    // Without per-file figures (the specs ran in one process), what getrusage saw.
    const specsCpu = perFile.length ? perFile.reduce((sum, f) => sum + f.cpu, 0) : childrenCpu() - staticCpu;
    process.stdout.write(
        `\nnpm test took ${((Date.now() - started) / 1000).toFixed(1)} s; CPU (user + system): ${(staticCpu + specsCpu).toFixed(1)} s = static checks ${staticCpu.toFixed(1)} s + specs ${specsCpu.toFixed(1)} s\n`,
    );
    process.stdout.write(`${passed} passed, ${failed} failed${match ? match[3] : ""}\n`);
    process.exitCode = failed > 0 || mochaCode !== 0 ? 1 : 0;
}

main();
