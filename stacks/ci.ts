/** Config → the CI roles of the stack's AWS account: what the workflows' environment secrets name. */
import { CiRoles } from "../components/ci";
import { DRIFT_ENVIRONMENT } from "../components/ci/policies";
import { PlatformConfig } from "./config";
import { stackTags } from "./cluster";
import { profileOf } from "./profiles";
import { secretsPrefix } from "./secrets";

/**
 * The stack's own environment (staging or production) is the deploy environment: its workflow's job
 * runs there. Validation guarantees github:owner and a repository name when ci is set.
 */
export function createCiRoles(config: PlatformConfig): CiRoles | undefined {
    const ci = config.ci;
    if (ci === undefined) {
        return undefined;
    }
    return new CiRoles("ci", {
        repository: {
            owner: config.githubOwner!,
            name: (ci.repository ?? config.github?.deployRepository?.name)!,
        },
        previewEnvironments: ci.previewEnvironments,
        deployEnvironments: [config.environment],
        driftEnvironments: ci.drift ? [DRIFT_ENVIRONMENT] : [],
        // The drift role reads the values of the stack's own Secrets Manager secrets.
        secretNamePrefix: config.secrets?.type === "aws-secrets-manager" ? secretsPrefix(config) : undefined,
        existingProviderArn: ci.oidcProviderArn,
        stateBackend: ci.stateBackend,
        tags: stackTags(config),
        protect: profileOf(config.environment).protect,
    });
}
