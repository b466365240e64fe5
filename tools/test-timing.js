// Root hooks that time each spec file in mocha's parallel mode, where a worker runs one file per
// root suite: the runner (tools/run-tests.js) reads HANGAR_TEST_TIMINGS and reports against test/budgets.json.
// Besides wall time, each line carries the CPU seconds (user + system) the worker's process tree has used
// so far: the worker itself, its live descendants (the harness worker, a fake server) and every child it
// has reaped (a spawned CLI). The runner takes the difference between a worker's consecutive files, so a
// file's CPU includes its loading and whatever it spawned; the machine is shared, so CPU, not wall time,
// is the figure that compares between runs. On a system without /proc only the worker's own CPU counts.
const fs = require("fs");

const TICKS = 100; // USER_HZ: the unit of /proc/<pid>/stat's times on Linux (getconf CLK_TCK)

/**
 * A process's parent and CPU seconds (user + system) from /proc/<pid>/stat ("self" for this one): its own, and its
 * reaped children's. Undefined where there is no /proc.
 */
function procStat(pid) {
    try {
        const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
        // After the command name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
        return { ppid: Number(f[1]), own: (Number(f[11]) + Number(f[12])) / TICKS, reaped: (Number(f[13]) + Number(f[14])) / TICKS };
    } catch {
        return undefined;
    }
}

/** [ppid, user+system of the process and of its reaped children] in seconds. */
function statOf(pid) {
    const s = procStat(pid);
    return s && [s.ppid, s.own + s.reaped];
}

/** CPU seconds of this process's tree: itself, its reaped children, its live descendants and theirs. */
function treeCpu() {
    const own = statOf(process.pid);
    if (!own) {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1e6;
    }
    const children = new Map();
    for (const name of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
        const s = statOf(name);
        if (!s) continue;
        if (!children.has(s[0])) children.set(s[0], []);
        children.get(s[0]).push([Number(name), s[1]]);
    }
    let total = own[1];
    const stack = [process.pid];
    while (stack.length) {
        for (const [pid, cpu] of children.get(stack.pop()) ?? []) {
            total += cpu;
            stack.push(pid);
        }
    }
    return total;
}

exports.procStat = procStat;

let started = 0;
exports.mochaHooks = {
    beforeAll() {
        started = Date.now();
    },
    afterAll() {
        const root = this.test && this.test.parent;
        const file = root && ((root.suites[0] && root.suites[0].file) || root.file);
        if (process.env.HANGAR_TEST_TIMINGS && file) {
            const line = { file, ms: Date.now() - started, pid: process.pid, cpu: treeCpu(), at: Date.now() };
            fs.appendFileSync(process.env.HANGAR_TEST_TIMINGS, `${JSON.stringify(line)}\n`);
        }
    },
};
