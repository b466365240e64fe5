import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { sharedRun, Snapshot } from "../../tools/harness";

const snapshot = (stack: string): Snapshot => ({
    project: "hangar",
    stack,
    preview: false,
    resources: [],
    invokes: [],
    outputs: {},
    durationMs: 0,
});

describe("snapshots shared by the spec files of one test run", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-share-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("runs a key once: a later request, after the first finished, reads its snapshot", async () => {
        let runs = 0;
        const run = async () => (runs++, snapshot("prod"));
        await sharedRun("prod", run, dir);
        const later = await sharedRun("prod", run, dir);
        assert.strictEqual(runs, 1, "the second request ran the program again");
        assert.strictEqual(later.stack, "prod");
        assert.deepStrictEqual(
            fs.readdirSync(dir).filter((f) => f.endsWith(".lock")),
            [],
            "no lock is left",
        );
    });

    it("has concurrent requests wait for the one run, and runs other keys apart", async () => {
        let runs = 0;
        const run = (stack: string) => async () => {
            runs++;
            await new Promise((resolve) => setTimeout(resolve, 300));
            return snapshot(stack);
        };
        const [a, b, c] = await Promise.all([
            sharedRun("prod", run("prod"), dir),
            sharedRun("prod", run("prod"), dir),
            sharedRun("staging", run("staging"), dir),
        ]);
        assert.deepStrictEqual([a.stack, b.stack, c.stack, runs], ["prod", "prod", "staging", 2]);
    });
});
