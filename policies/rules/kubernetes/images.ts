/**
 * Images must be pinned: a tag other than `latest`, or a digest, so a rollout
 * runs what was reviewed and a restart does not pull something else.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { unpinnedReason } from "../../values/image";
import { ExemptionConfig, oneOf, podRule, stringList } from "./shared";

interface ImageConfig extends ExemptionConfig {
    forbiddenTags: string[];
    requireDigest: boolean;
}

export const imagePinned: ResourceValidationPolicy = podRule<ImageConfig>({
    name: "kubernetes-container-image-pinned",
    description: "Container images must be pinned to a tag other than latest, or to a digest.",
    enforcementLevel: "mandatory",
    properties: {
        forbiddenTags: stringList("Tags that move and so do not pin an image.", ["latest"]),
        requireDigest: { type: "boolean", default: false, description: "Require a digest (@sha256:…), not only a tag." },
    },
    check: (pod, config) => {
        const pinned = config.requireDigest
            ? "a reference pinned to a digest (name@sha256:<digest>)"
            : `a reference pinned to a tag other than ${oneOf(config.forbiddenTags)}, or to a digest (name@sha256:<digest>)`;
        return pod.containers.flatMap((c) => {
            const image = c.container.image;
            if (typeof image !== "string" || image === "") return [`${c.label}: set image to ${pinned}`];
            const reason = unpinnedReason(image, config.forbiddenTags, config.requireDigest);
            return reason ? [`${c.label}: set image to ${pinned} (${JSON.stringify(image)}: ${reason})`] : [];
        });
    },
});

export const imagePolicies = [imagePinned];
