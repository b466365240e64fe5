import * as assert from "assert";
import fc from "fast-check";
import { resolveService } from "../../components/app/spec";
import { physicalName } from "../../components/shared/naming";
import { pinnedImage } from "../../config/schema";
import { unpinnedReason } from "../../policies/values/image";

const RUNS = { numRuns: 300, seed: 20261202 };

describe("physicalName, for any stack name", () => {
    const stackName = fc.string({ minLength: 1, maxLength: 90, unit: fc.constantFrom(..."abcXYZ019-_.".split("")) });
    it("is a valid RDS identifier within the length asked for", () => {
        fc.assert(
            fc.property(stackName, fc.constantFrom(40, 63), (stack, max) => {
                const name = physicalName(stack, "", max);
                // RDS: 1–63 letters, digits and hyphens, a letter first, no trailing hyphen and no two consecutive hyphens.
                assert.ok(name.length <= max, name);
                assert.match(name, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
            }),
            RUNS,
        );
    });
    it("is the same every time (baselines and policies rely on it)", () => {
        fc.assert(
            fc.property(stackName, (stack) => physicalName(stack) === physicalName(stack)),
            RUNS,
        );
    });
});

describe("resolveService and the stack-file schema agree on images", () => {
    const segment = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    const tag = fc.oneof(fc.constant("latest"), fc.stringMatching(/^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,10}$/));
    const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `@sha256:${h}`);
    const reference = fc
        .tuple(
            segment,
            fc.option(fc.integer({ min: 1, max: 65535 })),
            fc.array(segment, { minLength: 1, maxLength: 3 }),
            fc.option(tag),
            fc.option(digest),
        )
        .map(([registry, port, path, t, d]) => `${registry}.io${port ? `:${port}` : ""}/${path.join("/")}${t ? `:${t}` : ""}${d ?? ""}`);
    const accepts = (image: string) => {
        try {
            resolveService({ name: "api", image, port: 8080 });
            return true;
        } catch {
            return false;
        }
    };
    it("every image the schema accepts, the component accepts, and the guardrail calls pinned", () => {
        fc.assert(
            fc.property(reference, (image) => {
                if (!pinnedImage.safeParse(image).success) return;
                assert.ok(accepts(image), `resolveService refuses ${image}`);
                assert.strictEqual(unpinnedReason(image, ["latest"], false), undefined, image);
            }),
            RUNS,
        );
    });
    it("the component refuses exactly the references the guardrail calls unpinned", () => {
        fc.assert(
            fc.property(reference, (image) => {
                const digestOnly = /@sha256:/.test(image);
                // The guardrail also checks a tag next to a digest; the component only needs one pin.
                if (digestOnly) return;
                assert.strictEqual(accepts(image), unpinnedReason(image, ["latest"], false) === undefined, image);
            }),
            RUNS,
        );
    });
});
