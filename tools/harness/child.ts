/**
 * Child-process entry of the harness: runs index.ts for one stack under mocks,
 * as the Node.js language host would (inside the root Stack resource), and
 * writes the snapshot to a file. One process per run keeps Pulumi's global
 * state clean.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { stringify as toYaml } from "yaml";
import { readStackConfig } from "../../config/load/stack-file";
import { HangarMocks } from "./mocks";
import { ResourceOptions, Snapshot, SnapshotResource, UNKNOWN } from "./snapshot";

export interface ChildRequest {
    root: string;
    stack: string;
    preview: boolean;
    /** The stack file to read; default `<root>/Pulumi.<stack>.yaml`. */
    stackFile?: string;
    /** A kubeconfig file; default a stand-in that matches the stack's expected cluster. */
    kubeconfig?: string;
    /** The program to run; default `<root>/index.ts`. */
    program?: string;
    /** Config to use instead of a stack file (a stack file's `config:` mapping). */
    config?: Record<string, unknown>;
    /** Secrets Manager values by ARN, for getSecretVersion. */
    secrets?: Record<string, string>;
    /** Outputs of the stacks a StackReference names, by `org/project/stack`. */
    stackOutputs?: Record<string, Record<string, unknown>>;
    out: string;
}

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const UNKNOWN_WIRE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Pulumi's wire encoding → the snapshot's readable one. */
function decode(value: unknown): unknown {
    if (value === UNKNOWN_WIRE) return UNKNOWN;
    if (Array.isArray(value)) return value.map(decode);
    if (typeof value !== "object" || value === null) return value;
    const obj = value as Record<string, unknown>;
    switch (obj[SIG]) {
        case SECRET_SIG:
            return { "@secret": decode(obj.value) };
        case RESOURCE_SIG:
            return { "@resource": obj.urn };
        case OUTPUT_SIG: {
            const inner = "value" in obj ? decode(obj.value) : UNKNOWN;
            return obj.secret ? { "@secret": inner } : inner;
        }
        default:
            return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, decode(v)]));
    }
}

const stripId = (ref: string) => (ref ? ref.split("::").slice(0, -1).join("::") : "");

/** Stand-in kubeconfig directories not yet removed (at the end of their run, or when the process exits). */
const standIns = new Set<string>();
const removeStandIns = () => {
    for (const dir of standIns) fs.rmSync(dir, { recursive: true, force: true });
    standIns.clear();
};
process.once("exit", removeStandIns);

/** A kubeconfig whose context points where the stack file expects: the offline stand-in. */
function standInKubeconfig(config: unknown): string {
    const k8s = ((config as Record<string, Record<string, unknown>>)?.["hangar:foundation"]?.kubernetes ?? {}) as Record<string, unknown>;
    const context = typeof k8s.context === "string" ? k8s.context : "offline";
    const server = typeof k8s.server === "string" ? k8s.server : "https://offline.invalid";
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-kube-"));
    const file = path.join(dir, "config");
    // The stand-in holds nothing secret, but a run leaves nothing behind in the temp directory either.
    standIns.add(dir);
    fs.writeFileSync(
        file,
        toYaml({
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: context, cluster: { server } }],
            contexts: [{ name: context, context: { cluster: context, user: "offline" } }],
            users: [{ name: "offline", user: { token: "offline-check" } }],
        }),
    );
    return file;
}

/** What has been recorded so far, so an unhandled rejection can still report it. */
let partial: Snapshot | undefined;

