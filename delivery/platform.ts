/**
 * `promote --platform`: the version set the source stack runs (its `versions` output: Kubernetes minor,
 * EKS add-on builds, node AMI release, the version of every chart it installs) written into the target
 * stack file. Refused: a Kubernetes downgrade, a jump of more than one minor (EKS upgrades one at a
 * time: the message gives the steps), and any version older than the target's, EKS build numbers
 * included (semver: v1.19.5-eksbuild.1 < -eksbuild.2), unless the downgrade is allowed.
 *
 * The target's deployed Kubernetes version is its stack file's: the file is what its last `up` applied,
 * and production gets versions only through this command.
 */
import * as YAML from "yaml";
import { z } from "zod";
import { compareVersions } from "../components/core/versions";
import { ADDONS, AddonKey, ChartKey, CHARTS, VERSION_SETS } from "../stacks/versionSets";
import { CHART_PIN_PATHS } from "../stacks/config/versions";
import { installedCharts } from "../stacks/versions";

const PROJECT = "gitops-platform";

/** The `versions` stack output (stacks/versions.ts versionsOutput). */
export const versionsOutputSchema = z.object({
    kubernetes: z.string(),
    addons: z.record(z.string(), z.string()).optional(),
    nodeAmiReleaseVersion: z.string().optional(),
    charts: z.record(z.string(), z.string()),
});

export type VersionsOutput = z.infer<typeof versionsOutputSchema>;

/** One value to write (the shape of promote.ts ConfigChange). */
export interface PlatformChange {
    readonly path: readonly (string | number)[];
    readonly label: string;
    readonly from: string | undefined;
    readonly to: string;
}

export interface PlatformRequest {
    readonly from: string;
    readonly to: string;
    readonly allowDowngrade?: boolean;
}

/** A refusal; promote.ts turns it into its PromotionRefused. */
export class PlatformRefused extends Error {}

const key = (name: string) => `${PROJECT}:${name}`;

function scalarAt(target: YAML.Document, path: readonly (string | number)[]): string | undefined {
    const value = target.getIn(["config", ...path]);
    return ["string", "number"].includes(typeof value) ? String(value) : undefined;
}

/** "1.35" → 35; undefined for anything else. */
function minorOf(version: string | undefined): number | undefined {
    const match = /^1\.(\d+)$/.exec(version ?? "");
    return match ? Number(match[1]) : undefined;
}

/**
 * Refuses a Kubernetes version the target cannot reach in one EKS upgrade; returns nothing when
 * `to` is the same minor or the next one. Shared by promotion and the bump.
 */
export function minorJumpProblem(stack: string, deployed: string, to: string): string | undefined {
    const [from, next] = [minorOf(deployed), minorOf(to)];
    if (from === undefined || next === undefined || (next - from <= 1 && next >= from)) {
        return undefined;
    }
    if (next < from) {
        return `stack ${stack} runs Kubernetes ${deployed} and would go back to ${to}: EKS cannot downgrade a control plane`;
    }
    const steps = Array.from({ length: next - from }, (_, i) => `1.${from + i + 1}`);
    return `stack ${stack} runs Kubernetes ${deployed} and would jump to ${to}: EKS upgrades one minor at a time (control plane, then add-ons, then nodes). Take the steps ${steps.join(" → ")}: for each, set ${key("cluster")}.kubernetesVersion to it in Pulumi.${stack}.yaml (its version set supplies the add-on builds; remove add-on pins of the old minor), run the stack's up, and only then the next`;
}

/** The stack file's sections the installed-charts rule reads. */
function chartChoices(target: YAML.Document) {
    const section = (name: string) => {
        const node = target.getIn(["config", key(name)]);
        return YAML.isNode(node) ? (node.toJS(target) as Record<string, unknown>) : undefined;
    };
    return {
        engine: section("engine"),
        secrets: section("secrets"),
        monitoring: section("monitoring"),
        apps: target.getIn(["config", key("apps")]) ? (section("apps") as unknown as { delivery?: unknown }[]) : [],
    };
}

/**
 * The change of one pin; none when equal, or when the target has no pin and its version set already
 * gives that version (the stack file keeps only what differs from the set).
 */
function change(
    target: YAML.Document,
    path: readonly (string | number)[],
    label: string,
    to: string,
    fromSet?: string,
): PlatformChange[] {
    const from = scalarAt(target, path);
    return from === to || (from === undefined && to === fromSet) ? [] : [{ path, label, from, to }];
}

/** What promoting the source's version set into the target stack file changes. Throws PlatformRefused. */
export function platformSetChanges(
    request: PlatformRequest,
    versions: VersionsOutput,
    target: YAML.Document,
): PlatformChange[] {
    const eks = scalarAt(target, [key("cluster"), "type"]) === "eks";
    const set = VERSION_SETS[versions.kubernetes];
    const changes: PlatformChange[] = [];
    if (eks && versions.addons !== undefined) {
        const deployed = scalarAt(target, [key("cluster"), "kubernetesVersion"]);
        const jump = deployed === undefined ? undefined : minorJumpProblem(request.to, deployed, versions.kubernetes);
        if (jump) {
            throw new PlatformRefused(`${jump}; nothing was written`);
        }
        changes.push(
            ...change(target, [key("cluster"), "kubernetesVersion"], "cluster.kubernetesVersion", versions.kubernetes),
        );
        for (const [addon, version] of Object.entries(versions.addons)) {
            if (addon in ADDONS) {
                const name = addon as AddonKey;
                const label = `cluster.addons.${name}`;
                changes.push(
                    ...change(target, [key("cluster"), "addons", name], label, version, set?.addons[name]?.version),
                );
            }
        }
        if (versions.nodeAmiReleaseVersion !== undefined) {
            changes.push(
                ...change(
                    target,
                    [key("cluster"), "nodeAmiReleaseVersion"],
                    "cluster.nodeAmiReleaseVersion",
                    versions.nodeAmiReleaseVersion,
                    set?.nodeAmiRelease?.version,
                ),
            );
        }
    }
    // Only charts the target installs too: promotion moves versions, it does not add components.
    const installed = installedCharts(chartChoices(target));
    for (const [chart, version] of Object.entries(versions.charts)) {
        if (chart in CHARTS && installed.includes(chart as ChartKey)) {
            const [section, ...rest] = CHART_PIN_PATHS[chart as ChartKey];
            const label = CHART_PIN_PATHS[chart as ChartKey].join(".");
            changes.push(...change(target, [key(section), ...rest], label, version, CHARTS[chart as ChartKey].version));
        }
    }
    return changes;
}

/**
 * Changes that would lower a version, build numbers included; the Kubernetes minor is left to
 * minorJumpProblem, and a version that is no semver (a hand-edited pin) cannot be ordered and counts.
 */
export function downgradesOf(changes: readonly PlatformChange[]): PlatformChange[] {
    return changes.filter((c) => {
        if (c.from === undefined || c.label === "cluster.kubernetesVersion") {
            return false;
        }
        try {
            return compareVersions(c.to, c.from) < 0;
        } catch {
            return true;
        }
    });
}

/** Refuses downgrades unless allowed. */
export function refuseDowngrades(request: PlatformRequest, changes: readonly PlatformChange[]): void {
    const downgrades = downgradesOf(changes);
    if (downgrades.length > 0 && request.allowDowngrade !== true) {
        const list = downgrades.map((c) => `${c.label} ${c.from} → ${c.to}`).join(", ");
        throw new PlatformRefused(
            `stack ${request.from} runs older versions than ${request.to}: ${list}; pass --allow-downgrade if that is intended; nothing was written`,
        );
    }
}
