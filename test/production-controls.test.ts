/**
 * docs/production.md, tested like code: its reference controls name registered rules, each with a
 * passing and a failing case, and cover every rule of the pack; its stack config snippets validate as
 * a production stack.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { CI_ROLE_RULES } from "../policy/ciRoles";
import { PACK_RULES } from "../policy/pack";
import { WORKFLOW_RULES } from "../policy/workflows";
import { stackConfigFromText } from "../plan/stackFile";
import { PRODUCTION_INVARIANTS } from "../stacks/config/invariants";
import { validateConfig } from "./harness";
import { CASES } from "./policy.test";

const DOC = fs.readFileSync(path.join(__dirname, "..", "docs", "production.md"), "utf8");

interface Control {
    readonly id: string;
    readonly control: string;
    readonly rules: string[];
    /** A workflow-file or repository-settings control whose rule the ci-harden work adds to npm run check. */
    readonly ciHarden: boolean;
}

const CONTROLS: Control[] = DOC.split("\n")
    .map((line) => /^\| (C\d\d) \| (.+?) \| (.+) \|$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([, id, control, rules]) => ({
        id,
        control,
        rules: [...rules.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]),
        ciHarden: control.startsWith("**ci-harden**"),
    }));

describe("docs/production.md: the reference controls", () => {
    it("lists the 37 controls the review counted, C01 to C37", () => {
        assert.deepEqual(
            CONTROLS.map((c) => c.id),
            Array.from({ length: 37 }, (_, i) => `C${String(i + 1).padStart(2, "0")}`),
        );
    });

    it("names every rule of the pack under some control", () => {
        const named = new Set(CONTROLS.flatMap((c) => c.rules));
        assert.deepEqual(
            PACK_RULES.map((r) => r.name).filter((name) => !named.has(name)),
            [],
        );
    });

    for (const control of CONTROLS.filter((c) => !c.ciHarden)) {
        it(`${control.id} (${control.control}): each rule registered, with a passing and a failing case`, () => {
            assert.ok(control.rules.length > 0);
            for (const rule of control.rules) {
                assert.ok(
                    PACK_RULES.some((r) => r.name === rule),
                    `${rule} is not a rule of the pack`,
                );
                if (CI_ROLE_RULES.some((r) => r.name === rule)) {
                    continue; // passing and failing cases in test/ci-security.test.ts
                }
                const cases = CASES[rule] ?? [];
                assert.ok(
                    cases.some((c) => c.expected.length === 0) && cases.some((c) => c.expected.length > 0),
                    `${rule} lacks a passing or a failing case`,
                );
            }
        });
    }

    it("marks the ci-harden controls, which name every workflow rule of npm run check and nothing else", () => {
        const marked = CONTROLS.filter((c) => c.ciHarden);
        assert.deepEqual(
            marked.map((c) => c.id),
            ["C33", "C34", "C35", "C36", "C37"],
        );
        assert.deepEqual(marked.flatMap((c) => c.rules).sort(), WORKFLOW_RULES.map((r) => r.name).sort());
    });

    it("names every production invariant of config in its table, with the pack rule it names", () => {
        for (const invariant of PRODUCTION_INVARIANTS) {
            assert.ok(DOC.includes(`\`${invariant.id}\``), invariant.id);
            if (invariant.policy) {
                assert.ok(DOC.includes(`\`${invariant.policy}\``), `${invariant.id} → ${invariant.policy}`);
            }
        }
    });

    it("shows stack config that validates as a production stack", () => {
        const snippets = [...DOC.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
        assert.ok(snippets.length > 0);
        for (const text of snippets) {
            const config = stackConfigFromText("Pulumi.production.yaml", text);
            assert.equal(validateConfig("production", config).environment, "production");
        }
    });
});
