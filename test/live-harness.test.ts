/**
 * The live test's logic without a cluster: the guard, the config it runs with, the seeding, the
 * readiness verdicts over status objects, the one-app-change rule and the teardown check.
 * test/live/run.ts itself only runs against a cluster (npm run test:live); here it is run once with
 * no Pulumi CLI on PATH, where it must skip.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as fc from "fast-check";
import { importEsm, planProgram, planStack, platformConfig, stackConfig, validateConfig } from "./harness";
import { TYPESCRIPT_LOADER } from "../cli/command";
import { runPlatform } from "../stacks";
import { PROJECT_ROOT } from "../plan/stackFile";
import { gitopsSeedFiles } from "../stacks/repositories";
import {
    acceptedFingerprints,
    gitHostName,
    gitServerManifests,
    gitUrl,
    knownHostsLine,
    repositoryPath,
    sshFingerprint,
    START_SCRIPT,
} from "./live/gitServer";
import { Kubectl } from "./live/kube";
import {
    allowedSources,
    AppConfig,
    argoApplication,
    changes,
    externalSecret,
    isThrowawayContext,
    KubeObject,
    crdInventory,
    HELM_KEEP,
    leftovers,
    liveConfig,
    owningApp,
    pendingChanges,
    readinessTargets,
    readyCondition,
    seedScript,
    skipExitCode,
    skipReason,
    Step,
    stuckNamespace,
    unexpectedChanges,
    withRevision,
    workloads,
} from "./live/logic";

const fixtures = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "live-status.json"), "utf8")) as Record<
    string,
    KubeObject
>;
const KNOWN_HOSTS = knownHostsLine(
    gitHostName(),
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBq0Hf1YqkzH1dXvq1Q0k2Jm5jvQW9m9Qy3bV8WlJ5xR root@git",
);
const base = stackConfig("local").config;
const live = (engine: "flux" | "argocd") =>
    liveConfig(base, {
        engine,
        kubeconfig: "/tmp/kubeconfig",
        context: "kind-gitops",
        gitopsRepository: { url: gitUrl("platform-gitops"), knownHosts: KNOWN_HOSTS },
    });
const parsed = (config: Record<string, string>, key: string) => JSON.parse(config[`gitops-platform:${key}`]) as unknown;

describe("live test: the guard", () => {
    const ready = { pulumiVersion: "v3.270.0", kubectl: true };

    it("runs only on kind-*, k3d-*, minikube or the context named in LIVE_TEST_CONTEXT", () => {
        for (const context of ["kind-gitops", "k3d-dev", "minikube"]) {
            assert.equal(skipReason({ ...ready, context }), undefined, context);
        }
        assert.equal(skipReason({ ...ready, context: "lab-cluster", allowedContext: "lab-cluster" }), undefined);
        for (const context of [
            "arn:aws:eks:eu-west-1:123456789012:cluster/production",
            "gke_acme_europe-west1_prod",
            "kind",
            "minikube-prod",
            "my-kind-cluster",
        ]) {
            assert.match(
                skipReason({ ...ready, context }) ?? "",
                new RegExp(
                    `^live test skipped: context ${context.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not a throwaway cluster`,
                ),
                context,
            );
        }
    });

    it("refuses any context that does not start with kind-/k3d- and is not minikube (property)", () => {
        fc.assert(
            fc.property(fc.string({ minLength: 1, maxLength: 30 }), (context) => {
                const throwaway =
                    (context.startsWith("kind-") && context.length > 5) ||
                    (context.startsWith("k3d-") && context.length > 4) ||
                    context === "minikube";
                assert.equal(isThrowawayContext(context), throwaway);
                assert.equal(skipReason({ ...ready, context }) === undefined, throwaway);
            }),
        );
    });

    it("says in one line what is missing and how to get it", () => {
        const cases: [Parameters<typeof skipReason>[0], RegExp][] = [
            [
                { kubectl: true, context: "kind-gitops" },
                /no Pulumi CLI on PATH \(install it: curl -fsSL https:\/\/get\.pulumi\.com \| sh\)$/,
            ],
            [{ ...ready, kubectl: false, context: "kind-gitops" }, /no kubectl on PATH/],
            [{ ...ready }, /no current kubeconfig context \(create a cluster: kind create cluster --name gitops\)$/],
            [
                { ...ready, context: "kind-other", allowedContext: "kind-gitops" },
                /LIVE_TEST_CONTEXT is kind-gitops but the current context is kind-other/,
            ],
            [
                { ...ready, context: "prod" },
                /use kind create cluster --name gitops, or name it in LIVE_TEST_CONTEXT=prod/,
            ],
        ];
        for (const [env, message] of cases) {
            const reason = skipReason(env) ?? "";
            assert.match(reason, /^live test skipped: /);
            assert.match(reason, message);
            assert.ok(!reason.includes("\n"));
        }
    });

    it("npm run test:live without a Pulumi CLI prints the skip line and exits 0", function () {
        this.timeout(120_000);
        // An empty PATH (node is started by its full path): no pulumi and no kubectl, whatever this machine has.
        const env = { PATH: fs.mkdtempSync(path.join(os.tmpdir(), "live-path-")), HOME: os.tmpdir() };
        const skipped = spawnSync(process.execPath, [...TYPESCRIPT_LOADER, "test/live/run.ts"], {
            cwd: PROJECT_ROOT,
            env,
            encoding: "utf8",
        });
        assert.equal(skipped.status, 0, skipped.stderr);
        assert.equal(
            skipped.stdout,
            "live test skipped: no Pulumi CLI on PATH (install it: curl -fsSL https://get.pulumi.com | sh)\n",
        );
    });

    it("fails a skip only when LIVE_TEST_REQUIRED=1", () => {
        assert.equal(skipExitCode("1"), 4, "a required skip is a refusal (docs/commands.md)");
        for (const value of [undefined, "", "0", "true"]) {
            assert.equal(skipExitCode(value), 0);
        }
    });
});

describe("live test: the stack config", () => {
    it("points the checked-in local stack at this cluster, the engine and the in-cluster repository, and keeps every other key", () => {
        for (const engine of ["flux", "argocd"] as const) {
            const config = live(engine);
            assert.deepEqual(parsed(config, "cluster"), {
                type: "existing",
                kubeconfig: "/tmp/kubeconfig",
                context: "kind-gitops",
            });
            assert.deepEqual(parsed(config, "gitopsRepository"), {
                ...(parsed(base, "gitopsRepository") as object),
                anonymous: false,
                url: "ssh://git@git.gitops-live-git.svc.cluster.local/srv/git/platform-gitops.git",
                knownHosts: KNOWN_HOSTS,
            });
            const changed = ["cluster", "engine", "gitopsRepository", "apps"].map((k) => `gitops-platform:${k}`);
            for (const key of Object.keys(base).filter((k) => !changed.includes(k))) {
                assert.equal(config[key], base[key], key);
            }
        }
        assert.deepEqual(parsed(live("flux"), "engine"), parsed(base, "engine"));
        assert.deepEqual(parsed(live("argocd"), "engine"), { type: "argocd" });
    });

    it("adds a twin of the first app in its own namespace, and the program's schema accepts the result for both engines", () => {
        const apps = parsed(live("flux"), "apps") as AppConfig[];
        const first = (parsed(base, "apps") as AppConfig[])[0];
        assert.deepEqual(
            apps.map((a) => a.name),
            [first.name, `${first.name}-twin`],
        );
        assert.deepEqual({ ...apps[1], name: first.name }, first);
        for (const engine of ["flux", "argocd"] as const) {
            const config = validateConfig("local", { config: live(engine), secretKeys: [] });
            assert.equal(config.engine.type, engine);
            assert.deepEqual(
                config.apps.map((a) => a.namespace ?? a.name),
                [first.namespace ?? first.name, `${first.name}-twin`],
            );
        }
    });

    it("changes one app's revision and nothing else", () => {
        const apps = parsed(live("flux"), "apps") as AppConfig[];
        const changed = withRevision(apps, apps[0].name, "6.9.1");
        assert.equal(changed[0].source.revision, "6.9.1");
        assert.deepEqual(
            { ...changed[0], source: { ...changed[0].source, revision: apps[0].source.revision } },
            apps[0],
        );
        assert.deepEqual(changed[1], apps[1]);
        assert.throws(() => withRevision(apps, "nope", "1.0.0"), /no app nope/);
    });
});

describe("live test: seeding the in-cluster repository", () => {
    const files = gitopsSeedFiles(validateConfig("local", { config: live("flux"), secretKeys: [] }), ["@a/b"]);

    it("are the program's seed files for the local stack: the root sync folder, the local overlay and every deployment overlay", () => {
        assert.deepEqual(Object.keys(files).sort(), [
            ".github/scripts/render.sh",
            ".github/workflows/gitops-checks.yml",
            "CODEOWNERS",
            "README.md",
            "apps/base/kustomization.yaml",
            "apps/base/platform-info.yaml",
            "apps/overlays/local/kustomization.yaml",
            "apps/overlays/production/kustomization.yaml",
            "apps/overlays/staging/kustomization.yaml",
            "clusters/local/kustomization.yaml",
        ]);
    });

    it("are what the program commits to a GitOps repository it creates on GitHub (staging's plan)", async () => {
        const planned = (await planStack("staging")).resources.filter(
            (r) => r.type === "github:index/repositoryFile:RepositoryFile",
        );
        const staging = platformConfig("staging");
        const committed = Object.fromEntries(planned.map((r) => [r.inputs.file as string, r.inputs.content as string]));
        assert.deepEqual(committed, gitopsSeedFiles(staging, staging.github!.codeOwners));
    });

    it("commits exactly the program's seed layout on the branch (the script run with sh and git here)", function () {
        this.timeout(30_000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "live-seed-"));
        const bare = path.join(dir, "platform-gitops.git");
        const tricky = { ...files, 'notes/it\'s "quoted" $HOME.txt': "line 1\n'single' \"double\" `tick` $(nope)\n" };
        const run = spawnSync("sh", ["-s"], {
            input: seedScript(tricky, { repositoryPath: bare, branch: "main" }),
            encoding: "utf8",
        });
        assert.equal(run.status, 0, run.stderr);
        const git = (...args: string[]) => spawnSync("git", ["--git-dir", bare, ...args], { encoding: "utf8" }).stdout;
        assert.equal(git("symbolic-ref", "HEAD").trim(), "refs/heads/main");
        const paths = git("ls-tree", "-r", "-z", "--name-only", "main").split("\0").filter(Boolean).sort();
        assert.deepEqual(paths, Object.keys(tricky).sort());
        for (const [file, content] of Object.entries(tricky)) {
            assert.equal(git("show", `main:${file}`), content, file);
        }
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("refuses paths that leave the repository", () => {
        assert.throws(
            () => seedScript({ "../x": "" }, { repositoryPath: "/srv/git/r.git", branch: "main" }),
            /must be relative/,
        );
        assert.throws(
            () => seedScript({ "/etc/passwd": "" }, { repositoryPath: "/srv/git/r.git", branch: "main" }),
            /must be relative/,
        );
    });

    it("hands the repository to the server's git user when told to", () => {
        assert.match(
            seedScript(files, { repositoryPath: repositoryPath("platform-gitops"), branch: "main", owner: "git:git" }),
            /^chown -R 'git:git' '\/srv\/git\/platform-gitops\.git'$/m,
        );
    });
});

describe("live test: the Git server", () => {
    it("is an sshd that takes any client key, runs its start script as valid sh, and is ready when port 22 answers", () => {
        type Container = { image: string; readinessProbe: { tcpSocket: unknown }; command: string[] };
        const [namespace, deployment, service] = gitServerManifests() as [
            { kind: string },
            { kind: string; spec: { template: { spec: { containers: Container[] } } } },
            { kind: string; spec: { ports: unknown[] } },
        ];
        assert.deepEqual([namespace.kind, deployment.kind, service.kind], ["Namespace", "Deployment", "Service"]);
        const container = deployment.spec.template.spec.containers[0];
        assert.match(container.image, /^alpine:\d+\.\d+$/);
        assert.deepEqual(container.readinessProbe.tcpSocket, { port: 22 });
        assert.equal(container.command[2], START_SCRIPT);
        assert.equal(spawnSync("sh", ["-n", "-c", START_SCRIPT]).status, 0);
        assert.match(START_SCRIPT, /AuthorizedKeysCommand \/usr\/local\/bin\/any-key %t %k/);
        assert.match(START_SCRIPT, /exec \/usr\/sbin\/sshd -D -e$/);
        assert.deepEqual(service.spec.ports, [{ name: "ssh", port: 22, targetPort: 22 }]);
    });

    it("names its host in known_hosts the way the URL names it", () => {
        assert.equal(new URL(gitUrl("platform-gitops")).hostname, gitHostName());
        assert.match(KNOWN_HOSTS, /^git\.gitops-live-git\.svc\.cluster\.local ssh-ed25519 AAAA\S+$/);
        assert.throws(() => knownHostsLine("h", "ssh-rsa AAAAB3 x"), /expected an ssh-ed25519/);
    });

    it("computes key fingerprints as ssh-keygen does, and reads the accepted ones from sshd's log", function () {
        this.timeout(30_000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "live-key-"));
        const key = path.join(dir, "id");
        assert.equal(spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]).status, 0);
        const publicKey = fs.readFileSync(`${key}.pub`, "utf8");
        const expected = spawnSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${key}.pub`], {
            encoding: "utf8",
        }).stdout.split(" ")[1];
        assert.equal(sshFingerprint(publicKey), expected);
        const log = [
            "Server listening on 0.0.0.0 port 22.",
            `Accepted publickey for git from 10.244.0.12 port 40312 ssh2: ED25519 ${expected}`,
            `Accepted publickey for git from 10.244.0.12 port 40320 ssh2: ED25519 ${expected}`,
            "Failed publickey for root from 10.244.0.9 port 1 ssh2: ED25519 SHA256:abc",
        ].join("\n");
        assert.deepEqual(acceptedFingerprints(log), [expected]);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});

describe("live test: readiness over status objects", () => {
    it("the recorded objects are valid against the CRDs' schemas", async () => {
        type Model = new (o: unknown) => { validate(): void };
        const load = async (specifier: string, name: string) =>
            (await importEsm<Record<string, Model>>(specifier))[name];
        const models: Record<string, Model> = {
            Application: await load("@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application", "Application"),
            Kustomization: await load(
                "@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization",
                "Kustomization",
            ),
            HelmRelease: await load("@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2/HelmRelease", "HelmRelease"),
            ExternalSecret: await load(
                "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret",
                "ExternalSecret",
            ),
            SecretStore: await load(
                "@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore",
                "SecretStore",
            ),
        };
        let checked = 0;
        for (const [name, object] of Object.entries(fixtures)) {
            const Model = object.kind ? models[object.kind] : undefined;
            if (Model) {
                assert.doesNotThrow(() => new Model(object).validate(), name);
                checked++;
            }
        }
        assert.equal(checked, 10);
    });

    it("Argo CD Applications: Synced and Healthy only", () => {
        assert.deepEqual(argoApplication(fixtures.argoSyncedHealthy), {
            ready: true,
            detail: "sync Synced, health Healthy; last operation Succeeded: successfully synced (all tasks run)",
        });
        const progressing = argoApplication(fixtures.argoOutOfSyncProgressing);
        assert.equal(progressing.ready, false);
        assert.match(progressing.detail, /^sync OutOfSync, health Progressing \(Waiting for rollout/);
        const error = argoApplication(fixtures.argoComparisonError);
        assert.equal(error.ready, false);
        assert.match(error.detail, /ComparisonError: .*knownhosts: key is unknown/);
        assert.equal(argoApplication({ kind: "Application" }).ready, false);
    });

    it("Flux objects and the FluxInstance: Ready=True for the current generation", () => {
        for (const name of ["fluxKustomizationReady", "helmReleaseReady", "fluxInstanceReady", "secretStoreValid"]) {
            assert.equal(readyCondition(fixtures[name]).ready, true, name);
        }
        assert.deepEqual(readyCondition(fixtures.fluxKustomizationStale), {
            ready: false,
            detail: "Ready=True is for generation 1, the object is at 2",
        });
        assert.deepEqual(readyCondition(fixtures.fluxKustomizationFailed), {
            ready: false,
            detail: "Ready=False (ReconciliationFailed): ConfigMap/platform-info namespace not specified",
        });
        assert.deepEqual(readyCondition(fixtures.fluxInstanceProgressing), {
            ready: false,
            detail: "Ready=Unknown (Progressing): Reconciliation in progress",
        });
        assert.deepEqual(readyCondition({}), { ready: false, detail: "no Ready condition yet" });
    });

    it("ExternalSecrets: Ready, and the target Secret holds the value the test put in the source namespace", () => {
        const secret = fixtures.podinfoSecret;
        assert.equal(
            externalSecret(fixtures.externalSecretReady, secret, { "podinfo-api-token": "live-podinfo-api-token-1234" })
                .ready,
            true,
        );
        assert.deepEqual(externalSecret(fixtures.externalSecretReady, secret, { "podinfo-api-token": "other" }), {
            ready: false,
            detail: "Ready, but target Secret: api-token differs from the source value",
        });
        assert.deepEqual(externalSecret(fixtures.externalSecretReady, undefined, { "podinfo-api-token": "x" }), {
            ready: false,
            detail: "Ready, but target Secret: api-token missing",
        });
        // Engine credentials: no value of the test's to compare, Ready is enough.
        assert.equal(externalSecret(fixtures.externalSecretReady, undefined, {}).ready, true);
        assert.deepEqual(externalSecret(fixtures.externalSecretError, secret, {}), {
            ready: false,
            detail: "Ready=False (SecretSyncedError): could not get secret data from provider",
        });
    });

    it("workloads: every Deployment Available with its replicas ready, every StatefulSet ready", () => {
        assert.deepEqual(workloads([fixtures.deploymentAvailable, fixtures.statefulSetReady]), {
            ready: true,
            detail: "2 workloads ready",
        });
        assert.deepEqual(workloads([fixtures.deploymentAvailable, fixtures.deploymentUnavailable]), {
            ready: false,
            detail: "Deployment/argocd-repo-server 0/1 ready",
        });
        assert.equal(workloads([]).ready, false);
    });
});

describe("live test: what to wait for, from what the stack declares", () => {
    const plan = (engine: "flux" | "argocd") => planProgram(runPlatform, "local", live(engine));
    const names = ["podinfo", "podinfo-twin"];
    const summary = (targets: ReturnType<typeof readinessTargets>) =>
        targets.map((t) => `${t.role} | ${t.check} | ${t.resource} ${t.namespace ?? ""}/${t.name}`).sort();

    it("Flux: the instance, its generated root sync, each app's source and Kustomization, the secrets, the releases' workloads", async () => {
        assert.deepEqual(summary(readinessTargets((await plan("flux")).resources, names)), [
            "app podinfo | external-secret | externalsecrets.external-secrets.io podinfo/podinfo-secrets",
            "app podinfo | ready-condition | kustomizations.kustomize.toolkit.fluxcd.io flux-system/podinfo",
            "app podinfo | ready-condition | secretstores.external-secrets.io podinfo/podinfo-secret-store",
            "app podinfo-twin | external-secret | externalsecrets.external-secrets.io podinfo-twin/podinfo-twin-secrets",
            "app podinfo-twin | ready-condition | kustomizations.kustomize.toolkit.fluxcd.io flux-system/podinfo-twin",
            "app podinfo-twin | ready-condition | secretstores.external-secrets.io podinfo-twin/podinfo-twin-secret-store",
            "engine credentials | external-secret | externalsecrets.external-secrets.io flux-system/platform-gitops-git-credentials",
            "engine | ready-condition | fluxinstances.fluxcd.controlplane.io flux-system/flux",
            "release flux-release | workloads | namespace /flux-system",
            "release local-secrets-release | workloads | namespace /external-secrets",
            "root sync | ready-condition | gitrepositories.source.toolkit.fluxcd.io flux-system/flux-system",
            "root sync | ready-condition | kustomizations.kustomize.toolkit.fluxcd.io flux-system/flux-system",
            "secret store | ready-condition | clustersecretstores.external-secrets.io /platform-secrets",
            "source | ready-condition | gitrepositories.source.toolkit.fluxcd.io flux-system/stefanprodan-podinfo-6-9-2",
        ]);
    });

    it("Argo CD: the root Application, each app's Application, the secrets, the releases' workloads", async () => {
        const targets = summary(readinessTargets((await plan("argocd")).resources, names));
        assert.deepEqual(
            targets.filter((t) => !t.includes("external-secrets.io")),
            [
                "app podinfo | argo-application | applications.argoproj.io argocd/podinfo",
                "app podinfo-twin | argo-application | applications.argoproj.io argocd/podinfo-twin",
                "release argocd-release | workloads | namespace /argocd",
                "release local-secrets-release | workloads | namespace /external-secrets",
                "root sync | argo-application | applications.argoproj.io argocd/root",
            ],
        );
        for (const secrets of [
            "app podinfo | external-secret | externalsecrets.external-secrets.io podinfo/podinfo-secrets",
            "app podinfo | ready-condition | secretstores.external-secrets.io podinfo/podinfo-secret-store",
            "secret store | ready-condition | clustersecretstores.external-secrets.io /platform-secrets",
        ]) {
            assert.ok(targets.includes(secrets), secrets);
        }
    });
});

describe("live test: changing one app's revision", () => {
    const apps = parsed(live("flux"), "apps") as AppConfig[];
    const names = apps.map((a) => a.name);
    const urn = (parent: string, type: string, name: string) =>
        `urn:pulumi:local::gitops-platform::gitops-platform:${parent}$${type}::${name}`;
    const kustomization = "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization";
    const gitRepository = "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository";
    const step = (op: string, parent: string, type: string, name: string, objectName?: string): Step => ({
        op,
        urn: urn(parent, type, name),
        type,
        objectName,
    });

    it("owns a resource by the longest app name it starts with", () => {
        assert.equal(owningApp("podinfo-twin-kustomization", names), "podinfo-twin");
        assert.equal(owningApp("podinfo-kustomization", names), "podinfo");
        assert.equal(owningApp("podinfox-kustomization", names), undefined);
    });

    it("may touch the new source, and the old one only when no other app still reads it", () => {
        assert.deepEqual(allowedSources(apps, "podinfo", "6.9.1", "platform-gitops"), ["stefanprodan-podinfo-6-9-1"]);
        assert.deepEqual(allowedSources([apps[0]], "podinfo", "6.9.1", "platform-gitops"), [
            "stefanprodan-podinfo-6-9-1",
            "stefanprodan-podinfo-6-9-2",
        ]);
    });

    it("flags every change outside the app and its sources", () => {
        const allowed = allowedSources(apps, "podinfo", "6.9.1", "platform-gitops");
        const fine = [
            step("update", "apps:App", kustomization, "podinfo-kustomization"),
            step(
                "create",
                "gitops:Flux",
                gitRepository,
                "flux-source-stefanprodan-podinfo-6-9-1",
                "stefanprodan-podinfo-6-9-1",
            ),
            step("same", "gitops:Flux", "kubernetes:helm.sh/v3:Release", "flux-release"),
            step("update", "", "pulumi:pulumi:Stack", "gitops-platform-local"),
        ];
        assert.deepEqual(unexpectedChanges(fine, "podinfo", names, allowed), []);
        assert.deepEqual(changes(fine), fine.slice(0, 2), "'same' steps and the stack's outputs are not changes");
        const wrong = [
            step("update", "apps:App", kustomization, "podinfo-twin-kustomization"),
            step(
                "delete",
                "gitops:Flux",
                gitRepository,
                "flux-source-stefanprodan-podinfo-6-9-2",
                "stefanprodan-podinfo-6-9-2",
            ),
            step("update", "gitops:Flux", "kubernetes:helm.sh/v3:Release", "flux-release"),
            step(
                "replace",
                "gitops:Flux",
                "kubernetes:fluxcd.controlplane.io/v1:FluxInstance",
                "flux-instance",
                "flux",
            ),
        ];
        assert.deepEqual(unexpectedChanges([...fine, ...wrong], "podinfo", names, allowed), wrong);
    });

    it("a second preview is clean only when every operation is 'same'", () => {
        assert.deepEqual(pendingChanges({ same: 40 }), {});
        assert.deepEqual(pendingChanges({ same: 38, update: 2, create: 0 }), { update: 2 });
    });
});

describe("live test: teardown", () => {
    const before = { namespaces: ["default", "gitops-live-git", "kube-system"], crds: [], webhooks: [] };

    it("reports every namespace, CRD and webhook that was not there before", () => {
        assert.deepEqual(leftovers(before, before), []);
        assert.deepEqual(
            leftovers(before, {
                namespaces: [...before.namespaces, "argocd"],
                crds: ["applications.argoproj.io"],
                webhooks: ["validating/externalsecret-validate"],
            }),
            ["namespace argocd", "CRD applications.argoproj.io", "webhook validating/externalsecret-validate"],
        );
        // Something the run removed that existed before is not the program's leftover.
        assert.deepEqual(leftovers(before, { namespaces: ["default", "kube-system"], crds: [], webhooks: [] }), []);
    });

    it("issue 24 finding 6: CRDs their chart keeps on purpose (helm.sh/resource-policy: keep) are not leftovers", () => {
        const kept = (name: string) => ({
            metadata: { name, annotations: { [HELM_KEEP.annotation]: HELM_KEEP.value } },
        });
        const inventory = crdInventory([
            // flux-operator's chart (templates/crds.yaml) and argo-cd's with crds.keep annotate theirs so.
            kept("fluxinstances.fluxcd.controlplane.io"),
            kept("applications.argoproj.io"),
            // External Secrets' chart does not: destroy must remove them.
            { metadata: { name: "externalsecrets.external-secrets.io" } },
        ]);
        assert.deepEqual(inventory, {
            crds: ["externalsecrets.external-secrets.io"],
            kept: ["applications.argoproj.io", "fluxinstances.fluxcd.controlplane.io"],
        });
        assert.deepEqual(leftovers(before, { ...before, crds: inventory.crds }), [
            "CRD externalsecrets.external-secrets.io",
        ]);
    });

    it("says what holds a namespace stuck in Terminating", () => {
        assert.equal(
            stuckNamespace(fixtures.namespaceTerminating),
            "namespace podinfo is Terminating (NamespaceContentRemaining: Some resources are remaining: externalsecrets.external-secrets.io has 1 resource instances; " +
                "NamespaceFinalizersRemaining: Some content in the namespace has finalizers remaining: externalsecrets.external-secrets.io/externalsecret-cleanup in 1 resource instances)",
        );
        assert.equal(stuckNamespace({ kind: "Namespace", status: { phase: "Active" } }), undefined);
    });
});

describe("live test: reading the cluster (kubectl stand-in)", () => {
    let dir: string;
    let savedPath: string | undefined;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "live-kubectl-"));
        // Answers like kubectl does for `get <resource> -o name`, and only for the kubeconfig it was given.
        const script = [
            "#!/bin/sh",
            `[ "$1" = --kubeconfig ] && [ "$2" = ${dir}/config ] || exit 3`,
            'case "$4" in',
            "  namespaces) printf 'namespace/kube-system\\nnamespace/default\\n' ;;",
            // CRDs as JSON: one the chart keeps on purpose (helm.sh/resource-policy: keep), one it does not.
            `  customresourcedefinitions) echo '${JSON.stringify({
                items: [
                    { metadata: { name: "applications.argoproj.io" } },
                    {
                        metadata: {
                            name: "fluxinstances.fluxcd.controlplane.io",
                            annotations: { "helm.sh/resource-policy": "keep" },
                        },
                    },
                ],
            })}' ;;`,
            "  validatingwebhookconfigurations) printf '%s\\n' " +
                "validatingwebhookconfiguration.admissionregistration.k8s.io/externalsecret-validate ;;",
            "  mutatingwebhookconfigurations) ;;",
            '  *) echo "Error from server (NotFound)" >&2; exit 1 ;;',
            "esac",
            "",
        ].join("\n");
        fs.writeFileSync(path.join(dir, "kubectl"), script, { mode: 0o755 });
        savedPath = process.env.PATH;
        process.env.PATH = `${dir}${path.delimiter}${savedPath ?? ""}`;
    });
    after(() => {
        process.env.PATH = savedPath;
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("lists namespaces, CRDs and webhooks by name for the teardown check, and a missing object is undefined", () => {
        const kube = new Kubectl(path.join(dir, "config"));
        assert.deepEqual(kube.inventory(), {
            namespaces: ["default", "kube-system"],
            crds: ["applications.argoproj.io"],
            webhooks: ["validating/externalsecret-validate"],
        });
        assert.equal(kube.get("applications.argoproj.io", "root", "argocd"), undefined);
        assert.throws(() => new Kubectl("/elsewhere").inventory(), /kubectl get namespaces -o name failed/);
    });
});
