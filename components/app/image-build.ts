/**
 * Images built from a context: an ECR repository (immutable tags, scan on push,
 * KMS) and a docker build tagged by the context's content, pushed there. Needs a
 * Docker daemon at `pulumi up`; digest-pinned images from CI are the default.
 */
import * as aws from "../shared/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { ImageBuildArgs } from "./spec";

/** ECR repository (immutable tags, scan on push, KMS) and a build tagged by the context's content. */
export function buildImage(
    name: string,
    service: string,
    build: ImageBuildArgs,
    kmsKeyArn: pulumi.Input<string>,
    production: boolean,
    parent: pulumi.Resource,
) {
    const repository = new aws.ecr.Repository(
        `${name}-repo`,
        {
            name: `${pulumi.getProject()}-${pulumi.getStack()}/${service}`,
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: kmsKeyArn }],
            forceDelete: !production,
        },
        { parent },
    );
    new aws.ecr.LifecyclePolicy(
        `${name}-repo`,
        {
            repository: repository.name,
            policy: JSON.stringify({
                rules: [
                    {
                        rulePriority: 1,
                        description: "keep the newest 50 images",
                        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 50 },
                        action: { type: "expire" },
                    },
                ],
            }),
        },
        { parent },
    );
    const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, { parent });
    const image = new docker.Image(
        `${name}-image`,
        {
            // Immutable tags: the tag is the content hash, so an unchanged context is no change.
            imageName: pulumi.interpolate`${repository.repositoryUrl}:ctx-${contextHash(build.context)}`,
            build: {
                context: build.context,
                dockerfile: build.dockerfile ?? path.join(build.context, "Dockerfile"),
                target: build.target,
                platform: "linux/amd64",
            },
            registry: { server: repository.repositoryUrl, username: auth.userName, password: pulumi.secret(auth.password) },
        },
        { parent },
    );
    return image.repoDigest;
}

/** sha256 over the build context's files (paths and contents), first 16 hex digits. */
export function contextHash(dir: string): string {
    const hash = crypto.createHash("sha256");
    const walk = (d: string) => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            if (entry.name === ".git" || entry.name === "node_modules") continue;
            const full = path.join(d, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (entry.isFile()) hash.update(path.relative(dir, full)).update("\0").update(fs.readFileSync(full));
        }
    };
    walk(dir);
    return hash.digest("hex").slice(0, 16);
}
