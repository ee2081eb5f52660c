/**
 * `npm run test:live`: the local stack for real, through Pulumi's Automation API, against the
 * cluster of the current kubeconfig context, once with Flux and once with Argo CD.
 *
 * For each engine: a fresh local file backend and passphrase in a temporary folder, the program
 * inline (index.ts's runPlatform), the checked-in Pulumi.local.yaml with this cluster, the engine and
 * an in-cluster Git server set through the Automation API (the file is never edited); then up, wait
 * for everything to be Ready, a second preview with no changes, one app's revision changed (only that
 * app may change), destroy, and nothing left behind. On failure it prints the objects' status, the
 * workloads and the last events. It skips with one line when there is no Pulumi CLI, kubectl or
 * context, or the context is not a throwaway cluster (see logic.ts).
 *
 * Environment: LIVE_TEST_CONTEXT (allow a context by name), LIVE_TEST_ENGINES (default
 * "flux,argocd"), LIVE_TEST_TIMEOUT_MINUTES (per wait, default 15; each Pulumi operation gets twice
 * that), LIVE_TEST_REVISION (the changed revision, default 6.9.1), LIVE_TEST_LOG_DIR (logs; default a
 * temporary folder), LIVE_TEST_REQUIRED=1 (a skip fails: CI must not pass by skipping).
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { EngineEvent, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { EXIT, expectedFailure, helpText, parseCommand } from "../../cli/command";
import { clusterPath } from "../../components/repository/layout";
import { APP_VALUE_KEY, appSourceName } from "../../components/secrets/kubernetes";
import { PROJECT_ROOT, readStackConfig, stackFilePath } from "../../plan/stackFile";
// index.ts exports exactly this function as the program.
import { runPlatform } from "../../stacks";
import { loadConfig, PlatformConfig } from "../../stacks/config";
import { gitopsSeedFiles } from "../../stacks/repositories";
import {
    acceptedFingerprints,
    GIT_NAMESPACE,
    GIT_SERVICE,
    gitHostName,
    gitServerManifests,
    gitUrl,
    knownHostsLine,
    repositoryPath,
    sshFingerprint,
} from "./gitServer";
import { Kubectl } from "./kube";
import {
    allowedSources,
    AppConfig,
    argoApplication,
    changes,
    ClusterInventory,
    Engine,
    externalSecret,
    leftovers,
    liveConfig,
    pendingChanges,
    PROJECT_KEY_PREFIX,
    readinessTargets,
    readyCondition,
    seedScript,
    skipExitCode,
    skipReason,
    StateResource,
    Step,
    stuckNamespace,
    Target,
    unexpectedChanges,
    Verdict,
    withRevision,
    workloads,
} from "./logic";

const STACK = "local";
// The local stack has no github section and so no code owners; CODEOWNERS means nothing to the engine.
const CODE_OWNERS = ["@gitops-platform/live-test"];
const minutes = Number(process.env.LIVE_TEST_TIMEOUT_MINUTES ?? "15");
const newRevision = process.env.LIVE_TEST_REVISION ?? "6.9.1";
const engines = (process.env.LIVE_TEST_ENGINES ?? "flux,argocd").split(",").map((e) => e.trim()) as Engine[];
let logFile = "";

function log(line: string): void {
    console.log(line);
    fs.appendFileSync(logFile, `${line}\n`);
}

function detail(text: string): void {
    fs.appendFileSync(logFile, text);
}

function commandOutput(command: string, args: string[]): string | undefined {
    const result = spawnSync(command, args, { encoding: "utf8" });
    return result.status === 0 ? result.stdout.trim() : undefined;
}

class Failure extends Error {}

// ---------------------------------------------------------------------------------------------

function startGitServer(kube: Kubectl): string {
    log(`git server: ${GIT_NAMESPACE}/${GIT_SERVICE}`);
    kube.must(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: gitServerManifests() }));
    kube.must(["rollout", "status", `deployment/${GIT_SERVICE}`, "-n", GIT_NAMESPACE, "--timeout=300s"]);
    const hostKey = kube.must([
        "exec",
        "-n",
        GIT_NAMESPACE,
        `deployment/${GIT_SERVICE}`,
        "--",
        "cat",
        "/etc/ssh/ssh_host_ed25519_key.pub",
    ]);
    return knownHostsLine(gitHostName(), hostKey);
}

/** Exactly what the program seeds into a GitOps repository it creates on GitHub (the same function). */
function seedRepository(kube: Kubectl, config: PlatformConfig): void {
    const files = gitopsSeedFiles(config, CODE_OWNERS);
    const script = seedScript(files, {
        repositoryPath: repositoryPath(config.gitopsRepository.name),
        branch: config.gitopsRepository.branch,
        owner: "git:git",
    });
    kube.must(["exec", "-i", "-n", GIT_NAMESPACE, `deployment/${GIT_SERVICE}`, "--", "sh", "-s"], script);
    log(
        `seeded ${Object.keys(files).length} files (root sync: ${clusterPath(config.stack)}/) on ${config.gitopsRepository.branch}`,
    );
}

