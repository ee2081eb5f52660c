/** Config → the CI roles of the stack's AWS account: what the workflows' environment secrets name. */
import * as pulumi from "@pulumi/pulumi";
import { CiRoles } from "../components/ci";
import { DRIFT_ENVIRONMENT, WORKLOAD_ROLE_PATH } from "../components/ci/policies";
import { CI_ENVIRONMENTS, previewEnvironmentsFor } from "./ciEnvironments";
import { PlatformConfig } from "./config";
import { stackTags } from "./cluster";
import { profileOf } from "./profiles";
import { secretsPrefix } from "./secrets";

const IAM_ROLE = "aws:iam/role:Role";

/**
 * The stack's own environment (staging or production) is the deploy environment: its workflow's job
 * runs there, from the workflow file stacks/ciEnvironments.ts names. Validation guarantees
 * github:owner and a repository name when ci is set. Every IAM role declared after the CI roles gets
 * the workload path and boundary (one transformation for all of them, whichever component declares
 * it): the deploy role can create, change and pass no other role.
 */
export function createCiRoles(config: PlatformConfig): CiRoles | undefined {
    const ci = config.ci;
    if (ci === undefined) {
        return undefined;
    }
    const deployWorkflow = CI_ENVIRONMENTS[config.environment]?.deployWorkflow;
    const roles = new CiRoles("ci", {
        repository: {
            owner: config.githubOwner!,
            name: (ci.repository ?? config.github?.deployRepository?.name)!,
        },
        previewEnvironments: ci.previewEnvironments ?? previewEnvironmentsFor(config.environment),
        deployEnvironments: [config.environment],
        deployWorkflows: deployWorkflow === undefined ? [] : [deployWorkflow],
        secretPrefixes: config.secrets?.type === "aws-secrets-manager" ? [secretsPrefix(config)] : [],
        driftEnvironments: ci.drift ? [DRIFT_ENVIRONMENT] : [],
        existingProviderArn: ci.oidcProviderArn,
        stateBackend: ci.stateBackend,
        tags: stackTags(config),
        protect: profileOf(config.environment).protect,
    });
    const boundary = roles.workloadBoundaryArn;
    pulumi.runtime.registerStackTransformation((args) =>
        args.type === IAM_ROLE
            ? { props: { ...args.props, path: WORKLOAD_ROLE_PATH, permissionsBoundary: boundary }, opts: args.opts }
            : undefined,
    );
    return roles;
}
