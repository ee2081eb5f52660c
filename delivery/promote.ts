/**
 * Stack-based promotion: what the source stack runs (its outputs) is written into the target stack's
 * config file, so production receives exactly the app revisions, and on request the platform
 * versions, that staging has already run. Deciding what changes is pure (planPromotion); writing
 * goes through the `yaml` Document API so comments, key order and unrelated values survive.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { z } from "zod";
import { PlatformRefused, platformSetChanges, refuseDowngrades, versionsOutputSchema } from "./platform";
import { stackConfigFromText } from "../plan/stackFile";
import { ConfigError, isImmutableRevision, loadConfig, PROJECT } from "../stacks/config";

/** The part of the stack-output contract promotion reads (stacks/platform.ts writes it). */
export const sourceOutputsSchema = z.object({
    environment: z.string(),
    cluster: z.object({
        kind: z.string(),
        kubernetesVersion: z.string().optional(),
        addons: z.record(z.string(), z.string().optional()).optional().nullable(),
    }),
    engine: z.object({ type: z.enum(["argocd", "flux"]), chartVersion: z.string(), appVersion: z.string() }),
    secrets: z.object({ type: z.string(), chartVersion: z.string() }).optional().nullable(),
    apps: z.record(z.string(), z.object({ revision: z.string() })),
    /** The version set the stack runs; outputs from before version sets have none. */
    versions: versionsOutputSchema.optional(),
});

export type SourceOutputs = z.infer<typeof sourceOutputsSchema>;

export interface PromotionRequest {
    readonly from: string;
    readonly to: string;
    /** Apps to promote; every app of the target when empty. */
    readonly apps: readonly string[];
    /** Also promote the engine chart, External Secrets chart and Kubernetes version (with its add-ons). */
    readonly platform: boolean;
    /** Accept a platform version older than the target's (otherwise refused). */
    readonly allowDowngrade?: boolean;
}

export interface ConfigChange {
    /** Path in the stack file's document, from `config`. */
    readonly path: readonly (string | number)[];
    /** What a person reads in the summary, e.g. `apps.payments-api.revision`. */
    readonly label: string;
    readonly from: string | undefined;
    readonly to: string;
}

/** A promotion that must not happen; nothing has been written. */
export class PromotionRefused extends Error {}

const key = (name: string) => `${PROJECT}:${name}`;

/** Parses `pulumi stack output --json` text, naming what is missing. */
export function parseSourceOutputs(text: string, origin: string): SourceOutputs {
    let document: unknown;
    try {
        document = JSON.parse(text);
    } catch (error) {
        throw new PromotionRefused(
            `the outputs in ${origin} are not JSON (${(error as Error).message}): pass the output of pulumi stack output --json`,
        );
    }
    const result = sourceOutputsSchema.safeParse(document);
    if (!result.success) {
        const problems = result.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n");
        throw new PromotionRefused(`the outputs in ${origin} do not follow the stack-output contract:\n${problems}`);
    }
    return result.data;
}

interface TargetApp {
    readonly index: number;
    readonly name: string;
    readonly revision: string | undefined;
}

function targetApps(target: YAML.Document): TargetApp[] {
    const apps = target.getIn(["config", key("apps")]);
    if (!YAML.isSeq(apps)) {
        return [];
    }
    return apps.items.map((item, index) => {
        const app = YAML.isMap(item) ? item : undefined;
        return {
            index,
            name: textOf(app?.get("name")) ?? "",
            revision: app?.getIn(["source", "revision"]) as string | undefined,
        };
    });
}

/** A YAML scalar as text (`1.0` parses as a number); none for a missing value, null, a map or a list. */
function textOf(value: unknown): string | undefined {
    return ["string", "number", "boolean"].includes(typeof value) ? String(value) : undefined;
}

function scalar(document: YAML.Document, path: readonly (string | number)[]): string | undefined {
    return textOf(document.getIn(["config", ...path]));
}

/** One change per value that differs; values already equal produce nothing (idempotence). */
function change(
    document: YAML.Document,
    path: readonly (string | number)[],
    label: string,
    to: string,
): ConfigChange[] {
    const from = scalar(document, path);
    return from === to ? [] : [{ path, label, from, to }];
}

