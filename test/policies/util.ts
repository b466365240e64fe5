/**
 * Helpers for policy tests, in the style of Pulumi's public policy packs: build
 * the args a policy receives (props wrapped in the unknown-checking proxy, so a
 * read of "@unknown" throws as it does during preview), run one policy, and
 * assert on what it reported.
 */
import * as assert from "assert";
import {
    Policy,
    PolicyPackArgs,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { isUnknownValueError } from "../../policies/rules/unknowns";
import { policyProps } from "../../tools/policy/wire";

/** What `notApplicable()` throws in tests. */
export class NotApplicable extends Error {
    constructor(readonly reason?: string) {
        super(`not applicable: ${reason ?? ""}`);
    }
}

const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
};

/** The policy's configSchema defaults with `overrides` on top: what the engine passes to getConfig(). */
export function configFor(policy: Policy, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const defaults: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (schema.default !== undefined) defaults[key] = structuredClone(schema.default);
    }
    return { ...defaults, ...overrides };
}

export interface ArgsOptions {
    config?: Record<string, unknown>;
    name?: string;
    urn?: string;
    /** The Kubernetes provider's inputs, e.g. `{ namespace: "app" }`. */
    provider?: Record<string, unknown>;
}

const urnOf = (type: string, name: string) => `urn:pulumi:test::hangar::${type}::${name}`;

/** ResourceValidationArgs for `props` (in the snapshot encoding: "@unknown", { "@secret": v }). */
export function createArgs(
    policy: Policy,
    type: string,
    props: Record<string, unknown>,
    options: ArgsOptions = {},
): ResourceValidationArgs {
    const name = options.name ?? "test";
    const config = configFor(policy, options.config);
    const wrapped = policyProps(props);
    return {
        type,
        props: wrapped,
        urn: options.urn ?? urnOf(type, name),
        name,
        opts: defaultOptions(),
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => structuredClone(config) as T,
        notApplicable,
        ...(options.provider
            ? {
                  provider: {
                      type: "pulumi:providers:kubernetes",
                      name: "k8s",
                      urn: urnOf("pulumi:providers:kubernetes", "k8s"),
                      props: policyProps(options.provider),
                  },
              }
            : {}),
    };
}

/** The resource options the engine reports for a resource created without any. */
function defaultOptions(): ResourceValidationArgs["opts"] {
    return {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
    };
}

/** Args for an object whose type is derived from its apiVersion and kind (core group for `v1`). */
export function argsFor(policy: Policy, object: Record<string, unknown>, options: ArgsOptions = {}): ResourceValidationArgs {
    return createArgs(policy, typeOf(object), object, options);
}

