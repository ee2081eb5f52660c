/**
 * Whether a pull request may replace or delete what the guard protects (delivery/guard.ts). The
 * `allow-destructive` label alone is not enough: its author can add it. It counts when someone other
 * than the author added it (the last labeled event, GitHub REST "List issue events") and that same
 * person approved the pull request's head commit (REST "List reviews for a pull request": state
 * APPROVED, commit_id the head SHA), so a later push needs a new approval.
 *
 *   gh api --paginate repos/<owner>/<repo>/issues/<n>/events --jq '.[]' > events.jsonl
 *   gh api --paginate repos/<owner>/<repo>/pulls/<n>/reviews --jq '.[]' > reviews.jsonl
 *   ts-node delivery/allowance.ts --author <login> --head <sha> --events events.jsonl --reviews reviews.jsonl
 *
 * Prints `allow=true` or `allow=false` (a line for $GITHUB_OUTPUT) and the reason on stderr.
 */
import { expectedFailure, InputError, parseCommand, readTextFile, runCommand, UsageError } from "../cli/command";
import { OVERRIDE_LABEL } from "./guard";

/** The fields read from an issue event (labeled/unlabeled). */
export interface LabelEvent {
    readonly event: string;
    readonly actor?: { login?: string } | null;
    readonly label?: { name?: string } | null;
}

/** The fields read from a pull request review. */
export interface Review {
    readonly user?: { login?: string } | null;
    readonly state: string;
    readonly commit_id?: string;
}

export interface AllowanceInput {
    readonly author: string;
    readonly headSha: string;
    /** In the order GitHub lists them (oldest first). */
    readonly events: readonly LabelEvent[];
    readonly reviews: readonly Review[];
}

export function destructiveAllowance(input: AllowanceInput): { allowed: boolean; reason: string } {
    const labelEvents = input.events.filter(
        (e) => (e.event === "labeled" || e.event === "unlabeled") && e.label?.name === OVERRIDE_LABEL,
    );
    const last = labelEvents.at(-1);
    if (last === undefined || last.event !== "labeled") {
        return { allowed: false, reason: `the pull request does not carry the "${OVERRIDE_LABEL}" label` };
    }
    const labeller = last.actor?.login;
    if (labeller === undefined || labeller === input.author) {
        return {
            allowed: false,
            reason: `"${OVERRIDE_LABEL}" was added by the pull request's author (${input.author}): a reviewer adds it`,
        };
    }
    // A reviewer's standing verdict is their last approval, change request or dismissal; comments leave it.
    const verdict = input.reviews
        .filter((r) => r.user?.login === labeller && r.state !== "COMMENTED" && r.state !== "PENDING")
        .at(-1);
    if (verdict?.state !== "APPROVED" || verdict.commit_id !== input.headSha) {
        return {
            allowed: false,
            reason: `${labeller} added "${OVERRIDE_LABEL}" but has not approved the head commit ${input.headSha}: approve it (again after each push)`,
        };
    }
    return { allowed: true, reason: `${labeller} added "${OVERRIDE_LABEL}" and approved ${input.headSha}` };
}

/** One JSON object per line, as `gh api --jq '.[]'` prints a list. */
export function parseJsonLines<T>(text: string, file: string): T[] {
    return text
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line, i) => {
            try {
                return JSON.parse(line) as T;
            } catch (error) {
                throw new InputError(`${file}:${i + 1}: not JSON: ${(error as Error).message}`);
            }
        });
}

const USAGE = `usage: ts-node delivery/allowance.ts --author <login> --head <sha> --events <file> --reviews <file>

Decides whether the guard may pass a destructive change of a pull request: the "${OVERRIDE_LABEL}"
label counts only when someone other than the author added it and approved the head commit.
  --author <login>   the pull request's author
  --head <sha>       the pull request's head commit
  --events <file>    the issue's events, one JSON object per line (gh api ... --jq '.[]')
  --reviews <file>   the pull request's reviews, one JSON object per line
  --help             print this help
Prints allow=true or allow=false and exits 0; exits 1 on an unreadable file, 2 on bad arguments.`;

export function main(argv: readonly string[]): number {
    try {
        const { values } = parseCommand(argv, {
            usage: USAGE,
            options: {
                author: { type: "string" },
                head: { type: "string" },
                events: { type: "string" },
                reviews: { type: "string" },
            },
        });
        const { author, head, events, reviews } = values;
        if (author === undefined || head === undefined || events === undefined || reviews === undefined) {
            throw new UsageError(`--author, --head, --events and --reviews are required\n${USAGE}`);
        }
        const { allowed, reason } = destructiveAllowance({
            author,
            headSha: head,
            events: parseJsonLines<LabelEvent>(readTextFile(events, "events"), events),
            reviews: parseJsonLines<Review>(readTextFile(reviews, "reviews"), reviews),
        });
        process.stderr.write(`${reason}\n`);
        process.stdout.write(`allow=${allowed}\n`);
        return 0;
    } catch (error) {
        return expectedFailure(error);
    }
}

if (require.main === module) {
    runCommand(main);
}
