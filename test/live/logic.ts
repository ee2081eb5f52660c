/**
 * The live test's decisions, as pure functions over plain data: whether to run at all (the context
 * guard), the stack config it runs with, the script that seeds the in-cluster Git repository, what
 * "ready" means for each object the stack declares, which changes an app's revision may cause, and
 * what a clean teardown leaves. test/live-harness.test.ts checks them without a cluster;
 * test/live/run.ts applies them to one.
 */
import { EXIT } from "../../cli/command";
import { gitRepositoryName } from "../../components/gitops/flux/application";
import { ApplicationSource } from "../../components/gitops/types";

export const PROJECT_KEY_PREFIX = "gitops-platform:";

// ---------------------------------------------------------------------------------------------
// The guard: never touch a cluster that is not a throwaway one.

export interface Environment {
    /** `pulumi version` output, undefined when there is no Pulumi CLI on PATH. */
    readonly pulumiVersion?: string;
    /** Whether kubectl runs. */
    readonly kubectl: boolean;
    /** The kubeconfig's current context, undefined when there is none. */
    readonly context?: string;
    /** `LIVE_TEST_CONTEXT`: a context the user explicitly allows. */
    readonly allowedContext?: string;
}

/** kind, k3d and minikube name their contexts this way; nothing else is assumed to be disposable. */
export function isThrowawayContext(context: string, allowedContext?: string): boolean {
    return context === allowedContext || /^kind-./.test(context) || /^k3d-./.test(context) || context === "minikube";
}

/** One line saying what is missing and how to get it, or undefined when the live test can run. */
export function skipReason(env: Environment): string | undefined {
    if (env.pulumiVersion === undefined) {
        return "live test skipped: no Pulumi CLI on PATH (install it: curl -fsSL https://get.pulumi.com | sh)";
    }
    if (!env.kubectl) {
        return "live test skipped: no kubectl on PATH (install it: https://kubernetes.io/docs/tasks/tools/)";
    }
    if (env.context === undefined) {
        return "live test skipped: no current kubeconfig context (create a cluster: kind create cluster --name gitops)";
    }
    if (env.allowedContext !== undefined && env.allowedContext !== env.context) {
        return (
            `live test skipped: LIVE_TEST_CONTEXT is ${env.allowedContext} but the current context is ${env.context} ` +
            `(switch: kubectl config use-context ${env.allowedContext})`
        );
    }
    if (!isThrowawayContext(env.context, env.allowedContext)) {
        return (
            `live test skipped: context ${env.context} is not a throwaway cluster (kind-*, k3d-*, minikube); ` +
            `use kind create cluster --name gitops, or name it in LIVE_TEST_CONTEXT=${env.context} if it may be wiped`
        );
    }
    return undefined;
}

/** The exit code of a skip: refused (4) when LIVE_TEST_REQUIRED=1 (CI must not pass by skipping), else 0. */
export function skipExitCode(required: string | undefined): number {
    return required === "1" ? EXIT.refused : EXIT.ok;
}

// ---------------------------------------------------------------------------------------------
// Stack config: the checked-in local stack, pointed at this cluster and the in-cluster repository.

export type Engine = "flux" | "argocd";

export interface AppConfig {
    readonly name: string;
    readonly team: string;
    readonly namespace?: string;
    readonly source: {
        readonly url?: string;
        readonly repository?: string;
        readonly path: string;
        readonly revision: string;
        readonly type?: string;
    };
    readonly secretKeys?: readonly string[];
    readonly [key: string]: unknown;
}

export interface LiveConfigArgs {
    readonly engine: Engine;
    readonly kubeconfig: string;
    readonly context: string;
    /** The in-cluster repository: URL and known_hosts through the same keys a user sets. */
    readonly gitopsRepository: { readonly url: string; readonly knownHosts: string };
}

/** Suffix of the second copy of the first app, so "only that app changed" has another app to leave alone. */
export const TWIN_SUFFIX = "-twin";

