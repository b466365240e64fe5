// Runs the mocha specs with TypeScript support (tsx) and ends with the line CI
// reads: "N passed, N failed". Usage: node tools/run-tests.js [spec files…]
require("tsx/cjs");
// The suite runs offline: no test process talks to a server outside this machine, and the fake servers on
// 127.0.0.1 pass their own test CAs. Node 20 reads NODE_EXTRA_CA_CERTS eagerly at every start (a sandbox
// that sets it to the system bundle costs ~40 ms of CPU per node process, and the suite starts hundreds:
// the fake Pulumi CLI alone ~250), so the processes of the suite start without it.
delete process.env.NODE_EXTRA_CA_CERTS;
const fs = require("fs");
const path = require("path");
const Mocha = require("mocha");

function specs(dir) {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === "fixtures" ? [] : specs(full);
        return entry.name.endsWith(".spec.ts") ? [full] : [];
    });
}

const root = path.resolve(__dirname, "..");
const budgets = JSON.parse(fs.readFileSync(path.join(root, "test", "budgets.json"), "utf8"));
const budgetOf = (file) => budgets.files[path.relative(root, file)] ?? budgets.default;
// The slowest files first, so the parallel workers finish together.
const files = (process.argv.length > 2 ? process.argv.slice(2).map((f) => path.resolve(f)) : specs(path.join(root, "test")).sort()).sort(
    (a, b) => budgetOf(b) - budgetOf(a),
);
// Under `npm test` the typecheck builds components/dist beside the specs and the pack test waits for it
// (HANGAR_BUILD_READY, tools/test-all.js): it starts after files whose budgets add up to 60 s (budgets are upper
// bounds: about 40 s of work, 20 s on each worker, the typecheck's time), rather than holding a worker from the start.
const WAITS_FOR_BUILD = ["test/components/package-install.spec.ts"].map((f) => path.join(root, f));
const BUDGET_BEFORE_BUILD = 60;
if (process.env.HANGAR_BUILD_READY) {
    const waiting = files.filter((f) => WAITS_FOR_BUILD.includes(f));
    const rest = files.filter((f) => !WAITS_FOR_BUILD.includes(f));
    let at = 0;
    for (let filled = 0; at < rest.length && filled < BUDGET_BEFORE_BUILD; at++) filled += budgetOf(rest[at]);
    files.splice(0, files.length, ...rest.slice(0, at), ...waiting, ...rest.slice(at));
}
// Spec files run in parallel workers (HANGAR_TEST_JOBS, default 2: the CI machine's cores), each
// with tsx and the timing hooks; HANGAR_TEST_JOBS=1 runs them in this process, in order.
const jobs = Number(process.env.HANGAR_TEST_JOBS ?? 2);
const timings = path.join(require("os").tmpdir(), `hangar-test-timings-${process.pid}.jsonl`);
process.env.HANGAR_TEST_TIMINGS = timings;
// Snapshots shared by the parallel workers of this run (tools/harness snapshotOf), removed at the end.
const runDir = path.join(require("os").tmpdir(), `hangar-test-run-${process.pid}`);
process.env.HANGAR_TEST_RUN = runDir;
const parallel = jobs > 1 && files.length > 1;
const mocha = new Mocha({
    reporter: "spec",
    timeout: 120000,
    slow: 5000,
    parallel,
    jobs,
    require: ["tsx/cjs", path.join(__dirname, "test-timing.js")],
});
files.forEach((f) => mocha.addFile(f));
// Wall time per spec file, from its first suite's start to its last suite's end, against
// the budget in test/budgets.json (seconds; files without an entry get the default).
const spans = new Map();
const fileOf = (suite) => (suite.file ? path.relative(root, suite.file) : undefined);
const runner = mocha.run((failures) => {
    const { passes = 0, pending = 0 } = runner.stats ?? {};
    const skipped = pending ? `, ${pending} skipped` : "";
    // CPU seconds per file: the difference between consecutive files of one worker (tools/test-timing.js).
    const cpu = new Map();
    if (parallel && fs.existsSync(timings)) {
        const lines = fs
            .readFileSync(timings, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((line) => JSON.parse(line))
            .sort((a, b) => a.at - b.at);
        const lastOf = new Map();
        for (const { file, ms, pid, cpu: used } of lines) {
            spans.set(path.relative(root, file), { start: 0, end: ms });
            if (used !== undefined) cpu.set(path.relative(root, file), used - (lastOf.get(pid) ?? 0));
            lastOf.set(pid, used);
        }
        fs.rmSync(timings, { force: true });
    }
    const rows = [...spans].map(([file, s]) => [file, (s.end - s.start) / 1000, budgets.files[file] ?? budgets.default, cpu.get(file)]);
    const over = rows.filter(([, took, budget]) => took > budget);
    const total = rows.reduce((sum, [, took]) => sum + took, 0);
    const totalCpu = rows.reduce((sum, [, , , used]) => sum + (used ?? 0), 0);
    const cpuCol = (used) => (cpu.size ? `${used === undefined ? "" : used.toFixed(1)}`.padStart(6) + "  " : "");
    process.stdout.write(
        `\nSlowest spec files (s, budget from test/budgets.json${cpu.size ? "; CPU s of the file's process tree" : ""}):\n`,
    );
    for (const [file, took, budget, used] of rows.sort((a, b) => b[1] - a[1]).slice(0, 12)) {
        process.stdout.write(
            `  ${took.toFixed(1).padStart(6)} / ${String(budget).padStart(3)}  ${cpuCol(used)}${file}${took > budget ? "  OVER BUDGET" : ""}\n`,
        );
    }
    process.stdout.write(
        `  ${total.toFixed(1).padStart(6)}        ${cpuCol(cpu.size ? totalCpu : undefined)}all ${rows.length} files (suite budget ${budgets.suite} s)${over.length ? `; ${over.length} over budget` : ""}\n`,
    );
    if (process.env.HANGAR_TEST_CPU_REPORT)
        fs.writeFileSync(
            process.env.HANGAR_TEST_CPU_REPORT,
            JSON.stringify(Object.fromEntries(rows.map(([file, took, , used]) => [file, { wall: took, cpu: used }])), null, 1),
        );
    fs.rmSync(runDir, { recursive: true, force: true });
    process.stdout.write(`\n${passes} passed, ${failures} failed${skipped}\n`);
    process.exitCode = failures > 0 ? 1 : 0;
});
runner.on("suite", (suite) => {
    const file = fileOf(suite);
    if (file && !spans.has(file)) spans.set(file, { start: Date.now(), end: Date.now() });
});
runner.on("suite end", (suite) => {
    const file = fileOf(suite);
    if (file && spans.has(file)) spans.get(file).end = Date.now();
});
