/**
 * `npm run check` on the checked-in stacks, and on copies of their offline plans with one control
 * broken: each copy must fail on exactly the rule of that control, for every rule the pack has.
 */
import * as assert from "node:assert/strict";
import { fromPlanned } from "../policy/check";
import { checkResources, PolicyResource, RULES, TYPES } from "../policy/rules";
import { SECURITY_TYPES as T } from "../policy/security";
import { planStack } from "./harness";
import { FLUX, SUCCESS_RATE, withDelivery } from "./progressive-delivery-fixtures";

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call -- each break edits one resource type's untyped provider inputs in place */
/** A plan resource as a copy the breaks edit in place. */
type Mutable = Omit<PolicyResource, "props" | "options"> & { props: Record<string, any>; options: Record<string, any> };
type Break = (resources: Mutable[]) => Mutable[];

const first =
    (type: string, where: (r: Mutable) => boolean = () => true) =>
    (resources: Mutable[]) => {
        const found = resources.find((r) => r.type === type && where(r));
        assert.ok(found, `no ${type} in the plan`);
        return found;
    };
const withTeam = (r: Mutable) => typeof r.props.metadata?.labels?.team === "string";
/** Changes the first resource of a type. */
const edit =
    (type: string, change: (r: Mutable) => void, where?: (r: Mutable) => boolean): Break =>
    (resources) => {
        change(first(type, where)(resources));
        return resources;
    };
/** Drops the first resource of a type. */
const drop =
    (type: string, where?: (r: Mutable) => boolean): Break =>
    (resources) => {
        const gone = first(type, where)(resources);
        return resources.filter((r) => r !== gone);
    };

/** A GitHub-trusted role of the plan that also trusts one more subject. */
const alsoTrusts = (role: string, subject: string): Break =>
    edit(
        T.iamRole,
        (r) => {
            const trust = JSON.parse(String(r.props.assumeRolePolicy));
            trust.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"].push(subject);
            r.props.assumeRolePolicy = JSON.stringify(trust);
        },
        (r) => r.name === role,
    );
const branchRuleset = (r: Mutable) => r.props.target === "branch";
const named = (name: string) => (r: Mutable) => (r.props.metadata as { name?: string } | undefined)?.name === name;
/** Drops every ruleset of the first repository. */
const unprotect: Break = (resources) => {
    const name = first(TYPES.repository)(resources).props.name;
    return resources.filter((r) => !(r.type === TYPES.repositoryRuleset && r.props.repository === name));
};

const FLUX_PRODUCTION = { set: { "gitops-platform:engine": { type: "flux", multitenancy: true } } };
type Plan =
    | "staging"
    | "production"
    | "local"
    | "production-flux"
    | "staging-delivery"
    | "production-flux-delivery"
    | "staging-sealed"
    | "fleet-example";
const SEALED = { set: { "gitops-platform:secrets": { type: "sealed-secrets" } } };
const DELIVERY = withDelivery("staging", { analysis: { metrics: [SUCCESS_RATE] } });
const FLUX_DELIVERY = withDelivery(
    "production",
    { port: 80, analysis: { metrics: [SUCCESS_RATE] } },
    { ...FLUX, "gitops-platform:delivery": { prometheusAddress: "http://prometheus:9090", meshProvider: "linkerd" } },
);

