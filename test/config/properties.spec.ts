/** Properties of the pure helpers the contract is built on: CIDR containment and the profile merge. */
import * as assert from "assert";
import * as fc from "fast-check";
import { cidrContains } from "../../config/cidr";
import { deepMerge, isPlainObject } from "../../config/merge";

const SEED = 20261202;
const runs = { numRuns: 500, seed: SEED };

// -------------------------------------------------------------------- CIDRs

const TOTAL = 2 ** 32;
interface Block {
    /** Any address inside the block (host bits need not be zero: `10.0.0.5/8` is accepted). */
    address: number;
    bits: number;
}
const blockSize = (b: Block) => 2 ** (32 - b.bits);
const start = (b: Block) => Math.floor(b.address / blockSize(b)) * blockSize(b);
const text = ({ address, bits }: Block) => `${[24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".")}/${bits}`;

const block: fc.Arbitrary<Block> = fc.record({ address: fc.integer({ min: 0, max: TOTAL - 1 }), bits: fc.integer({ min: 0, max: 32 }) });
/** A block inside `outer`: a longer (or equal) prefix at an address inside it. */
const inside = (outer: Block): fc.Arbitrary<Block> =>
    fc
        .record({ offset: fc.integer({ min: 0, max: blockSize(outer) - 1 }), bits: fc.integer({ min: outer.bits, max: 32 }) })
        .map(({ offset, bits }) => ({ address: start(outer) + offset, bits }));
/** Either a block inside `outer` or any block, so that containment holds about half the time. */
const related = (outer: Block) => fc.oneof(inside(outer), block);

describe("cidrContains (properties)", () => {
    it("a CIDR contains itself", () => {
        fc.assert(
            fc.property(block, (b) => cidrContains(text(b), text(b))),
            runs,
        );
    });

    it("a CIDR contains every block drawn inside it", () => {
        fc.assert(
            fc.property(
                block.chain((outer) => fc.tuple(fc.constant(outer), inside(outer))),
                ([outer, inner]) => cidrContains(text(outer), text(inner)),
            ),
            runs,
        );
    });

    it("containment is transitive", () => {
        const triple = block.chain((a) => related(a).chain((b) => fc.tuple(fc.constant(a), fc.constant(b), related(b))));
        fc.assert(
            fc.property(triple, ([a, b, c]) => {
                if (cidrContains(text(a), text(b)) && cidrContains(text(b), text(c)))
                    assert.ok(cidrContains(text(a), text(c)), `${text(a)} ⊇ ${text(b)} ⊇ ${text(c)}`);
            }),
            runs,
        );
    });

    it("a /n contains both of its /n+1 halves, and not its neighbour /n", () => {
        const shorter = fc.record({ address: fc.integer({ min: 0, max: TOTAL - 1 }), bits: fc.integer({ min: 0, max: 31 }) });
        fc.assert(
            fc.property(shorter, (b) => {
                const low = { address: start(b), bits: b.bits + 1 };
                const high = { address: start(b) + blockSize(b) / 2, bits: b.bits + 1 };
                assert.ok(cidrContains(text(b), text(low)), `${text(b)} ⊇ ${text(low)}`);
                assert.ok(cidrContains(text(b), text(high)), `${text(b)} ⊇ ${text(high)}`);
                assert.ok(!cidrContains(text(low), text(high)) && !cidrContains(text(high), text(low)), "the halves are disjoint");
                if (b.bits > 0) {
                    // The other /n under the same /n-1.
                    const parent = blockSize(b) * 2;
                    const neighbour = {
                        address: Math.floor(start(b) / parent) * parent + ((start(b) + blockSize(b)) % parent),
                        bits: b.bits,
                    };
                    assert.ok(!cidrContains(text(b), text(neighbour)), `${text(b)} ⊉ ${text(neighbour)}`);
                    assert.ok(!cidrContains(text(neighbour), text(b)), `${text(neighbour)} ⊉ ${text(b)}`);
                }
            }),
            runs,
        );
    });

    it("agrees with comparing the address ranges", () => {
        const pair = block.chain((a) => fc.tuple(fc.constant(a), related(a)));
        fc.assert(
            fc.property(pair, ([a, b]) => {
                const expected = start(a) <= start(b) && start(b) + blockSize(b) <= start(a) + blockSize(a);
                assert.strictEqual(cidrContains(text(a), text(b)), expected, `${text(a)} ⊇ ${text(b)}`);
            }),
            { ...runs, numRuns: 2000 },
        );
    });

    it("contains nothing it cannot parse, and is contained by nothing", () => {
        for (const bad of ["10.0.0.0", "10.0.0.0/33", "256.0.0.0/8", "10.0.0/8", "", "a.b.c.d/8"]) {
            assert.ok(!cidrContains("0.0.0.0/0", bad), bad);
            assert.ok(!cidrContains(bad, "10.0.0.0/32"), bad);
        }
    });
});

