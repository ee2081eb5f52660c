/**
 * The promotion ledger: an append-only file in this repository (promotion/ledger.jsonl), one JSON line
 * per event. A `promoted` line records a bundle with the evidence and verdict it was promoted on; a
 * `result` line, written by the production workflow after apply, marks it good or bad. Lines are never
 * rewritten: `appendOnly` refuses a new text that does not start with the old one.
 */
import * as fs from "fs";
import * as path from "path";
import { Bundle, bundleIntact } from "./bundle";
import { Evidence } from "./evidence/collect";
import { Verdict } from "./promotionPolicy";

export const LEDGER_FILE = path.join("promotion", "ledger.jsonl");

export interface PromotedEntry {
    readonly type: "promoted";
    readonly at: string;
    readonly bundle: Bundle;
    readonly evidence: Evidence;
    readonly verdict: Verdict;
    /** A rollback restores an earlier good bundle: soak was waived. */
    readonly rollbackOf?: string;
    /** The workflow run that promoted it, when run in CI. */
    readonly run?: string;
}

export interface ResultEntry {
    readonly type: "result";
    readonly at: string;
    readonly bundleId: string;
    readonly to: string;
    readonly result: "good" | "bad";
    readonly detail: string;
    readonly run?: string;
}

export type LedgerEntry = PromotedEntry | ResultEntry;

export class LedgerError extends Error {}

export function parseLedger(text: string, origin: string): LedgerEntry[] {
    return text
        .split("\n")
        .map((line, index) => ({ line, number: index + 1 }))
        .filter(({ line }) => line.trim() !== "")
        .map(({ line, number }) => {
            let entry: LedgerEntry;
            try {
                entry = JSON.parse(line) as LedgerEntry;
            } catch (error) {
                throw new LedgerError(`${origin}:${number}: not JSON (${(error as Error).message})`);
            }
            if (entry.type === "promoted" && !bundleIntact(entry.bundle)) {
                throw new LedgerError(`${origin}:${number}: bundle ${entry.bundle.id} does not match its content`);
            }
            return entry;
        });
}

export function readLedger(root: string): LedgerEntry[] {
    const file = path.join(root, LEDGER_FILE);
    return fs.existsSync(file) ? parseLedger(fs.readFileSync(file, "utf8"), LEDGER_FILE) : [];
}

/** Appends one line; the file and its folder are created on first use. */
export function appendLedger(root: string, entry: LedgerEntry): void {
    const file = path.join(root, LEDGER_FILE);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

/** An edit of the ledger only appends (CI compares the base branch's file with the pull request's). */
export function appendOnly(before: string, after: string): boolean {
    return after.startsWith(before) && (before === "" || before.endsWith("\n"));
}

/** The last bundle promoted into `to`. */
export function lastPromoted(entries: readonly LedgerEntry[], to: string): PromotedEntry | undefined {
    return entries.filter((e): e is PromotedEntry => e.type === "promoted" && e.bundle.to === to).at(-1);
}

/** The result recorded for a bundle in `to`, the latest one winning. */
export function resultOf(entries: readonly LedgerEntry[], to: string, id: string): ResultEntry | undefined {
    return entries.filter((e): e is ResultEntry => e.type === "result" && e.to === to && e.bundleId === id).at(-1);
}

/** The last bundle of `to` that production reported good, optionally before a given one. */
export function lastGood(entries: readonly LedgerEntry[], to: string, excluding?: string): PromotedEntry | undefined {
    return entries
        .filter(
            (e): e is PromotedEntry =>
                e.type === "promoted" &&
                e.bundle.to === to &&
                e.bundle.id !== excluding &&
                resultOf(entries, to, e.bundle.id)?.result === "good",
        )
        .at(-1);
}
