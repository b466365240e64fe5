// Runs the mocha specs with TypeScript support (tsx) and ends with the line CI
// reads: "N passed, N failed". Usage: node tools/run-tests.js [spec files…]
require("tsx/cjs");
const fs = require("fs");
const path = require("path");
const Mocha = require("mocha");

function specs(dir) {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === "fixtures" ? [] : specs(full);
        return entry.name.endsWith(".spec.ts") ? [full] : [];
    });
}

const root = path.resolve(__dirname, "..");
const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => path.resolve(f)) : specs(path.join(root, "test")).sort();
const mocha = new Mocha({ reporter: "spec", timeout: 120000, slow: 5000 });
files.forEach((f) => mocha.addFile(f));
const runner = mocha.run((failures) => {
    const { passes = 0, pending = 0 } = runner.stats ?? {};
    const skipped = pending ? `, ${pending} skipped` : "";
    process.stdout.write(`\n${passes} passed, ${failures} failed${skipped}\n`);
    process.exitCode = failures > 0 ? 1 : 0;
});
