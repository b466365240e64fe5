/**
 * What an RDS instance does with its data when it is deleted. The provider
 * deletes with the values in its state, not the program's (terraform-provider-aws
 * #4276), so these must be right before the delete is planned.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

export interface FinalSnapshotSettings {
    skipFinalSnapshot: boolean;
    finalSnapshotIdentifier?: pulumi.Input<string>;
    deleteAutomatedBackups: boolean;
}

/**
 * A final snapshot when the instance is protected, named uniquely per creation: a random
 * suffix kept in state, so deleting a stack a second time never meets `DBSnapshotAlreadyExists`.
 * In prod the automated backups outlive the instance. A read replica takes none: RDS refuses
 * a FinalDBSnapshotIdentifier when deleting a replica (`InvalidParameterCombination`).
 */
export function finalSnapshot(
    name: string,
    a: { identifier: string; protect: boolean; environment: string; replica: boolean },
    parent: pulumi.Resource,
): FinalSnapshotSettings {
    const keepBackups = { deleteAutomatedBackups: a.environment !== "prod" };
    if (!a.protect || a.replica) return { skipFinalSnapshot: true, ...keepBackups };
    const suffix = new random.RandomId(`${name}-final-snapshot`, { byteLength: 4, keepers: { identifier: a.identifier } }, { parent });
    return { skipFinalSnapshot: false, finalSnapshotIdentifier: pulumi.interpolate`${a.identifier}-final-${suffix.hex}`, ...keepBackups };
}