const BREAKS: Record<string, [Plan, Break]> = {
    "repository-protected": ["production", unprotect],
    "no-public-repository-in-production": [
        "production",
        edit(TYPES.repository, (r) => {
            r.props.visibility = "public";
        }),
    ],
    "helm-chart-version-pinned": [
        "staging",
        edit(TYPES.helmRelease, (r) => {
            r.props.version = "^2.0.0";
        }),
    ],
    "no-literal-secret-data": [
        "production",
        edit(TYPES.secret, (r) => {
            r.props.stringData = { token: "hunter2" };
        }),
    ],
    "production-sync-without-prune": [
        "production",
        edit(
            TYPES.argoApplication,
            (r) => {
                r.props.spec.syncPolicy = { automated: { prune: true } };
            },
            withTeam,
        ),
    ],
    "eks-secrets-encryption": [
        "staging",
        edit(T.eksCluster, (r) => {
            delete r.props.encryptionConfig;
        }),
    ],
    "launch-template-imdsv2": [
        "staging",
        edit(T.launchTemplate, (r) => {
            r.props.metadataOptions.httpTokens = "optional";
        }),
    ],
    "iam-no-wildcard-actions": [
        "staging",
        edit(
            TYPES.iamRolePolicy,
            (r) => {
                r.props.policy = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] });
            },
            // A workload's policy: the CI roles' policies are what their own rules read.
            (r) => !r.name.startsWith("ci-"),
        ),
    ],
    "kms-key-rotation": [
        "production",
        edit(T.kmsKey, (r) => {
            r.props.enableKeyRotation = false;
        }),
    ],
    "launch-template-imds-hop-limit": [
        "staging",
        edit(T.launchTemplate, (r) => {
            r.props.metadataOptions.httpPutResponseHopLimit = 2;
        }),
    ],
    "launch-template-encrypted-volumes": [
        "production",
        edit(T.launchTemplate, (r) => {
            r.props.blockDeviceMappings[0].ebs.encrypted = "false";
        }),
    ],
    "eks-private-endpoint": [
        "staging",
        edit(T.eksCluster, (r) => {
            r.props.vpcConfig.endpointPrivateAccess = false;
        }),
    ],
    "eks-private-endpoint-reached-by-ci": ["production", drop(T.securityGroupIngressRule)],
    "eks-public-endpoint-restricted": [
        "production",
        edit(T.eksCluster, (r) => {
            r.props.vpcConfig.endpointPublicAccess = true;
        }),
    ],
    "eks-access-entries-without-creator-admin": [
        "staging",
        edit(T.eksCluster, (r) => {
            r.props.accessConfig.bootstrapClusterCreatorAdminPermissions = true;
        }),
    ],
    "eks-control-plane-logs": [
        "production",
        edit(T.eksCluster, (r) => {
            r.props.enabledClusterLogTypes = ["api"];
        }),
    ],
    "log-group-retention": [
        "staging",
        edit(T.logGroup, (r) => {
            delete r.props.retentionInDays;
        }),
    ],
    "log-group-kms-encrypted": [
        "staging",
        edit(T.logGroup, (r) => {
            delete r.props.kmsKeyId;
        }),
    ],
    "log-group-kept-in-production": [
        "production",
        edit(T.logGroup, (r) => {
            r.options.retainOnDelete = false;
        }),
    ],
    "eks-deletion-protection-in-production": [
        "production",
        edit(T.eksCluster, (r) => {
            r.props.deletionProtection = false;
        }),
    ],
    "iam-trust-no-open-principal": [
        "staging",
        edit(T.iamRole, (r) => {
            r.props.assumeRolePolicy = JSON.stringify({
                Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }],
            });
        }),
    ],
    "github-oidc-trust-pinned-subject": [
        "staging",
        edit(
            T.iamRole,
            (r) => {
                const trust = JSON.parse(String(r.props.assumeRolePolicy));
                delete trust.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"];
                r.props.assumeRolePolicy = JSON.stringify(trust);
            },
            (r) => r.name === "ci-preview",
        ),
    ],
    "ci-preview-role-no-secret-reads": [
        "production",
        drop(T.iamRolePolicy, (r) => r.name === "ci-preview-permissions"),
    ],
    "ci-drift-role-drift-environment-only": [
        "production",
        alsoTrusts("ci-drift", "repo:acme-platform/gitops-platform:environment:preview"),
    ],
    "ci-deploy-role-environments-only": [
        "production",
        alsoTrusts("ci-deploy", "repo:acme-platform/gitops-platform:pull_request"),
    ],
    "eks-admin-policy-cluster-scope-only": [
        "staging",
        edit(T.accessPolicyAssociation, (r) => {
            r.props.accessScope = { type: "namespace", namespaces: ["payments-api"] };
        }),
    ],
    "eks-team-access-through-groups-only": [
        "production",
        (resources) => {
            const team = first(T.accessEntry, (r) => Array.isArray(r.props.kubernetesGroups))(resources);
            const admin = first(T.accessPolicyAssociation)(resources);
            const association = {
                ...structuredClone(admin),
                urn: `${admin.urn}-team`,
                props: { ...admin.props, principalArn: team.props.principalArn },
            };
            return [...resources, association];
        },
    ],
    "protect-in-production": [
        "production",
        edit(T.vpc, (r) => {
            r.options.protect = false;
        }),
    ],
    "retain-app-namespaces-in-production": [
        "production",
        edit(
            T.namespace,
            (r) => {
                r.options.retainOnDelete = false;
            },
            withTeam,
        ),
    ],
    "namespace-pod-security": [
        "staging",
        edit(
            T.namespace,
            (r) => {
                r.props.metadata.labels["pod-security.kubernetes.io/enforce"] = "privileged";
            },
            withTeam,
        ),
    ],
    "namespace-default-deny": ["local", drop(T.networkPolicy, named("default-deny"))],
    "platform-namespace-ingress-isolated": ["production", drop(T.networkPolicy, named("platform-ingress"))],
    "namespace-quota-and-limits": ["staging", drop(T.limitRange)],
    "rbac-no-builtin-admin-binding": [
        "staging",
        edit(T.roleBinding, (r) => {
            r.props.roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" };
        }),
    ],
    "rbac-no-wildcards-or-escalation": [
        "production",
        edit(T.clusterRole, (r) => {
            r.props.rules[0].verbs = ["*"];
        }),
    ],
    // The plans hide Argo CD's values as a secret (they hold the SSO client secret): the copy shows them.
    "argocd-anonymous-off": [
        "staging",
        edit(
            TYPES.helmRelease,
            (r) => {
                r.props.values = { configs: { cm: { "users.anonymous.enabled": "true" } } };
            },
            (r) => r.props.chart === "argo-cd",
        ),
    ],
    "argocd-exec-off": [
        "staging",
        edit(
            TYPES.helmRelease,
            (r) => {
                r.props.values = { configs: { cm: { "exec.enabled": "true" } } };
            },
            (r) => r.props.chart === "argo-cd",
        ),
    ],
    "argocd-admin-off-in-production": [
        "production",
        edit(
            TYPES.helmRelease,
            (r) => {
                r.props.values = { configs: { cm: { "admin.enabled": true } } };
            },
            (r) => r.props.chart === "argo-cd",
        ),
    ],
    "argocd-default-project-locked": [
        "production",
        edit(T.appProjectPatch, (r) => {
            r.props.spec.sourceRepos = ["*"];
        }),
    ],
    "argocd-team-project-whitelist": [
        "staging",
        edit(
            T.appProject,
            (r) => {
                r.props.spec.namespaceResourceWhitelist.push({
                    group: "rbac.authorization.k8s.io",
                    kind: "RoleBinding",
                });
            },
            withTeam,
        ),
    ],
    "argocd-application-not-in-default-project": [
        "staging",
        edit(
            TYPES.argoApplication,
            (r) => {
                r.props.spec.project = "default";
            },
            withTeam,
        ),
    ],
    "flux-multitenant-in-production": [
        "production-flux",
        edit(T.fluxInstance, (r) => {
            r.props.spec.cluster.multitenant = false;
        }),
    ],
    "flux-tenant-service-account": [
        "production-flux",
        edit(
            T.fluxKustomization,
            (r) => {
                delete r.props.spec.serviceAccountName;
            },
            withTeam,
        ),
    ],
    "delivery-tenant-kinds": [
        "staging-delivery",
        edit(
            T.appProject,
            (r) => {
                r.props.spec.namespaceResourceWhitelist.push({ group: "argoproj.io", kind: "Application" });
            },
            withTeam,
        ),
    ],
    "flagger-no-cross-namespace-refs": [
        "production-flux-delivery",
        edit(
            TYPES.helmRelease,
            (r) => {
                r.props.values.noCrossNamespaceRefs = false;
            },
            (r) => r.props.chart === "flagger",
        ),
    ],
    "sealed-secrets-no-cluster-wide": [
        "staging-sealed",
        edit(T.admissionPolicyBinding, (r) => {
            r.props.spec.validationActions = ["Warn"];
        }),
    ],
    "delivery-canary-refs-in-namespace": [
        "production-flux-delivery",
        edit(T.flaggerCanary, (r) => {
            r.props.spec.analysis.metrics[0].templateRef.namespace = "checkout";
        }),
    ],
    "external-secrets-no-role-aggregation": [
        "staging",
        edit(
            TYPES.helmRelease,
            (r) => {
                r.props.values.rbac.aggregateToAdmin = true;
            },
            (r) => r.props.chart === "external-secrets",
        ),
    ],
    "ruleset-enforced": [
        "staging",
        edit(
            T.ruleset,
            (r) => {
                r.props.enforcement = "evaluate";
            },
            branchRuleset,
        ),
    ],
    "ruleset-no-force-push-or-deletion": [
        "staging",
        edit(
            T.ruleset,
            (r) => {
                r.props.rules.nonFastForward = false;
            },
            branchRuleset,
        ),
    ],
    "ruleset-requires-review": [
        "production",
        edit(
            T.ruleset,
            (r) => {
                r.props.rules.pullRequest.requiredApprovingReviewCount = 1;
            },
            branchRuleset,
        ),
    ],
    "release-tags-immutable": [
        "staging",
        edit(
            T.ruleset,
            (r) => {
                r.props.rules.update = false;
            },
            (r) => r.props.target === "tag",
        ),
    ],
    "codeowners-seeded": ["production", drop(T.repositoryFile, (r) => r.props.file === "CODEOWNERS")],
    "environment-production-reviewed": [
        "production",
        edit(
            T.environment,
            (r) => {
                r.props.canAdminsBypass = true;
            },
            (r) => r.props.environment === "production",
        ),
    ],
    "environment-deploys-from-named-branches": [
        "staging",
        edit(T.environmentPolicy, (r) => {
            r.props.branchPattern = "*";
        }),
    ],
    "workflow-token-read-only": [
        "staging",
        edit(T.workflowPermissions, (r) => {
            r.props.canApprovePullRequestReviews = true;
        }),
    ],
    "deploy-repository-gated-in-production": [
        "production",
        drop(T.environment, (r) => r.name === "gitops-platform-env-staging"),
    ],
    "ruleset-checks-bound-to-app": [
        "production",
        edit(
            T.ruleset,
            (r) => {
                const rules = r.props.rules as {
                    requiredStatusChecks: { requiredChecks: { integrationId?: number }[] };
                };
                delete rules.requiredStatusChecks.requiredChecks[0].integrationId;
            },
            branchRuleset,
        ),
    ],
    "deploy-key-read-only": [
        "staging",
        edit(T.deployKey, (r) => {
            r.props.readOnly = false;
        }),
    ],
    // Issue 25, finding 8: a tenant's NetworkPolicy, a Kustomization tenant's Secrets, the hub server's role.
    "tenant-no-network-policy": [
        "staging",
        edit(
            T.appProject,
            (r) => {
                r.props.spec.namespaceResourceWhitelist.push({ group: "networking.k8s.io", kind: "NetworkPolicy" });
            },
            withTeam,
        ),
    ],
    "flux-tenant-secrets-for-helm-only": [
        "production-flux",
        edit(
            T.roleBinding,
            (r) => {
                r.props.roleRef.name = "flux-tenant-helm-storage";
            },
            (r) => r.props.metadata?.namespace === "payments-api",
        ),
    ],
    "fleet-server-no-spoke-role": [
        "fleet-example",
        (resources) => {
            const controller = first(
                T.podIdentityAssociation,
                (r) => r.props.serviceAccount === "argocd-application-controller",
            )(resources);
            const server: Mutable = {
                ...structuredClone(controller),
                name: controller.name.replace("argocd-application-controller", "argocd-server"),
                urn: controller.urn.replace("argocd-application-controller", "argocd-server"),
            };
            server.props.serviceAccount = "argocd-server";
            return [...resources, server];
        },
    ],
};

