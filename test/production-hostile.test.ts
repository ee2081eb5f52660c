/**
 * Issue 25, "Done when": each hostile variant of Pulumi.production.yaml is refused by the plan or
 * flagged by `npm run check`. Each case edits the checked-in production file, writes it under a stack
 * name (production, or "prod" for a production stack under another name), runs check's main in-process
 * and asserts exit 1, the invariant or rule named, and the report printed once.
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { main as checkMain } from "../policy/check";
import { stackFilePath } from "../plan/stackFile";
import { captureOutput } from "./delivery-capture";

type Config = Record<string, Record<string, unknown> & { [key: string]: unknown }>;
const P = "gitops-platform:";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "production-hostile-"));

/** Production's stack file with `edit` applied, written as Pulumi.<name>.yaml. */
export function hostileStackFile(edit: (config: Config) => void, name = "production"): string {
    const document = YAML.parse(fs.readFileSync(stackFilePath("production"), "utf8")) as { config: Config };
    edit(document.config);
    const file = path.join(dir, `Pulumi.${name}.yaml`);
    fs.writeFileSync(file, YAML.stringify(document));
    return file;
}

interface Hostile {
    readonly category: string;
    readonly edit: (c: Config) => void;
    /** The stack name the file is planned as. */
    readonly stack?: string;
    /** "refused": config validation stops the plan; "flagged": the policy pack reports a violation. */
    readonly by: "refused" | "flagged";
    readonly names: RegExp;
}

const github = (c: Config) => c[`${P}github`] as Record<string, Record<string, unknown>>;
const cluster = (c: Config) => c[`${P}cluster`];
const engine = (c: Config) => c[`${P}engine`];
const apps = (c: Config) => c[`${P}apps`] as unknown as { source: Record<string, unknown> }[];

export const HOSTILE: readonly Hostile[] = [
    {
        category: "classic mode",
        edit: (c) => (github(c).protection.mode = "classic"),
        by: "refused",
        names: /gitops-platform:github\.protection\.mode: production invariant ruleset-protection/,
    },
    {
        category: "managedBy",
        edit: (c) => (c[`${P}gitopsRepository`].managedBy = "staging"),
        by: "refused",
        names: /gitops-platform:gitopsRepository\.managedBy: production invariant own-gitops-repository/,
    },
    {
        category: "ci.repository",
        edit: (c) => (c[`${P}ci`].repository = "someone-elses-repository"),
        by: "refused",
        names: /gitops-platform:ci\.repository: production invariant ci-gated-repository/,
    },
    {
        category: "a production stack under another name",
        stack: "prod",
        edit: (c) => (c[`${P}gitopsRepository`].visibility = "public"),
        by: "refused",
        names: /gitops-platform:gitopsRepository\.visibility: production invariant private-repositories/,
    },
    {
        category: "chart values outside the allow-list",
        edit: (c) =>
            (engine(c).values = {
                extraObjects: [{ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding" }],
            }),
        by: "refused",
        names: /gitops-platform:engine\.values\.extraObjects: production invariant tunable-values-only/,
    },
    {
        category: "foreign admin roles",
        edit: (c) => (cluster(c).adminRoleArns as string[]).push("arn:aws:iam::999988887777:role/outsider"),
        by: "refused",
        names: /gitops-platform:cluster\.adminRoleArns\[2\]: production invariant own-account-roles/,
    },
    {
        category: "third-party tags",
        edit: (c) => (apps(c)[2].source.revision = "refs/tags/grafana-10.1.4"),
        by: "refused",
        names: /gitops-platform:apps\[2\]\.source\.revision: production invariant third-party-commit/,
    },
    {
        category: "public endpoint",
        edit: (c) => (cluster(c).endpoint = { publicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] }),
        by: "refused",
        names: /gitops-platform:cluster\.endpoint\.publicAccessCidrs\[0\]: production invariant private-endpoint/,
    },
    {
        category: "missing reviewers",
        edit: (c) => delete github(c).productionReviewers,
        by: "refused",
        names: /gitops-platform:github\.productionReviewers: production invariant production-reviewers/,
    },
    {
        category: "public repository",
        edit: (c) => (github(c).deployRepository.visibility = "public"),
        by: "refused",
        names: /gitops-platform:github\.deployRepository\.visibility: production invariant private-repositories/,
    },
    {
        category: "cascade delete",
        edit: (c) => (engine(c).cascadeDelete = true),
        by: "refused",
        names: /gitops-platform:engine\.cascadeDelete: production invariant no-cascade-delete/,
    },
];

describe("production: each hostile category is refused by the plan or flagged by npm run check (issue 25)", () => {
    for (const h of HOSTILE) {
        it(`${h.by === "refused" ? "refuses" : "flags"} ${h.category}`, async () => {
            const file = hostileStackFile(h.edit, h.stack);
            const { result, err } = await captureOutput(() => checkMain(["--config", file]));
            assert.equal(result, 1, err);
            assert.match(err, h.names);
            assert.match(
                err,
                h.by === "refused"
                    ? /^Stack configuration has \d+ problems?; nothing was declared/
                    : /policy violation/,
            );
            // Printed once, whatever the category.
            assert.equal(err.split(h.names).length, 2, err);
        });
    }
});
