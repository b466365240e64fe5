/**
 * `npm run check -- <stack> [options]`: the offline check's command line. Parses
 * its arguments before loading anything heavy, so a usage error answers at once;
 * the check itself (tools/check.ts) loads the SDKs.
 */
import { parseArgs } from "util";

export const CHECK_USAGE = `Usage: npm run check -- <stack> [options]

Runs the program for Pulumi.<stack>.yaml under Pulumi's mocks (no cloud, no Pulumi CLI)
and reports: the inventory, schema validation of every Kubernetes object, promtool on the
alert rules, the guardrails' verdict. Writes out/<stack>/ (report.json, resources.json,
manifests/, prometheus-rules.yaml).

Options:
  --preview                      run as pulumi preview does (outputs of new resources unknown)
  --stack-file <file>            check this stack file instead (results in out/<stack>@<file name>)
  --foundation-outputs <file>    outputs of the stack foundation.stackReference names (JSON or YAML)
                                 default: examples/foundation-outputs.yaml
  --against <file>               diff against this resources.json of an earlier check or plan file
                                 default: the previous run in out/, else test/baselines/<stack>.plan.json
  -h, --help                     this help

Exit codes: 0 OK, 1 internal error, 2 usage, 3 stack file (config) error, 4 program error,
5 schema or promtool error, 6 mandatory policy violation.
`;

/** The command line's options (the README's usage line lists each; a test keeps them in step). */
export const CHECK_OPTIONS = {
    preview: { type: "boolean" },
    "stack-file": { type: "string" },
    "foundation-outputs": { type: "string" },
    against: { type: "string" },
    help: { type: "boolean", short: "h" },
} as const;

export type CheckArgs = { stack: string; preview: boolean; stackFile?: string; foundationOutputs?: string; against?: string };

/** The parsed command line, or the usage error to print. */
export function parseCheckArgs(argv: string[]): { help: true } | { error: string } | CheckArgs {
    let parsed;
    try {
        parsed = parseArgs({ args: argv, options: CHECK_OPTIONS, allowPositionals: true, strict: true });
    } catch (err) {
        return { error: (err as Error).message };
    }
    const { values, positionals } = parsed;
    if (values.help) return { help: true };
    if (positionals.length === 0) return { error: "a stack name is required" };
    if (positionals.length > 1) return { error: `unexpected argument "${positionals[1]}"` };
    for (const flag of ["stack-file", "foundation-outputs", "against"] as const) {
        if (values[flag] !== undefined && (values[flag] === "" || values[flag]!.startsWith("-")))
            return { error: `--${flag} needs a file` };
    }
    return {
        stack: positionals[0],
        preview: values.preview ?? false,
        stackFile: values["stack-file"],
        foundationOutputs: values["foundation-outputs"],
        against: values.against,
    };
}

if (require.main === module) {
    const args = parseCheckArgs(process.argv.slice(2));
    if ("help" in args) {
        process.stdout.write(CHECK_USAGE);
        process.exit(0);
    }
    if ("error" in args) {
        process.stderr.write(`check: ${args.error}\n\n${CHECK_USAGE}`);
        process.exit(2);
    }
    // The command runs one stack and exits: the program runs in this process, and a
    // failure surfacing late (a rejection inside an apply) still fails the check plainly.
    process.on("unhandledRejection", (err) => {
        process.stderr.write(`the program failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(4);
    });
    const path = require("path") as typeof import("path");
    const fs = require("fs") as typeof import("fs");
    const root = path.resolve(__dirname, path.basename(__dirname) === "tools" && __filename.endsWith(".ts") ? ".." : "../..");
    const file = args.stackFile ? path.resolve(args.stackFile) : path.join(root, `Pulumi.${args.stack}.yaml`);
    if (!fs.existsSync(file)) {
        // Answered before the SDKs load: the stack files that do exist.
        const known = fs.readdirSync(root).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));
        process.stderr.write(`no stack file ${path.relative(root, file)}; the stack files here: ${known.join(", ") || "none"}\n`);
        process.exit(3);
    }
    // A stack file with mistakes is answered before the SDKs load, too.
    const config = require("../config") as typeof import("../config");
    const written = config.readStackFile(file, path.relative(root, file));
    const parsed = config.parseConfig(written.config, args.stack, { source: written.source });
    if (!parsed.ok) {
        const notes = config.formatWarnings(parsed.warnings);
        process.stderr.write(`${config.formatIssues(parsed.errors)}\n${notes ? `${notes}\n` : ""}`);
        process.exit(3);
    }
    const { check } = require("./check") as typeof import("./check");
    check(args.stack, {
        preview: args.preview,
        stackFile: args.stackFile && path.resolve(args.stackFile),
        foundationOutputs: args.foundationOutputs && path.resolve(args.foundationOutputs),
        against: args.against && path.resolve(args.against),
        inProcess: true,
    })
        .then(({ exitCode, report, errors }) => {
            if (report) process.stdout.write(`${report}\n`);
            if (errors) process.stderr.write(`${errors}\n`);
            process.exit(exitCode);
        })
        .catch((err) => {
            process.stderr.write(`check: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
            process.exit(1);
        });
}
