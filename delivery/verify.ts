/**
 * The production workflow's side of promotion. Before `pulumi up`, `verifyBundle`: the last bundle in the
 * ledger is intact, the stack file holds its commits and platform versions, the program being applied is
 * the bundle's program commit (nothing that `up` reads changed since), and its evidence is not stale.
 * After `up`, `awaitProduction`: production's engine reports every app of the bundle synced at its
 * commit and healthy, within a bounded wait; the result becomes a ledger line (`resultEntry`).
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { PlatformConfig } from "../stacks/config";
import { collectEngine, EngineAppStatus } from "./evidence/engine";
import { EvidenceSource } from "./evidence/source";
import { lastPromoted, PromotedEntry, readLedger, ResultEntry } from "./ledger";
import { loadStackFile, PromotionRefused } from "./promote";
import { resolvePolicy } from "./promotionPolicy";

/**
 * Paths whose change does not change what `pulumi up` applies: stack files (each stack's own values;
 * the promotion changes the target's), the ledger, docs, tests and workflows. Pulumi.yaml is the project.
 */
export function programChanges(paths: readonly string[]): string[] {
    return paths.filter(
        (p) =>
            !(
                (/^Pulumi\.[^/]+\.yaml$/.test(p) && p !== "Pulumi.yaml") ||
                /^(promotion|docs|test|bench|\.github)\//.test(p) ||
                /\.md$/.test(p)
            ),
    );
}

/**
 * GitHub's compare API, `GET /repos/{owner}/{repo}/compare/{base}...{head}`: `{ status: ahead|behind|
 * identical|diverged, files: [{ filename, ... }] }` (docs.github.com/en/rest/commits/commits, "Compare two commits").
 */
export const compareAnswer = z.object({
    status: z.enum(["ahead", "behind", "identical", "diverged"]),
    files: z.array(z.object({ filename: z.string() })).default([]),
});
export type Compare = z.infer<typeof compareAnswer>;

export interface VerifyOptions {
    readonly stack: string;
    readonly root: string;
    readonly now: Date;
    /** The comparison of the bundle's program commit with the commit being applied. */
    readonly compare: (programCommit: string) => Promise<Compare>;
}

/** The value at a dotted label (`engine.chartVersion`) of a loaded config, as text. */
function configValue(config: PlatformConfig, label: string): string | undefined {
    const value = label
        .split(".")
        .reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], config);
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
        ? String(value)
        : value === undefined
          ? undefined
          : JSON.stringify(value);
}

/** Every reason the bundle must not be applied; empty when it may. */
export async function verifyBundle(options: VerifyOptions): Promise<{ entry?: PromotedEntry; problems: string[] }> {
    const entry = lastPromoted(readLedger(options.root), options.stack);
    if (entry === undefined) {
        return {
            problems: [`promotion/ledger.jsonl has no bundle for ${options.stack}: promote with npm run promote`],
        };
    }
    const { bundle } = entry;
    const file = path.join(options.root, `Pulumi.${options.stack}.yaml`);
    const config = loadStackFile(file, fs.readFileSync(file, "utf8"), options.stack);
    const problems: string[] = [];
    for (const [name, app] of Object.entries(bundle.apps)) {
        const declared = config.apps.find((a) => a.name === name)?.source.revision;
        if (declared !== app.sha) {
            problems.push(
                `app ${name}: Pulumi.${options.stack}.yaml has ${declared ?? "no such app"}, bundle ${bundle.id} has ${app.sha}`,
            );
        }
    }
    for (const [label, version] of Object.entries(bundle.platform)) {
        const declared = configValue(config, label);
        if (declared !== version) {
            problems.push(
                `${label}: Pulumi.${options.stack}.yaml has ${declared ?? "nothing"}, bundle ${bundle.id} has ${version}`,
            );
        }
    }
    let compare: Compare | undefined;
    try {
        compare = await options.compare(bundle.programCommit);
    } catch (error) {
        problems.push(`cannot compare the program with ${bundle.programCommit}: ${(error as Error).message}`);
    }
    if (compare !== undefined) {
        if (compare.status === "behind" || compare.status === "diverged") {
            problems.push(
                `the program commit ${bundle.programCommit} is not in the history being applied (${compare.status})`,
            );
        }
        const changed = programChanges(compare.files.map((f) => f.filename));
        if (changed.length > 0) {
            const shown =
                changed.slice(0, 10).join(", ") + (changed.length > 10 ? `, and ${changed.length - 10} more` : "");
            problems.push(
                `the program differs from ${bundle.programCommit}, which ${bundle.from} proved: ${shown}; promote again once ${bundle.from} has applied it`,
            );
        }
    }
    // A rollback restores a bundle production already ran well: its evidence is old by design.
    if (entry.rollbackOf === undefined) {
        const maxAge = resolvePolicy(config.promotion).evidenceMaxAgeMinutes;
        const age = Math.floor((options.now.getTime() - Date.parse(entry.evidence.collectedAt)) / 60000);
        if (age > maxAge) {
            problems.push(
                `the evidence of bundle ${bundle.id} is ${age}m old, more than promotion.evidenceMaxAge (${maxAge}m): promote again`,
            );
        }
    }
    return { entry, problems };
}

