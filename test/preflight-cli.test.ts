/** `npm run preflight`: its arguments, its help, and a run with no credentials and no network. */
import * as assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { CHECKS, main, parsePreflightArgs, PreflightDeps } from "../preflight/cli";
import { appNeeds } from "../preflight/githubNeeds";
import { Runner } from "../preflight/runner";
import { PROJECT_ROOT } from "../plan/stackFile";
import { TYPESCRIPT_LOADER } from "../cli/command";

/** Here as on a laptop without credentials: the AWS CLI finds none, and no host answers. */
function offlineRunner(calls: string[] = []): Runner {
    return {
        exec: (command, args) => {
            calls.push([command, ...args].join(" "));
            return Promise.resolve({
                exitCode: 253,
                stdout: "",
                stderr: '\nUnable to locate credentials. You can configure credentials by running "aws configure".\n',
            });
        },
        http: (url) => {
            calls.push(`GET ${url}`);
            return Promise.reject(new Error("fetch failed: ENOTFOUND"));
        },
    };
}

async function run(argv: string[], runner: Runner = offlineRunner()) {
    let out = "";
    const deps: PreflightDeps = { runner, env: {}, now: new Date(), root: PROJECT_ROOT, write: (t) => (out += t) };
    const code = await main(argv, deps);
    return { code, out };
}

