/** User chart values (engine.values, secrets.values): the merge, the protected paths, the config errors, the plan. */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as YAML from "yaml";
import * as fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { mergeValues, protectedValueProblems, ProtectedValue, valuePath } from "../components/core/values";
import {
    DELIVERY_CHARTS,
    PROTECTED_VALUES as DELIVERY_PROTECTED,
    flaggerValues,
    rolloutsValues,
} from "../components/delivery/values";
import { DEFAULT_CHART_VERSION as ARGO_CD_VERSION } from "../components/gitops/argocd/versions";
import { argoCdValues, PROTECTED_VALUES } from "../components/gitops/argocd/values";
import { IMAGE_UPDATER, imageUpdaterValues } from "../components/gitops/argocd/imageUpdater";
import { DEFAULTS as FLUX_DEFAULTS } from "../components/gitops/flux";
import { fluxOperatorValues, PROTECTED_OPERATOR_VALUES as FLUX_PROTECTED } from "../components/gitops/flux/objects";
import { DEFAULTS as MONITORING_DEFAULTS, prometheusStackValues } from "../components/monitoring";
import { argoNotificationsValues } from "../components/notifications/objects";
import { operatorValues, PROTECTED_OPERATOR_VALUES as ESO_PROTECTED } from "../components/secrets/objects";
import { SEALED_SECRETS, sealedSecretsValues } from "../components/secrets/sealed";
import { DEFAULTS as ESO_DEFAULTS } from "../components/secrets/store";
import { notificationSettings } from "../stacks/notifications";
import { byName, configProblems, planStack, platformConfig, stackValue } from "./harness";
import { FLUX, PROMETHEUS, withDelivery } from "./progressive-delivery-fixtures";

const RELEASE = "kubernetes:helm.sh/v3:Release";

describe("chart values: the merge", () => {
    it("merges objects key by key, and the user's value wins at each leaf it sets", () => {
        const base = { server: { replicas: 1, resources: { limits: { memory: "256Mi" } } }, dex: { enabled: false } };
        const merged = mergeValues(base, { server: { resources: { limits: { memory: "2Gi" } } } });
        assert.deepEqual(merged, {
            server: { replicas: 1, resources: { limits: { memory: "2Gi" } } },
            dex: { enabled: false },
        });
        assert.equal(base.server.resources.limits.memory, "256Mi", "the program's values are not changed");
    });

    it("replaces lists whole, and lets null and scalars replace objects (as Helm does)", () => {
        const base = { tolerations: [{ key: "a" }, { key: "b" }], podLabels: { team: "platform" } };
        assert.deepEqual(mergeValues(base, { tolerations: [{ key: "c" }], podLabels: null }), {
            tolerations: [{ key: "c" }],
            podLabels: null,
        });
    });

    it("keeps a Pulumi Output of the program's values as it is (a leaf, not an object to merge into)", () => {
        const secret = pulumi.secret("s3cret");
        const merged = mergeValues({ configs: { secret: { extra: { "oidc.clientSecret": secret } } } }, { x: 1 });
        assert.equal(
            (merged.configs as { secret: { extra: Record<string, unknown> } }).secret.extra["oidc.clientSecret"],
            secret,
        );
    });
});