/** The value the test puts in the source namespace for every app key, by source Secret name. */
function sourceValues(config: PlatformConfig): Record<string, string> {
    return Object.fromEntries(
        config.apps.flatMap((app) =>
            app.secretKeys.map((key) => [
                appSourceName(app.name, key),
                `live-${app.name}-${key}-${crypto.randomBytes(6).toString("hex")}`,
            ]),
        ),
    );
}

function sourceSecret(namespace: string, name: string, value: string): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name, namespace },
        stringData: { [APP_VALUE_KEY]: value },
    });
}

/**
 * Writes the source Secrets during up, as soon as the program has created their namespace (it owns
 * the namespace, so the test cannot create it first); flush writes whatever is still missing after up.
 */
function writeSourceSecretsWhenPossible(
    kube: Kubectl,
    namespace: string,
    values: Record<string, string>,
): { stop(): void; flush(): void } {
    const pending = new Set(Object.keys(values));
    let busy = false;
    const timer = setInterval(() => {
        if (busy || pending.size === 0) {
            return;
        }
        busy = true;
        void (async () => {
            for (const name of [...pending]) {
                // Fails until the program has created the namespace.
                if (await kube.runAsync(["apply", "-f", "-"], sourceSecret(namespace, name, values[name]))) {
                    pending.delete(name);
                    log(`source secret ${namespace}/${name} written`);
                }
            }
            busy = false;
        })();
    }, 3000);
    return {
        stop: () => clearInterval(timer),
        flush: () => {
            for (const name of pending) {
                kube.must(["apply", "-f", "-"], sourceSecret(namespace, name, values[name]));
                log(`source secret ${namespace}/${name} written`);
            }
        },
    };
}

// ---------------------------------------------------------------------------------------------

function evaluate(kube: Kubectl, target: Target, expected: Record<string, string>): Verdict {
    if (target.check === "workloads") {
        return workloads([...kube.list("deployments", target.name), ...kube.list("statefulsets", target.name)]);
    }
    const object = kube.get(target.resource, target.name, target.namespace);
    if (object === undefined) {
        return { ready: false, detail: "not found" };
    }
    if (target.check === "argo-application") {
        return argoApplication(object);
    }
    if (target.check === "external-secret") {
        const secretName = (object.spec?.target as { name?: string } | undefined)?.name ?? target.name;
        return externalSecret(object, kube.get("secret", secretName, target.namespace), expected);
    }
    return readyCondition(object);
}

const label = (t: Target) =>
    `${t.role}: ${t.resource === "namespace" ? "workloads in" : t.resource} ${t.namespace ? `${t.namespace}/` : ""}${t.name}`;

async function waitReady(kube: Kubectl, targets: readonly Target[], expected: Record<string, string>): Promise<void> {
    const deadline = Date.now() + minutes * 60_000;
    let lastReport = 0;
    for (;;) {
        const verdicts = targets.map((t) => ({ target: t, verdict: evaluate(kube, t, expected) }));
        const waiting = verdicts.filter((v) => !v.verdict.ready);
        if (waiting.length === 0) {
            log(`ready: ${targets.length} objects`);
            return;
        }
        if (Date.now() > deadline) {
            throw new Failure(
                `not ready after ${minutes} min:\n${waiting.map((v) => `  ${label(v.target)}: ${v.verdict.detail}`).join("\n")}`,
            );
        }
        if (Date.now() - lastReport > 60_000) {
            lastReport = Date.now();
            log(
                `waiting for ${waiting.length}/${targets.length}: ` +
                    waiting.map((v) => `${label(v.target)} (${v.verdict.detail})`).join("; "),
            );
        }
        await new Promise((resolve) => setTimeout(resolve, 10_000));
    }
}

