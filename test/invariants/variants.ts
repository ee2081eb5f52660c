/**
 * What the cross-part invariants run over: every checked-in stack file, and the variants a user switches on
 * in them (each engine, each secrets backend, progressive delivery, image automation, monitoring with its own
 * Prometheus, the fleet hub on each engine). Each variant is a checked-in stack with overrides, so it plans
 * exactly as `pulumi up` of that edited file would.
 */
import * as fs from "node:fs";
import * as YAML from "yaml";
import { stackFilePath } from "../../plan/stackFile";
import { PlanResult } from "../../plan/run";
import { planStack, StackOverrides, stackValue } from "../harness";

export interface Variant {
    readonly name: string;
    readonly stack: string;
    readonly overrides: StackOverrides;
}

/** Every Pulumi.<stack>.yaml of the repository. */
export function checkedInStacks(): string[] {
    return fs
        .readdirSync(".")
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

const ENGINE = "gitops-platform:engine";
const SECRETS = "gitops-platform:secrets";
const APPS = "gitops-platform:apps";
const FLUX = { type: "flux", multitenancy: true };

/** A checked-in stack's apps with `edit` applied to the one named `name`. */
function withApp(stack: string, name: string, edit: (app: Record<string, unknown>) => Record<string, unknown>) {
    const apps = stackValue<Record<string, unknown>[]>(stack, APPS);
    return apps.map((app) => (app.name === name ? edit(app) : app));
}

/** The local stack's monitoring section as its comment suggests (kube-prometheus-stack installed by the stack). */
function localMonitoring(): Record<string, unknown> {
    const text = fs.readFileSync(stackFilePath("local"), "utf8");
    const block = /# gitops-platform:monitoring:\n((?: {2}# {3}.*\n)+)/.exec(text);
    if (block === null) {
        throw new Error("Pulumi.local.yaml no longer carries its commented-out monitoring section");
    }
    const yaml = block[1].replace(/^ {2}# {3}/gm, "");
    return YAML.parse(yaml) as Record<string, unknown>;
}

/** An app from the GitOps repository whose image tags are committed back (the one repository that may be pushed to). */
const IMAGE_APP = {
    name: "podinfo",
    team: "payments",
    source: { path: "apps/podinfo", revision: "main" },
    imageUpdate: { image: "ghcr.io/stefanprodan/podinfo", policy: { semver: ">=6.0.0 <7.0.0" } },
};

export const VARIANTS: readonly Variant[] = [
    ...checkedInStacks().map((stack) => ({ name: stack, stack, overrides: {} })),
    { name: "staging on flux", stack: "staging", overrides: { set: { [ENGINE]: FLUX } } },
    { name: "local on argocd", stack: "local", overrides: { set: { [ENGINE]: { type: "argocd" } } } },
    {
        name: "local with kube-prometheus-stack",
        stack: "local",
        overrides: { set: { "gitops-platform:monitoring": localMonitoring() } },
    },
    {
        name: "staging on vault",
        stack: "staging",
        overrides: {
            set: {
                [SECRETS]: {
                    type: "vault",
                    server: "https://vault.acme.example.com:8200",
                    role: "gitops-platform-staging",
                },
            },
        },
    },
    {
        name: "staging on sealed-secrets",
        stack: "staging",
        overrides: {
            set: { [SECRETS]: { type: "sealed-secrets" } },
        },
    },
    {
        name: "staging with progressive delivery (argo rollouts)",
        stack: "staging",
        overrides: {
            set: {
                [APPS]: withApp("staging", "payments-api", (app) => ({ ...app, delivery: {} })),
                "gitops-platform:delivery": {},
            },
        },
    },
    {
        name: "staging on flux with progressive delivery (flagger)",
        stack: "staging",
        overrides: {
            set: {
                [ENGINE]: FLUX,
                [APPS]: withApp("staging", "payments-api", (app) => ({
                    ...app,
                    delivery: { strategy: "blueGreen", port: 80 },
                })),
                "gitops-platform:delivery": {},
            },
        },
    },
    {
        name: "staging on flux with image automation",
        stack: "staging",
        overrides: {
            set: {
                [ENGINE]: { ...FLUX, imageAutomation: true },
                [APPS]: [...stackValue<Record<string, unknown>[]>("staging", APPS), IMAGE_APP],
            },
        },
    },
    {
        name: "staging with argo cd image updater",
        stack: "staging",
        overrides: {
            set: {
                [ENGINE]: { ...stackValue<Record<string, unknown>>("staging", ENGINE), imageAutomation: true },
                [APPS]: [...stackValue<Record<string, unknown>[]>("staging", APPS), IMAGE_APP],
            },
        },
    },
    { name: "fleet hub on flux", stack: "fleet-example", overrides: { set: { [ENGINE]: FLUX } } },
];

export function planVariant(variant: Variant): Promise<PlanResult> {
    return planStack(variant.stack, variant.overrides);
}