async function main(request: ChildRequest): Promise<Snapshot> {
    const started = Date.now();
    const config = request.config ?? readStackConfig(request.stackFile ?? path.join(request.root, `Pulumi.${request.stack}.yaml`));
    process.env.KUBECONFIG = request.kubeconfig ?? standInKubeconfig(config);

    const wire: Record<string, string> = {};
    if (config !== null && typeof config === "object" && !Array.isArray(config)) {
        for (const [key, value] of Object.entries(config)) wire[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    pulumi.runtime.setAllConfig(wire);

    const foundation = (config as Record<string, { aws?: { accountId?: string; region?: string } }>)?.["hangar:foundation"];
    await pulumi.runtime.setMocks(
        new HangarMocks(
            request.preview,
            foundation?.aws?.accountId ?? "000000000000",
            foundation?.aws?.region ?? "us-east-1",
            request.secrets,
            request.stackOutputs,
        ),
        "hangar",
        request.stack,
        request.preview,
    );

    const resources: SnapshotResource[] = [];
    const invokes: Snapshot["invokes"] = [];
    let outputs: Record<string, unknown> = {};
    partial = { project: "hangar", stack: request.stack, preview: request.preview, resources, invokes, outputs, durationMs: 0 };
    // Mock callbacks never see resource options, so read them off the monitor's requests.
    /* eslint-disable @typescript-eslint/no-explicit-any -- the monitor's gRPC surface is untyped */
    const customTimeouts = (t: any) => {
        const set = Object.entries({ create: t?.create, update: t?.update, delete: t?.pb_delete ?? t?.delete }).filter(([, v]) => v);
        return set.length ? { customTimeouts: Object.fromEntries(set) } : {};
    };
    const monitor = pulumi.runtime.getMonitor() as any;
    const registerResource = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) => {
        const o = req.toObject();
        return registerResource(req, (err: unknown, resp: any) => {
            if (!err && resp) {
                const options: ResourceOptions = {
                    protect: o.protect ?? false,
                    retainOnDelete: o.retainondelete ?? false,
                    deleteBeforeReplace: o.deletebeforereplace,
                    aliases: [...o.aliasesList, ...o.aliasurnsList],
                    dependencies: o.dependenciesList,
                    propertyDependencies: Object.fromEntries(
                        (o.propertydependenciesMap as [string, { urnsList: string[] }][]).map(([k, v]) => [k, v.urnsList]),
                    ),
                    ignoreChanges: o.ignorechangesList,
                    replaceOnChanges: o.replaceonchangesList,
                    additionalSecretOutputs: o.additionalsecretoutputsList,
                    ...(o.importid ? { importId: o.importid } : {}),
                    ...customTimeouts(o.customtimeouts),
                };
                resources.push({
                    urn: resp.getUrn(),
                    type: o.type,
                    name: o.name,
                    custom: o.custom,
                    parent: o.parent || undefined,
                    provider: stripId(o.provider) || undefined,
                    inputs: decode(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
                    options,
                });
            }
            callback(err, resp);
        });
    };
    const invoke = monitor.invoke.bind(monitor);
    // Outputs as the engine receives them (secret markers intact): the stack's and each component's.
    const registeredOutputs = new Map<string, Record<string, unknown>>();
    const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, callback: unknown) => {
        registeredOutputs.set(req.getUrn(), decode(req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>);
        return registerResourceOutputs(req, callback);
    };
    monitor.invoke = (req: any, callback: unknown) => {
        invokes.push({ token: req.getTok(), provider: stripId(req.getProvider()) || undefined });
        return invoke(req, callback);
    };
    /* eslint-enable @typescript-eslint/no-explicit-any */

    // The program's warnings go to the engine's log; with no engine the SDK prints them, so keep them in the snapshot instead.
    const warnings: string[] = [];
    const log = pulumi.log as { warn: typeof pulumi.log.warn };
    const warn = log.warn;
    log.warn = async (message: string) => void warnings.push(message);
    let error: Snapshot["error"];
    try {
        // As the language host does: the program's exports become the stack's outputs.
        await pulumi.runtime.runInPulumiStack(async () => require(request.program ?? path.join(request.root, "index.ts")));
        await pulumi.runtime.disconnect();
        const stackUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn;
        outputs = (stackUrn && registeredOutputs.get(stackUrn)) || {};
        for (const r of resources) if (!r.custom && registeredOutputs.has(r.urn)) r.outputs = registeredOutputs.get(r.urn);
    } catch (err) {
        error = { message: err instanceof Error ? err.message : String(err), runError: pulumi.RunError.isInstance(err) };
        // Let registrations already sent reach the (mock) engine, as they would reach the real one.
        await pulumi.runtime.disconnect().catch(() => undefined);
    } finally {
        log.warn = warn;
    }
    return {
        project: "hangar",
        stack: request.stack,
        preview: request.preview,
        error,
        resources,
        invokes,
        outputs,
        ...(warnings.length > 0 ? { warnings } : {}),
        durationMs: Date.now() - started,
    };
}

/** Exit code: the program failed and the snapshot (with its error) was written. */
export const PROGRAM_FAILED = 3;

/** What was recorded before `err` ended the program, with the error. */
function failedSnapshot(request: ChildRequest, err: unknown): Snapshot {
    const snapshot = partial ?? {
        project: "hangar",
        stack: request.stack,
        preview: request.preview,
        resources: [],
        invokes: [],
        outputs: {},
        durationMs: 0,
    };
    snapshot.error = { message: err instanceof Error ? err.message : String(err), runError: pulumi.RunError.isInstance(err) };
    return snapshot;
}

/**
 * Runs the program in this process and resolves with the snapshot; a failure
 * (thrown, or an unhandled rejection from inside an apply, which the language
 * host reports as the program's failure) is recorded in `snapshot.error`.
 * Pulumi's runtime state is global: one run per process.
 */
export async function runInProcess(request: ChildRequest): Promise<Snapshot> {
    // Pulumi's SDK reads `new Error().stack` for every promise it tracks (runtime/debuggable.js,
    // debuggablePromise) and for every resource's source position (resource.js); with source maps on
    // (tsx turns them on) each read maps every frame: a quarter of a run. Failures are reported by
    // message, so the run goes without them and the process gets its setting back afterwards.
    // Formatting those stacks without source maps still cost about a tenth of a run, and nothing reads them
    // under the mocks (the mock monitor ignores source positions): inside the test suite (HANGAR_TEST_RUN, set by
    // tools/run-tests.js) the run captures no frames at all. `npm run check` keeps them: an internal error (a bug in a
    // component, not a user's mistake, which is reported by message) must say where it was thrown.
    const sourceMaps = process.sourceMapsEnabled;
    const stackTraceLimit = Error.stackTraceLimit;
    process.setSourceMapsEnabled(false);
    if (process.env.HANGAR_TEST_RUN) Error.stackTraceLimit = 0;
    try {
        return await runGuarded(request);
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
        process.setSourceMapsEnabled(sourceMaps);
        removeStandIns();
    }
}

function runGuarded(request: ChildRequest): Promise<Snapshot> {
    return new Promise((resolve, reject) => {
        const onRejection = (err: unknown) => {
            process.off("unhandledRejection", onRejection);
            resolve(failedSnapshot(request, err));
        };
        process.on("unhandledRejection", onRejection);
        main(request).then(
            (snapshot) => {
                process.off("unhandledRejection", onRejection);
                resolve(snapshot);
            },
            (err) => {
                process.off("unhandledRejection", onRejection);
                reject(err);
            },
        );
    });
}

/**
 * Worker mode (`child.ts --worker`): one process serves many runs, one at a time, so each run
 * saves loading the SDKs (about 2.5 s of a 4 s run). Requests arrive as JSON lines on stdin; each
 * answer is a JSON line on fd 3. Between runs the runtime is reset as the Automation API does for
 * inline programs (setMocks → resetOptions; setAllConfig replaces the whole config), and every
 * repository module is forgotten so the program's top-level code runs again.
 */
async function serve(request: ChildRequest): Promise<void> {
    for (const file of Object.keys(require.cache)) {
        if (
            file.startsWith(request.root + path.sep) &&
            !file.includes(`${path.sep}node_modules${path.sep}`) &&
            !file.startsWith(__dirname)
        ) {
            delete require.cache[file];
        }
    }
    partial = undefined;
    let failed = false;
    try {
        const snapshot = await runInProcess(request);
        fs.writeFileSync(request.out, JSON.stringify(snapshot));
        failed = snapshot.error !== undefined;
    } catch (err) {
        fs.writeFileSync(request.out, JSON.stringify(failedSnapshot(request, err)));
        failed = true;
    }
    fs.writeSync(3, `${JSON.stringify({ out: request.out, failed })}\n`);
}

if (require.main === module && process.argv[2] === "--worker") {
    // A rejection after its run settled is that run's late failure: it must not end the worker.
    process.on("unhandledRejection", (err) =>
        process.stderr.write(`late rejection: ${err instanceof Error ? err.message : String(err)}\n`),
    );
    let queue = Promise.resolve();
    require("readline")
        .createInterface({ input: process.stdin })
        .on("line", (line: string) => {
            queue = queue.then(() => serve(JSON.parse(line) as ChildRequest));
        });
} else if (require.main === module) {
    const request = JSON.parse(process.argv[2]) as ChildRequest;
    // A rejection can also arrive after the program's promise settled (a provider's
    // inputs failing to serialize): the language host fails the run, and so does this.
    process.on("unhandledRejection", (err) => {
        fs.writeFileSync(request.out, JSON.stringify(failedSnapshot(request, err)));
        process.exit(PROGRAM_FAILED);
    });
    runInProcess(request)
        .then((snapshot) => {
            fs.writeFileSync(request.out, JSON.stringify(snapshot));
            // A failed program leaves the Stack's promises pending; a non-zero code keeps
            // Pulumi's leak detector quiet, as it is when the language host reports an error.
            process.exit(snapshot.error ? PROGRAM_FAILED : 0);
        })
        .catch((err) => {
            process.stderr.write(`harness failure: ${err instanceof Error ? err.stack : String(err)}\n`);
            process.exit(2);
        });
}
