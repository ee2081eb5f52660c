/**
 * `npm run promote` end to end on recorded evidence: a promotion writes the stack file, the ledger line and
 * the pull request files; the production workflow's --verify, --await and --record; --rollback; the
 * scheduled dry run. Every run works in a temporary copy of the checked-in stack files.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../delivery/promoteCli";
import { EXIT } from "../cli/command";
import { appendOnly, LedgerEntry, parseLedger, PromotedEntry } from "../delivery/ledger";
import { PROJECT_ROOT } from "../plan/stackFile";
import { captureOutput } from "./delivery-capture";
import { CHECKOUT, GRAFANA, GREEN, PAY, PROGRAM } from "./promotion-fixtures";

const STAGING_OUTPUTS = path.join(__dirname, "fixtures", "staging-outputs.json");
const PRODUCTION_TEXT = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.production.yaml"), "utf8");
const STAGING_TEXT = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.staging.yaml"), "utf8");
const NOW = new Date("2026-12-06T12:00:00Z"); // a Sunday
const PROMOTE = ["--from", "staging", "--to", "production", "--outputs", STAGING_OUTPUTS];

function workspace(production = PRODUCTION_TEXT): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "promotion-"));
    fs.writeFileSync(path.join(dir, "Pulumi.production.yaml"), production);
    fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), STAGING_TEXT);
    return dir;
}

async function run(argv: string[], dir: string, now = NOW) {
    const { result, out, err } = await captureOutput(() => main(argv, dir, { now: () => now, run: "run 42" }));
    return { code: result, out, err };
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), "utf8");
const ledger = (dir: string): LedgerEntry[] => parseLedger(read(dir, "promotion/ledger.jsonl"), "ledger");

/** A copy of the green evidence with a change: JSON files edited in place. */
function evidenceWith(edit: (dir: string) => void): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "evidence-"));
    fs.cpSync(GREEN, dir, { recursive: true });
    edit(dir);
    return dir;
}
function editJson<T>(file: string, change: (value: T) => T): void {
    fs.writeFileSync(file, JSON.stringify(change(JSON.parse(fs.readFileSync(file, "utf8")) as T)));
}

