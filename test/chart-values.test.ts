/** User chart values (engine.values, secrets.values): the merge, the protected paths, the config errors, the plan. */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as YAML from "yaml";
import * as fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { mergeValues, protectedValueProblems, ProtectedValue, valuePath } from "../components/core/values";
import { PROTECTED_VALUES as DELIVERY_PROTECTED } from "../components/delivery/values";
import { PROTECTED_VALUES } from "../components/gitops/argocd/values";
import { PROTECTED_OPERATOR_VALUES as FLUX_PROTECTED } from "../components/gitops/flux/objects";
import { PROTECTED_OPERATOR_VALUES as ESO_PROTECTED } from "../components/secrets/objects";
import { byName, configProblems, planStack, stackValue } from "./harness";
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
        // policy/security.ts: argocd-anonymous-off, argocd-exec-off, argocd-admin-off-in-production,
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

    it("merges engine.values into Argo CD's release, whose values stay a secret with SSO", async () => {
        const values = { server: { replicas: 3 }, configs: { cm: { "timeout.reconciliation": "300s" } } };
        const sso = await planStack("staging", { set: { "gitops-platform:engine": { ...stagingEngine, values } } });
        const release = byName(sso.resources, RELEASE, "argocd-release");
        assert.equal(release.inputs.values, "[secret]");
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

    it("protects keys that exist in the vendored charts' values.yaml (argo-rollouts 2.41.0, flagger 1.44.0)", () => {
        for (const [engine, file] of [
            ["argo-rollouts", "argo-rollouts-2.41.0-values.yaml"],
            ["flagger", "flagger-1.44.0-values.yaml"],
        ] as const) {
            const chart = YAML.parse(fs.readFileSync(`test/fixtures/delivery/${file}`, "utf8")) as unknown;
            for (const { path: keys } of DELIVERY_PROTECTED[engine]) {
                assert.ok(lookup(chart, keys).found, `${engine}: ${valuePath(keys)}`);
            }
        }
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