export interface AwaitOptions {
    readonly stack: string;
    readonly root: string;
    readonly source: EvidenceSource;
    readonly timeoutSeconds: number;
    readonly intervalSeconds: number;
    readonly now: () => Date;
    readonly sleep: (seconds: number) => Promise<void>;
    /** The outcome of the workflow's `pulumi up` step; anything but success is a bad result without waiting. */
    readonly upOutcome?: string;
}

/** What is still wrong with production for the bundle; empty when every app is synced at its commit and healthy. */
export function productionProblems(
    entry: PromotedEntry,
    appNames: readonly string[],
    statuses: Readonly<Record<string, EngineAppStatus>>,
): string[] {
    const apps = Object.keys(entry.bundle.apps).length > 0 ? Object.keys(entry.bundle.apps) : appNames;
    return apps.flatMap((name) => {
        const status = statuses[name];
        const sha = entry.bundle.apps[name]?.sha;
        if (status === undefined) {
            return [`${name}: the engine has no such app`];
        }
        if (
            sha !== undefined &&
            (status.revision === undefined || !sha.startsWith(status.revision) || !status.synced)
        ) {
            return [`${name}: synced at ${status.revision ?? "nothing"}, not ${sha}`];
        }
        return status.healthy ? [] : [`${name}: ${status.health}`];
    });
}

/** Polls production until the bundle is live and healthy, or the time is up; the ledger line either way. */
export async function awaitProduction(options: AwaitOptions): Promise<ResultEntry> {
    const entry = lastPromoted(readLedger(options.root), options.stack);
    if (entry === undefined) {
        throw new PromotionRefused(`promotion/ledger.jsonl has no bundle for ${options.stack}`);
    }
    const file = path.join(options.root, `Pulumi.${options.stack}.yaml`);
    const config = loadStackFile(file, fs.readFileSync(file, "utf8"), options.stack);
    const start = options.now().getTime();
    const check = async (): Promise<string[]> => {
        try {
            const statuses = await collectEngine(options.source, options.stack, config.engine.type);
            return productionProblems(
                entry,
                config.apps.map((a) => a.name),
                statuses,
            );
        } catch (error) {
            return [`cannot read production's engine: ${(error as Error).message}`];
        }
    };
    const upFailed = options.upOutcome !== undefined && options.upOutcome !== "success";
    let problems = upFailed ? [`pulumi up: ${options.upOutcome}`] : await check();
    while (
        !upFailed &&
        problems.length > 0 &&
        (options.now().getTime() - start) / 1000 + options.intervalSeconds <= options.timeoutSeconds
    ) {
        await options.sleep(options.intervalSeconds);
        problems = await check();
    }
    return {
        type: "result",
        at: options.now().toISOString(),
        bundleId: entry.bundle.id,
        to: options.stack,
        result: problems.length === 0 ? "good" : "bad",
        detail: problems.length === 0 ? "every app synced at the bundle's commits and healthy" : problems.join("; "),
    };
}
