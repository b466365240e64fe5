/**
 * Writes test/fixtures/bad-configs/*.yaml from INVALID_CONFIGS: one stack file
 * per mistake, with the stack it is parsed as and the key paths it must be
 * rejected with in its header. Run with `npx tsx test/config/generate-bad-configs.ts`
 * after adding cases; the corpus is committed and read by bad-configs.spec.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { INVALID_CONFIGS } from "./cases";

const dir = path.resolve(__dirname, "..", "fixtures", "bad-configs");
fs.mkdirSync(dir, { recursive: true });
INVALID_CONFIGS.forEach(([what, stack, raw, expected], i) => {
    const slug = what
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "")
        .slice(0, 50);
    const header = [`# ${what}`, `# stack: ${stack}`, `# expect: ${expected.split(": ")[0]}`].join("\n");
    fs.writeFileSync(path.join(dir, `${String(i + 1).padStart(2, "0")}-${slug}.yaml`), `${header}\n${stringify({ config: raw })}`);
});
process.stdout.write(`${INVALID_CONFIGS.length} files in ${dir}\n`);
