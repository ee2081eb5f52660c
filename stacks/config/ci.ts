/** `gitops-platform:ci`: the CI roles of the stack's AWS account (components/ci), see README, CI roles. */
import { z } from "zod";
import { CI_DEFAULTS } from "../../components/ci";
import { DRIFT_ENVIRONMENT } from "../../components/ci/policies";
import { PULL_REQUEST_ENVIRONMENT } from "../ciEnvironments";
import { CrossFieldContext, CrossFieldProblem, optionalSection } from "./crossField";
import { cidr, githubRepositoryName, strictObject } from "./rules";

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
    /**
     * The drift role, for the nightly drift check (`preview --refresh`, which reads the stack's secret
     * values and, through cluster.adminViewRoleArns, its Kubernetes Secrets): trusted by the `drift`
     * environment only, which admits the default branch and no pull request. Default false.
     */
    drift: z.boolean().default(false),
    /**
     * The account's existing GitHub OIDC provider, adopted instead of declared: IAM allows one provider
     * per URL, so an account that already has GitHub's cannot get a second.
     */
    oidcProviderArn: z
        .string()
        .regex(
            /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/,
            "expected the ARN of GitHub's OIDC provider: arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com",
        )
        .optional(),
    /** The S3 state backend (`pulumi login s3://<bucket>/<prefix>`): each role gets exactly its rights on it (docs/ci.md). */
    stateBackend: strictObject({
        /** S3 bucket names: 3-63 lowercase letters, digits, dots and hyphens (S3 User Guide, bucket naming rules). */
        bucket: z
            .string()
            .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "expected an S3 bucket name such as acme-pulumi-state"),
        /** The path after the bucket in the login URL, without leading slash; "" for the bucket's root. */
        prefix: z
            .string()
            .regex(/^([A-Za-z0-9!_.*'()-]+\/)*$/, 'expected a key prefix ending in "/" such as gitops-platform/, or ""')
            .default(""),
        /** The key of the awskms:// secrets provider, when the stack's secrets are encrypted with KMS. */
        secretsKeyArn: z
            .string()
            .regex(
                /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/,
                "expected a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)",
            )
            .optional(),
    }).optional(),
    /**
     * Where the jobs that reach the cluster (preview, up, drift) run, when GitHub-hosted runners cannot
     * reach its API endpoint: a private endpoint, or a public one limited to some address ranges.
     */
    runners: strictObject({
        /** The `runs-on` labels of those jobs, e.g. [self-hosted, linux, gitops-production]. */
        labels: z.array(z.string().regex(/^[A-Za-z0-9_.-]+$/, "expected a runner label")).min(1),
        /**
         * The addresses the API server sees them come from: static egress addresses for a public
         * endpoint (inside publicAccessCidrs), their networks for a private one (admitted on 443).
         */
        cidrs: z.array(cidr).min(1),
    }).optional(),
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
        ...((ci.previewEnvironments ?? []).includes(DRIFT_ENVIRONMENT)
            ? [
                  {
                      path: ["ci", "previewEnvironments"],
                      message: `${DRIFT_ENVIRONMENT} is the drift role's environment (it reads secret values): name another environment for previews`,
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
 * The drift role refreshes Secrets and Helm releases, which only an access entry with
 * AmazonEKSAdminViewPolicy lets it read: with ci.drift on, cluster.adminViewRoleArns names it.
 */
export function driftAccessRule(config: {
    readonly ci?: CiConfig;
    readonly cluster?: { readonly type: string; readonly adminViewRoleArns?: readonly string[] };
}): CrossFieldProblem[] {
    const { ci, cluster } = config;
    if (!ci?.drift || cluster?.type !== "eks") {
        return [];
    }
    const role = `:role/${CI_DEFAULTS.driftRoleName}`;
    return (cluster.adminViewRoleArns ?? []).some((arn) => arn.endsWith(role))
        ? []
        : [
              {
                  path: ["cluster", "adminViewRoleArns"],
                  message: `ci.drift is on, and the drift role cannot read the cluster's Secrets: add arn:aws:iam::<account>${role} to cluster.adminViewRoleArns`,
              },
          ];
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
