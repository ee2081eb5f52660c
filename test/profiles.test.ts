/**
 * Environment profiles: stacks/ turns the one table into the components' switches. The planned
 * production and staging stacks show each switch where the component applies it.
 */
import * as assert from "node:assert/strict";
import { PlannedResource } from "../plan/recorder";
import { PlanResult } from "../plan/run";
import { PROFILES } from "../stacks/profiles";
import { byName, ofType, planStack } from "./harness";

const APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application";

const syncOptions = (r: PlannedResource) =>
    (r.inputs.spec as { syncPolicy: { syncOptions: string[] } }).syncPolicy.syncOptions;
const finalizers = (r: PlannedResource) => (r.inputs.metadata as { finalizers?: string[] }).finalizers;

describe("environment profiles reach the components as switches", () => {
    let production: PlanResult;
    let staging: PlanResult;
    before(async () => {
        production = await planStack("production");
        staging = await planStack("staging");
    });

    it("production: PruneLast, no cascade delete, a root app that does not prune (HA: engine-stack.test.ts)", () => {
        const apps = ofType(production.resources, APPLICATION).filter((r) => r.name !== "argocd-root-application");
        assert.ok(apps.length > 0);
        assert.ok(apps.every((r) => syncOptions(r).includes("PruneLast=true") && finalizers(r) === undefined));
        const root = byName(production.resources, APPLICATION, "argocd-root-application");
        assert.equal(
            (root.inputs.spec as { syncPolicy: { automated: { prune: boolean } } }).syncPolicy.automated.prune,
            false,
        );
    });

    it("staging: no PruneLast, cascade delete, a root app that prunes", () => {
        const apps = ofType(staging.resources, APPLICATION).filter((r) => r.name !== "argocd-root-application");
        assert.ok(
            apps.every(
                (r) =>
                    !syncOptions(r).includes("PruneLast=true") &&
                    finalizers(r)?.includes("resources-finalizer.argocd.argoproj.io"),
            ),
        );
        const root = byName(staging.resources, APPLICATION, "argocd-root-application");
        assert.equal(
            (root.inputs.spec as { syncPolicy: { automated: { prune: boolean } } }).syncPolicy.automated.prune,
            true,
        );
    });

    it("keeps production's safety switches on and staging's off", () => {
        const safety = [
            "protect",
            "pruneNeedsApproval",
            "pruneLast",
            "engineHighAvailability",
            "retainAppNamespaces",
            "enforceAdmins",
        ] as const;
        for (const key of safety) {
            assert.equal(PROFILES.production[key], true, key);
            assert.equal(PROFILES.staging[key], false, key);
        }
        for (const key of ["rootPrune", "cascadeDelete", "teamDebugAccess", "publicEndpointByDefault"] as const) {
            assert.equal(PROFILES.production[key], false, key);
        }
        assert.equal(PROFILES.production.sync.prune, false);
    });
});
