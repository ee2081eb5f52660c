/** IAM roles that AWS services assume for an EKS cluster, and their managed policies. */
import * as aws from "../core/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument, serviceTrustPolicy } from "./iam";

export const json = (document: PolicyDocument) => JSON.stringify(document);

/** A role an AWS service (EKS, EC2) assumes for this cluster. */
export function serviceRole(
    resourceName: string,
    description: string,
    service: string,
    tags: Record<string, string>,
    parent: pulumi.Resource,
): aws.iam.Role {
    return new aws.iam.Role(
        resourceName,
        { description, assumeRolePolicy: json(serviceTrustPolicy(service)), tags },
        { parent },
    );
}

export function attachManaged(
    prefix: string,
    role: aws.iam.Role,
    policyArns: readonly string[],
    parent: pulumi.Resource,
): aws.iam.RolePolicyAttachment[] {
    return policyArns.map(
        (policyArn) =>
            new aws.iam.RolePolicyAttachment(
                `${prefix}-${policyArn.slice(policyArn.lastIndexOf("/") + 1)}`,
                {
                    role: role.name,
                    policyArn,
                },
                { parent },
            ),
    );
}