async function stateResources(stack: Stack): Promise<StateResource[]> {
    // The SDK types the exported deployment as any; its resources are the state file's.
    const deployment = (await stack.exportStack()).deployment as { resources?: StateResource[] } | undefined;
    return deployment?.resources ?? [];
}

function stepOf(event: EngineEvent): Step | undefined {
    const metadata = event.resourcePreEvent?.metadata;
    if (metadata === undefined) {
        return undefined;
    }
    // A Kubernetes object's inputs (the SDK types a step's inputs as any).
    const nameIn = (inputs: unknown) => (inputs as { metadata?: { name?: string } } | undefined)?.metadata?.name;
    const objectName = nameIn(metadata.new?.inputs) ?? nameIn(metadata.old?.inputs);
    return { op: metadata.op, urn: metadata.urn, type: metadata.type, objectName };
}

function diagnostics(kube: Kubectl, targets: readonly Target[], expected: Record<string, string>): void {
    log("---- diagnostics: status of what the stack declared");
    for (const target of targets) {
        log(`${label(target)}: ${evaluate(kube, target, expected).detail}`);
        if (target.check !== "workloads") {
            log(
                `  status: ${JSON.stringify(kube.get(target.resource, target.name, target.namespace)?.status ?? null)}`,
            );
        }
    }
    const namespaces = [
        ...new Set(
            targets.map((t) => (t.check === "workloads" ? t.name : t.namespace)).filter((n): n is string => !!n),
        ),
    ];
    for (const namespace of namespaces) {
        log(`---- workloads in ${namespace}`);
        log(kube.run(["get", "deployments,statefulsets,pods", "-n", namespace, "-o", "wide"]).stdout);
        // The operators' own words, in the log file only (long).
        for (const deployment of kube.list("deployments", namespace)) {
            const name = `deployment/${deployment.metadata?.name}`;
            detail(`---- logs of ${namespace}/${name}\n`);
            detail(kube.run(["logs", "-n", namespace, name, "--all-containers", "--tail=40"]).stdout);
        }
    }
    log("---- last events");
    log(
        kube
            .run(["get", "events", "--all-namespaces", "--sort-by=.lastTimestamp"])
            .stdout.split("\n")
            .slice(-60)
            .join("\n"),
    );
    log("---- git server log");
    log(kube.run(["logs", "-n", GIT_NAMESPACE, `deployment/${GIT_SERVICE}`, "--tail=40"]).stdout);
}

async function assertClean(kube: Kubectl, before: ClusterInventory): Promise<void> {
    // Pulumi waits for namespace deletion; a short grace covers objects whose finalizers run just after.
    const deadline = Date.now() + 3 * 60_000;
    let left = leftovers(before, kube.inventory());
    while (left.length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10_000));
        left = leftovers(before, kube.inventory());
    }
    if (left.length > 0) {
        const stuck = left
            .filter((l) => l.startsWith("namespace "))
            .map((l) => stuckNamespace(kube.get("namespace", l.slice("namespace ".length)) ?? {}))
            .filter((s): s is string => s !== undefined);
        throw new Failure(`destroy left behind:\n${[...left, ...stuck].map((l) => `  ${l}`).join("\n")}`);
    }
    log("destroy: nothing left behind (namespaces, CRDs, webhooks)");
}

// ---------------------------------------------------------------------------------------------

