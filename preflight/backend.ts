/**
 * Check "state-backend": the Pulumi state backend the deploy jobs log in to (PULUMI_BACKEND_URL, as
 * the pulumi CLI reads it; empty: Pulumi Cloud) is reachable and writable from here.
 * - s3://<bucket>[/<prefix>][?region=...] (Pulumi docs, "State and backends": AWS S3): the bucket answers
 *   HeadBucket, and a probe object under <prefix>/.pulumi/preflight/ can be written and deleted (the
 *   rights `pulumi up` needs for state, history and locks, all under .pulumi/).
 * - Pulumi Cloud: PULUMI_ACCESS_TOKEN is accepted (GET https://api.pulumi.com/api/user). Write access to
 *   the stack is a Pulumi Cloud team permission that only an update shows; the outcome says so.
 */
import { AWS_NEEDS, AwsAccess, lastLine } from "./aws";
import { fail, notApplicable, Outcome, pass, skip } from "./outcome";
import { Runner } from "./runner";

export type Backend =
    | { readonly kind: "s3"; readonly bucket: string; readonly prefix: string; readonly region: string | undefined }
    | { readonly kind: "cloud"; readonly url: string }
    | { readonly kind: "other"; readonly url: string };

export function parseBackendUrl(url: string | undefined): Backend {
    if (url === undefined || url.trim() === "" || /^https:\/\/(api\.)?(app\.)?pulumi\.com\/?$/.test(url.trim())) {
        return { kind: "cloud", url: "https://api.pulumi.com" };
    }
    const s3 = /^s3:\/\/([^/?]+)\/?([^?]*)(?:\?(.*))?$/.exec(url.trim());
    if (s3 !== null) {
        const region = new URLSearchParams(s3[3] ?? "").get("region") ?? undefined;
        return { kind: "s3", bucket: s3[1], prefix: s3[2].replace(/\/+$/, ""), region };
    }
    return { kind: "other", url };
}

const S3_FIX =
    "give the deploy role s3:ListBucket on the bucket and s3:GetObject, s3:PutObject, s3:DeleteObject on its .pulumi/ keys (and kms:Encrypt, kms:Decrypt, kms:GenerateDataKey on an SSE-KMS key), and check the bucket policy";

async function checkS3(
    runner: Runner,
    backend: Extract<Backend, { kind: "s3" }>,
    stack: string,
    stackRegion: string | undefined,
    aws: AwsAccess,
): Promise<Outcome[]> {
    const subject = `S3 state bucket ${backend.bucket}`;
    if (!aws.available) {
        return [skip(subject, aws.reason, AWS_NEEDS)];
    }
    const region = ["--region", backend.region ?? stackRegion ?? "us-east-1"];
    const head = await runner.exec("aws", ["s3api", "head-bucket", "--bucket", backend.bucket, ...region]);
    if (head.exitCode !== 0) {
        return [
            fail(subject, `not reachable as ${aws.arn}: ${lastLine(head.stderr)}`, `create the bucket, or ${S3_FIX}`),
        ];
    }
    const key = `${backend.prefix === "" ? "" : `${backend.prefix}/`}.pulumi/preflight/${stack}.probe`;
    const object = ["--bucket", backend.bucket, "--key", key, ...region];
    const put = await runner.exec("aws", ["s3api", "put-object", ...object]);
    if (put.exitCode !== 0) {
        return [fail(subject, `reachable but not writable as ${aws.arn}: ${lastLine(put.stderr)}`, S3_FIX)];
    }
    const removed = await runner.exec("aws", ["s3api", "delete-object", ...object]);
    return [
        removed.exitCode === 0
            ? pass(subject, `reachable and writable as ${aws.arn} (wrote and deleted s3://${backend.bucket}/${key})`)
            : fail(
                  subject,
                  `wrote s3://${backend.bucket}/${key} but cannot delete it: ${lastLine(removed.stderr)}`,
                  S3_FIX,
              ),
    ];
}

async function checkCloud(runner: Runner, token: string | undefined): Promise<Outcome[]> {
    const subject = "Pulumi Cloud state";
    if (!token) {
        return [
            skip(
                subject,
                "no credentials: PULUMI_ACCESS_TOKEN is not set",
                "set PULUMI_ACCESS_TOKEN, or PULUMI_BACKEND_URL for a self-managed backend",
            ),
        ];
    }
    try {
        const response = await runner.http("https://api.pulumi.com/api/user", {
            headers: { accept: "application/vnd.pulumi+8", authorization: `token ${token}` },
        });
        if (response.status === 200) {
            const user = JSON.parse(response.body) as { githubLogin?: string; name?: string };
            return [
                pass(
                    subject,
                    `reachable; the token is accepted (user ${user.githubLogin ?? user.name ?? "?"}); write access to the stack is a team permission only an update shows`,
                ),
            ];
        }
        return [
            fail(
                subject,
                `api.pulumi.com refused the token (HTTP ${response.status})`,
                "create a new access token for PULUMI_ACCESS_TOKEN",
            ),
        ];
    } catch (error) {
        return [
            skip(
                subject,
                `api.pulumi.com did not answer: ${(error as Error).message}`,
                "run where api.pulumi.com is reachable",
            ),
        ];
    }
}

export async function checkStateBackend(
    runner: Runner,
    stack: string,
    stackRegion: string | undefined,
    env: Readonly<Record<string, string | undefined>>,
    aws: AwsAccess,
): Promise<Outcome[]> {
    const backend = parseBackendUrl(env.PULUMI_BACKEND_URL);
    switch (backend.kind) {
        case "s3":
            return checkS3(runner, backend, stack, stackRegion, aws);
        case "cloud":
            return checkCloud(runner, env.PULUMI_ACCESS_TOKEN);
        case "other":
            return [
                notApplicable(`state backend ${backend.url}`, "preflight checks S3 and Pulumi Cloud backends only"),
            ];
    }
}
