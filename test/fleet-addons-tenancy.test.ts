/**
 * Issue 24, finding 10 (add-ons): the hub's External Secrets add-on installs the chart with the platform's RBAC
 * values, not the chart's defaults (external-secrets 2.9.0 values.yaml: rbac.aggregateToAdmin and
 * aggregateToEdit true, serviceAccountTokenCreate true), on both engines; and a stack spoke, which installs
 * External Secrets itself, cannot take the add-on (two managers of one release).
 */
import assert from "node:assert/strict";
import { ADDON_CATALOG } from "../components/fleet";
import { operatorRbac } from "../components/secrets/objects";
import { assertProblemAt, configProblems, edited, planStack } from "./harness";

const FLEET = "gitops-platform:fleet";
const HARDENED = { aggregateToAdmin: false, aggregateToEdit: false, serviceAccountTokenCreate: false };

describe("issue 24 finding 10: the fleet's External Secrets add-on", () => {
    it("the catalog sets the platform's RBAC values, the same builder as the platform's own release", () => {
        assert.deepEqual(ADDON_CATALOG.external_secrets.values, { installCRDs: true, rbac: HARDENED });
        assert.deepEqual(operatorRbac(false), HARDENED);
    });

    it("Argo CD hub: the add-on's ApplicationSet passes them as the chart's values", async () => {
        const { resources } = await planStack("fleet-example");
        const set = resources.find((r) => r.name === "fleet-example-fleet-addon-external-secrets")!;
        const helm = (set.inputs.spec as { template: { spec: { source: { helm: Record<string, unknown> } } } }).template
            .spec.source.helm;
        assert.deepEqual(helm.valuesObject, { installCRDs: true, rbac: HARDENED });
    });

    it("Flux hub: the add-on's HelmRelease passes them as values", async () => {
        const { resources } = await planStack("fleet-example", {
            set: { "gitops-platform:engine": { type: "flux", multitenancy: true } },
        });
        const release = resources.find((r) => r.name === "fleet-example-fleet-addon-external-secrets-edge-berlin")!;
        assert.deepEqual((release.inputs.spec as { values: unknown }).values, { installCRDs: true, rbac: HARDENED });
    });

    it("a stack spoke cannot take the External Secrets add-on: its own stack installs the release", () => {
        const overrides = {
            set: edited<{ spokes: Record<string, { addons?: Record<string, boolean> }> }>(
                "fleet-example",
                FLEET,
                (fleet) => {
                    fleet.spokes["eu-staging"].addons = { external_secrets: true };
                },
            ),
        };
        assertProblemAt(
            configProblems("fleet-example", overrides),
            "gitops-platform:fleet.spokes.eu-staging.addons.external_secrets",
            /installs External Secrets there already/,
        );
    });
});