function parseObject(config: Record<string, string>, key: string): Record<string, unknown> {
    const text = config[PROJECT_KEY_PREFIX + key];
    if (text === undefined) {
        throw new Error(`the local stack's config has no ${PROJECT_KEY_PREFIX}${key}`);
    }
    return JSON.parse(text) as Record<string, unknown>;
}

/**
 * The local stack's config (as `readStackConfig` reads it: key → text) with this run's cluster, engine
 * and GitOps repository, and a twin of the first app. Every other key is the checked-in one.
 */
export function liveConfig(base: Record<string, string>, args: LiveConfigArgs): Record<string, string> {
    const engine = parseObject(base, "engine");
    const apps = JSON.parse(base[`${PROJECT_KEY_PREFIX}apps`] ?? "[]") as AppConfig[];
    if (apps.length === 0) {
        throw new Error("the local stack's config lists no apps: the live test needs at least one example app");
    }
    const twin: AppConfig = { ...apps[0], name: `${apps[0].name}${TWIN_SUFFIX}`, namespace: undefined };
    const set = (key: string, value: unknown) => [PROJECT_KEY_PREFIX + key, JSON.stringify(value)] as const;
    return {
        ...base,
        ...Object.fromEntries([
            set("cluster", { type: "existing", kubeconfig: args.kubeconfig, context: args.context }),
            // Flux keeps the checked-in engine options; Argo CD takes only its type (the other engine's keys are refused).
            set("engine", args.engine === engine.type ? engine : { type: args.engine }),
            // The live test's Git server is read over SSH with the deploy key, not anonymously.
            set("gitopsRepository", {
                ...parseObject(base, "gitopsRepository"),
                anonymous: false,
                ...args.gitopsRepository,
            }),
            set("apps", [...apps, JSON.parse(JSON.stringify(twin)) as AppConfig]),
        ]),
    };
}

/** The apps list with `app`'s revision replaced. */
export function withRevision(apps: readonly AppConfig[], app: string, revision: string): AppConfig[] {
    if (!apps.some((a) => a.name === app)) {
        throw new Error(`no app ${app} in the config`);
    }
    return apps.map((a) => (a.name === app ? { ...a, source: { ...a.source, revision } } : a));
}

// ---------------------------------------------------------------------------------------------
// Seeding the in-cluster repository.

