/**
 * The value semantics the stack-file rules (config/) and the guardrails pack
 * share, policies/values/*: Kubernetes quantities, image references and
 * hostname matching. Examples first, then properties (fast-check).
 */
import * as assert from "assert";
import * as fc from "fast-check";
import { certificateCovers, listenerCovers } from "../../policies/values/hostname";
import { parseImage, unpinnedReason } from "../../policies/values/image";
import { compareQuantities, parseQuantity, Quantity } from "../../policies/values/quantity";

describe("Kubernetes quantities", () => {
    const equal = (a: string | number, b: string | number) => {
        const [qa, qb] = [parseQuantity(a), parseQuantity(b)];
        assert.ok(qa && qb, `${a} and ${b} parse`);
        return compareQuantities(qa, qb) === 0;
    };

    it("reads milli-units, binary and decimal suffixes, exponents and plain numbers exactly", () => {
        assert.ok(equal("100m", "0.1"));
        assert.ok(equal("300m", 0.3));
        assert.ok(equal("1Ki", 1024));
        assert.ok(equal("1Mi", "1024Ki"));
        assert.ok(equal("1Gi", 1073741824));
        assert.ok(equal("1k", 1000));
        assert.ok(equal("1M", "1000k"));
        assert.ok(equal("1G", "1e9"));
        assert.ok(equal("1.5Gi", "1536Mi"));
        assert.ok(equal("1E3", "1k"));
        assert.ok(equal("2", "2000m"));
        assert.ok(equal(".5", "500m"));
    });

    it("orders quantities", () => {
        assert.ok(compareQuantities(parseQuantity("128Mi")!, parseQuantity("128M")!) > 0);
        assert.ok(compareQuantities(parseQuantity("999m")!, parseQuantity("1")!) < 0);
    });

    it("refuses what is not a quantity", () => {
        for (const bad of ["", "abc", "1KB", "1K", "1 Gi", "1e", "Mi", "--1", "1.2.3", null, {}, Number.NaN])
            assert.strictEqual(parseQuantity(bad), undefined, String(bad));
    });

    it("agrees with number comparison for integers under any suffix (property)", () => {
        const suffixes: [string, bigint][] = [
            ["", 1n],
            ["k", 1000n],
            ["M", 1000000n],
            ["Ki", 1024n],
            ["Mi", 1048576n],
            ["Gi", 1073741824n],
        ];
        fc.assert(
            fc.property(
                fc.nat(1_000_000),
                fc.constantFrom(...suffixes),
                fc.nat(1_000_000),
                fc.constantFrom(...suffixes),
                (a, [sa, ma], b, [sb, mb]) => {
                    const expected = Math.sign(Number(BigInt(a) * ma - BigInt(b) * mb));
                    return compareQuantities(parseQuantity(`${a}${sa}`)!, parseQuantity(`${b}${sb}`)!) === expected;
                },
            ),
            { numRuns: 300 },
        );
    });

    it("reads n milli-units as n / 1000 (property)", () => {
        fc.assert(
            fc.property(fc.nat(10_000_000), (n) => equal(`${n}m`, n % 1000 === 0 ? String(n / 1000) : (n / 1000).toFixed(3))),
            { numRuns: 300 },
        );
    });

    describe("properties", () => {
        /** Every suffix, with the exact factor it stands for as numerator / denominator. */
        const SUFFIXES: [string, bigint, bigint][] = [
            ["", 1n, 1n],
            ...(["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"].map((s, i) => [s, 1n << BigInt(10 * (i + 1)), 1n]) as [string, bigint, bigint][]),
            ...(Object.entries({ n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }).map(([s, e]) => [
                s,
                e > 0 ? 10n ** BigInt(e) : 1n,
                e < 0 ? 10n ** BigInt(-e) : 1n,
            ]) as [string, bigint, bigint][]),
            ...[-3, -1, 0, 2, 9].flatMap((e) =>
                [`e${e}`, `E${e >= 0 ? "+" : ""}${e}`].map(
                    (s) => [s, e > 0 ? 10n ** BigInt(e) : 1n, e < 0 ? 10n ** BigInt(-e) : 1n] as [string, bigint, bigint],
                ),
            ),
        ];

        /** A quantity as text, with the exact value it stands for: sign, digits, optional fraction, suffix. */
        const quantity = fc
            .record({
                sign: fc.constantFrom("", "+", "-"),
                whole: fc.bigInt({ min: 0n, max: 10n ** 12n }),
                fraction: fc.option(fc.stringMatching(/^\d{0,6}$/), { nil: undefined }),
                suffix: fc.constantFrom(...SUFFIXES),
            })
            .map(({ sign, whole, fraction, suffix: [suffix, num, den] }) => {
                const text = `${sign}${whole}${fraction === undefined ? "" : `.${fraction}`}${suffix}`;
                const digits = fraction ?? "";
                const mantissa = (whole * 10n ** BigInt(digits.length) + BigInt(digits || "0")) * (sign === "-" ? -1n : 1n);
                const value: Quantity = { numerator: mantissa * num, denominator: 10n ** BigInt(digits.length) * den };
                return { text, value };
            });

        const exactSign = (a: Quantity, b: Quantity) => {
            const d = a.numerator * b.denominator - b.numerator * a.denominator;
            return d < 0n ? -1 : d > 0n ? 1 : 0;
        };

        it("parses a formatted quantity back to its exact value, under every suffix and exponent", () => {
            fc.assert(
                fc.property(quantity, ({ text, value }) => {
                    const parsed = parseQuantity(text);
                    assert.ok(parsed, `${text} parses`);
                    assert.strictEqual(exactSign(parsed, value), 0, text);
                }),
                { numRuns: 500 },
            );
        });

        it("compares consistently with the exact values, antisymmetrically, and every quantity equals itself", () => {
            fc.assert(
                fc.property(quantity, quantity, (a, b) => {
                    const [qa, qb] = [parseQuantity(a.text)!, parseQuantity(b.text)!];
                    assert.strictEqual(compareQuantities(qa, qb), exactSign(a.value, b.value), `${a.text} vs ${b.text}`);
                    assert.strictEqual(compareQuantities(qb, qa), -compareQuantities(qa, qb) || 0);
                    assert.strictEqual(compareQuantities(qa, qa), 0);
                }),
                { numRuns: 500 },
            );
        });

        it("compares transitively", () => {
            fc.assert(
                fc.property(quantity, quantity, quantity, (a, b, c) => {
                    const [qa, qb, qc] = [a, b, c].map((q) => parseQuantity(q.text)!);
                    if (compareQuantities(qa, qb) <= 0 && compareQuantities(qb, qc) <= 0)
                        assert.ok(compareQuantities(qa, qc) <= 0, `${a.text} ≤ ${b.text} ≤ ${c.text}`);
                }),
                { numRuns: 300 },
            );
        });

        it("orders JavaScript numbers as numbers (they are read through their shortest decimal form)", () => {
            const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
            fc.assert(
                fc.property(finite, finite, (x, y) => {
                    const [qx, qy] = [parseQuantity(x), parseQuantity(y)];
                    assert.ok(qx && qy, `${x} and ${y} parse`);
                    assert.strictEqual(compareQuantities(qx, qy), Math.sign(x - y) || 0, `${x} vs ${y}`);
                }),
                { numRuns: 500 },
            );
        });

        it("100m is 0.1 and 1Gi is 1024Mi, at any scale", () => {
            assert.ok(equal("100m", "0.1"));
            assert.ok(equal("1Gi", "1024Mi"));
            fc.assert(
                fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), (n) => {
                    assert.ok(equal(`${n * 100n}m`, `${n / 10n}.${n % 10n}`), `${n * 100n}m`);
                    assert.ok(equal(`${n}Gi`, `${n * 1024n}Mi`), `${n}Gi`);
                    assert.ok(equal(`${n}Mi`, `${n * 1024n}Ki`), `${n}Mi`);
                    assert.ok(equal(`${n}k`, `${n * 1000n}`), `${n}k`);
                    assert.ok(equal(`${n}`, `${n * 1000n}m`), `${n}`);
                }),
                { numRuns: 300 },
            );
        });

        it("refuses a number with a suffix Kubernetes does not have", () => {
            fc.assert(
                fc.property(
                    fc.nat(),
                    fc.constantFrom("K", "KB", "kb", "ki", "mi", "MB", "g", "b", "i", "Kii", "e", "e+", "E1.5", " m"),
                    (n, suffix) => parseQuantity(`${n}${suffix}`) === undefined,
                ),
                { numRuns: 200 },
            );
        });
    });
});

