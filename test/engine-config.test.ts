/** The engine section of stack config: bad values are reported with their key; stack config becomes component Args. */
import assert from "node:assert/strict";
import { assertProblemAt, configProblems, StackOverrides, stackValue } from "./harness";

const problemsOf = configProblems;

const stagingEngine = stackValue<Record<string, unknown>>("staging", "gitops-platform:engine");
const argo = (changes: Record<string, unknown>) => ({
    set: { "gitops-platform:engine": { ...stagingEngine, ...changes } },
});
const flux = (changes: Record<string, unknown>) => ({
    set: { "gitops-platform:engine": { type: "flux", ...changes } },
});

const BAD: { name: string; overrides: StackOverrides; key: string; expect: RegExp }[] = [
    {
        name: "an argo-cd chart version with no known Argo CD version",
        overrides: argo({ chartVersion: "99.0.0" }),
        key: "gitops-platform:engine.chartVersion",
        expect: /one of 10\.1\.1/,
    },
    {
        name: "an argo-cd chart version range",
        overrides: argo({ chartVersion: "10.x" }),
        key: "gitops-platform:engine.chartVersion",
        expect: /exact version/,
    },
    {
        name: "a Flux distribution range",
        overrides: flux({ distributionVersion: "2.9.x" }),
        key: "gitops-platform:engine.distributionVersion",
        expect: /exact version/,
    },
    {
        name: "a flux-operator chart tag",
        overrides: flux({ operatorChartVersion: "latest" }),
        key: "gitops-platform:engine.operatorChartVersion",
        expect: /exact version/,
    },
    {
        name: "an Argo CD option with Flux",
        overrides: flux({ adminGroups: ["x"] }),
        key: "gitops-platform:engine.adminGroups",
        expect: /option of engine type argocd/,
    },
    {
        name: "a Flux option with Argo CD",
        overrides: argo({ multitenancy: true }),
        key: "gitops-platform:engine.multitenancy",
        expect: /option of engine type flux/,
    },
    {
        name: "an unknown Flux component",
        overrides: flux({ components: ["kustomize"] }),
        key: "gitops-platform:engine.components[0]",
        expect: /source-controller/,
    },
    {
        name: "an OIDC issuer over http",
        overrides: argo({ sso: { issuer: "http://idp.example.com", clientId: "argocd" } }),
        key: "gitops-platform:engine.sso.issuer",
        expect: /https URL/,
    },
    {
        name: "SSO without the domain of its redirect URL",
        overrides: argo({ domain: undefined }),
        key: "gitops-platform:engine.domain",
        expect: /host name users reach Argo CD at/,
    },
    {
        name: "a domain that is a URL",
        overrides: argo({ domain: "https://argocd.example.com" }),
        key: "gitops-platform:engine.domain",
        expect: /expected a host name/,
    },
    {
        name: "SSO without its client secret",
        overrides: { ...argo({}), remove: ["gitops-platform:ssoClientSecret"] },
        key: "gitops-platform:ssoClientSecret",
        expect: /OIDC client secret/,
    },
];

describe("engine config", () => {
    for (const bad of BAD) {
        it(`reports ${bad.name} at ${bad.key}`, () => {
            assertProblemAt(problemsOf("staging", bad.overrides), bad.key, bad.expect);
        });
    }

    it("accepts the checked-in engines and a plain flux section", () => {
        for (const stack of ["staging", "production", "local"]) {
            assert.deepEqual(problemsOf(stack, {}), []);
        }
        assert.deepEqual(
            problemsOf(
                "staging",
                flux({
                    multitenancy: true,
                    imageAutomation: true,
                    // staging has a helm app (grafana), which needs helm-controller.
                    components: ["source-controller", "kustomize-controller", "helm-controller"],
                }),
            ),
            [],
        );
    });
});
