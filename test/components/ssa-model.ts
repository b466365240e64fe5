/**
 * A model of one field of a live Kubernetes object under server-side apply, and
 * of what `pulumi up` sends for it: enough to replay a change of ownership
 * offline. Each rule is the documented behaviour, cited:
 *
 * - The API server (Kubernetes docs, "Server-Side Apply": Field management,
 *   Conflicts, Transferring ownership): an apply that sets a field another
 *   manager owns with a different value is a conflict unless forced; equal
 *   values share ownership; a manager that stops sending a field gives it up,
 *   and a field left with no manager is reset to its default. A non-apply
 *   update (the HPA writes `spec.replicas` through the scale subresource) that
 *   changes the value makes its manager the field's only owner.
 * - The engine (pulumi/pulumi `pkg/resource/deploy/step_generator.go`,
 *   `processIgnoreChanges`): on an update, an ignored path takes the old
 *   inputs' value, or is removed when the old inputs have none.
 * - The provider (pulumi-kubernetes `provider/pkg/await/await.go`,
 *   `handleSSAIgnoreFields`, PR #2566): an ignored field that other managers
 *   own and Pulumi does not is dropped from the apply; otherwise the live value
 *   is sent, so Pulumi never releases it by accident. Applies are not forced
 *   (`patchForce` is false without the `pulumi.com/patchForce` annotation).
 */
export interface LiveField {
    value: number | undefined;
    owners: Set<string>;
}

export const PULUMI = "pulumi-kubernetes-hangar";
export const HPA = "kube-controller-manager";

export class SsaField {
    readonly live: LiveField = { value: undefined, owners: new Set() };
    /** The inputs Pulumi's state records for the field after the last update. */
    private stateInput: number | undefined;
    private created = false;

    constructor(private readonly defaultValue: number) {}

    /** `pulumi up` of the resource with this input for the field and these ignoreChanges paths. */
    pulumiUp(input: number | undefined, ignored: boolean): void {
        let sent = input;
        if (this.created && ignored) {
            sent = this.stateInput; // engine: the old inputs' value, or none
            const theirs = [...this.live.owners].some((o) => o !== PULUMI);
            if (theirs && !this.live.owners.has(PULUMI)) sent = undefined;
            else if (this.live.value !== undefined) sent = this.live.value;
        }
        this.stateInput = this.created && ignored ? this.stateInput : input;
        this.apply(PULUMI, sent);
        this.created = true;
    }

    /** A server-side apply by `manager` that sends `value`, or omits the field. */
    apply(manager: string, value: number | undefined): void {
        if (value === undefined) {
            this.live.owners.delete(manager);
            if (this.live.owners.size === 0) this.live.value = this.defaultValue;
            return;
        }
        const others = [...this.live.owners].filter((o) => o !== manager);
        if (others.length > 0 && this.live.value !== value) {
            throw new Error(`Apply failed with 1 conflict: conflict with "${others.join(", ")}": .spec.replicas`);
        }
        if (this.live.value !== value) this.live.owners.clear();
        this.live.value = value;
        this.live.owners.add(manager);
    }

    /** A non-apply write (the HPA through the scale subresource). */
    update(manager: string, value: number): void {
        if (this.live.value === value) return;
        this.live.value = value;
        this.live.owners = new Set([manager]);
    }
}