describe("npm run check: one control broken at a time", () => {
    const plans = new Map<Plan, PolicyResource[]>();
    before(async function () {
        this.timeout(120_000);
        for (const [plan, stack, overrides] of [
            ["staging", "staging", {}],
            ["production", "production", {}],
            ["local", "local", {}],
            ["production-flux", "production", FLUX_PRODUCTION],
            ["staging-delivery", "staging", DELIVERY],
            ["production-flux-delivery", "production", FLUX_DELIVERY],
            ["staging-sealed", "staging", SEALED],
            ["fleet-example", "fleet-example", {}],
        ] as const) {
            plans.set(plan, (await planStack(stack, overrides)).resources.map(fromPlanned));
        }
    });

    it("has at least 35 rules, and a break for each", () => {
        assert.ok(RULES.length >= 35, `${RULES.length} rules`);
        assert.deepEqual(Object.keys(BREAKS).sort(), RULES.map((r) => r.name).sort());
    });

    it("the checked-in stacks (and production on Flux) pass every rule", () => {
        for (const [plan, resources] of plans) {
            assert.deepEqual(
                checkResources(resources).map((v) => `${v.rule}: ${v.message}`),
                [],
                plan,
            );
        }
    });

    for (const [rule, [plan, broken]] of Object.entries(BREAKS)) {
        it(`${plan} with ${rule} broken fails on that rule only`, () => {
            const copy = broken(structuredClone(plans.get(plan)!));
            assert.deepEqual(
                checkResources(copy as unknown as PolicyResource[]).map((v) => v.rule),
                [rule],
            );
        });
    }
});
