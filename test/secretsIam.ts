/** IAM's ARN matching, for asking whether a policy lets its holder read a given secret. */
import { PolicyDocument } from "../components/cluster/iam";
import { actionsOf } from "./iamAssertions";

/** IAM's wildcard matching of an ARN: "*" any run of characters, "?" one character, the rest literal. */
export function iamMatches(pattern: string, arn: string): boolean {
    const regex = pattern
        .split("")
        .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
        .join("");
    return new RegExp(`^${regex}$`).test(arn);
}

/** Whether an Allow statement grants secretsmanager:GetSecretValue on the ARN. */
export function canRead(policy: PolicyDocument, arn: string): boolean {
    return policy.Statement.some(
        (s) =>
            s.Effect === "Allow" &&
            actionsOf(s).includes("secretsmanager:GetSecretValue") &&
            [s.Resource ?? []].flat().some((pattern) => iamMatches(pattern, arn)),
    );
}
