/**
 * Whether AWS can be asked from here: the AWS CLI installed and credentials it accepts
 * (`aws sts get-caller-identity`, which needs no permission). Checks that need AWS skip, naming what
 * was missing, when it cannot.
 */
import { Runner } from "./runner";

export type AwsAccess =
    | { readonly available: true; readonly account: string; readonly arn: string }
    | { readonly available: false; readonly reason: string };

/** The last non-empty line of a command's error output: where the AWS CLI puts its message. */
export function lastLine(output: string): string {
    return (
        output
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => l !== "")
            .pop() ?? ""
    );
}

/** `aws sts get-caller-identity` (STS API reference, GetCallerIdentity: { UserId, Account, Arn }). */
export async function awsAccess(runner: Runner, region: string | undefined): Promise<AwsAccess> {
    const result = await runner.exec("aws", [
        "sts",
        "get-caller-identity",
        ...(region === undefined ? [] : ["--region", region]),
        "--output",
        "json",
    ]);
    if (result.exitCode === 127) {
        return { available: false, reason: "the AWS CLI (aws) is not installed" };
    }
    if (result.exitCode !== 0) {
        return {
            available: false,
            reason: `no usable AWS credentials (${lastLine(result.stderr) || `exit ${result.exitCode}`})`,
        };
    }
    const identity = JSON.parse(result.stdout) as { Account?: string; Arn?: string };
    return { available: true, account: identity.Account ?? "", arn: identity.Arn ?? "" };
}

/** What a skipped AWS check needed. */
export const AWS_NEEDS =
    "run with AWS credentials for the stack's account (the deploy or preview role; `aws sts get-caller-identity` must work)";