async function runEngine(
    engine: Engine,
    kube: Kubectl,
    kubeconfig: string,
    context: string,
    knownHosts: string,
): Promise<void> {
    log(`==== ${engine}`);
    const base = readStackConfig(stackFilePath(STACK));
    if (base.secretKeys.length > 0) {
        throw new Failure(
            `Pulumi.${STACK}.yaml has secure values (${base.secretKeys.join(", ")}) a throwaway passphrase cannot decrypt`,
        );
    }
    const repositoryName = (JSON.parse(base.config[`${PROJECT_KEY_PREFIX}gitopsRepository`]) as { name: string }).name;
    const values = liveConfig(base.config, {
        engine,
        kubeconfig,
        context,
        gitopsRepository: { url: gitUrl(repositoryName), knownHosts },
    });
    const config = loadConfig({ values, isSecret: () => false, stack: STACK });
    if (config.secrets?.type !== "kubernetes") {
        throw new Failure(
            `the live test puts app secrets in the cluster: Pulumi.${STACK}.yaml needs secrets.type kubernetes`,
        );
    }
    const sourceNamespace = config.secrets.sourceNamespace;
    seedRepository(kube, config);

    const work = fs.mkdtempSync(path.join(os.tmpdir(), `gitops-live-${engine}-`));
    const state = path.join(work, "state");
    const project = path.join(work, "project");
    fs.mkdirSync(state);
    fs.mkdirSync(project);
    const projectName = (
        YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as { name: string }
    ).name;
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: STACK, projectName, program: runPlatform },
        {
            workDir: project,
            projectSettings: { name: projectName, runtime: "nodejs", backend: { url: `file://${state}` } },
            envVars: {
                PULUMI_BACKEND_URL: `file://${state}`,
                PULUMI_CONFIG_PASSPHRASE: crypto.randomBytes(24).toString("hex"),
                PULUMI_SKIP_UPDATE_CHECK: "true",
            },
        },
    );
    for (const plugin of ["kubernetes", "tls"]) {
        const manifest = fs.readFileSync(require.resolve(`@pulumi/${plugin}/package.json`), "utf8");
        await stack.workspace.installPlugin(plugin, `v${(JSON.parse(manifest) as { version: string }).version}`);
    }
    await stack.setAllConfig(Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { value }])));
    // Pulumi's output goes to the log file; each operation is cut off after twice the readiness wait.
    const pulumiLog = () => ({ onOutput: detail, onError: detail, signal: AbortSignal.timeout(2 * minutes * 60_000) });

    const expected = sourceValues(config);
    const apps = config.apps.map((a) => a.name);
    let targets: Target[] = [];
    let destroyed = false;
    try {
        log("up");
        const writer = writeSourceSecretsWhenPossible(kube, sourceNamespace, expected);
        const before = kube.inventory();
        let up;
        try {
            up = await stack.up(pulumiLog());
        } finally {
            writer.stop();
        }
        writer.flush();
        targets = readinessTargets(await stateResources(stack), apps);
        await waitReady(kube, targets, expected);

        const deployKey = up.outputs.gitopsDeployPublicKey?.value as string | undefined;
        if (deployKey !== undefined) {
            const accepted = acceptedFingerprints(
                kube.must(["logs", "-n", GIT_NAMESPACE, `deployment/${GIT_SERVICE}`]),
            );
            if (!accepted.includes(sshFingerprint(deployKey))) {
                throw new Failure(
                    `the engine did not read the repository with the stack's deploy key ${sshFingerprint(deployKey)} ` +
                        `(accepted: ${accepted.join(", ") || "none"})`,
                );
            }
            log("the engine read the repository with the stack's deploy key");
        }

        log("preview (expect no changes)");
        const preview = await stack.preview({ ...pulumiLog(), diff: true });
        const pending = pendingChanges(preview.changeSummary);
        if (Object.keys(pending).length > 0) {
            throw new Failure(`a second preview wants changes: ${JSON.stringify(pending)} (diff in ${logFile})`);
        }

        const configuredApps = JSON.parse(values[`${PROJECT_KEY_PREFIX}apps`]) as AppConfig[];
        const changed = configuredApps[0];
        log(`up with ${changed.name} at ${newRevision} (was ${changed.source.revision})`);
        await stack.setConfig(`${PROJECT_KEY_PREFIX}apps`, {
            value: JSON.stringify(withRevision(configuredApps, changed.name, newRevision)),
        });
        const steps: Step[] = [];
        await stack.up({
            ...pulumiLog(),
            onEvent: (event) => {
                const step = stepOf(event);
                if (step) steps.push(step);
            },
        });
        const allowed = allowedSources(configuredApps, changed.name, newRevision, config.gitopsRepository.name);
        const unexpected = unexpectedChanges(steps, changed.name, apps, allowed);
        if (unexpected.length > 0) {
            throw new Failure(
                `changing ${changed.name}'s revision also changed:\n${unexpected.map((s) => `  ${s.op} ${s.urn}`).join("\n")}`,
            );
        }
        if (changes(steps).length === 0) {
            throw new Failure(`changing ${changed.name}'s revision changed nothing`);
        }
        targets = readinessTargets(await stateResources(stack), apps);
        await waitReady(kube, targets, expected);

        log("destroy");
        await stack.destroy(pulumiLog());
        destroyed = true;
        await assertClean(kube, before);
        await stack.workspace.removeStack(STACK);
        fs.rmSync(work, { recursive: true, force: true });
    } catch (error) {
        log(`FAILED (${engine}): ${(error as Error).message}`);
        // A failed up has no targets yet: whatever made it into the state is what to look at.
        const declared =
            targets.length > 0 ? targets : readinessTargets(await stateResources(stack).catch(() => []), apps);
        diagnostics(kube, declared, expected);
        if (!destroyed) {
            log("destroy (cleaning up after the failure)");
            await stack.destroy(pulumiLog()).catch((e: Error) => log(`destroy failed too: ${e.message}`));
        }
        throw error;
    }
}

