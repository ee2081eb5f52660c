/** `gitops-platform:ci`: the CI roles of the stack's AWS account (components/ci), see README, CI roles. */
import { z } from "zod";
import { PULL_REQUEST_ENVIRONMENT } from "../ciEnvironments";
import { CrossFieldContext, CrossFieldProblem, optionalSection } from "./crossField";
import { githubRepositoryName, strictObject } from "./rules";

/** A GitHub environment name as the workflows write it. */
const environmentName = z.string().regex(/^[A-Za-z0-9_.-]{1,255}$/, "expected a GitHub environment name");

export const ciConfig = strictObject({
    /**
     * The repository whose workflows assume the roles (under github:owner); defaults to github.deployRepository.name.
     */
    repository: githubRepositoryName.optional(),
    /**
     * Environments of the jobs that assume the preview role. Default: the read-only environments whose
     * credentials reach the stack's environment (stacks/ciEnvironments.ts): `preview` (pull requests,
     * staging's drift check) and `promotion` for staging, `production-preview` (main only) for production.
     */
    previewEnvironments: z.array(environmentName).min(1).optional(),
});

export type CiConfig = z.infer<typeof ciConfig>;

type CiProblem = { path: PropertyKey[]; message: string };

/** The roles live in the stack's AWS account and name a repository of github:owner. */
export function ciProblems(
    ci: CiConfig,
    clusterType: string,
    deployRepository: string | undefined,
    githubOwner: string | undefined,
): CiProblem[] {
    return [
        ...(clusterType !== "eks"
            ? [
                  {
                      path: ["ci"],
                      message: "CI roles are declared in the stack's AWS account: only an EKS stack has one, remove ci",
                  },
              ]
            : []),
        ...(ci.repository === undefined && deployRepository === undefined
            ? [
                  {
                      path: ["ci", "repository"],
                      message:
                          "name the repository whose workflows assume the roles (this program's), or set github.deployRepository",
                  },
              ]
            : []),
        ...(githubOwner === undefined
            ? [
                  {
                      path: ["ci"],
                      message: "the roles' subjects name github:owner: pulumi config set github:owner <organization>",
                  },
              ]
            : []),
        ...((ci.previewEnvironments ?? []).some((e) => e === "staging" || e === "production")
            ? [
                  {
                      path: ["ci", "previewEnvironments"],
                      message:
                          "staging and production are deploy environments: their jobs assume the deploy role, not the preview role",
                  },
              ]
            : []),
    ];
}

/** The CI section against the cluster, the deploy repository and github:owner. */
export function ciRules(
    config: {
        readonly ci?: CiConfig;
        readonly cluster?: { readonly type: string };
        readonly github?: { readonly deployRepository?: { readonly name: string } };
    },
    { present, values }: CrossFieldContext,
): CrossFieldProblem[] {
    const { ci, cluster } = config;
    if (ci === undefined || cluster === undefined) {
        return [];
    }
    const github = optionalSection(config.github, present("github"));
    // github is undefined when its section did not parse: its own problems are reported instead.
    return ciProblems(
        ci,
        cluster.type,
        github === undefined ? "" : github?.deployRepository?.name,
        values["github:owner"],
    );
}

/**
 * Production's credentials stay out of reach of pull requests and of staging (docs/ci-security.md):
 * the production stack's preview role is not trusted by the environment pull-request code runs in,
 * and only the production stack manages the program's repository, whose ruleset and `production`
 * environment gate production (so only production's GitHub App needs administration there).
 */
export function ciSeparationRules(
    config: {
        readonly environment?: string;
        readonly ci?: CiConfig;
        readonly github?: { readonly deployRepository?: { readonly name: string } };
    },
    { present }: CrossFieldContext,
): CrossFieldProblem[] {
    const { environment, ci } = config;
    const github = optionalSection(config.github, present("github"));
    if (environment === undefined || github === undefined) {
        return [];
    }
    const deployRepository = github?.deployRepository?.name;
    const production = environment === "production";
    return [
        ...(production && ci?.previewEnvironments?.includes(PULL_REQUEST_ENVIRONMENT)
            ? [
                  {
                      path: ["ci", "previewEnvironments"],
                      message: `pull-request code runs in "${PULL_REQUEST_ENVIRONMENT}": production's preview role must not trust it; use [production-preview] (main only)`,
                  },
              ]
            : []),
        ...(!production && deployRepository !== undefined
            ? [
                  {
                      path: ["github", "deployRepository"],
                      message: `the program's repository holds production's ruleset and environment: only the production stack manages it (a ${environment} stack's GitHub App must have no rights there); remove github.deployRepository`,
                  },
              ]
            : []),
    ];
}