describe("preflight command", () => {
    it("--help explains each option, each check and each exit code, and starts no work", () => {
        const result = spawnSync(process.execPath, [...TYPESCRIPT_LOADER, "preflight/cli.ts", "--help"], {
            cwd: PROJECT_ROOT,
            encoding: "utf8",
            // Nothing to reach: a run that asked anything would find no AWS CLI here.
            env: { ...process.env, PATH: "/nonexistent" },
        });
        assert.equal(result.status, 0, result.stderr);
        for (const option of ["--stack <name>", "--check <name>", "--app <name>", "--strict", "--help"]) {
            assert.ok(result.stdout.includes(option), option);
        }
        for (const check of CHECKS) {
            assert.match(result.stdout, new RegExp(`^  ${check.name} `, "m"), check.name);
        }
        assert.match(
            result.stdout,
            /Exits 0 when nothing failed, 1 when a check failed.*2 on bad arguments, 3 on an unexpected error/s,
        );
        assert.doesNotMatch(result.stdout, /preflight of stack/);
    });

    it("lists the stacks there are for an unknown stack, and the checks for an unknown check", async () => {
        const calls: string[] = [];
        const unknownStack = await run(["--stack", "nope"], offlineRunner(calls));
        assert.equal(unknownStack.code, 2);
        const unknownCheck = await run(["--stack", "staging", "--check", "dns"], offlineRunner(calls));
        assert.equal(unknownCheck.code, 2);
        const missing = await run([], offlineRunner(calls));
        assert.equal(missing.code, 2);
        const unknownApp = await run(["--stack", "staging", "--app", "release"], offlineRunner(calls));
        assert.equal(unknownApp.code, 2);
        assert.deepEqual(calls, []);
    });

    it("without credentials or network skips what it cannot ask, says why, and exits 0", async () => {
        const calls: string[] = [];
        const { code, out } = await run(["--stack", "staging"], offlineRunner(calls));
        assert.equal(code, 0, out);
        assert.match(out, /^preflight of stack staging\n/);
        assert.doesNotMatch(out, /PASS|FAIL/);
        for (const check of CHECKS) {
            assert.match(out, new RegExp(`^${check.name}:\\n {2}(SKIP|N/A)`, "m"), check.name);
        }
        assert.match(out, /SKIP 6 EKS add-ons: no usable AWS credentials \(Unable to locate credentials/);
        assert.match(
            out,
            /SKIP GitHub App DEPLOY on acme-platform: no credentials: DEPLOY_APP_ID and DEPLOY_APP_PRIVATE_KEY/,
        );
        assert.match(out, /SKIP Pulumi Cloud state: no credentials: PULUMI_ACCESS_TOKEN is not set/);
        assert.match(out, /preflight: 0 pass, 0 fail, \d+ skip, \d+ n\/a\n$/);
        assert.equal(calls.filter((c) => c.startsWith("aws sts get-caller-identity")).length, 1, "AWS is asked once");
    });

    it("refuses a bad stack config with exit 1 before asking anything", async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-"));
        fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
        fs.cpSync(path.join(PROJECT_ROOT, ".github"), path.join(root, ".github"), { recursive: true });
        const staging = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.staging.yaml"), "utf8");
        fs.writeFileSync(
            path.join(root, "Pulumi.broken.yaml"),
            staging.replace('kubernetesVersion: "1.35"', 'kubernetesVersion: "latest"'),
        );
        const calls: string[] = [];
        let out = "";
        const code = await main(["--stack", "broken"], {
            runner: offlineRunner(calls),
            env: {},
            now: new Date(),
            root,
            write: (t) => (out += t),
        });
        assert.equal(code, 1, out);
        assert.deepEqual(calls, []);
        assert.doesNotMatch(out, /PASS|FAIL|SKIP/);
    });

    it("with --strict, a skipped check fails the run", async () => {
        assert.equal((await run(["--stack", "staging", "--check", "state-backend", "--strict"])).code, 1);
    });

    it("runs only the checks and Apps named", async () => {
        const apps = await run(["--stack", "staging", "--check", "github-apps", "--app", "deploy"]);
        assert.equal(apps.code, 0);
        assert.match(apps.out, /^github-apps:\n {2}SKIP GitHub App DEPLOY on acme-platform/m);
        assert.doesNotMatch(apps.out, /PREVIEW|PROMOTION|^charts:/m);
        const local = await run(["--stack", "local", "--check", "endpoint"]);
        assert.equal(local.code, 0);
        assert.match(local.out, /^endpoint:\n {2}N\/A +API endpoint: the stack creates no EKS cluster/m);
    });

    for (const stack of ["staging", "production"]) {
        it(`${stack}.yml runs it strictly for its stack and the deploy App, before pulumi up`, () => {
            const file = path.join(PROJECT_ROOT, ".github", "workflows", `${stack}.yml`);
            type Step = { uses?: string; run?: string; with?: Record<string, string>; env?: Record<string, string> };
            const steps = (YAML.parse(fs.readFileSync(file, "utf8")) as { jobs: { up: { steps: Step[] } } }).jobs.up
                .steps;
            const preflight = steps.findIndex((s) => /^npm run --silent preflight -- /.test(s.run ?? ""));
            const setup = steps.findIndex((s) => s.uses === "./.github/actions/pulumi-setup");
            const up = steps.findIndex(
                (s) => s.uses?.startsWith("pulumi/actions@") === true && s.with?.command === "up",
            );
            assert.ok(
                setup >= 0 && preflight > setup && up > preflight,
                `setup ${setup}, preflight ${preflight}, up ${up}`,
            );
            const argv = steps[preflight].run!.replace(/^npm run --silent preflight -- /, "").split(" ");
            const args = parsePreflightArgs(argv);
            assert.equal(args.stack, stack);
            assert.equal(args.strict, true);
            assert.deepEqual(args.apps, ["DEPLOY"]);
            assert.ok(appNeeds(PROJECT_ROOT).some((n) => n.app === "DEPLOY"));
            assert.deepEqual(steps[preflight].env, {
                DEPLOY_APP_ID: "${{ secrets.DEPLOY_APP_ID }}",
                DEPLOY_APP_PRIVATE_KEY: "${{ secrets.DEPLOY_APP_PRIVATE_KEY }}",
                DEPLOY_REPOSITORIES: "${{ secrets.DEPLOY_REPOSITORIES }}",
                PULUMI_BACKEND_URL: "${{ secrets.PULUMI_BACKEND_URL }}",
                GITHUB_TOKEN: "${{ steps.setup.outputs.github-token }}",
            });
        });
    }
});
