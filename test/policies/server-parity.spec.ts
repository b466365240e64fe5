/**
 * The runner against the real thing: @pulumi/policy's server.js analyze and
 * analyzeStack handlers (the functions its gRPC server registers), called in
 * process with the protobuf requests the engine sends. Same resources, same
 * policies, same diagnostics. (The engine-side config handling is not in
 * server.js; these run with the empty config the server starts with.)
 */
import * as assert from "assert";
import { Policy } from "@pulumi/policy";
import { policies } from "../../policies/rules";
import { UNKNOWN_STRING_SENTINEL } from "../../policies/rules/unknowns";
import { PACK_NAME, PACK_VERSION, PolicyInputResource, PolicyViolationRecord, runPolicies } from "../../tools/policy/runner";
import {
    compliantHttpRoute,
    compliantIngress,
    compliantLimitRange,
    compliantNamespace,
    compliantPod,
    compliantResourceQuota,
    compliantService,
    withContainer,
    WORKLOAD_KINDS,
} from "./fixtures";
import { mutated, typeOf } from "./util";

interface Diagnostic {
    getPolicyname(): string;
    getEnforcementlevel(): number;
    getMessage(): string;
    getUrn(): string;
}
interface AnalyzeResponse {
    getDiagnosticsList(): Diagnostic[];
}
type Handler = (call: { request: unknown }, callback: (err: unknown, response?: AnalyzeResponse) => void) => void;
type HandlerFactory = (pack: string, version: string, level: string, policies: Policy[]) => Handler;

const server = require("@pulumi/policy/server") as { makeAnalyzeRpcFun: HandlerFactory; makeAnalyzeStackRpcFun: HandlerFactory };
/* eslint-disable @typescript-eslint/no-explicit-any -- generated protobuf classes, used only to build requests */
const pb = require("@pulumi/pulumi/proto/analyzer_pb") as any;
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as any;
/* eslint-enable @typescript-eslint/no-explicit-any */

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** The snapshot encoding as the engine puts it on the wire: sentinels and secret signatures. */
function toWire(value: unknown): unknown {
    if (value === "@unknown") return UNKNOWN_STRING_SENTINEL;
    if (Array.isArray(value)) return value.map(toWire);
    if (typeof value !== "object" || value === null) return value;
    if ("@secret" in value) return { [SIG]: SECRET_SIG, value: toWire((value as { "@secret": unknown })["@secret"]) };
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
}

function analyzerResource<T>(
    message: T & {
        setType(t: string): void;
        setUrn(u: string): void;
        setName(n: string): void;
        setProperties(s: unknown): void;
        setOptions(o: unknown): void;
    },
    r: PolicyInputResource,
): T {
    message.setType(r.type);
    message.setUrn(r.urn);
    message.setName(r.name);
    message.setProperties(Struct.fromJavaScript(toWire(r.props)));
    message.setOptions(new pb.AnalyzerResourceOptions());
    return message;
}

function call(handler: Handler, request: unknown, urn?: string): Promise<PolicyViolationRecord[]> {
    return new Promise((resolve, reject) =>
        handler({ request }, (err, response) => {
            if (err) return reject(err);
            resolve(
                (response as AnalyzeResponse).getDiagnosticsList().map((d) => ({
                    policy: d.getPolicyname(),
                    enforcementLevel: d.getEnforcementlevel() === 0 ? "advisory" : "mandatory",
                    urn: d.getUrn() || urn,
                    message: d.getMessage(),
                })),
            );
        }),
    );
}

/** What the real server reports for these resources: analyze per resource, then analyzeStack. */
async function serverReports(resources: PolicyInputResource[]): Promise<PolicyViolationRecord[]> {
    const analyze = server.makeAnalyzeRpcFun(PACK_NAME, PACK_VERSION, "advisory", policies);
    const analyzeStack = server.makeAnalyzeStackRpcFun(PACK_NAME, PACK_VERSION, "advisory", policies);
    const records: PolicyViolationRecord[] = [];
    for (const r of resources) records.push(...(await call(analyze, analyzerResource(new pb.AnalyzeRequest(), r), r.urn)));
    const stackRequest = new pb.AnalyzeStackRequest();
    stackRequest.setResourcesList(
        resources.map((r) => {
            const message = analyzerResource(new pb.AnalyzerResource(), r);
            for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
                const deps = new pb.AnalyzerPropertyDependencies();
                deps.setUrnsList(urns);
                message.getPropertydependenciesMap().set(key, deps);
            }
            return message;
        }),
    );
    records.push(...(await call(analyzeStack, stackRequest)));
    return records;
}

function resource(name: string, props: Record<string, unknown>, extra: Partial<PolicyInputResource> = {}): PolicyInputResource {
    const type = typeOf(props);
    return { urn: `urn:pulumi:test::hangar::${type}::${name}`, type, name, props, ...extra };
}

const broken = (name: string, mutate: Parameters<typeof withContainer>[1], kind = 1) =>
    resource(name, WORKLOAD_KINDS[kind].wrap(withContainer(compliantPod(), mutate)));

const CASES: Record<string, PolicyInputResource[]> = {
    "compliant fixtures": [
        resource("app", compliantNamespace()),
        resource("quota", compliantResourceQuota()),
        resource("limits", compliantLimitRange()),
        ...WORKLOAD_KINDS.map((k) => resource(k.type, k.wrap(compliantPod()))),
        resource("ingress", compliantIngress()),
        resource("route", compliantHttpRoute()),
        resource("svc", compliantService()),
    ],
    "violations of many rules": [
        broken("root", (c) => Object.assign(c.securityContext!, { runAsUser: 0, privileged: true, allowPrivilegeEscalation: true })),
        broken("latest", (c) => (c.image = "nginx:latest"), 6),
        broken("greedy", (c) => (c.resources = { requests: { cpu: "2", memory: "1Gi" }, limits: { memory: "512Mi" } }), 0),
        resource(
            "open",
            mutated(compliantNamespace("open"), (n) => delete (n.metadata as { labels?: unknown }).labels),
        ),
        resource(
            "lb",
            mutated(compliantService(), (s) => ((s.spec as { type: string }).type = "LoadBalancer")),
        ),
        resource(
            "route",
            mutated(compliantHttpRoute(), (r) => delete (r.spec as { parentRefs: { sectionName?: string }[] }).parentRefs[0].sectionName),
        ),
    ],
    "preview unknowns and secrets": [
        broken("built", (c) => (c.image = "@unknown")),
        broken("secret", (c) => (c.image = { "@secret": "ghcr.io/hangar/api:latest" } as never)),
        resource(
            "tenant",
            mutated(compliantNamespace("tenant"), (n) => ((n.metadata as { name: string }).name = "@unknown")),
        ),
        resource(
            "q",
            mutated(compliantResourceQuota(), (q) => ((q.metadata as { namespace: string }).namespace = "@unknown")),
            { propertyDependencies: { metadata: ["urn:pulumi:test::hangar::kubernetes:core/v1:Namespace::tenant"] } },
        ),
        resource("app", compliantNamespace()),
    ],
};

describe("the runner agrees with @pulumi/policy's server", () => {
    for (const [title, resources] of Object.entries(CASES)) {
        it(`on ${title}`, async () => {
            const expected = await serverReports(resources);
            const actual = await runPolicies(resources, {}, { preview: true });
            assert.deepStrictEqual(actual, expected);
            if (title !== "compliant fixtures") assert.ok(expected.length > 0, "the case reports something");
        });
    }
});
