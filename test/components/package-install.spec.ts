/**
 * The component package as a consumer gets it: `npm pack` of components/ (prepack compiles it to
 * dist/), installed offline — from the cache `npm ci` filled — into a temporary project that has only
 * the Pulumi SDKs (linked from the repository's node_modules), then loaded with plain `node` and through the TypeScript loader Pulumi's Node.js
 * runtime falls back to without TypeScript installed (`@pulumi/pulumi/vendor`: ts-node 7, TypeScript 3.8,
 * type-checking as `pulumi up` does by default).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../../tools/harness";

interface LockEntry {
    version: string;
    resolved?: string;
    integrity?: string;
    link?: boolean;
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    [key: string]: unknown;
}

/**
 * A consumer's lockfile: the closure of the package's dependencies and peers, copied from the repository's
 * lockfile (so `npm ci --offline` needs only tarballs the repository's `npm ci` cached), plus the tarball.
 */
function consumerLock(tarball: string) {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "components", "package.json"), "utf8"));
    const found = (from: string, name: string): string | undefined => {
        for (let dir = from; ; ) {
            const key = `${dir ? `${dir}/` : ""}node_modules/${name}`;
            if (lock.packages[key] && !lock.packages[key].link) return key;
            if (!dir) return undefined;
            const at = dir.lastIndexOf("/node_modules/");
            dir = at >= 0 ? dir.slice(0, at) : "";
        }
    };
    const packages: Record<string, LockEntry> = {};
    const visit = (key: string) => {
        if (packages[key]) return;
        packages[key] = lock.packages[key];
        const e = lock.packages[key];
        for (const dep of Object.keys({ ...e.dependencies, ...e.optionalDependencies, ...e.peerDependencies })) {
            const next = found(key, dep);
            if (next) visit(next);
        }
    };
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) visit(found("", name)!);
    const dependencies = { [manifest.name]: `file:${tarball}`, "@pulumi/pulumi": lock.packages["node_modules/@pulumi/pulumi"].version };
    packages[`node_modules/${manifest.name}`] = {
        version: manifest.version,
        resolved: `file:${tarball}`,
        integrity: `sha512-${createHash("sha512").update(fs.readFileSync(tarball)).digest("base64")}`,
        dependencies: manifest.dependencies,
        peerDependencies: manifest.peerDependencies,
    };
    const root = { name: "consumer", version: "1.0.0", private: true, dependencies };
    return { manifest: root, lock: { ...root, lockfileVersion: 3, requires: true, packages: { "": root, ...packages } } };
}

/**
 * The consumer's Pulumi SDKs, already installed: every top-level package of its lockfile except Hangar,
 * hard-linked from the repository's node_modules (the same lockfile entries `npm ci` installed there).
 * Extracting @pulumi/aws's 200 MB again took half a minute of this test; `npm install` then adds the
 * tarball to a project that has the SDKs, as a consumer's `npm install <path>` does.
 */
function linkSdks(packages: Record<string, LockEntry>, project: string) {
    const byDir = new Map<string, string[]>();
    for (const key of Object.keys(packages)) {
        if (!key || key.lastIndexOf("node_modules/") !== 0 || key.endsWith("/@hangar-platform/hangar")) continue;
        const dir = path.join(project, path.dirname(key));
        byDir.set(dir, [...(byDir.get(dir) ?? []), path.join(ROOT, key)]);
    }
    for (const [dir, sources] of byDir) {
        fs.mkdirSync(dir, { recursive: true });
        const cp = spawnSync("cp", ["-al", ...sources, dir], { encoding: "utf8" });
        // Another filesystem cannot hard-link: copy instead.
        if (cp.status !== 0) for (const source of sources) fs.cpSync(source, path.join(dir, path.basename(source)), { recursive: true });
    }
}