describe("chart values: protected paths", () => {
    const protections: ProtectedValue[] = [
        { path: ["configs", "cm", "exec.enabled"], reason: "no web terminal" },
        { path: ["crds"], reason: "CRDs stay" },
    ];

    it("refuses a value at a protected path, naming the path, the value and the reason", () => {
        assert.deepEqual(protectedValueProblems({ configs: { cm: { "exec.enabled": true } } }, protections), [
            {
                path: ["configs", "cm", "exec.enabled"],
                value: true,
                message: 'configs.cm["exec.enabled"] is set by the program and cannot be overridden: no web terminal',
            },
        ]);
    });

    it("refuses a value under a protected path", () => {
        const problems = protectedValueProblems({ crds: { keep: false } }, protections);
        assert.deepEqual(
            problems.map((p) => [p.path, p.value]),
            [[["crds"], { keep: false }]],
        );
    });

    it("refuses a non-object at a parent, which would replace the protected value with it", () => {
        const problems = protectedValueProblems({ configs: { cm: null } }, protections);
        assert.deepEqual(
            problems.map((p) => p.path),
            [["configs", "cm"]],
        );
        assert.match(problems[0].message, /configs\.cm holds configs\.cm\["exec\.enabled"\]/);
    });

    it("allows siblings of protected paths", () => {
        assert.deepEqual(
            protectedValueProblems({ configs: { cm: { "timeout.reconciliation": "300s" } }, crd: 1 }, protections),
            [],
        );
    });

    it("writes paths as a values file reads them", () => {
        assert.equal(valuePath(["configs", "cm", "admin.enabled"]), 'configs.cm["admin.enabled"]');
        assert.equal(valuePath(["redis-ha", "enabled"]), "redis-ha.enabled");
    });

    it("protects every value the policy pack checks on the argo-cd and external-secrets releases", () => {
        // policy/security/engines.ts: argocd-anonymous-off, argocd-exec-off, argocd-admin-off-in-production,
        // external-secrets-no-role-aggregation.
        const paths = (list: readonly ProtectedValue[]) => list.map((p) => valuePath(p.path));
        for (const path of [
            'configs.cm["users.anonymous.enabled"]',
            'configs.cm["exec.enabled"]',
            'configs.cm["admin.enabled"]',
        ]) {
            assert.ok(paths(PROTECTED_VALUES).includes(path), path);
        }
        for (const path of ["rbac.aggregateToAdmin", "rbac.aggregateToEdit", "installCRDs"]) {
            assert.ok(paths(ESO_PROTECTED).includes(path), path);
        }
        assert.ok(paths(FLUX_PROTECTED).includes("multitenancy.enabled"));
    });

    it("the README's table lists exactly each chart's protected paths", () => {
        const readme = fs.readFileSync("README.md", "utf8");
        const row = (chart: string) =>
            [...(new RegExp(`^\\| ${chart} \\| (.*) \\|$`, "m").exec(readme)?.[1] ?? "").matchAll(/`([^`]+)`/g)].map(
                (m) => m[1],
            );
        for (const [chart, list] of [
            ["argo-cd", PROTECTED_VALUES],
            ["flux-operator", FLUX_PROTECTED],
            ["external-secrets", ESO_PROTECTED],
            ["argo-rollouts", DELIVERY_PROTECTED["argo-rollouts"]],
            ["flagger", DELIVERY_PROTECTED.flagger],
        ] as const) {
            assert.deepEqual(
                row(chart),
                list.map((p) => valuePath(p.path)),
                chart,
            );
        }
    });
});

/** Plain-object trees of a few keys (one with a dot), at least one key per object, leaves of every kind Helm reads. */
const KEYS = ["a", "b", "c", "d.e"];
const leaf = fc.oneof(
    fc.integer(),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 2 }),
);
const { tree } = fc.letrec<{ tree: Record<string, unknown>; node: unknown }>((tie) => ({
    tree: fc.dictionary(fc.constantFrom(...KEYS), tie("node"), { minKeys: 1, maxKeys: 3 }),
    node: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("tree")),
}));
const path = fc.array(fc.constantFrom(...KEYS), { minLength: 1, maxLength: 3 });

/** Oracle's own view of a tree: every leaf with its key path (JSON-encoded), objects never leaves. */
function leaves(value: unknown, prefix: string[] = []): Map<string, unknown> {
    const out = new Map<string, unknown>();
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        for (const [key, child] of Object.entries(value)) {
            for (const [p, v] of leaves(child, [...prefix, key])) {
                out.set(p, v);
            }
        }
    } else {
        out.set(JSON.stringify(prefix), value);
    }
    return out;
}

const isPrefix = (a: string[], b: string[]) => a.length <= b.length && a.every((key, i) => key === b[i]);

function lookup(value: unknown, keys: readonly string[]): { found: boolean; value?: unknown } {
    let current = value;
    for (const key of keys) {
        if (current === null || typeof current !== "object" || Array.isArray(current) || !(key in current)) {
            return { found: false };
        }
        current = (current as Record<string, unknown>)[key];
    }
    return { found: true, value: current };
}

describe("chart values: properties", () => {
    it("the merged leaves are the user's, plus the program's that no user leaf shadows (above, at or below)", () => {
        fc.assert(
            fc.property(tree, tree, (base, user) => {
                const userLeaves = leaves(user);
                const userPaths = [...userLeaves.keys()].map((p) => JSON.parse(p) as string[]);
                const expected = new Map(userLeaves);
                for (const [p, v] of leaves(base)) {
                    const keys = JSON.parse(p) as string[];
                    if (!userPaths.some((u) => isPrefix(u, keys) || isPrefix(keys, u))) {
                        expected.set(p, v);
                    }
                }
                assert.deepEqual(leaves(mergeValues(base, user)), expected);
            }),
        );
    });

    it("user values that pass the check never change a protected path; refused ones would have", () => {
        fc.assert(
            fc.property(tree, tree, fc.array(path, { minLength: 1, maxLength: 3 }), (base, user, paths) => {
                const merged = mergeValues(base, user);
                for (const p of paths) {
                    const problems = protectedValueProblems(user, [{ path: p, reason: "test" }]);
                    const unchanged = JSON.stringify(lookup(merged, p)) === JSON.stringify(lookup(base, p));
                    // A user value at, under or above-as-non-object a protected path: the only ways to change it.
                    const touched = [...leaves(user).keys()]
                        .map((u) => JSON.parse(u) as string[])
                        .some((u) => isPrefix(u, p) || isPrefix(p, u));
                    assert.equal(problems.length > 0, touched);
                    if (!touched) {
                        assert.ok(unchanged, `protected ${JSON.stringify(p)} changed`);
                    }
                }
            }),
        );
    });
});

const stagingEngine = stackValue<Record<string, unknown>>("staging", "gitops-platform:engine");
const localEngine = stackValue<Record<string, unknown>>("local", "gitops-platform:engine");
const localSecrets = stackValue<Record<string, unknown>>("local", "gitops-platform:secrets");

describe("chart values: stack config", () => {
    const CASES = [
        {
            name: "Argo CD's web terminal",
            set: {
                "gitops-platform:engine": { ...stagingEngine, values: { configs: { cm: { "exec.enabled": true } } } },
            },
            key: "gitops-platform:engine.values.configs.cm.exec.enabled",
            value: true,
            reason: /policy argocd-exec-off/,
        },
        {
            name: "Argo CD's RBAC, replaced by a string",
            set: { "gitops-platform:engine": { ...stagingEngine, values: { configs: { rbac: "open" } } } },
            key: "gitops-platform:engine.values.configs.rbac",
            value: "open",
            reason: /engine\.adminGroups/,
        },
        {
            name: "Flux's tenant lockdown",
            set: { "gitops-platform:engine": { ...localEngine, values: { multitenancy: { enabled: true } } } },
            key: "gitops-platform:engine.values.multitenancy.enabled",
            value: true,
            reason: /engine\.multitenancy/,
        },
        {
            name: "external-secrets' aggregation into admin",
            set: { "gitops-platform:secrets": { ...localSecrets, values: { rbac: { aggregateToAdmin: true } } } },
            key: "gitops-platform:secrets.values.rbac.aggregateToAdmin",
            value: true,
            reason: /external-secrets-no-role-aggregation/,
        },
    ];
    for (const c of CASES) {
        it(`refuses ${c.name}, naming the key, the value and why`, () => {
            const stack = c.key.includes("multitenancy") || c.key.includes("secrets.") ? "local" : "staging";
            const problems = configProblems(stack, { set: c.set });
            assert.equal(problems.length, 1, JSON.stringify(problems));
            assert.equal(problems[0].key, c.key);
            assert.deepEqual(problems[0].value, c.value);
            assert.match(problems[0].message, /set by the program and cannot be overridden/);
            assert.match(problems[0].message, c.reason);
        });
    }

    it("refuses values that are not a mapping", () => {
        const problems = configProblems("local", {
            set: { "gitops-platform:engine": { ...localEngine, values: [1] } },
        });
        assert.deepEqual(
            problems.map((p) => p.key),
            ["gitops-platform:engine.values"],
        );
    });
});

/**
 * The user values below are keys of the charts' values.yaml: argoproj/argo-helm charts/argo-cd/values.yaml at tag
 * argo-cd-10.1.1 (server.replicas, controller.replicas, configs.cm["timeout.reconciliation"]);
 * controlplaneio-fluxcd/charts charts/flux-operator/values.yaml (resources.limits.memory, default 1Gi; read at chart
 * 0.49.0, the newest the mirror holds, not the pinned 0.58.1); external-secrets/external-secrets
 * deploy/charts/external-secrets/values.yaml at helm-chart-2.9.0 (replicaCount).
 */
describe("chart values: the plan", () => {
    it("merges engine.values and secrets.values into the flux-operator and external-secrets releases", async () => {
        const { resources } = await planStack("local", {
            set: {
                "gitops-platform:engine": { ...localEngine, values: { resources: { limits: { memory: "2Gi" } } } },
                "gitops-platform:secrets": { ...localSecrets, values: { replicaCount: 2 } },
            },
        });
        const flux = byName(resources, RELEASE, "flux-release").inputs.values as Record<string, unknown>;
        assert.deepEqual(flux, {
            installCRDs: true,
            multitenancy: { enabled: false },
            resources: { limits: { memory: "2Gi" } },
        });
        const eso = byName(resources, RELEASE, "local-secrets-release").inputs.values as Record<string, unknown>;
        assert.equal(eso.replicaCount, 2);
        assert.deepEqual(eso.rbac, {
            serviceAccountTokenCreate: true,
            aggregateToEdit: false,
            aggregateToAdmin: false,
        });
    });

    it("merges engine.values into Argo CD's release, readable with SSO too (issue 25)", async () => {
        const values = { server: { replicas: 3 }, configs: { cm: { "timeout.reconciliation": "300s" } } };
        const sso = await planStack("staging", { set: { "gitops-platform:engine": { ...stagingEngine, values } } });
        const release = byName(sso.resources, RELEASE, "argocd-release");
        const withSso = release.inputs.values as { server: Record<string, unknown> };
        assert.equal(withSso.server.replicas, 3);
        const plain = { ...stagingEngine };
        delete plain.sso;
        delete plain.domain;
        const local = await planStack("staging", {
            set: { "gitops-platform:engine": { ...plain, values } },
            remove: ["gitops-platform:ssoClientSecret"],
        });
        const merged = byName(local.resources, RELEASE, "argocd-release").inputs.values as {
            server: Record<string, unknown>;
            configs: { cm: Record<string, unknown> };
        };
        assert.equal(merged.server.replicas, 3);
        assert.ok(merged.server.resources !== undefined, "the program's server values stay");
        assert.equal(merged.configs.cm["timeout.reconciliation"], "300s");
        assert.equal(merged.configs.cm["exec.enabled"], false);
    });
});

describe("chart values: the progressive delivery controller (delivery.values)", () => {
    /** delivery.values set on staging (Argo CD: argo-rollouts) or with Flux (flagger), payments-api opted in. */
    const withValues = (values: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
        // Flagger needs the app's port (the Services it generates).
        withDelivery("staging", extra === FLUX ? { port: 8080 } : {}, {
            "gitops-platform:delivery": { prometheusAddress: PROMETHEUS, values },
            ...extra,
        });

    it("refuses a protected key of the engine's controller, naming key, value and reason", () => {
        const rollouts = configProblems("staging", withValues({ dashboard: { enabled: true } }));
        assert.deepEqual(
            rollouts.map((p) => [p.key, p.value]),
            [["gitops-platform:delivery.values.dashboard.enabled", true]],
        );
        assert.match(rollouts[0].message, /dashboard has no login/);
        const flagger = configProblems("staging", withValues({ noCrossNamespaceRefs: false }, FLUX));
        assert.deepEqual(
            flagger.map((p) => [p.key, p.value]),
            [["gitops-platform:delivery.values.noCrossNamespaceRefs", false]],
        );
        assert.match(flagger[0].message, /policy flagger-no-cross-namespace-refs/);
    });

    it("merges delivery.values into the controller's release", async () => {
        const { resources } = await planStack("staging", withValues({ controller: { replicas: 3 } }));
        const values = byName(resources, RELEASE, "staging-delivery-release").inputs.values as {
            keepCRDs: boolean;
            controller: Record<string, unknown>;
        };
        assert.equal(values.controller.replicas, 3);
        assert.ok(values.controller.metrics !== undefined, "the program's controller values stay");
        assert.equal(values.keepCRDs, true);
    });
});

/** A path as a values file spells it, written here apart from the program's valuePath: `a.b["c.d"]`. */
const spell = (keys: readonly string[]) =>
    keys
        .map((key, i) => (/^[A-Za-z0-9_-]+$/.test(key) ? `${i > 0 ? "." : ""}${key}` : `[${JSON.stringify(key)}]`))
        .join("");

/** Every key path of a values.yaml: its objects and their keys; lists and scalars are leaves. */
function chartPaths(values: unknown, prefix: string[] = []): string[] {
    const here = prefix.length > 0 ? [spell(prefix)] : [];
    if (values === null || typeof values !== "object" || Array.isArray(values)) {
        return here;
    }
    return [...here, ...Object.entries(values).flatMap(([key, child]) => chartPaths(child, [...prefix, key]))];
}

/** The leaf paths a program's values set; Outputs, lists, scalars and empty objects are leaves. */
function setPaths(values: unknown, prefix: string[] = []): string[][] {
    const object = values !== null && typeof values === "object" && !Array.isArray(values);
    if (!object || pulumi.Output.isInstance(values) || Object.keys(values).length === 0) {
        return [prefix];
    }
    return Object.entries(values).flatMap(([key, child]) => setPaths(child, [...prefix, key]));
}

/** Key paths of an upstream chart: a key list in test/fixtures/chart-values (its header cites the source) or a vendored values.yaml. */
function upstreamPaths(file: string): Set<string> {
    const text = fs.readFileSync(file, "utf8");
    return file.endsWith(".keys")
        ? new Set(text.split("\n").filter((line) => line !== "" && !line.startsWith("#")))
        : new Set(chartPaths(YAML.parse(text)));
}

interface UpstreamChart {
    readonly chart: string;
    /** The version the program installs. */
    readonly pinned: string;
    /** The upstream file read, named with the version it is of. */
    readonly file: string;
    /** Why the file is of another version than the pinned one, when it is. */
    readonly versionNote?: string;
    /** Everything the program can set, in each of its variants. */
    readonly variants: readonly Record<string, unknown>[];
    readonly protectedPaths: readonly ProtectedValue[];
    /**
     * Values the chart takes as free-form maps (empty or with examples upstream), under which any key is
     * the user's or the program's to choose; each with where its keys are defined.
     */
    readonly maps: Readonly<Record<string, string>>;
    /** Maps values.yaml documents in a comment only, each with the commented-out line that does. */
    readonly commented?: Readonly<Record<string, string>>;
}

const SSO = { issuer: "https://acme.okta.com/oauth2/default", clientId: "argocd", groupsClaim: "groups" };
const argoBase = {
    highAvailability: false,
    adminGroups: ["platform-admins"],
    knownHosts: ["github.com ssh-ed25519 A"],
};
const controller = { highAvailability: false, meshProvider: "kubernetes" };
const UPSTREAM: readonly UpstreamChart[] = [
    {
        chart: "argo-cd",
        pinned: ARGO_CD_VERSION,
        file: "test/fixtures/chart-values/argo-cd-10.1.1.keys",
        variants: [
            argoBase,
            { ...argoBase, highAvailability: true, domain: "argocd.example.org", sso: SSO },
            { ...argoBase, rolloutsExtension: true },
            {
                ...argoBase,
                notifications: argoNotificationsValues(notificationSettings(platformConfig("production"))!),
            },
        ].map(argoCdValues),
        protectedPaths: PROTECTED_VALUES,
        maps: {
            "configs.cm": "argocd-cm's data: Argo CD's settings (argo-cd docs, operator-manual/argocd-cm.yaml)",
            "configs.rbac": "argocd-rbac-cm's data (operator-manual/argocd-rbac-cm.yaml)",
            "configs.params": "argocd-cmd-params-cm's data (operator-manual/argocd-cmd-params-cm.yaml)",
            "configs.secret.extra": "extra keys of argocd-secret, referenced as $key from argocd-cm",
            "notifications.notifiers": "argocd-notifications-cm's service.* entries (notifications docs, services)",
            "notifications.templates": "argocd-notifications-cm's template.* entries",
            "notifications.triggers": "argocd-notifications-cm's trigger.* entries",
            ...Object.fromEntries(
                ["controller", "server", "repoServer", "applicationSet"].map((c) => [
                    `${c}.resources`,
                    "a container's Kubernetes ResourceRequirements (requests, limits)",
                ]),
            ),
        },
    },
    {
        chart: "argocd-image-updater",
        pinned: IMAGE_UPDATER.chartVersion,
        file: "test/fixtures/chart-values/argocd-image-updater-1.2.4.keys",
        variants: [imageUpdaterValues()],
        protectedPaths: [],
        maps: {},
    },
    {
        chart: "flux-operator",
        pinned: FLUX_DEFAULTS.operatorChartVersion,
        file: "test/fixtures/chart-values/flux-operator-0.49.0.keys",
        versionNote: "the mirror holds controlplaneio-fluxcd/charts up to 0.49.0 only",
        variants: [fluxOperatorValues({ multitenancy: false }), fluxOperatorValues({ multitenancy: true })],
        protectedPaths: FLUX_PROTECTED,
        maps: {},
    },
    {
        chart: "external-secrets",
        pinned: ESO_DEFAULTS.chartVersion,
        file: "test/fixtures/chart-values/external-secrets-2.9.0.keys",
        variants: [
            operatorValues({
                serviceAccountName: "external-secrets",
                serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/r" },
                serviceAccountTokenCreate: true,
            }),
        ],
        protectedPaths: ESO_PROTECTED,
        maps: { "serviceAccount.annotations": "annotations of the operator's ServiceAccount" },
    },
    {
        chart: "sealed-secrets",
        pinned: SEALED_SECRETS.version,
        file: "test/fixtures/chart-values/sealed-secrets-2.18.5.keys",
        variants: [sealedSecretsValues()],
        protectedPaths: [],
        maps: {},
    },
    {
        chart: "kube-prometheus-stack",
        pinned: MONITORING_DEFAULTS.stack.chartVersion,
        file: "test/fixtures/chart-values/kube-prometheus-stack-88.5.3.keys",
        variants: [prometheusStackValues()],
        protectedPaths: [],
        maps: {},
    },
    {
        chart: "argo-rollouts",
        pinned: DELIVERY_CHARTS["argo-rollouts"].version,
        file: "test/fixtures/delivery/argo-rollouts-2.41.0-values.yaml",
        variants: [
            rolloutsValues(controller),
            rolloutsValues({ ...controller, highAvailability: true, monitorLabels: { release: "p" } }),
        ],
        protectedPaths: DELIVERY_PROTECTED["argo-rollouts"],
        maps: { "controller.metrics.serviceMonitor.additionalLabels": "labels of the ServiceMonitor" },
    },
    {
        chart: "flagger",
        pinned: DELIVERY_CHARTS.flagger.version,
        file: "test/fixtures/delivery/flagger-1.44.0-values.yaml",
        variants: [
            flaggerValues(controller),
            flaggerValues({
                ...controller,
                highAvailability: true,
                prometheusAddress: "http://p:9090",
                monitorLabels: { release: "p" },
            }),
        ],
        protectedPaths: DELIVERY_PROTECTED.flagger,
        maps: {},
        commented: { "serviceMonitor.labels": "labels:" },
    },
];

describe("chart values: every path the program sets is in the upstream chart's values.yaml", () => {
    for (const upstream of UPSTREAM) {
        describe(upstream.chart, () => {
            const paths = upstreamPaths(upstream.file);
            /** Known upstream, or under a map the chart declares. */
            const commented = upstream.commented ?? {};
            const free = new Set([...Object.keys(upstream.maps), ...Object.keys(commented)]);
            /** In the chart's values, or at or under a map it declares. */
            const known = (keys: readonly string[]) =>
                paths.has(spell(keys)) || keys.some((_, i) => free.has(spell(keys.slice(0, i + 1))));

            it(`reads the chart at the version the program pins (${upstream.pinned})`, () => {
                const version = /-(\d+\.\d+\.\d+)[.-]/.exec(upstream.file)?.[1];
                assert.equal(version === upstream.pinned, upstream.versionNote === undefined, upstream.versionNote);
            });

            it("sets only keys of the chart", () => {
                const unknown = upstream.variants.flatMap((values) => setPaths(values)).filter((keys) => !known(keys));
                assert.deepEqual([...new Set(unknown.map(spell))], []);
            });

            it("protects only keys of the chart", () => {
                const unknown = upstream.protectedPaths.filter((p) => !known(p.path));
                assert.deepEqual(
                    unknown.map((p) => spell(p.path)),
                    [],
                );
            });

            it("allows free keys only under maps the chart declares", () => {
                assert.deepEqual(
                    Object.keys(upstream.maps).filter((map) => !paths.has(map)),
                    [],
                );
            });
        });
    }
});