const USAGE = helpText({
    usage: "npm run test:live [-- --help]",
    summary:
        "Stands the local stack up for real, through Pulumi's Automation API, against the cluster of the current\nkubeconfig context, once per engine: up, everything Ready, a second preview without changes, one app's\nrevision changed, destroy, nothing left behind. 20-30 minutes. Skips with one line (exit 0) when there is\nno Pulumi CLI, kubectl or context, or the context is not a throwaway cluster (kind-*, k3d-*, minikube).",
    options: [],
    environment: [
        ["LIVE_TEST_CONTEXT", "allow this context by name (it may be wiped)"],
        ["LIVE_TEST_ENGINES", 'the engines, in order (default "flux,argocd")'],
        ["LIVE_TEST_TIMEOUT_MINUTES", "per wait (default 15); each Pulumi operation gets twice that"],
        ["LIVE_TEST_REVISION", "the revision one app is changed to (default 6.9.1)"],
        ["LIVE_TEST_LOG_DIR", "where the logs go (default a temporary folder)"],
        ["LIVE_TEST_REQUIRED", "1: a skip is a refusal (exit 4), so CI cannot pass by skipping"],
    ],
    exits: {
        [EXIT.ok]: "passed for every engine, or skipped (the line says why)",
        [EXIT.refused]: "skipped with LIVE_TEST_REQUIRED=1",
        [EXIT.found]: "the live test failed (the log names the step; status, workloads and events follow)",
    },
});

async function main(argv: readonly string[]): Promise<number> {
    try {
        parseCommand(argv, { usage: USAGE, options: {} });
    } catch (error) {
        return expectedFailure(error);
    }
    const context = commandOutput("kubectl", ["config", "current-context"]);
    const reason = skipReason({
        pulumiVersion: commandOutput("pulumi", ["version"]),
        kubectl: commandOutput("kubectl", ["version", "--client"]) !== undefined,
        context: context || undefined,
        allowedContext: process.env.LIVE_TEST_CONTEXT || undefined,
    });
    if (reason !== undefined) {
        console.log(reason);
        return skipExitCode(process.env.LIVE_TEST_REQUIRED);
    }
    const started = Date.now();
    const logDir = process.env.LIVE_TEST_LOG_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "gitops-live-logs-"));
    fs.mkdirSync(logDir, { recursive: true });
    logFile = path.join(logDir, "live-test.log");
    log(`live test against context ${context}; logs in ${logDir}`);
    // One context, flattened: the program and kubectl both use exactly this cluster, whatever else KUBECONFIG holds.
    // Outside the log folder, which CI uploads.
    const kubeconfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gitops-live-kube-")), "config");
    fs.writeFileSync(kubeconfig, commandOutput("kubectl", ["config", "view", "--minify", "--flatten", "--raw"]) ?? "", {
        mode: 0o600,
    });
    const kube = new Kubectl(kubeconfig);
    try {
        const knownHosts = startGitServer(kube);
        for (const engine of engines) {
            await runEngine(engine, kube, kubeconfig, context!, knownHosts);
        }
        log(`PASSED (${engines.join(", ")}) in ${Math.round((Date.now() - started) / 60_000)} min`);
        return 0;
    } catch (error) {
        if (!(error instanceof Failure)) {
            log(`FAILED: ${(error as Error).stack ?? String(error)}`);
        }
        return EXIT.found;
    } finally {
        kube.run(["delete", "namespace", GIT_NAMESPACE, "--ignore-not-found", "--wait=false"]);
        fs.rmSync(kubeconfig, { force: true });
    }
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
        console.error(error);
        process.exit(EXIT.unexpected);
    },
);
