/** The `hangar` command line's help text and the parsers of its option values. */
import { parse as parseYaml } from "yaml";

/** The help text (`hangar --help`). */
export const USAGE = `Usage: hangar <command> [options]

Commands:
  preflight <stack>                read the stack's cluster prerequisites from its cluster (preview and up do it first)
  preview <stack>                  preview with the environment's policies
  up <stack>                       preview, refuse stateful replacements and mandatory violations, update
      --allow-replace <urn>        accept replacing or deleting this stateful resource (repeatable)
  refresh <stack>                  refresh the stack's state from the cloud
  outputs <stack>                  print the stack's outputs as JSON (secrets redacted)
  destroy <stack> --yes            destroy every resource of the stack (prod also needs --allow-prod)
  create <name>                    create an ephemeral environment
      --from <stack>               start from a tracked stack file (e.g. staging)
      --set <key.path=value>       override a config value; the value is YAML (repeatable)
      --secrets-provider <url>     secrets provider for the new stack
      --if-exists rebuild          if it exists (here or in the backend), rewrite its stack file instead of failing
  remove <name> --yes              destroy an ephemeral environment and remove its stack
      --keep-resources             remove the stack without destroying its resources
      --from, --set, --secrets-provider   rebuild a missing stack file as create wrote it
  list                             list the project's environments
      --older-than <age>           only those last updated longer ago (30m, 72h, 7d)
      --ephemeral                  only ephemeral environments
  sweep --older-than <age>         destroy and remove ephemeral environments last updated longer ago
      --prefix <text>              only names starting with it (pr-)
      --dry-run                    list what would be removed, remove nothing
      --from, --set, --secrets-provider   rebuild missing stack files as create wrote them

Options:
  --message <text>                 message recorded with the update
  --refresh                        refresh before previewing or updating
  --skip-preflight                 preview or up without reading the cluster prerequisites first
  --json                           print the result as JSON instead of text
  --quiet                          no progress output
  -h, --help                       this help

Environment: HANGAR_PULUMI_ROOT (directory holding bin/pulumi; default: pulumi on PATH),
HANGAR_ENVIRONMENTS_DIR (ephemeral environments; default ~/.hangar/environments).
Exit codes: 0 ok, 1 failure, 2 usage, 3 policy violation, 4 stack busy or locked,
5 a cluster prerequisite is missing (nothing changed).
`;

/** A command line that does not parse, or asks for something impossible: exit 2. */
export class UsageError extends Error {}

/** `--set key.path=value` pairs; values are YAML (`1` is a number, `'"1"'` a string). */
export function parseSets(pairs: readonly string[]): Record<string, unknown> {
    const overrides: Record<string, unknown> = {};
    for (const pair of pairs) {
        const at = pair.indexOf("=");
        if (at <= 0) throw new UsageError(`--set expects key.path=value, got "${pair}"`);
        let value: unknown;
        try {
            value = parseYaml(pair.slice(at + 1));
        } catch (err) {
            throw new UsageError(`--set ${pair.slice(0, at)}: the value is not valid YAML (${(err as Error).message.split("\n")[0]})`);
        }
        overrides[pair.slice(0, at)] = value;
    }
    return overrides;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An age as `--older-than` takes it: `90s`, `30m`, `72h`, `7d`; milliseconds. */
export function parseDuration(flag: string, text: string): number {
    const match = /^(\d{1,6})([smhd])$/.exec(text.trim());
    if (!match) throw new UsageError(`${flag} expects an age such as 30m, 72h or 7d, got "${text}"`);
    return Number(match[1]) * UNITS[match[2]];
}
