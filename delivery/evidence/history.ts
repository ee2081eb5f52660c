/**
 * Staging's update history, as `pulumi stack history --json` prints it. Shape read from pulumi/pulumi
 * v3.270.0 pkg/cmd/pulumi/stack/stack_history.go (`updateInfoJSON`: version, kind, startTime, message,
 * environment, result, endTime) and pkg/backend/updates.go (UpdateResult `succeeded`/`failed`/`in-progress`;
 * environment keys `git.head` = the commit of HEAD, `git.dirty` = uncommitted changes). The workflows run
 * `up` with `message: ${{ github.sha }}`, so the message carries the commit too.
 */
import { z } from "zod";
import { isFullCommitSha } from "../../components/gitops/revisions";
import { EvidenceSource, EvidenceUnavailable } from "./source";

const updateInfo = z.object({
    version: z.number().int(),
    kind: z.string(),
    startTime: z.string(),
    message: z.string().default(""),
    environment: z.record(z.string(), z.string()).nullish(),
    result: z.string().optional(),
    endTime: z.string().optional(),
});

export interface UpdateEvidence {
    /** The last `update` of the stack, whatever its result. */
    readonly last: { readonly version: number; readonly result: string; readonly programCommit?: string };
    /** The last succeeded `update`: its program commit is the bundle's. */
    readonly succeeded?: {
        readonly version: number;
        readonly programCommit?: string;
        readonly finishedAt?: string;
        /** The working tree had uncommitted changes (git.dirty): the commit is not what ran. */
        readonly dirty: boolean;
    };
}

function programCommit(entry: z.infer<typeof updateInfo>): string | undefined {
    const head = entry.environment?.["git.head"];
    if (head !== undefined && isFullCommitSha(head)) {
        return head;
    }
    const message = entry.message.trim();
    return isFullCommitSha(message) ? message : undefined;
}

/** The last update and the last succeeded one, from the CLI's JSON (any order; refreshes and previews ignored). */
export function parseUpdateHistory(text: string): UpdateEvidence {
    const parsed = z.array(updateInfo).safeParse(JSON.parse(text));
    if (!parsed.success) {
        throw new EvidenceUnavailable(
            `the update history is not pulumi stack history --json output: ${parsed.error.issues[0].message} at ${parsed.error.issues[0].path.join(".")}`,
        );
    }
    const updates = parsed.data.filter((entry) => entry.kind === "update").sort((a, b) => b.version - a.version);
    if (updates.length === 0) {
        throw new EvidenceUnavailable("the stack has never been updated");
    }
    const [last] = updates;
    const succeeded = updates.find((entry) => entry.result === "succeeded");
    return {
        last: { version: last.version, result: last.result ?? "in-progress", programCommit: programCommit(last) },
        ...(succeeded
            ? {
                  succeeded: {
                      version: succeeded.version,
                      programCommit: programCommit(succeeded),
                      finishedAt: succeeded.endTime,
                      dirty: succeeded.environment?.["git.dirty"] === "true",
                  },
              }
            : {}),
    };
}

export async function collectUpdate(source: EvidenceSource, stack: string): Promise<UpdateEvidence> {
    return parseUpdateHistory(await source.read({ kind: "history", stack }));
}