function shellQuote(text: string): string {
    return `'${text.replace(/'/g, `'\\''`)}'`;
}

export interface SeedScriptArgs {
    /** Bare repository to (re)create, e.g. /srv/git/platform-gitops.git. */
    readonly repositoryPath: string;
    readonly branch: string;
    /** `user:group` to own the repository, when the server reads it as another user. */
    readonly owner?: string;
}

/**
 * A POSIX shell script that commits `files` (path → content, base64 in the script so any content
 * survives quoting) on `branch` and makes `repositoryPath` a bare repository holding that commit.
 * Runs in the Git server's pod through `kubectl exec -i ... sh -s`; needs git and base64 only.
 */
export function seedScript(files: Record<string, string>, args: SeedScriptArgs): string {
    const lines = [
        "set -eu",
        'work="$(mktemp -d)"',
        'git -C "$work" init -q',
        `git -C "$work" checkout -q -b ${shellQuote(args.branch)}`,
    ];
    for (const [file, content] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
        if (file.startsWith("/") || file.split("/").includes("..")) {
            throw new Error(`seed file path ${file} must be relative and stay inside the repository`);
        }
        const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";
        if (dir !== "") {
            lines.push(`mkdir -p "$work"/${shellQuote(dir)}`);
        }
        lines.push(
            `printf '%s' ${shellQuote(Buffer.from(content, "utf8").toString("base64"))} | base64 -d > "$work"/${shellQuote(file)}`,
        );
    }
    lines.push(
        'git -C "$work" add -A',
        'git -C "$work" -c user.name="gitops-platform live test" -c user.email=live-test@gitops-platform.invalid \\',
        '    commit -q -m "Seed layout"',
        `rm -rf ${shellQuote(args.repositoryPath)}`,
        `git clone -q --bare "$work" ${shellQuote(args.repositoryPath)}`,
        ...(args.owner ? [`chown -R ${shellQuote(args.owner)} ${shellQuote(args.repositoryPath)}`] : []),
        'rm -rf "$work"',
        "",
    );
    return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Readiness: what each declared object must report before the platform counts as up.

/** A resource of the stack's state (`exportStack().deployment.resources`) or of the offline plan. */
export interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly inputs?: Record<string, unknown>;
    readonly outputs?: Record<string, unknown>;
}

export type Check = "ready-condition" | "argo-application" | "workloads" | "external-secret";

export interface Target {
    /** What it is to a reader: "engine", "root sync", "app podinfo", "secret" ... */
    readonly role: string;
    /** kubectl resource name, e.g. `kustomizations.kustomize.toolkit.fluxcd.io`; `namespace` for workloads. */
    readonly resource: string;
    readonly namespace?: string;
    readonly name: string;
    readonly check: Check;
}

interface ObjectMeta {
    readonly name?: string;
    readonly namespace?: string;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly generation?: number;
    readonly finalizers?: string[];
}

function metadataOf(resource: StateResource): ObjectMeta {
    const fromOutputs = resource.outputs?.metadata as ObjectMeta | undefined;
    return fromOutputs?.name ? fromOutputs : ((resource.inputs?.metadata as ObjectMeta | undefined) ?? {});
}

/** `urn:pulumi:stack::project::parent$...$type::name` → the component types above the resource and its name. */
function urnParts(urn: string): { parents: string[]; name: string } {
    const [, , qualifiedType = "", ...name] = urn.split("::");
    return { parents: qualifiedType.split("$").slice(0, -1), name: name.join("::") };
}

const APP_COMPONENT = "gitops-platform:apps:App";

function roleOf(resource: StateResource, fallback: string, apps: readonly string[]): string {
    const { parents, name } = urnParts(resource.urn);
    return parents.includes(APP_COMPONENT) ? `app ${owningApp(name, apps) ?? name}` : fallback;
}

/** Custom resources with a Ready condition, by Pulumi type prefix → kubectl resource. */
const READY_CONDITION_KINDS: Record<string, { resource: string; role: string }> = {
    "kubernetes:fluxcd.controlplane.io/v1:FluxInstance": {
        resource: "fluxinstances.fluxcd.controlplane.io",
        role: "engine",
    },
    "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization": {
        resource: "kustomizations.kustomize.toolkit.fluxcd.io",
        role: "sync",
    },
    "kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease": {
        resource: "helmreleases.helm.toolkit.fluxcd.io",
        role: "sync",
    },
    "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository": {
        resource: "gitrepositories.source.toolkit.fluxcd.io",
        role: "source",
    },
    // Stores report Ready (reason Valid) once they reach their provider (external-secrets apis/externalsecrets/v1/secretstore_types.go).
    "kubernetes:external-secrets.io/v1:SecretStore": {
        resource: "secretstores.external-secrets.io",
        role: "secret store",
    },
    "kubernetes:external-secrets.io/v1:ClusterSecretStore": {
        resource: "clustersecretstores.external-secrets.io",
        role: "secret store",
    },
};

/**
 * Everything to wait for, from what the stack declared: Flux objects' and secret stores' Ready conditions, Argo CD
 * Applications' sync and health, ExternalSecrets, and the workloads of every Helm release's
 * namespace (`apps` names the roles). The Flux root sync is not a Pulumi resource: the operator generates a
 * GitRepository and a Kustomization "using the namespace name as the Flux source and Kustomization name"
 * (controlplaneio-fluxcd/distribution, docs/operator/flux-sync.md).
 */
export function readinessTargets(resources: readonly StateResource[], apps: readonly string[]): Target[] {
    const targets: Target[] = [];
    for (const resource of resources) {
        const meta = metadataOf(resource);
        const ready = READY_CONDITION_KINDS[resource.type];
        if (ready && meta.name) {
            targets.push({
                role: roleOf(resource, ready.role, apps),
                resource: ready.resource,
                namespace: meta.namespace,
                name: meta.name,
                check: "ready-condition",
            });
            if (resource.type === "kubernetes:fluxcd.controlplane.io/v1:FluxInstance" && meta.namespace) {
                for (const generated of [
                    "gitrepositories.source.toolkit.fluxcd.io",
                    "kustomizations.kustomize.toolkit.fluxcd.io",
                ]) {
                    targets.push({
                        role: "root sync",
                        resource: generated,
                        namespace: meta.namespace,
                        name: meta.namespace,
                        check: "ready-condition",
                    });
                }
            }
        } else if (resource.type === "kubernetes:argoproj.io/v1alpha1:Application" && meta.name) {
            targets.push({
                role: roleOf(resource, "root sync", apps),
                resource: "applications.argoproj.io",
                namespace: meta.namespace,
                name: meta.name,
                check: "argo-application",
            });
        } else if (resource.type === "kubernetes:external-secrets.io/v1:ExternalSecret" && meta.name) {
            targets.push({
                role: roleOf(resource, "engine credentials", apps),
                resource: "externalsecrets.external-secrets.io",
                namespace: meta.namespace,
                name: meta.name,
                check: "external-secret",
            });
        } else if (resource.type === "kubernetes:helm.sh/v3:Release") {
            const namespace = (resource.outputs?.namespace ?? resource.inputs?.namespace) as string | undefined;
            if (namespace) {
                targets.push({
                    role: `release ${urnParts(resource.urn).name}`,
                    resource: "namespace",
                    name: namespace,
                    check: "workloads",
                });
            }
        }
    }
    return targets;
}

export interface Verdict {
    readonly ready: boolean;
    readonly detail: string;
}

interface Condition {
    readonly type: string;
    readonly status: string;
    readonly reason?: string;
    readonly message?: string;
}

export interface KubeObject {
    readonly apiVersion?: string;
    readonly kind?: string;
    readonly metadata?: ObjectMeta & { readonly deletionTimestamp?: string };
    readonly spec?: Record<string, unknown>;
    readonly status?: Record<string, unknown>;
    readonly data?: Record<string, string>;
}

function conditions(object: KubeObject): Condition[] {
    return (object.status?.conditions as Condition[] | undefined) ?? [];
}

function describeCondition(condition: Condition | undefined, type: string): string {
    return condition === undefined
        ? `no ${type} condition yet`
        : `${type}=${condition.status}${condition.reason ? ` (${condition.reason})` : ""}` +
              (condition.message ? `: ${condition.message}` : "");
}

/**
 * Flux's and the operator's kstatus contract: Ready=True for the current generation. A Ready left
 * over from the previous spec (observedGeneration behind metadata.generation) does not count.
 */
export function readyCondition(object: KubeObject): Verdict {
    const ready = conditions(object).find((c) => c.type === "Ready");
    const observed = object.status?.observedGeneration as number | undefined;
    const generation = object.metadata?.generation;
    if (ready?.status === "True" && observed !== undefined && generation !== undefined && observed < generation) {
        return { ready: false, detail: `Ready=True is for generation ${observed}, the object is at ${generation}` };
    }
    return { ready: ready?.status === "True", detail: describeCondition(ready, "Ready") };
}

/** Argo CD Application: `status.sync.status` Synced and `status.health.status` Healthy (argo-cd's Application CRD). */
export function argoApplication(object: KubeObject): Verdict {
    const status = object.status ?? {};
    const sync = (status.sync as { status?: string } | undefined)?.status ?? "Unknown";
    const health = (status.health as { status?: string; message?: string } | undefined) ?? {};
    const operation = status.operationState as { phase?: string; message?: string } | undefined;
    const problems = conditions(object).map((c) => `${c.type}: ${c.message ?? ""}`);
    const detail = [
        `sync ${sync}, health ${health.status ?? "Unknown"}${health.message ? ` (${health.message})` : ""}`,
        ...(operation?.phase
            ? [`last operation ${operation.phase}${operation.message ? `: ${operation.message}` : ""}`]
            : []),
        ...problems,
    ].join("; ");
    return { ready: sync === "Synced" && health.status === "Healthy", detail };
}

/** Deployments Available with all replicas ready, StatefulSets with all replicas ready. */
export function workloads(items: readonly KubeObject[]): Verdict {
    const waiting: string[] = [];
    for (const item of items) {
        const wanted = (item.spec?.replicas as number | undefined) ?? 1;
        const readyReplicas = (item.status?.readyReplicas as number | undefined) ?? 0;
        const available =
            item.kind !== "Deployment" || conditions(item).some((c) => c.type === "Available" && c.status === "True");
        if (!available || readyReplicas < wanted) {
            waiting.push(`${item.kind}/${item.metadata?.name} ${readyReplicas}/${wanted} ready`);
        }
    }
    if (items.length === 0) {
        return { ready: false, detail: "no Deployment or StatefulSet yet" };
    }
    return {
        ready: waiting.length === 0,
        detail: waiting.length === 0 ? `${items.length} workloads ready` : waiting.join(", "),
    };
}

/**
 * An ExternalSecret is Ready (condition `Ready`, external-secrets' ExternalSecret CRD) and, for each
 * entry reading a source Secret the test wrote, the target Secret holds exactly that value.
 */
export function externalSecret(
    object: KubeObject,
    target: KubeObject | undefined,
    expected: Record<string, string>,
): Verdict {
    const ready = readyCondition(object);
    if (!ready.ready) {
        return ready;
    }
    const data = (object.spec?.data as { secretKey: string; remoteRef: { key: string } }[] | undefined) ?? [];
    const wrong: string[] = [];
    for (const entry of data) {
        const want = expected[entry.remoteRef.key];
        if (want === undefined) {
            continue;
        }
        const encoded = target?.data?.[entry.secretKey];
        if (encoded === undefined || Buffer.from(encoded, "base64").toString("utf8") !== want) {
            wrong.push(`${entry.secretKey} ${encoded === undefined ? "missing" : "differs from the source value"}`);
        }
    }
    return wrong.length === 0 ? ready : { ready: false, detail: `Ready, but target Secret: ${wrong.join(", ")}` };
}

// ---------------------------------------------------------------------------------------------
// Changing one app's revision.

/** A step of an update: the engine's resourcePreEvent metadata, reduced. */
export interface Step {
    readonly op: string;
    readonly urn: string;
    readonly type: string;
    /** Kubernetes object name, from the step's new or old inputs. */
    readonly objectName?: string;
}

const NO_CHANGE = new Set(["same", "read", "refresh"]);

/** The app `name` belongs to: the longest app name that is `name` or a `<app>-` prefix of it. */
export function owningApp(resourceName: string, apps: readonly string[]): string | undefined {
    return [...apps]
        .sort((a, b) => b.length - a.length)
        .find((app) => resourceName === app || resourceName.startsWith(`${app}-`));
}

function sourceName(app: AppConfig, revision: string, gitopsRepositoryName: string): string {
    const repository = app.source.url === undefined ? (app.source.repository ?? gitopsRepositoryName) : undefined;
    return gitRepositoryName({
        repoUrl: app.source.url ?? "",
        revision,
        path: app.source.path,
        type: "kustomize",
        access: repository === undefined ? undefined : { name: repository },
    } as ApplicationSource);
}

/**
 * Flux GitRepositories (named as the program names them) that moving `app` to `revision` may touch:
 * the source at the new revision, and the one at the old revision unless another app still reads it.
 */
export function allowedSources(
    apps: readonly AppConfig[],
    app: string,
    revision: string,
    gitopsRepositoryName: string,
): string[] {
    const changed = apps.find((a) => a.name === app);
    if (changed === undefined) {
        throw new Error(`no app ${app} in the config`);
    }
    const old = sourceName(changed, changed.source.revision, gitopsRepositoryName);
    const shared = apps.some((a) => a.name !== app && sourceName(a, a.source.revision, gitopsRepositoryName) === old);
    return [sourceName(changed, revision, gitopsRepositoryName), ...(shared ? [] : [old])];
}

/** The steps that change a resource (not the stack's own outputs). */
export function changes(steps: readonly Step[]): Step[] {
    return steps.filter((step) => !NO_CHANGE.has(step.op) && step.type !== "pulumi:pulumi:Stack");
}

/**
 * Steps that change something other than `app`: its own resources (under the App component, named
 * after it) and its Flux sources at the old or new revision may change; nothing else may.
 */
export function unexpectedChanges(
    steps: readonly Step[],
    app: string,
    apps: readonly string[],
    allowedSources: readonly string[],
): Step[] {
    return changes(steps).filter((step) => {
        const { parents, name } = urnParts(step.urn);
        if (parents.includes(APP_COMPONENT) && owningApp(name, apps) === app) {
            return false;
        }
        const isSource = step.type === "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository";
        return !(isSource && step.objectName !== undefined && allowedSources.includes(step.objectName));
    });
}

/** Operations other than "same" in a preview's change summary (a clean second preview has none). */
export function pendingChanges(summary: Record<string, number | undefined>): Record<string, number> {
    return Object.fromEntries(
        Object.entries(summary).filter(([op, count]) => op !== "same" && (count ?? 0) > 0),
    ) as Record<string, number>;
}

// ---------------------------------------------------------------------------------------------
// Teardown.

export interface ClusterInventory {
    readonly namespaces: readonly string[];
    /** CRDs, except those kept on purpose (crdInventory). */
    readonly crds: readonly string[];
    readonly webhooks: readonly string[];
}

export const EMPTY_INVENTORY: ClusterInventory = { namespaces: [], crds: [], webhooks: [] };

/**
 * Helm leaves a resource annotated `helm.sh/resource-policy: keep` behind on uninstall (helm/helm pkg/kube
 * resource_policy.go: ResourcePolicyAnno, KeepPolicy). The engines' charts keep their CRDs so, on purpose, so that
 * an uninstall never deletes every Application or FluxInstance with them: argoproj/argo-helm charts/argo-cd 10.1.1
 * templates/crds/crd-*.yaml (under crds.keep, which components/gitops/argocd/values.ts sets), and
 * controlplaneio-fluxcd/charts charts/flux-operator templates/crds.yaml (always; read at 0.49.0). Flux's own CRDs
 * are not kept: the operator deletes them when the FluxInstance goes (controlplaneio-fluxcd/flux-operator v0.58.1
 * internal/controller/fluxinstance_uninstaller.go, steps 3 and 4).
 */
export const HELM_KEEP = { annotation: "helm.sh/resource-policy", value: "keep" } as const;

/** The CRDs of a cluster, split into those a clean teardown removes and those their chart keeps on purpose. */
export function crdInventory(crds: readonly KubeObject[]): { crds: string[]; kept: string[] } {
    const name = (crd: KubeObject) => crd.metadata?.name ?? "";
    const keep = (crd: KubeObject) => crd.metadata?.annotations?.[HELM_KEEP.annotation] === HELM_KEEP.value;
    return {
        crds: crds
            .filter((crd) => !keep(crd))
            .map(name)
            .sort(),
        kept: crds.filter(keep).map(name).sort(),
    };
}

/** What exists after destroy that did not before the run: each entry is something the program left behind. */
export function leftovers(before: ClusterInventory, after: ClusterInventory): string[] {
    const added = (kind: string, was: readonly string[], is: readonly string[]) =>
        is.filter((n) => !was.includes(n)).map((n) => `${kind} ${n}`);
    return [
        ...added("namespace", before.namespaces, after.namespaces),
        ...added("CRD", before.crds, after.crds),
        ...added("webhook", before.webhooks, after.webhooks),
    ];
}

/** A namespace stuck in Terminating, with the conditions that say what holds it (NamespaceFinalizersRemaining, ...). */
export function stuckNamespace(namespace: KubeObject): string | undefined {
    if (namespace.status?.phase !== "Terminating") {
        return undefined;
    }
    const holding = conditions(namespace)
        .filter((c) => c.status === "True")
        .map((c) => `${c.type}: ${c.message ?? ""}`);
    return `namespace ${namespace.metadata?.name} is Terminating${holding.length ? ` (${holding.join("; ")})` : ""}`;
}