describe("promotion CLI: a promotion on recorded evidence", () => {
    it("writes the stack file, the ledger line and the pull request files", async () => {
        const dir = workspace();
        const out = path.join(dir, "pr");
        const result = await run([...PROMOTE, "--evidence", GREEN, "--out", out], dir);
        assert.equal(result.code, 0, result.err);
        assert.match(read(dir, "Pulumi.production.yaml"), new RegExp(`revision: ${PAY} # refs/tags/v2.15.0\\n`));
        const entries = ledger(dir);
        assert.equal(entries.length, 1);
        const entry = entries[0] as PromotedEntry;
        assert.equal(entry.type, "promoted");
        assert.equal(entry.run, "run 42");
        assert.deepEqual(
            Object.entries(entry.bundle.apps).map(([name, app]) => [name, app.sha, app.tag]),
            [
                ["payments-api", PAY, "refs/tags/v2.15.0"],
                ["checkout-web", CHECKOUT, CHECKOUT],
                ["grafana", GRAFANA, GRAFANA],
            ],
        );
        assert.equal(entry.bundle.programCommit, PROGRAM);
        assert.equal(entry.evidence.collectedAt, NOW.toISOString());
        const id = entry.bundle.id;
        assert.equal(read(out, "bundle-id.txt"), `${id}\n`);
        assert.equal(read(out, "title.txt"), `Promote staging to production (bundle ${id})\n`);
        assert.equal(
            read(out, "commit-message.txt"),
            `Promote staging to production (bundle ${id})\n\nPromotion-Bundle: ${id}\n`,
        );
        assert.equal(read(out, "labels.txt"), "promotion\n");
        const body = read(out, "body.md");
        assert.ok(
            body.includes(
                `| payments-api | \`refs/tags/v2.15.0\` → [\`${PAY.slice(0, 12)}\`](https://github.com/acme-platform/payments-api/commit/${PAY}) | 2026-12-06T08:20:00Z (commit statuses) | 3h40m / 2h | n/a | none | pass |`,
            ),
            body,
        );
        assert.ok(
            body.includes(
                `| grafana | \`${GRAFANA}\` → [\`${GRAFANA.slice(0, 12)}\`](https://github.com/grafana/helm-charts/commit/${GRAFANA}) | 2026-12-06T08:11:30Z (engine) | 3h48m / 2h | n/a | none | pass |`,
            ),
        );
        assert.ok(body.includes(`Program commit \`${PROGRAM}\`, applied by staging's update 43`));
        assert.ok(body.endsWith(`Opened by run 42.\n\nPromotion-Bundle: ${id}\n`));
        assert.equal(read(dir, "Pulumi.staging.yaml"), STAGING_TEXT);
        assert.equal(fs.existsSync(path.join(dir, "promotion", "overrides")), false);
    });

    it("moves the platform first when a bundle changes both, naming the apps that follow", async () => {
        const dir = workspace();
        const out = path.join(dir, "pr");
        const result = await run([...PROMOTE, "--platform", "--evidence", GREEN, "--out", out], dir);
        assert.equal(result.code, 0, result.err);
        const text = read(dir, "Pulumi.production.yaml");
        assert.match(text, /\n {2}gitops-platform:cluster:\n(.*\n)*? {4}kubernetesVersion: "1.36"\n/);
        assert.match(text, /revision: refs\/tags\/v2\.14\.1\n/, "the apps wait for the next promotion");
        const entry = ledger(dir)[0] as PromotedEntry;
        assert.deepEqual(entry.bundle.apps, {});
        assert.equal(entry.bundle.platform["cluster.kubernetesVersion"], "1.36");
        assert.ok(
            read(out, "body.md").includes(
                "The platform goes first: payments-api, checkout-web follow in the next promotion, once production reports this bundle good.",
            ),
        );
        // Together on request: one bundle with both.
        const together = workspace();
        assert.equal((await run([...PROMOTE, "--platform", "--together", "--evidence", GREEN], together)).code, 0);
        assert.match(read(together, "Pulumi.production.yaml"), new RegExp(`revision: ${PAY} # refs/tags/v2.15.0\n`));
    });

    it("refuses, naming every failing app and check, and writes nothing", async () => {
        const evidence = evidenceWith((e) => {
            editJson<{ version: number; result: string }[]>(path.join(e, "history/staging.json"), (h) =>
                h.map((u) => (u.version === 43 ? { ...u, result: "failed" } : u)),
            );
            editJson<{ items: { metadata: { name: string }; status: { health: { status: string } } }[] }>(
                path.join(e, "kubernetes/staging/applications.argoproj.io.json"),
                (list) => {
                    list.items[1].status.health.status = "Degraded";
                    return list;
                },
            );
            fs.rmSync(path.join(e, "refs/github.com-acme-platform-payments-api.txt"));
        });
        const dir = workspace();
        const result = await run([...PROMOTE, "--evidence", evidence, "--out", path.join(dir, "pr")], dir);
        assert.equal(result.code, EXIT.refused);
        assert.equal(
            result.err
                .split("\n")
                .filter((l) => l.startsWith("  - "))
                .map((l) => l.split(":").slice(0, 2).join(":"))
                .join("\n"),
            ["  - (stack): update", "  - payments-api: tag", "  - checkout-web: healthy"].join("\n"),
        );
        assert.match(result.err, /staging's last update \(version 43\) failed/);
        assert.match(
            result.err,
            /payments-api: tag: no recorded answer .*refs\/github.com-acme-platform-payments-api.txt/,
        );
        assert.equal(read(dir, "Pulumi.production.yaml"), PRODUCTION_TEXT);
        assert.equal(fs.existsSync(path.join(dir, "promotion")), false);
        assert.equal(fs.existsSync(path.join(dir, "pr")), false);
    });

    it("lets an override through, labels the pull request and records the reason", async () => {
        const dir = workspace();
        const out = path.join(dir, "pr");
        const early = new Date("2026-12-06T09:30:00Z");
        const refused = await run([...PROMOTE, "--evidence", GREEN], dir, early);
        assert.equal(refused.code, EXIT.refused);
        assert.match(refused.err, /payments-api: soak: payments-api has been healthy for 70m of the 120m required/);
        assert.match(refused.err, /grafana: soak: grafana has been healthy for 78m of the 120m required/);
        const reason = "hotfix for INC-4711, on-call watches it";
        const result = await run(
            [...PROMOTE, "--evidence", GREEN, "--out", out, "--override", `*:soak=${reason}`],
            dir,
            early,
        );
        assert.equal(result.code, 0, result.err);
        assert.equal(read(out, "labels.txt"), "promotion\npromotion-override\n");
        assert.ok(
            read(out, "body.md").includes(
                `- **payments-api: soak**: payments-api has been healthy for 70m of the 120m required. Reason: ${reason}`,
            ),
        );
        const entry = ledger(dir)[0] as PromotedEntry;
        assert.equal(
            read(dir, `promotion/overrides/${entry.bundle.id}.md`),
            [
                `# Overrides of bundle ${entry.bundle.id} (staging → production, 2026-12-06T09:30:00.000Z)`,
                "",
                "- payments-api: soak: payments-api has been healthy for 70m of the 120m required",
                `  Reason: ${reason}`,
                "- grafana: soak: grafana has been healthy for 78m of the 120m required",
                `  Reason: ${reason}`,
                "",
            ].join("\n"),
        );
        assert.deepEqual(
            entry.verdict.overridden.map((o) => [o.app, o.check, o.reason]),
            [
                ["payments-api", "soak", reason],
                ["grafana", "soak", reason],
            ],
        );
    });
});

describe("promotion CLI: the production workflow's checks", () => {
    const compare = (name: string) => path.join(GREEN, "compare", `${name}.json`);

    async function promoted(): Promise<string> {
        const dir = workspace();
        assert.equal((await run([...PROMOTE, "--evidence", GREEN], dir)).code, 0);
        return dir;
    }

    it("--verify passes the bundle the stack file holds, at its program commit, with fresh evidence", async () => {
        const dir = await promoted();
        const result = await run(["--verify", "production", "--compare", compare("identical-program")], dir);
        assert.equal(result.code, 0, result.err);
        assert.match(result.out, new RegExp(`^bundle [0-9a-f]{16} verified: program ${PROGRAM}\\n$`));
    });

    it("--verify refuses a program that differs from the bundle's program commit", async () => {
        const dir = await promoted();
        const result = await run(["--verify", "production", "--compare", compare("program-changed")], dir);
        assert.equal(result.code, EXIT.refused);
        assert.match(
            result.err,
            new RegExp(
                `the program differs from ${PROGRAM}, which staging proved: components/gitops/argocd/values.ts, Pulumi.yaml;`,
            ),
        );
    });

    it("--verify refuses stale evidence and a stack file edited after promotion", async () => {
        const dir = await promoted();
        fs.writeFileSync(
            path.join(dir, "Pulumi.production.yaml"),
            read(dir, "Pulumi.production.yaml").replace(`revision: ${PAY}`, `revision: ${CHECKOUT}`),
        );
        const result = await run(
            ["--verify", "production", "--compare", compare("identical-program")],
            dir,
            new Date("2026-12-07T12:01:00Z"),
        );
        assert.equal(result.code, EXIT.refused);
        assert.match(
            result.err,
            new RegExp(`app payments-api: Pulumi.production.yaml has ${CHECKOUT}, bundle [0-9a-f]{16} has ${PAY}`),
        );
        assert.match(
            result.err,
            /the evidence of bundle [0-9a-f]{16} is 1441m old, more than promotion.evidenceMaxAge \(1440m\): promote again/,
        );
    });

    it("--verify refuses when the ledger has no bundle", async () => {
        const result = await run(["--verify", "production", "--compare", compare("identical-program")], workspace());
        assert.equal(result.code, EXIT.refused);
        assert.match(result.err, /promotion\/ledger.jsonl has no bundle for production/);
    });

    it("--await reports good when production runs the bundle healthy, --record appends it", async () => {
        const dir = await promoted();
        const resultFile = path.join(dir, "result.json");
        const awaited = await run(
            ["--await", "production", "--evidence", GREEN, "--timeout", "0", "--result", resultFile],
            dir,
        );
        assert.equal(awaited.code, 0, awaited.err);
        assert.match(awaited.out, /: good \(every app synced at the bundle's commits and healthy\)\n$/);
        const recorded = await run(["--record", "production", "--result", resultFile], dir);
        assert.equal(recorded.code, 0, recorded.err);
        const entries = ledger(dir);
        assert.deepEqual(
            entries.map((e) => e.type),
            ["promoted", "result"],
        );
        assert.equal(entries[1].type === "result" && entries[1].result, "good");
    });

    it("--await records a failed pulumi up as bad without reading production", async () => {
        const dir = await promoted();
        const resultFile = path.join(dir, "result.json");
        const result = await run(
            [
                "--await",
                "production",
                "--evidence",
                path.join(dir, "none"),
                "--up-outcome",
                "failure",
                "--result",
                resultFile,
            ],
            dir,
        );
        assert.equal(result.code, EXIT.found);
        assert.equal((JSON.parse(read(dir, "result.json")) as { detail: string }).detail, "pulumi up: failure");
    });

    it("--await waits, bounded, and reports bad naming the app when production does not converge", async () => {
        const dir = await promoted();
        const stale = evidenceWith((e) =>
            editJson<{ items: { status: { sync: { revision: string } } }[] }>(
                path.join(e, "kubernetes/production/applications.argoproj.io.json"),
                (list) => {
                    list.items[0].status.sync.revision = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c";
                    return list;
                },
            ),
        );
        const resultFile = path.join(dir, "result.json");
        let now = NOW.getTime();
        const sleeps: number[] = [];
        const { result: code } = await captureOutput(() =>
            main(
                [
                    "--await",
                    "production",
                    "--evidence",
                    stale,
                    "--timeout",
                    "60",
                    "--interval",
                    "20",
                    "--result",
                    resultFile,
                ],
                dir,
                {
                    now: () => new Date(now),
                    sleep: (s) => {
                        sleeps.push(s);
                        now += s * 1000;
                        return Promise.resolve();
                    },
                },
            ),
        );
        assert.equal(code, EXIT.found);
        assert.deepEqual(sleeps, [20, 20, 20]); // reads at 0s, 20s, 40s and 60s, then gives up
        const result = JSON.parse(read(dir, "result.json")) as { result: string; detail: string };
        assert.equal(result.result, "bad");
        assert.equal(result.detail, `payments-api: synced at 1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c, not ${PAY}`);
    });
});

describe("promotion CLI: rollback", () => {
    const NEXT = "b7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4";

    it("restores the last bundle production reported good, soak waived", async () => {
        const dir = workspace();
        // Bundle A, reported good.
        assert.equal((await run([...PROMOTE, "--evidence", GREEN], dir)).code, 0);
        const good = ledger(dir)[0] as PromotedEntry;
        fs.appendFileSync(
            path.join(dir, "promotion/ledger.jsonl"),
            `${JSON.stringify({ type: "result", at: NOW.toISOString(), bundleId: good.bundle.id, to: "production", result: "good", detail: "ok" })}\n`,
        );
        // Bundle B: checkout-web at a newer commit, reported bad.
        const evidence = evidenceWith((e) => {
            editJson<{ items: { status: { sync: { revision: string } } }[] }>(
                path.join(e, "kubernetes/staging/applications.argoproj.io.json"),
                (list) => {
                    list.items[1].status.sync.revision = NEXT;
                    return list;
                },
            );
            fs.copyFileSync(
                path.join(e, `statuses/acme-platform/checkout-web/${CHECKOUT}.json`),
                path.join(e, `statuses/acme-platform/checkout-web/${NEXT}.json`),
            );
        });
        const outputs = path.join(dir, "outputs.json");
        const staging = JSON.parse(fs.readFileSync(STAGING_OUTPUTS, "utf8")) as {
            apps: Record<string, { revision: string }>;
        };
        staging.apps["checkout-web"].revision = NEXT;
        fs.writeFileSync(outputs, JSON.stringify(staging));
        const second = await run(
            ["--from", "staging", "--to", "production", "--outputs", outputs, "--evidence", evidence],
            dir,
        );
        assert.equal(second.code, 0, second.err);
        const bad = ledger(dir)[2] as PromotedEntry;
        assert.match(read(dir, "Pulumi.production.yaml"), new RegExp(`revision: ${NEXT}\\n`));
        fs.appendFileSync(
            path.join(dir, "promotion/ledger.jsonl"),
            `${JSON.stringify({ type: "result", at: NOW.toISOString(), bundleId: bad.bundle.id, to: "production", result: "bad", detail: "checkout-web: Degraded" })}\n`,
        );
        const before = read(dir, "promotion/ledger.jsonl");
        const out = path.join(dir, "pr");
        const result = await run(["--rollback", "production", "--out", out], dir, new Date("2026-12-08T12:00:00Z"));
        assert.equal(result.code, 0, result.err);
        assert.match(read(dir, "Pulumi.production.yaml"), new RegExp(`revision: ${CHECKOUT}\\n`));
        const after = read(dir, "promotion/ledger.jsonl");
        assert.ok(appendOnly(before, after));
        const rollback = ledger(dir).at(-1) as PromotedEntry;
        assert.equal(rollback.rollbackOf, bad.bundle.id);
        assert.equal(rollback.bundle.id, good.bundle.id);
        assert.equal(read(out, "title.txt"), `Roll production back to bundle ${good.bundle.id}\n`);
        assert.ok(read(out, "body.md").includes(`replacing \`${bad.bundle.id}\`. Soak is waived for a rollback`));
        // The restored bundle verifies although its evidence is two days old.
        const verified = await run(
            ["--verify", "production", "--compare", path.join(GREEN, "compare", "identical-program.json")],
            dir,
            new Date("2026-12-08T12:05:00Z"),
        );
        assert.equal(verified.code, 0, verified.err);
    });

    it("refuses when no bundle was ever reported good", async () => {
        const dir = workspace();
        assert.equal((await run([...PROMOTE, "--evidence", GREEN], dir)).code, 0);
        const result = await run(["--rollback", "production"], dir);
        assert.equal(result.code, EXIT.refused);
        assert.match(
            result.err,
            /records no bundle of production that production reported good other than the current [0-9a-f]{16}/,
        );
    });
});

describe("promotion CLI: the scheduled dry run", () => {
    it("opens nothing during a deny window", async () => {
        const dir = workspace(
            PRODUCTION_TEXT.replace("    soak: 2h", "    soak: 2h\n    denyWindows:\n      - days: [sat, sun]"),
        );
        const result = await run([...PROMOTE, "--evidence", GREEN, "--scheduled", "--out", path.join(dir, "pr")], dir);
        assert.equal(result.code, 0, result.err);
        assert.equal(result.out, "deny window sat,sun 00:00–24:00 UTC is active: no promotion opened\n");
        assert.equal(fs.existsSync(path.join(dir, "pr")), false);
    });

    it("reports a refused gate without failing, and writes nothing", async () => {
        const dir = workspace();
        const result = await run(
            [...PROMOTE, "--evidence", GREEN, "--scheduled", "--out", path.join(dir, "pr")],
            dir,
            new Date("2026-12-06T09:30:00Z"),
        );
        assert.equal(result.code, 0);
        assert.match(result.out, /^not promoted yet: the gate refused promoting staging to production/);
        assert.equal(fs.existsSync(path.join(dir, "pr")), false);
        assert.equal(read(dir, "Pulumi.production.yaml"), PRODUCTION_TEXT);
    });

    it("writes the pull request files when the gate passes outside the windows", async () => {
        const dir = workspace();
        const result = await run([...PROMOTE, "--evidence", GREEN, "--scheduled", "--out", path.join(dir, "pr")], dir);
        assert.equal(result.code, 0, result.err);
        assert.ok(fs.existsSync(path.join(dir, "pr", "body.md")));
    });
});

describe("promotion CLI: help and arguments", () => {
    it("--help explains the bundle, the evidence, overrides, rollback and the exit codes, and starts nothing", async () => {
        const dir = workspace();
        const result = await run(["--help", ...PROMOTE], dir);
        assert.equal(result.code, 0);
        for (const text of [
            "Promotes a bundle: the program commit of the source stack's last succeeded update",
            "identified by a hash of that content",
            "soak       healthy continuously for promotion.soak",
            "--override <app>:<check>=<reason>",
            "labelled promotion-override and needs a code owner",
            "restore the last bundle production reported good (soak waived, nothing else)",
            "--verify <stack>",
            "0  promoted, rolled back, verified, good or recorded",
            "4  refused: the gate failed (every failing app and check named), a downgrade, a bundle not verified; nothing was written",
            "5  --await: production did not report the bundle synced and healthy in time (recorded bad)",
        ]) {
            assert.ok(result.out.includes(text), text);
        }
        assert.equal(read(dir, "Pulumi.production.yaml"), PRODUCTION_TEXT);
    });

    for (const [argv, message] of [
        [
            ["--rollback", "production", "--from", "staging"],
            /give one of --from\/--to, --rollback, --verify, --await, --record \(got --rollback, --from\/--to\)/,
        ],
        [["--await", "production"], /--await needs --result <file>/],
        [
            ["--from", "staging", "--to", "production", "--override", "payments-api:soak=short"],
            /needs a reason of at least 10 characters/,
        ],
        [["--verify", "../production"], /--verify expects a stack name of this project/],
        [
            ["--await", "production", "--result", "r", "--timeout", "9999"],
            /--timeout expects a whole number from 0 to 3600, got "9999"/,
        ],
    ] as const) {
        it(`exits 2 on ${argv.join(" ")}`, async () => {
            const result = await run([...argv], workspace());
            assert.equal(result.code, 2);
            assert.match(result.err, message);
        });
    }
});

describe("promotion ledger", () => {
    it("is append-only: a new text must start with the old one", () => {
        assert.equal(appendOnly("a\n", "a\nb\n"), true);
        assert.equal(appendOnly("", "a\n"), true);
        assert.equal(appendOnly("a\nb\n", "a\n"), false);
        assert.equal(appendOnly("a\n", "x\nb\n"), false);
    });

    it("refuses a line whose bundle was edited after it was written", async () => {
        const dir = workspace();
        assert.equal((await run([...PROMOTE, "--evidence", GREEN], dir)).code, 0);
        const text = read(dir, "promotion/ledger.jsonl").replace(PAY, CHECKOUT);
        assert.throws(() => parseLedger(text, "ledger"), /ledger:1: bundle [0-9a-f]{16} does not match its content/);
    });
});