function appChanges(
    request: PromotionRequest,
    source: SourceOutputs,
    target: YAML.Document,
    production: boolean,
): ConfigChange[] {
    const sourceNames = Object.keys(source.apps);
    const inTarget = targetApps(target);
    for (const app of request.apps) {
        if (!(app in source.apps)) {
            throw new PromotionRefused(
                `app "${app}" is not in stack ${request.from}'s outputs (it has: ${sourceNames.join(", ") || "no apps"}); nothing was written`,
            );
        }
        if (!inTarget.some((t) => t.name === app)) {
            throw new PromotionRefused(
                `app "${app}" is not in Pulumi.${request.to}.yaml: add it to ${key("apps")} first (with its namespace, team and path); nothing was written`,
            );
        }
    }
    const selected = request.apps.length > 0 ? inTarget.filter((t) => request.apps.includes(t.name)) : inTarget;
    const missing = selected.filter((t) => !(t.name in source.apps)).map((t) => t.name);
    if (missing.length > 0) {
        throw new PromotionRefused(
            `stack ${request.to} has app(s) ${missing.join(", ")} that stack ${request.from} does not run: promote the others with --app, or add them to ${request.from} first; nothing was written`,
        );
    }
    const mutable = selected.filter((t) => production && !isImmutableRevision(source.apps[t.name].revision));
    if (mutable.length > 0) {
        const list = mutable.map((t) => `${t.name} → "${source.apps[t.name].revision}"`).join(", ");
        throw new PromotionRefused(
            `production takes immutable revisions only (a release tag such as v1.4.2 or a commit SHA), but stack ${request.from} runs branches: ${list}; pin a tag in ${request.from} first; nothing was written`,
        );
    }
    return selected.flatMap((t) =>
        change(
            target,
            [key("apps"), t.index, "source", "revision"],
            `apps.${t.name}.revision`,
            source.apps[t.name].revision,
        ),
    );
}

function platformChanges(request: PromotionRequest, source: SourceOutputs, target: YAML.Document): ConfigChange[] {
    const engineType = scalar(target, [key("engine"), "type"]);
    if (engineType !== source.engine.type) {
        throw new PromotionRefused(
            `stack ${request.from} runs engine ${source.engine.type} and stack ${request.to} runs ${engineType ?? "no engine"}: platform versions only promote between stacks of the same engine; nothing was written`,
        );
    }
    if (source.versions !== undefined) {
        return platformRefusal(() => {
            const changes = platformSetChanges(request, source.versions!, target);
            refuseDowngrades(request, changes);
            return changes;
        });
    }
    const engine =
        source.engine.type === "argocd"
            ? change(target, [key("engine"), "chartVersion"], "engine.chartVersion", source.engine.chartVersion)
            : [
                  ...change(
                      target,
                      [key("engine"), "operatorChartVersion"],
                      "engine.operatorChartVersion",
                      source.engine.chartVersion,
                  ),
                  ...change(
                      target,
                      [key("engine"), "distributionVersion"],
                      "engine.distributionVersion",
                      source.engine.appVersion,
                  ),
              ];
    // Only sections the target already has: promotion moves versions, it does not add components.
    // The External Secrets chart only between stacks that both run it: sealed-secrets' chart is the
    // component's pin, with no config key.
    const sealed = "sealed-secrets";
    const secrets =
        source.secrets &&
        target.hasIn(["config", key("secrets")]) &&
        source.secrets.type !== sealed &&
        scalar(target, [key("secrets"), "type"]) !== sealed
            ? change(target, [key("secrets"), "chartVersion"], "secrets.chartVersion", source.secrets.chartVersion)
            : [];
    const eks = scalar(target, [key("cluster"), "type"]) === "eks";
    const cluster =
        source.cluster.kubernetesVersion !== undefined && eks
            ? change(
                  target,
                  [key("cluster"), "kubernetesVersion"],
                  "cluster.kubernetesVersion",
                  source.cluster.kubernetesVersion,
              )
            : [];
    // The add-ons move with the control plane (kube-proxy must match it); only those the target has.
    const addons =
        cluster.length > 0
            ? Object.entries(source.cluster.addons ?? {}).flatMap(([name, version]) =>
                  version !== undefined && target.hasIn(["config", key("cluster"), "addons", name])
                      ? change(target, [key("cluster"), "addons", name], `cluster.addons.${name}`, version)
                      : [],
              )
            : [];
    const changes = [...engine, ...secrets, ...cluster, ...addons];
    platformRefusal(() => refuseDowngrades(request, changes));
    return changes;
}

/** delivery/platform.ts refusals, as this command's. */
function platformRefusal<T>(run: () => T): T {
    try {
        return run();
    } catch (error) {
        throw error instanceof PlatformRefused ? new PromotionRefused(error.message) : error;
    }
}

function refuseSameStack(request: PromotionRequest): void {
    if (request.from === request.to) {
        throw new PromotionRefused(
            `source and target are both "${request.from}": promotion moves versions from one stack into another; nothing was written`,
        );
    }
}

