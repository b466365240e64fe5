/**
 * One operation per stack at a time inside this process. The backend has its
 * own lock, but it answers a second `pulumi up` with an error after the fact;
 * queueing here turns that into waiting (or a typed `BusyError`) before any CLI
 * call. Different stacks never wait for each other.
 */
import { BusyError, CancelledError } from "./errors";
import type { OperationKind } from "./types";

interface Waiter {
    operation: OperationKind;
    grant: () => void;
}

interface Slot {
    operation: OperationKind;
    queue: Waiter[];
}

/** Releases a stack; calling it more than once is harmless. */
export type Release = () => void;

/** A first-come, first-served lock per key (a stack of one repository). */
export class StackLocks {
    private readonly slots = new Map<string, Slot>();

    /** The operation holding `key`, if any. */
    holder(key: string): OperationKind | undefined {
        return this.slots.get(key)?.operation;
    }

    /**
     * Waits for `key` to be free and takes it. With `whenBusy: "fail"` a held key
     * throws {@link BusyError} at once; an abort while waiting throws {@link CancelledError}.
     */
    acquire(
        key: string,
        stackName: string,
        operation: OperationKind,
        options: { whenBusy?: "wait" | "fail"; signal?: AbortSignal } = {},
    ): Promise<Release> {
        const { whenBusy = "wait", signal } = options;
        if (signal?.aborted) return Promise.reject(new CancelledError(stackName, operation));
        const slot = this.slots.get(key);
        if (!slot) {
            this.slots.set(key, { operation, queue: [] });
            return Promise.resolve(this.releaser(key));
        }
        if (whenBusy === "fail") return Promise.reject(new BusyError(stackName, slot.operation));
        return new Promise<Release>((resolve, reject) => {
            const onAbort = () => {
                slot.queue = slot.queue.filter((w) => w !== waiter);
                reject(new CancelledError(stackName, operation));
            };
            const waiter: Waiter = {
                operation,
                grant: () => {
                    signal?.removeEventListener("abort", onAbort);
                    resolve(this.releaser(key));
                },
            };
            slot.queue.push(waiter);
            signal?.addEventListener("abort", onAbort, { once: true });
        });
    }

    private releaser(key: string): Release {
        let released = false;
        return () => {
            if (released) return;
            released = true;
            const slot = this.slots.get(key);
            if (!slot) return;
            const next = slot.queue.shift();
            if (!next) {
                this.slots.delete(key);
                return;
            }
            slot.operation = next.operation;
            next.grant();
        };
    }
}