// -------------------------------------------------------------- deepMerge

/**
 * Documents of one shape, as a profile and a stack file are: a key is a
 * mapping in every document that sets it, or a leaf (scalar or list) in every one.
 */
type Shape = { [key: string]: Shape | "leaf" };
const KEYS = ["a", "b", "c", "d"];
const shape: fc.Arbitrary<Shape> = fc.letrec<{ shape: Shape }>((tie) => ({
    shape: fc.dictionary(fc.constantFrom(...KEYS), fc.oneof({ maxDepth: 3 }, fc.constant("leaf" as const), tie("shape")), {
        maxKeys: 4,
        noNullPrototype: true,
    }),
})).shape;
const leaf = fc.oneof(
    fc.integer({ min: -5, max: 5 }),
    fc.string({ maxLength: 3 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 }),
);
/** A document of the shape, each key present or not. */
function document(of: Shape): fc.Arbitrary<Record<string, unknown>> {
    const fields = Object.fromEntries(Object.entries(of).map(([key, sub]) => [key, sub === "leaf" ? leaf : document(sub)]));
    return fc.record(fields, { requiredKeys: [], noNullPrototype: true }) as fc.Arbitrary<Record<string, unknown>>;
}
const documents = (n: number) => shape.chain((s) => fc.tuple(...Array.from({ length: n }, () => document(s))));

/** Every path to a leaf (a non-mapping value) of a document. */
function leaves(doc: Record<string, unknown>, at: string[] = []): [string[], unknown][] {
    return Object.entries(doc).flatMap(([key, value]) =>
        isPlainObject(value) ? leaves(value, [...at, key]) : [[[...at, key], value] as [string[], unknown]],
    );
}
const valueAt = (doc: unknown, path: string[]) => path.reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), doc);

describe("deepMerge (properties)", () => {
    it("merging {} is the identity, on either side", () => {
        fc.assert(
            fc.property(documents(1), ([doc]) => {
                assert.deepStrictEqual(deepMerge(doc, {}), doc);
                assert.deepStrictEqual(deepMerge({}, doc), doc);
            }),
            runs,
        );
    });

    it("the override wins on every leaf it sets; the base keeps every other", () => {
        fc.assert(
            fc.property(documents(2), ([base, override]) => {
                const merged = deepMerge(base, override);
                for (const [path, value] of leaves(override)) assert.deepStrictEqual(valueAt(merged, path), value, path.join("."));
                for (const [path, value] of leaves(base)) {
                    if (valueAt(override, path) === undefined) assert.deepStrictEqual(valueAt(merged, path), value, path.join("."));
                }
            }),
            runs,
        );
    });

    it("lists replace, never concatenate", () => {
        const lists = fc.tuple(fc.array(fc.integer(), { maxLength: 4 }), fc.array(fc.integer(), { maxLength: 4 }));
        fc.assert(
            fc.property(lists, ([base, override]) => {
                assert.deepStrictEqual(deepMerge({ k: { list: base } }, { k: { list: override } }), { k: { list: override } });
                assert.deepStrictEqual(deepMerge(base, override), override);
            }),
            runs,
        );
    });

    it("mutates neither the base nor the override", () => {
        fc.assert(
            fc.property(documents(2), ([base, override]) => {
                const before = structuredClone([base, override]);
                deepMerge(base, override);
                assert.deepStrictEqual([base, override], before);
            }),
            runs,
        );
    });

    it("is associative for documents of one shape", () => {
        fc.assert(
            fc.property(documents(3), ([a, b, c]) => {
                assert.deepStrictEqual(deepMerge(deepMerge(a, b), c), deepMerge(a, deepMerge(b, c)));
            }),
            runs,
        );
    });

    it("is not associative once a mapping is replaced by a scalar and then set again (why the shapes above agree)", () => {
        const [a, b, c] = [{ k: { x: 1 } }, { k: 5 }, { k: { y: 2 } }];
        assert.deepStrictEqual(deepMerge(deepMerge(a, b), c), { k: { y: 2 } });
        assert.deepStrictEqual(deepMerge(a, deepMerge(b, c)), { k: { x: 1, y: 2 } });
    });
});
