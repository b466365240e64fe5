/**
 * The customer-managed key every stateful component starts from: rotation on,
 * a deletion window per environment, protected in prod, with an alias. The key
 * keeps the name `<name>-kms` under the calling component (URNs must not move).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { lifecycle } from "./lifecycle";

/** A rotating customer-managed key, protected in prod, with `alias/<alias>`. */
export function managedKey(
    name: string,
    a: { description: string; alias: string; environment?: string },
    parent: pulumi.Resource,
): aws.kms.Key {
    const life = lifecycle(a.environment ?? "prod");
    const key = new aws.kms.Key(
        `${name}-kms`,
        { description: a.description, enableKeyRotation: true, deletionWindowInDays: life.kmsDeletionWindowDays },
        { parent, protect: life.protect },
    );
    new aws.kms.Alias(`${name}-kms`, { name: `alias/${a.alias}`, targetKeyId: key.keyId }, { parent });
    return key;
}