/** What promoting `source` into the target stack file would change. Throws PromotionRefused. */
export function planPromotion(request: PromotionRequest, source: SourceOutputs, targetText: string): ConfigChange[] {
    refuseSameStack(request);
    const target = YAML.parseDocument(targetText);
    const declaredSource = scalar(target, [key("promotion"), "from"]);
    if (declaredSource !== undefined && declaredSource !== request.from) {
        throw new PromotionRefused(
            `Pulumi.${request.to}.yaml declares ${key("promotion")}.from: ${declaredSource}, not ${request.from}; nothing was written`,
        );
    }
    const production = request.to === "production" || scalar(target, [key("environment")]) === "production";
    return [
        ...appChanges(request, source, target, production),
        ...(request.platform ? platformChanges(request, source, target) : []),
    ];
}

/** A scalar's source text in the style the file already uses for it. */
function scalarText(node: YAML.Scalar, value: string): string {
    if (node.type === YAML.Scalar.QUOTE_DOUBLE) {
        return JSON.stringify(value);
    }
    if (node.type === YAML.Scalar.QUOTE_SINGLE) {
        return `'${value.replace(/'/g, "''")}'`;
    }
    // Plain only when YAML reads it back as the same string (not 1.30 → number 1.3).
    return YAML.parse(value) === value ? value : JSON.stringify(value);
}

/**
 * The target file's text with the changes applied. Existing values are replaced in place at the
 * node's source range, so every other byte (comments and their alignment, flow lists) stays as it
 * is; a key the file does not have yet is added through the document (setIn).
 */
export function applyChanges(targetText: string, changes: readonly ConfigChange[]): string {
    const document = YAML.parseDocument(targetText);
    const edits: { start: number; end: number; text: string }[] = [];
    const additions: ConfigChange[] = [];
    for (const c of changes) {
        const node = document.getIn(["config", ...c.path], true);
        if (YAML.isScalar(node) && node.range) {
            edits.push({ start: node.range[0], end: node.range[1], text: scalarText(node, c.to) });
        } else {
            additions.push(c);
        }
    }
    let text = targetText;
    for (const edit of edits.sort((a, b) => b.start - a.start)) {
        text = `${text.slice(0, edit.start)}${edit.text}${text.slice(edit.end)}`;
    }
    if (additions.length === 0) {
        return text;
    }
    const withAdditions = YAML.parseDocument(text);
    for (const c of additions) {
        withAdditions.setIn(["config", ...c.path], c.to);
    }
    return withAdditions.toString({ flowCollectionPadding: false });
}

export function formatSummary(request: PromotionRequest, changes: readonly ConfigChange[], dryRun: boolean): string {
    if (changes.length === 0) {
        return `${request.to} already runs what ${request.from} runs: nothing to change`;
    }
    const verb = dryRun ? "would change" : "changed";
    const lines = changes.map((c) => `  ${c.label}: ${c.from ?? "(default)"} → ${c.to}`);
    return `promotion ${request.from} → ${request.to} ${verb} Pulumi.${request.to}.yaml:\n${lines.join("\n")}`;
}

/** The file promotion would write, checked with this project's Pulumi.yaml defaults and config schema. */
function validateTarget(file: string, text: string, options: PromoteOptions): void {
    try {
        const { config, secretKeys } = stackConfigFromText(file, text);
        loadConfig({ values: config, isSecret: (k) => secretKeys.includes(k), stack: options.to });
    } catch (error) {
        if (error instanceof ConfigError) {
            throw new PromotionRefused(
                `the promoted Pulumi.${options.to}.yaml would not validate; nothing was written\n${error.message}`,
            );
        }
        throw error;
    }
}

export interface PromoteOptions extends PromotionRequest {
    readonly dryRun: boolean;
    /** Directory of the Pulumi.<stack>.yaml files. */
    readonly root: string;
    readonly readOutputs: (stack: string) => SourceOutputs;
}

/** Plans, writes (unless dry run) and returns the summary. Throws PromotionRefused before writing anything. */
export function promote(options: PromoteOptions): { changes: ConfigChange[]; summary: string } {
    refuseSameStack(options);
    const file = path.join(options.root, `Pulumi.${options.to}.yaml`);
    if (!fs.existsSync(file)) {
        throw new PromotionRefused(`no stack file ${file} for target stack ${options.to}; nothing was written`);
    }
    const text = fs.readFileSync(file, "utf8");
    const changes = planPromotion(options, options.readOutputs(options.from), text);
    if (changes.length > 0) {
        const written = applyChanges(text, changes);
        validateTarget(file, written, options);
        if (!options.dryRun) {
            fs.writeFileSync(file, written);
        }
    }
    return { changes, summary: formatSummary(options, changes, options.dryRun) };
}
