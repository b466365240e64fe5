// Root hooks that time each spec file in mocha's parallel mode, where a worker runs one file per
// root suite: the runner (tools/run-tests.js) reads HANGAR_TEST_TIMINGS and reports against test/budgets.json.
const fs = require("fs");

let started = 0;
exports.mochaHooks = {
    beforeAll() {
        started = Date.now();
    },
    afterAll() {
        const root = this.test && this.test.parent;
        const file = root && ((root.suites[0] && root.suites[0].file) || root.file);
        if (process.env.HANGAR_TEST_TIMINGS && file) {
            fs.appendFileSync(process.env.HANGAR_TEST_TIMINGS, `${JSON.stringify({ file, ms: Date.now() - started })}\n`);
        }
    },
};