const CONSUMER = `import * as pulumi from "@pulumi/pulumi";
import { AppTier, Platform, PLATFORM_DEFAULTS, clusterPrerequisites } from "@hangar-platform/hangar";
import type { PlatformArgs } from "@hangar-platform/hangar";

const args: Partial<PlatformArgs> = { environment: "staging" };
console.log(JSON.stringify([typeof Platform, typeof AppTier, typeof clusterPrerequisites, PLATFORM_DEFAULTS.database.clientSslMode, args.environment, typeof pulumi.getStack]));
`;
// The tsconfig `pulumi new typescript` writes.
const TSCONFIG = {
    compilerOptions: { strict: true, outDir: "bin", target: "es2020", module: "commonjs", moduleResolution: "node", sourceMap: true },
    files: ["index.ts"],
};

/**
 * Under `npm test` the typecheck (tsc -b) builds components/dist beside the specs (tools/test-all.js): pack once it
 * is done, else prepack would start a second build of the same files beside it. Run alone, prepack builds.
 */
async function typecheckDone(marker = process.env.HANGAR_BUILD_READY) {
    while (marker && !fs.existsSync(marker)) await new Promise((resolve) => setTimeout(resolve, 200));
}

describe("the component package, packed and installed as a dependency", function () {
    this.timeout(180000);
    let dir: string;
    const run = (args: string[], cwd = dir) => spawnSync(args[0], args.slice(1), { cwd, encoding: "utf8" });

    before(async () => {
        await typecheckDone();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hangar-consumer-"));
        const pack = run(["npm", "pack", "--pack-destination", dir, "--json"], path.join(ROOT, "components"));
        assert.strictEqual(pack.status, 0, pack.stderr);
        const tarball = path.join(dir, JSON.parse(pack.stdout)[0].filename);
        const { manifest, lock } = consumerLock(tarball);
        const project = path.join(dir, "project");
        fs.mkdirSync(project);
        fs.writeFileSync(path.join(project, "package.json"), JSON.stringify(manifest, null, 2));
        fs.writeFileSync(path.join(project, "package-lock.json"), JSON.stringify(lock, null, 2));
        linkSdks(lock.packages, project);
        const install = run(["npm", "install", "--offline", "--no-audit", "--no-fund"], project);
        assert.strictEqual(install.status, 0, `npm install --offline (from the cache the repository's npm ci filled):\n${install.stderr}`);
        fs.writeFileSync(path.join(project, "index.ts"), CONSUMER);
        fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify(TSCONFIG));
        dir = project;
    });
    after(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

    it("ships compiled JavaScript and declarations, and needs no TypeScript from the consumer", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, "node_modules/@hangar-platform/hangar/package.json"), "utf8"));
        assert.deepStrictEqual([pkg.main, pkg.types], ["dist/index.js", "dist/index.d.ts"]);
        assert.ok(
            fs.existsSync(path.join(dir, "node_modules/@hangar-platform/hangar/dist/backups/pg-dump.sh")),
            "the dump script is packed",
        );
        assert.ok(!fs.existsSync(path.join(dir, "node_modules/typescript")), "typescript is not installed for the consumer");
        assert.ok(
            !fs.existsSync(path.join(dir, "node_modules/@hangar-platform/hangar/dist/.tsbuildinfo")),
            "the build's state is not packed",
        );
        assert.strictEqual(pkg.peerDependencies?.typescript, undefined);
    });

    it("loads with plain node", () => {
        const out = run([
            "node",
            "-e",
            'const h = require("@hangar-platform/hangar"); console.log(typeof h.Platform, typeof h.Monitoring)',
        ]);
        assert.strictEqual(out.status, 0, out.stderr);
        assert.strictEqual(out.stdout.trim(), "function function");
    });

    it("type-checks and loads through Pulumi's vendored ts-node 7 and TypeScript 3.8", () => {
        const register = `const path = require("path");
            const vendor = path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "vendor");
            require(path.join(vendor, "ts-node@7.0.1")).register({ compiler: path.join(vendor, "typescript@3.8.3", "typescript.js"), project: "tsconfig.json" });
            require("./index.ts");`;
        const out = run(["node", "-e", register]);
        assert.strictEqual(out.status, 0, out.stderr);
        assert.deepStrictEqual(JSON.parse(out.stdout.trim()), ["function", "function", "function", "verify-full", "staging", "function"]);
    });
});
