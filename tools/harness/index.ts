/**
 * The harness: runs the Hangar program for a stack under Pulumi's mocks in a
 * child process and returns the snapshot. Shared by the tests and the offline check.
 */
import { ChildProcess, spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { ChildRequest } from "./child";

/** The child's exit code when the program failed but the snapshot was written (see child.ts). */
const PROGRAM_FAILED = 3;
import type { Snapshot } from "./snapshot";

export * from "./snapshot";

/** Running from precompiled JavaScript (bin/tools/harness) rather than TypeScript through tsx. */
const COMPILED = __filename.endsWith(".js");
export const ROOT = COMPILED ? path.resolve(__dirname, "..", "..", "..") : path.resolve(__dirname, "..", "..");
const DEFAULT_PROGRAM = COMPILED ? path.join(ROOT, "bin", "index.js") : path.join(ROOT, "index.ts");

export interface RunOptions {
    /** Run as `pulumi preview` (computed outputs unknown). @default false */
    preview?: boolean;
    /** Use this stack file instead of `Pulumi.<stack>.yaml`. */
    stackFile?: string;
    /** Use this kubeconfig instead of the offline stand-in. */
    kubeconfig?: string;
    /** Run this program instead of `index.ts` (e.g. a test program that builds one component). */
    program?: string;
    /** Use this config mapping (keys such as `hangar:app`) instead of a stack file. */
    config?: Record<string, unknown>;
    /** Secrets Manager values by ARN, for getSecretVersion invokes. */
    secrets?: Record<string, string>;
    /** Outputs a StackReference reads, by the referenced stack's `org/project/stack`. */
    stackOutputs?: Record<string, Record<string, unknown>>;
}

export class HarnessError extends Error {}

function requestFor(stack: string, options: RunOptions, out: string): ChildRequest {
    return {
        root: ROOT,
        stack,
        preview: options.preview ?? false,
        stackFile: options.stackFile && path.resolve(options.stackFile),
        kubeconfig: options.kubeconfig && path.resolve(options.kubeconfig),
        program: options.program ? path.resolve(options.program) : DEFAULT_PROGRAM,
        config: options.config,
        secrets: options.secrets,
        stackOutputs: options.stackOutputs,
        out,
    };
}

/**
 * Runs the program in this process: for a command that runs one stack and exits
 * (the offline check), it saves a second process loading the SDKs. Pulumi's
 * runtime state is global, so tests use `runStack`.
 */
export async function runStackInProcess(stack: string, options: RunOptions = {}): Promise<Snapshot> {
    const { runInProcess } = require("./child") as typeof import("./child");
    return runInProcess(requestFor(stack, options, ""));
}

export async function runStack(stack: string, options: RunOptions = {}): Promise<Snapshot> {
    const t0 = Date.now();
    try {
        return await runStackUntimed(stack, options);
    } finally {
        if (process.env.HANGAR_HARNESS_LOG) {
            const where =
                new Error().stack
                    ?.split("\n")
                    .find((l) => l.includes(".spec.ts"))
                    ?.trim() ?? "";
            fs.appendFileSync(
                process.env.HANGAR_HARNESS_LOG,
                `${Date.now() - t0}\t${stack}\t${JSON.stringify(options).slice(0, 200)}\t${where}\n`,
            );
        }
    }
}

/**
 * Long-lived harness children (`child.ts --worker`), each serving one run at a time. HANGAR_HARNESS_WORKERS
 * sets how many (default 1; 0 spawns a fresh process per run, as before). Idle workers do not keep the
 * test process alive.
 */
interface PoolWorker {
    proc: ChildProcess;
    busy: boolean;
    log: string;
    pending?: { resolve: (answer: { out: string; failed: boolean }) => void; reject: (err: Error) => void };
}
const pool: PoolWorker[] = [];
const waiting: ((w: PoolWorker) => void)[] = [];
const POOL_SIZE = Number(process.env.HANGAR_HARNESS_WORKERS ?? 1);

function entryArgs(): string[] {
    return COMPILED ? [path.join(__dirname, "child.js")] : ["--require", "tsx/cjs", path.join(__dirname, "child.ts")];
}

function setRef(w: PoolWorker, on: boolean) {
    for (const h of [w.proc, w.proc.stdin, w.proc.stdout, w.proc.stderr, w.proc.stdio[3]] as ({ ref(): void; unref(): void } | null)[]) {
        if (h && on) h.ref();
        else if (h) h.unref();
    }
}

function startWorker(): PoolWorker {
    const proc = spawn(process.execPath, [...entryArgs(), "--worker"], {
        cwd: ROOT,
        env: { ...process.env, PULUMI_NODEJS_SKIP_COMPONENT_INPUTS: undefined },
        stdio: ["pipe", "pipe", "pipe", "pipe"],
    });
    const w: PoolWorker = { proc, busy: false, log: "" };
    proc.stdout!.on("data", (d) => (w.log += d));
    proc.stderr!.on("data", (d) => (w.log += d));
    let buffer = "";
    (proc.stdio[3] as NodeJS.ReadableStream).on("data", (d) => {
        buffer += d;
        for (let at = buffer.indexOf("\n"); at >= 0; at = buffer.indexOf("\n")) {
            const line = buffer.slice(0, at);
            buffer = buffer.slice(at + 1);
            w.pending?.resolve(JSON.parse(line));
        }
    });
    proc.on("exit", (code) => {
        pool.splice(pool.indexOf(w), 1);
        w.pending?.reject(new HarnessError(`harness worker exited with ${code}:\n${w.log}`));
    });
    setRef(w, false);
    pool.push(w);
    return w;
}

async function acquire(): Promise<PoolWorker> {
    const idle = pool.find((w) => !w.busy) ?? (pool.length < POOL_SIZE ? startWorker() : undefined);
    if (idle) {
        idle.busy = true;
        return idle;
    }
    return new Promise((resolve) => waiting.push(resolve));
}

function release(w: PoolWorker) {
    const next = waiting.shift();
    if (next && pool.includes(w)) return next(w);
    w.busy = false;
    if (next) void acquire().then(next);
}

async function runInWorker(request: ChildRequest): Promise<Snapshot> {
    const w = await acquire();
    try {
        setRef(w, true);
        w.log = "";
        const answer = await new Promise<{ out: string; failed: boolean }>((resolve, reject) => {
            w.pending = { resolve, reject };
            w.proc.stdin!.write(`${JSON.stringify(request)}\n`);
        });
        w.pending = undefined;
        const snapshot = JSON.parse(fs.readFileSync(answer.out, "utf8")) as Snapshot & { log?: string };
        snapshot.log = w.log;
        return snapshot;
    } finally {
        w.pending = undefined;
        setRef(w, false);
        release(w);
    }
}

async function runStackUntimed(stack: string, options: RunOptions): Promise<Snapshot> {
    if (POOL_SIZE > 0) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-run-"));
        try {
            return await runInWorker(requestFor(stack, options, path.join(dir, "snapshot.json")));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }
    return runFreshProcess(stack, options);
}

async function runFreshProcess(stack: string, options: RunOptions): Promise<Snapshot> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-run-"));
    const request = requestFor(stack, options, path.join(dir, "snapshot.json"));
    const entry = COMPILED ? [path.join(__dirname, "child.js")] : ["--require", "tsx/cjs", path.join(__dirname, "child.ts")];
    const child = spawn(process.execPath, [...entry, JSON.stringify(request)], {
        cwd: ROOT,
        env: { ...process.env, PULUMI_NODEJS_SKIP_COMPONENT_INPUTS: undefined },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
    const code: number = await new Promise((resolve) => child.on("close", (c) => resolve(c ?? 1)));
    try {
        if ((code !== 0 && code !== PROGRAM_FAILED) || !fs.existsSync(request.out))
            throw new HarnessError(`harness child exited with ${code}:\n${log}`);
        const snapshot = JSON.parse(fs.readFileSync(request.out, "utf8")) as Snapshot & { log?: string };
        snapshot.log = log;
        return snapshot;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const cache = new Map<string, Promise<Snapshot>>();

/**
 * Runs any program (a test program that builds one component, say) under the
 * same mocks and capture. `config` is given as a stack file's `config:` mapping.
 */
export function runProgram(
    program: string,
    options: { stack?: string; preview?: boolean; config?: Record<string, unknown> } = {},
): Promise<Snapshot> {
    return runStack(options.stack ?? "test", { program, preview: options.preview, config: options.config ?? {} });
}

/**
 * `runStack`, memoised per stack and options: the tests share one run per stack. Spec files running
 * in parallel workers of one test run (HANGAR_TEST_RUN, set by tools/run-tests.js) share it through
 * a directory of that run: the first to need a snapshot runs it, the others wait for its file.
 */
export function snapshotOf(stack: string, options: RunOptions = {}): Promise<Snapshot> {
    const key = JSON.stringify([stack, options]);
    if (!cache.has(key))
        cache.set(
            key,
            sharedRun(key, () => runStack(stack, options)),
        );
    return cache.get(key)!;
}

/** The real stack files, prod and staging, as one shared run each against the given kubeconfig. */
export function realStackSnapshots(kubeconfig: string): Promise<[Snapshot, Snapshot]> {
    return Promise.all([snapshotOf("prod", { kubeconfig }), snapshotOf("staging", { kubeconfig })]);
}

/**
 * One run per key for all the processes that share `dir` (the test run's directory): the first to need
 * it runs it and writes the snapshot; the others, then or later, read that file. Exported for its test.
 */
export async function sharedRun(key: string, run: () => Promise<Snapshot>, dir = process.env.HANGAR_TEST_RUN): Promise<Snapshot> {
    if (!dir) return run();
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${createHash("sha1").update(key).digest("hex")}.json`);
    const lock = `${file}.lock`;
    const read = () => JSON.parse(fs.readFileSync(file, "utf8")) as Snapshot;
    // A run finished earlier has left its file (and removed its lock): read it rather than run again.
    if (fs.existsSync(file)) return read();
    try {
        fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
    } catch {
        // Another process is running it: wait for the snapshot (or run it here if that process gave up).
        for (let waited = 0; waited < 300_000; waited += 100) {
            if (fs.existsSync(file)) return read();
            if (!fs.existsSync(lock)) return fs.existsSync(file) ? read() : run();
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return run();
    }
    try {
        // It may have finished between the look for the file and taking the lock.
        if (fs.existsSync(file)) return read();
        const snapshot = await run();
        fs.writeFileSync(`${file}.tmp`, JSON.stringify(snapshot));
        fs.renameSync(`${file}.tmp`, file);
        return snapshot;
    } finally {
        fs.rmSync(lock, { force: true });
    }
}
