/**
 * Image references (`registry[:port]/path[:tag][@digest]`, the grammar of
 * distribution/reference) and what it means for one to be pinned. One module for
 * the stack-file rules and the guardrails pack.
 */

export interface ImageReference {
    /** Registry (with port) and repository: everything before the tag and digest. */
    repository: string;
    tag?: string;
    digest?: string;
}

const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;

/**
 * Splits `registry[:port]/path[:tag][@digest]`. The tag is after the last `:`
 * of the last path component, so `registry:5000/app` has no tag.
 */
export function parseImage(image: string): ImageReference {
    const at = image.indexOf("@");
    const digest = at >= 0 ? image.slice(at + 1) : undefined;
    const rest = at >= 0 ? image.slice(0, at) : image;
    const colon = rest.lastIndexOf(":");
    const tagged = colon > rest.lastIndexOf("/");
    return { repository: tagged ? rest.slice(0, colon) : rest, tag: tagged ? rest.slice(colon + 1) : undefined, digest };
}

/** Why `image` is not pinned, or undefined when it is. */
export function unpinnedReason(image: string, forbiddenTags: string[], requireDigest: boolean): string | undefined {
    const { repository, tag, digest } = parseImage(image);
    if (!repository) return "it has no repository";
    if (digest !== undefined) {
        if (!DIGEST.test(digest) || (digest.startsWith("sha256:") && !SHA256.test(digest))) return `its digest ${digest} is malformed`;
        if (tag !== undefined && !TAG.test(tag)) return `its tag ${tag} is malformed`;
        return undefined;
    }
    if (requireDigest) return "it has no digest";
    if (tag === undefined) return "it has no tag, which means latest";
    if (!TAG.test(tag)) return `its tag ${tag} is malformed`;
    if (forbiddenTags.includes(tag)) return `its tag ${tag} moves`;
    return undefined;
}