export function typeOf(object: Record<string, unknown>): string {
    const apiVersion = String(object.apiVersion);
    return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${String(object.kind)}`;
}

export interface StackResourceInput {
    type: string;
    name: string;
    props: Record<string, unknown>;
    urn?: string;
    propertyDependencies?: Record<string, string[]>;
}

/** StackValidationArgs over `resources`, linked as the server links them. */
export function createStackArgs(
    policy: Policy,
    resources: StackResourceInput[],
    config: Record<string, unknown> = {},
): StackValidationArgs {
    const merged = configFor(policy, config);
    const built = resources.map(
        (r): PolicyResource => ({
            type: r.type,
            name: r.name,
            urn: r.urn ?? urnOf(r.type, r.name),
            props: policyProps(r.props),
            opts: defaultOptions(),
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        }),
    );
    resources.forEach((r, i) => {
        for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
            built[i].propertyDependencies[key] = built.filter((b) => urns.includes(b.urn));
        }
    });
    return { resources: built, stackTags: new Map(), getConfig: <T extends object>() => structuredClone(merged) as T, notApplicable };
}

export type Outcome =
    | { kind: "violations"; messages: string[]; urns: (string | undefined)[] }
    | { kind: "notApplicable"; reason?: string }
    | { kind: "unknown"; message: string };

/** Runs a resource or stack policy once; reports what happened. Any other error fails the test. */
export async function runPolicy(
    policy: ResourceValidationPolicy | StackValidationPolicy,
    args: ResourceValidationArgs | StackValidationArgs,
): Promise<Outcome> {
    const messages: string[] = [];
    const urns: (string | undefined)[] = [];
    const report = (message: string, urn?: string) => {
        messages.push(message);
        urns.push(urn);
    };
    try {
        if ("validateStack" in policy) {
            await policy.validateStack(args as StackValidationArgs, report);
        } else {
            const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
            for (const validate of validations) await validate?.(args as ResourceValidationArgs, report);
        }
    } catch (err) {
        if (err instanceof NotApplicable) return { kind: "notApplicable", reason: err.reason };
        if (isUnknownValueError(err)) return { kind: "unknown", message: err.message };
        throw err;
    }
    return { kind: "violations", messages, urns };
}

const show = (outcome: Outcome) => JSON.stringify(outcome, null, 2);

export async function assertHasViolation(
    policy: ResourceValidationPolicy | StackValidationPolicy,
    args: ResourceValidationArgs | StackValidationArgs,
    message: RegExp,
): Promise<string[]> {
    const outcome = await runPolicy(policy, args);
    assert.ok(
        outcome.kind === "violations" && outcome.messages.some((m) => message.test(m)),
        `expected ${policy.name} to report ${message}, got ${show(outcome)}`,
    );
    return outcome.messages;
}

export async function assertNoViolations(
    policy: ResourceValidationPolicy | StackValidationPolicy,
    args: ResourceValidationArgs | StackValidationArgs,
): Promise<void> {
    const outcome = await runPolicy(policy, args);
    assert.deepStrictEqual(
        outcome,
        { kind: "violations", messages: [], urns: [] },
        `expected ${policy.name} to check and pass, got ${show(outcome)}`,
    );
}

export async function assertNotApplicable(
    policy: ResourceValidationPolicy | StackValidationPolicy,
    args: ResourceValidationArgs | StackValidationArgs,
    reason?: RegExp,
): Promise<void> {
    const outcome = await runPolicy(policy, args);
    assert.ok(
        outcome.kind === "notApplicable" && (!reason || reason.test(outcome.reason ?? "")),
        `expected ${policy.name} to be not applicable${reason ? ` (${reason})` : ""}, got ${show(outcome)}`,
    );
}

/** The policy stopped on a value unknown during preview (UnknownValueError), optionally with a matching message. */
export async function assertUnknown(
    policy: ResourceValidationPolicy | StackValidationPolicy,
    args: ResourceValidationArgs | StackValidationArgs,
    message?: RegExp,
): Promise<void> {
    const outcome = await runPolicy(policy, args);
    assert.ok(
        outcome.kind === "unknown" && (!message || message.test(outcome.message)),
        `expected ${policy.name} to hit an unknown value${message ? ` (${message})` : ""}, got ${show(outcome)}`,
    );
}

/** A deep copy of `fixture` with one change. */
export function mutated<T>(fixture: T, mutate: (copy: T) => void): T {
    const copy = structuredClone(fixture);
    mutate(copy);
    return copy;
}

/** Escapes text for use in a RegExp. */
export const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Requires policies/index.ts with PolicyPack replaced, and returns what it was
 * constructed with. PolicyPack is defined in @pulumi/policy/policy; the package
 * index re-exports it through a getter with no setter, so the stub goes on the
 * defining module, which the getter reads at each access. serve() is replaced
 * too, so a stub that did not take would fail the test instead of starting a server.
 */
export function loadPackWithStub(): { name: string; args: PolicyPackArgs }[] {
    const policyModule = require("@pulumi/policy/policy") as { PolicyPack: unknown };
    const serverModule = require("@pulumi/policy/server") as { serve: unknown };
    const [originalPack, originalServe] = [policyModule.PolicyPack, serverModule.serve];
    const constructed: { name: string; args: PolicyPackArgs }[] = [];
    policyModule.PolicyPack = class {
        constructor(name: string, args: PolicyPackArgs) {
            constructed.push({ name, args });
        }
    };
    serverModule.serve = () => assert.fail("the real policy server was started");
    const entry = require.resolve("../../policies/index.ts");
    delete require.cache[entry];
    try {
        assert.strictEqual(
            (require("@pulumi/policy") as { PolicyPack: unknown }).PolicyPack,
            policyModule.PolicyPack,
            "the package index sees the stub",
        );
        require(entry);
    } finally {
        policyModule.PolicyPack = originalPack;
        serverModule.serve = originalServe;
        delete require.cache[entry];
    }
    return constructed;
}
