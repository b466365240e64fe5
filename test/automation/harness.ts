/**
 * The fake Pulumi CLI (fixtures/fake-cli/bin/pulumi) as the automation tests use
 * it: one scratch directory per test with its scenario, its recording and its
 * environments directory.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { ConnectionOptions } from "../../automation";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** An installation root: PulumiCommand.get({ root: FAKE_ROOT }) runs FAKE_ROOT/bin/pulumi. */
export const FAKE_ROOT = path.join(__dirname, "fixtures", "fake-cli");

// The fake's server in this process (fixtures/fake-cli/server.js): the shim bin/pulumi hands it each
// call the SDK makes through `options()`, a bash start instead of a node start per call. Started when
// this module loads; the hook makes the first spec that imports it wait until it listens (before
// then, and for callers that set their own environment, the shim runs the fake with node). A process this one
// waits for synchronously (spawnSync) must not get FAKE_PULUMI_SERVER: the blocked server could not answer it.
const { startFakeServer, fakeServerPort } = require("./fixtures/fake-cli/server.js") as {
    startFakeServer(): Promise<number>;
    fakeServerPort(): number | undefined;
};
const serverReady = startFakeServer().catch(() => undefined);
before(() => serverReady);

/** What one command replays. */
export interface Reply {
    events?: object[];
    stdout?: string;
    stderr?: string;
    exitCode?: number;
    delayMs?: number;
}

/** The fake's scenario file (see the comment at the top of bin/pulumi). */
export interface Scenario {
    version?: string;
    commands?: Record<string, Reply>;
    stacks?: object[];
    missingStacks?: string[];
    existingStacks?: string[];
    outputs?: Record<string, { value: unknown; secret: boolean }>;
    history?: { kind?: string; result?: string; resourceChanges?: Record<string, number> };
}

/** One recorded invocation of the fake. */
export interface Invocation {
    pid: number;
    command: string;
    args: string[];
    stack?: string;
    cwd: string;
    start: number;
    end: number;
    exitCode: number;
    signal?: string;
}

/** A scratch fake CLI: scenario, recording and environments directory under one temporary directory. */
export class FakeCli {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-automation-"));
    readonly recordFile = path.join(this.dir, "record.jsonl");
    readonly scenarioFile = path.join(this.dir, "scenario.json");
    readonly environmentsDir = path.join(this.dir, "environments");

    constructor(scenario: Scenario = {}) {
        this.script(scenario);
    }

    /** Replaces the scenario; takes effect at the next invocation. */
    script(scenario: Scenario): void {
        fs.writeFileSync(this.scenarioFile, JSON.stringify(scenario));
    }

    /** Options that point the automation module at this fake. */
    options<const T extends object>(extra?: T): ConnectionOptions & T {
        return {
            pulumiRoot: FAKE_ROOT,
            environmentsDir: this.environmentsDir,
            envVars: {
                FAKE_PULUMI_RECORD: this.recordFile,
                FAKE_PULUMI_SCENARIO: this.scenarioFile,
                ...(fakeServerPort() ? { FAKE_PULUMI_SERVER: String(fakeServerPort()) } : {}),
            },
            // The fake CLI has no cluster behind it: preflight.spec.ts runs the preflight against a fake API server.
            preflight: false,
            ...(extra as T),
        };
    }

    /** Every invocation so far, in the order they ended. */
    invocations(): Invocation[] {
        if (!fs.existsSync(this.recordFile)) return [];
        return fs
            .readFileSync(this.recordFile, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((line) => JSON.parse(line) as Invocation);
    }

    /** Invocations of one command (`preview`, `stack select`, …). */
    calls(command: string): Invocation[] {
        return this.invocations().filter((i) => i.command === command);
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** A URN in this project. */
export function urn(stack: string, type: string, name: string): string {
    return `urn:pulumi:${stack}::hangar::hangar:index:Platform$${type}::${name}`;
}

/** A `resourcePreEvent` for one step. */
export function step(op: string, type: string, resourceUrn: string): object {
    return {
        resourcePreEvent: { metadata: { op, type, urn: resourceUrn, provider: "", keys: op === "replace" ? ["identifier"] : undefined } },
    };
}

/** A `policyEvent`. */
export function policy(level: "warning" | "mandatory", name: string, resourceUrn: string | undefined, message: string): object {
    return {
        policyEvent: {
            ...(resourceUrn ? { resourceUrn } : {}),
            message,
            color: "never",
            policyName: name,
            policyPackName: "hangar-guardrails",
            policyPackVersion: "0.1.0",
            policyPackVersionTag: "0.1.0",
            enforcementLevel: level,
        },
    };
}

/** True when two recorded invocations ran at the same time. */
export function overlap(a: Invocation, b: Invocation): boolean {
    return a.start < b.end && b.start < a.end;
}

/** The repository's stack files and their git status, to prove nothing was written there. */
export function repositoryStackFiles(): string {
    const files = fs.readdirSync(REPO_ROOT).filter((f) => /^Pulumi\..*ya?ml$/.test(f));
    return files
        .sort()
        .map((f) => `${f}:${fs.statSync(path.join(REPO_ROOT, f)).mtimeMs}:${fs.readFileSync(path.join(REPO_ROOT, f), "utf8").length}`)
        .join("\n");
}