describe("image references", () => {
    it("finds tag and digest, and does not mistake a registry port for a tag", () => {
        assert.deepStrictEqual(parseImage("nginx"), { repository: "nginx", tag: undefined, digest: undefined });
        assert.deepStrictEqual(parseImage("registry:5000/app"), { repository: "registry:5000/app", tag: undefined, digest: undefined });
        assert.deepStrictEqual(parseImage("registry:5000/team/app:1.2"), {
            repository: "registry:5000/team/app",
            tag: "1.2",
            digest: undefined,
        });
        assert.deepStrictEqual(parseImage(`app:1@sha256:${"b".repeat(64)}`), {
            repository: "app",
            tag: "1",
            digest: `sha256:${"b".repeat(64)}`,
        });
    });

    it("says why an image is not pinned", () => {
        assert.strictEqual(unpinnedReason("nginx:1.27", ["latest"], false), undefined);
        assert.strictEqual(unpinnedReason(`nginx@sha256:${"c".repeat(64)}`, ["latest"], true), undefined);
        assert.match(unpinnedReason("nginx", ["latest"], false) ?? "", /no tag/);
        assert.match(unpinnedReason("host:5000/nginx", ["latest"], false) ?? "", /no tag/);
        assert.match(unpinnedReason("nginx:latest", ["latest"], false) ?? "", /latest moves/);
        assert.match(unpinnedReason("nginx:1.27", ["latest"], true) ?? "", /no digest/);
        assert.match(unpinnedReason("nginx@sha256:abc", ["latest"], false) ?? "", /digest .* malformed/);
        assert.match(unpinnedReason("nginx:bad/tag:", ["latest"], false) ?? "", /malformed/);
    });

    it("never takes a registry port for a tag (property)", () => {
        const label = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
        fc.assert(
            fc.property(
                label,
                fc.integer({ min: 1, max: 65535 }),
                label,
                (host, port, repo) => parseImage(`${host}.io:${port}/${repo}`).tag === undefined,
            ),
            { numRuns: 200 },
        );
    });

    describe("properties", () => {
        const component = fc.stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+)?$/);
        /** The parts of a reference, distribution/reference's grammar: [registry[:port]/]path[:tag][@digest]. */
        const reference = fc.record({
            registry: fc.option(fc.oneof(fc.constant("localhost"), fc.stringMatching(/^[a-z0-9]+(?:-[a-z0-9]+)?(?:\.[a-z0-9]+){1,2}$/)), {
                nil: undefined,
            }),
            port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
            path: fc.array(component, { minLength: 1, maxLength: 3 }).map((parts) => parts.join("/")),
            tag: fc.option(fc.oneof(fc.constantFrom("latest", "main", "stable"), fc.stringMatching(/^\w[\w.-]{0,30}$/)), {
                nil: undefined,
            }),
            digest: fc.option(
                fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`),
                { nil: undefined },
            ),
        });
        const format = (r: { registry?: string; port?: number; path: string; tag?: string; digest?: string }) => {
            const registry = r.registry === undefined ? "" : `${r.registry}${r.port === undefined ? "" : `:${r.port}`}/`;
            return {
                image: `${registry}${r.path}${r.tag === undefined ? "" : `:${r.tag}`}${r.digest === undefined ? "" : `@${r.digest}`}`,
                repository: `${registry}${r.path}`,
            };
        };

        it("parses a reference built from registry, port, path, tag and digest back to its parts", () => {
            fc.assert(
                fc.property(reference, (r) => {
                    const { image, repository } = format(r);
                    assert.deepStrictEqual(parseImage(image), { repository, tag: r.tag, digest: r.digest }, image);
                }),
                { numRuns: 500 },
            );
        });

        it("calls such a reference pinned exactly when it has a digest, or an allowed tag and no digest is required", () => {
            fc.assert(
                fc.property(
                    reference,
                    fc.boolean(),
                    fc.array(fc.constantFrom<string>("latest", "main", "stable")),
                    (r, requireDigest, forbiddenTags) => {
                        const { image } = format(r);
                        const reason = unpinnedReason(image, forbiddenTags, requireDigest);
                        if (r.digest !== undefined) assert.strictEqual(reason, undefined, image);
                        else if (requireDigest) assert.strictEqual(reason, "it has no digest", image);
                        else if (r.tag === undefined) assert.strictEqual(reason, "it has no tag, which means latest", image);
                        else if (forbiddenTags.includes(r.tag)) assert.strictEqual(reason, `its tag ${r.tag} moves`, image);
                        else assert.strictEqual(reason, undefined, image);
                    },
                ),
                { numRuns: 500 },
            );
        });
    });
});

describe("hostname matching", () => {
    it("certificates: a wildcard covers exactly one label", () => {
        assert.ok(certificateCovers("*.example.com", "api.example.com"));
        assert.ok(certificateCovers("API.example.com", "api.EXAMPLE.com"));
        assert.ok(!certificateCovers("*.example.com", "a.b.example.com"));
        assert.ok(!certificateCovers("*.example.com", "example.com"));
        assert.ok(!certificateCovers("api.example.com", "*.example.com"));
    });

    it("Gateway listeners: a wildcard covers any name below the domain", () => {
        assert.ok(listenerCovers("*.example.com", "api.example.com"));
        assert.ok(listenerCovers("*.example.com", "a.b.example.com"));
        assert.ok(listenerCovers("*.example.com", "*.example.com"));
        assert.ok(!listenerCovers("*.example.com", "example.com"));
        assert.ok(!listenerCovers("api.example.com", "web.example.com"));
    });

    describe("properties", () => {
        // A small alphabet of labels, so that shared suffixes (and near misses like "ample.com") come up often.
        const label = fc.constantFrom("a", "b", "api", "example", "ample", "com", "io", "x-1");
        const labels = (min: number, max: number) => fc.array(label, { minLength: min, maxLength: max });
        const name = labels(1, 5).map((l) => l.join("."));
        /** `route` is strictly below `domain`, label by label: `depth` more labels, or any number when undefined. */
        const below = (domain: string, route: string, depth?: number) => {
            const [d, r] = [domain.toLowerCase().split("."), route.toLowerCase().split(".")];
            const extra = r.length - d.length;
            return (depth === undefined ? extra > 0 : extra === depth) && r.slice(extra).join(".") === d.join(".");
        };

        it("compare case-insensitively", () => {
            // Pairs that match (a name below the listener's domain, or the same name) as often as pairs that do not.
            const related = fc
                .tuple(fc.boolean(), name, labels(0, 2))
                .map(([wildcard, domain, prefix]) => [
                    wildcard ? `*.${domain}` : [...prefix, domain].join("."),
                    [...prefix, domain].join("."),
                ]);
            const pair = fc.oneof(related, fc.tuple(name, name));
            const flip = (text: string, mask: boolean[]) => [...text].map((c, i) => (mask[i % mask.length] ? c.toUpperCase() : c)).join("");
            fc.assert(
                fc.property(
                    pair,
                    fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
                    fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
                    ([listener, route], m1, m2) => {
                        const [l, r] = [flip(listener, m1), flip(route, m2)];
                        return (
                            listenerCovers(l, r) === listenerCovers(listener, route) &&
                            certificateCovers(l, r) === certificateCovers(listener, route)
                        );
                    },
                ),
                { numRuns: 300 },
            );
        });

        it("a listener wildcard covers a name at any depth below its domain, but not the domain itself nor anything else", () => {
            fc.assert(
                fc.property(name, labels(1, 4), name, (domain, prefix, other) => {
                    assert.ok(listenerCovers(`*.${domain}`, [...prefix, domain].join(".")));
                    assert.ok(!listenerCovers(`*.${domain}`, domain));
                    assert.strictEqual(listenerCovers(`*.${domain}`, other), below(domain, other), `*.${domain} vs ${other}`);
                }),
                { numRuns: 500 },
            );
        });

        it("a certificate wildcard covers exactly one label below its domain, and never the domain itself", () => {
            fc.assert(
                fc.property(name, label, labels(2, 4), name, (domain, one, deeper, other) => {
                    assert.ok(certificateCovers(`*.${domain}`, `${one}.${domain}`));
                    assert.ok(!certificateCovers(`*.${domain}`, [...deeper, domain].join(".")));
                    assert.ok(!certificateCovers(`*.${domain}`, domain));
                    assert.strictEqual(certificateCovers(`*.${domain}`, other), below(domain, other, 1), `*.${domain} vs ${other}`);
                }),
                { numRuns: 500 },
            );
        });

        it("a name without a wildcard covers only itself", () => {
            fc.assert(
                fc.property(name, name, (host, other) => {
                    const same = host.toLowerCase() === other.toLowerCase();
                    return listenerCovers(host, other) === same && certificateCovers(host, other) === same;
                }),
                { numRuns: 300 },
            );
        });
    });
});
