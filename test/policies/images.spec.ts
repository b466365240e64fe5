import * as assert from "assert";
import { imagePinned as rule } from "../../policies/rules/kubernetes/images";
import { CONTAINER_GROUPS } from "../../policies/rules/kubernetes/pod-template";
import { compliantPod, CONTAINERS, onEveryKind, PodFixture, withContainer, WORKLOAD_KINDS } from "./fixtures";
import { assertHasViolation, assertNoViolations, assertNotApplicable, assertUnknown, createArgs, literal, mutated } from "./util";

const PINNED = "a reference pinned to a tag other than latest, or to a digest (name@sha256:<digest>)";
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

const withImage = (image: string | undefined, group: (typeof CONTAINER_GROUPS)[number] = "containers") =>
    withContainer(
        compliantPod(),
        (c) => {
            if (image === undefined) delete c.image;
            else c.image = image;
        },
        group,
    );

const fails = (pod: PodFixture, message: string, config?: Record<string, unknown>) =>
    onEveryKind(pod, (type, object) =>
        assertHasViolation(rule, createArgs(rule, type, object, { config }), new RegExp(`^${literal(message)}$`)),
    );
const passes = (pod: PodFixture, config?: Record<string, unknown>) =>
    onEveryKind(pod, (type, object) => assertNoViolations(rule, createArgs(rule, type, object, { config })));

describe(rule.name, () => {
    it("is mandatory and configurable", () => {
        assert.strictEqual(rule.enforcementLevel, "mandatory");
        assert.deepStrictEqual(Object.keys(rule.configSchema?.properties ?? {}).sort(), [
            "exemptNamespaces",
            "forbiddenTags",
            "requireDigest",
        ]);
    });

    it("accepts tags, digests and a registry with a port on every pod-template kind", () => passes(compliantPod()));

    for (const group of CONTAINER_GROUPS) {
        const label = CONTAINERS[group].label;
        it(`refuses the latest tag (${label})`, () =>
            fails(
                withImage("ghcr.io/hangar/api:latest", group),
                `${label}: set image to ${PINNED} ("ghcr.io/hangar/api:latest": its tag latest moves)`,
            ));
        it(`refuses an image without a tag (${label})`, () =>
            fails(
                withImage("ghcr.io/hangar/api", group),
                `${label}: set image to ${PINNED} ("ghcr.io/hangar/api": it has no tag, which means latest)`,
            ));
        it(`refuses a missing image (${label})`, () => fails(withImage(undefined, group), `${label}: set image to ${PINNED}`));
    }

    it("does not take a registry port for a tag", () =>
        fails(
            withImage("registry.internal:5000/hangar/api"),
            `container "api": set image to ${PINNED} ("registry.internal:5000/hangar/api": it has no tag, which means latest)`,
        ));
    it("accepts a registry port with a tag", () => passes(withImage("registry.internal:5000/hangar/api:1.4.2")));
    it("accepts latest when a digest pins it", () => passes(withImage(`ghcr.io/hangar/api:latest@${DIGEST}`)));
    it("refuses a malformed digest", () =>
        fails(
            withImage("ghcr.io/hangar/api@sha256:1234"),
            `container "api": set image to ${PINNED} ("ghcr.io/hangar/api@sha256:1234": its digest sha256:1234 is malformed)`,
        ));

    it("refuses the tags listed in forbiddenTags", () =>
        fails(
            withImage("ghcr.io/hangar/api:main"),
            'container "api": set image to a reference pinned to a tag other than latest or main, or to a digest (name@sha256:<digest>) ("ghcr.io/hangar/api:main": its tag main moves)',
            {
                forbiddenTags: ["latest", "main"],
            },
        ));

    it("requires a digest when requireDigest is set", async () => {
        const config = { requireDigest: true };
        await fails(
            withImage("ghcr.io/hangar/api:1.4.2"),
            'container "api": set image to a reference pinned to a digest (name@sha256:<digest>) ("ghcr.io/hangar/api:1.4.2": it has no digest)',
            config,
        );
        const allDigests = mutated(compliantPod(), (p) => {
            p.spec.containers![0].image = `ghcr.io/hangar/api@${DIGEST}`;
            p.spec.ephemeralContainers![0].image = `ghcr.io/hangar/debug@${DIGEST}`;
        });
        await passes(allDigests, config);
    });

    it("cannot decide when an image is unknown during preview (built by this stack)", () =>
        onEveryKind(withImage("@unknown"), (type, object) =>
            assertUnknown(rule, createArgs(rule, type, object), /containers\.0\.image can't be known during preview/),
        ));

    it("skips exempt namespaces", () =>
        assertNotApplicable(
            rule,
            createArgs(rule, WORKLOAD_KINDS[1].type, WORKLOAD_KINDS[1].wrap(withImage("nginx")), { config: { exemptNamespaces: ["app"] } }),
            /exempt/,
        ));
});
