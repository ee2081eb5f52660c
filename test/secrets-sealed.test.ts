/**
 * The Sealed Secrets backend (issue 19), through offline plans of staging (Argo CD) and local (Flux)
 * with `secrets.type: sealed-secrets`. Upstream read: bitnami-labs/sealed-secrets at helm chart
 * 2.18.5 / controller v0.36.6 (helm/sealed-secrets/Chart.yaml, values.yaml, templates/deployment.yaml,
 * crds/bitnami.com_sealedsecrets.yaml, cmd/kubeseal/main.go, pkg/apis/sealedsecrets/v1alpha1/types.go,
 * pkg/controller/keys.go). Objects are validated with kubernetes-models 5.1.0 and
 * @kubernetes-models/sealed-secrets 6.0.0.
 */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import {
    backupCommand,
    CLUSTER_WIDE_ANNOTATION,
    clusterWideDenial,
    fetchCertCommand,
    SEALED_SECRETS,
    SEALING_KEY_LABEL,
    sealedSecretsValues,
} from "../components/secrets/sealed";
import { appSecretName } from "../components/secrets/store";
import { PlannedResource } from "../plan/recorder";
import { byName, configProblems, importEsm, ofType, planStack, StackOverrides, stackValue } from "./harness";

const T = {
    release: "kubernetes:helm.sh/v3:Release",
    namespace: "kubernetes:core/v1:Namespace",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    policy: "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy",
    binding: "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding",
    secret: "kubernetes:core/v1:Secret",
    appProject: "kubernetes:argoproj.io/v1alpha1:AppProject",
    role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    application: "kubernetes:argoproj.io/v1alpha1:Application",
} as const;

const SEALED: StackOverrides = { set: { "gitops-platform:secrets": { type: "sealed-secrets" } } };

type Model = new (data: object) => { validate(): void };
async function validate(specifier: string, kind: string, object: object): Promise<void> {
    const module = await importEsm<Record<string, Model>>(specifier);
    new module[kind](object).validate();
}

const get = (value: unknown, dotted: string): unknown =>
    dotted
        .split(".")
        .reduce<unknown>(
            (v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined),
            value,
        );

describe("secrets: the Sealed Secrets backend", () => {
    it("pins the chart and sets only fullnameOverride, to kubeseal's default controller name", () => {
        // helm/sealed-secrets/Chart.yaml at 2.18.5: version 2.18.5, appVersion 0.36.6; README: helm repo
        // add sealed-secrets https://bitnami-labs.github.io/sealed-secrets.
        assert.deepEqual(
            [SEALED_SECRETS.repository, SEALED_SECRETS.chart, SEALED_SECRETS.version, SEALED_SECRETS.appVersion],
            ["https://bitnami-labs.github.io/sealed-secrets", "sealed-secrets", "2.18.5", "0.36.6"],
        );
        // values.yaml 2.18.5 `fullnameOverride: ""` names the Service; cmd/kubeseal/main.go v0.36.6
        // --controller-name defaults to sealed-secrets-controller.
        assert.deepEqual(sealedSecretsValues(), { fullnameOverride: "sealed-secrets-controller" });
        assert.equal(
            fetchCertCommand("sealed-secrets"),
            "kubeseal --fetch-cert --controller-name sealed-secrets-controller --controller-namespace sealed-secrets",
        );
        // pkg/controller/keys.go v0.36.6: SealedSecretsKeyLabel.
        assert.equal(SEALING_KEY_LABEL, "sealedsecrets.bitnami.com/sealed-secrets-key");
        assert.equal(
            backupCommand("vault-less"),
            "kubectl get secret -n vault-less -l sealedsecrets.bitnami.com/sealed-secrets-key -o yaml",
        );
    });

    it("refuses cluster-wide SealedSecrets of the CRD's group and plural, with a Deny binding, both valid", async () => {
        // pkg/apis/sealedsecrets/v1alpha1/types.go v0.36.6: annoNs + "cluster-wide", annoNs = "sealedsecrets.bitnami.com/".
        assert.equal(CLUSTER_WIDE_ANNOTATION, "sealedsecrets.bitnami.com/cluster-wide");
        const { policy, binding } = clusterWideDenial("no-cluster-wide", { environment: "staging" });
        // crds/bitnami.com_sealedsecrets.yaml 2.18.5: group bitnami.com, plural sealedsecrets.
        assert.deepEqual(policy.spec.matchConstraints.resourceRules[0], {
            apiGroups: ["bitnami.com"],
            apiVersions: ["*"],
            resources: ["sealedsecrets"],
            operations: ["CREATE", "UPDATE"],
        });
        assert.match(policy.spec.validations[0].expression, /'sealedsecrets\.bitnami\.com\/cluster-wide'\] != 'true'$/);
        assert.deepEqual(binding.spec, { policyName: "no-cluster-wide", validationActions: ["Deny"] });
        await validate(
            "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicy",
            policy,
        );
        await validate(
            "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding",
            "ValidatingAdmissionPolicyBinding",
            binding,
        );
    });

    describe("staging (Argo CD) on sealed-secrets", () => {
        let resources: readonly PlannedResource[];
        let outputs: Record<string, unknown>;
        before(async () => {
            ({ resources, outputs } = await planStack("staging", SEALED));
        });

        it("installs the pinned controller in an isolated namespace; no External Secrets Operator", async () => {
            const release = byName(resources, T.release, "staging-sealed-secrets-release");
            assert.equal(release.inputs.chart, "sealed-secrets");
            assert.equal(release.inputs.version, "2.18.5");
            assert.deepEqual(release.inputs.repositoryOpts, { repo: "https://bitnami-labs.github.io/sealed-secrets" });
            assert.equal(release.inputs.namespace, "sealed-secrets");
            assert.deepEqual(
                ofType(resources, T.release).filter((r) => r.inputs.chart === "external-secrets"),
                [],
            );
            assert.deepEqual(
                resources.filter((r) => r.type.startsWith("kubernetes:external-secrets.io/")),
                [],
            );
            const namespace = byName(resources, T.namespace, "staging-sealed-secrets-namespace");
            assert.equal(
                (get(namespace.inputs, "metadata.labels") as Record<string, string>)[
                    "pod-security.kubernetes.io/enforce"
                ],
                "baseline",
            );
            await validate("kubernetes-models/v1/Namespace", "Namespace", namespace.inputs);
            const isolation = byName(resources, T.networkPolicy, "staging-sealed-secrets-network-policy");
            // templates/deployment.yaml 2.18.5 names the container ports `http` (kubeseal, via the API
            // server's service proxy: rbac.serviceProxier) and `metrics`.
            assert.deepEqual(get(isolation.inputs, "spec.ingress"), [
                { from: [{ podSelector: {} }] },
                { from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: "metrics" }] },
                { ports: [{ protocol: "TCP", port: "http" }] },
            ]);
            await validate("kubernetes-models/networking.k8s.io/v1/NetworkPolicy", "NetworkPolicy", isolation.inputs);
            for (const [type, kind] of [
                [T.policy, "ValidatingAdmissionPolicy"],
                [T.binding, "ValidatingAdmissionPolicyBinding"],
            ] as const) {
                const [object] = ofType(resources, type);
                await validate(`kubernetes-models/admissionregistration.k8s.io/v1/${kind}`, kind, object.inputs);
            }
        });

        it("outputs kubeseal's fetch command; no key and no certificate in the plan", () => {
            assert.deepEqual(outputs.secrets, {
                type: "sealed-secrets",
                chartVersion: "2.18.5",
                fetchCert:
                    "kubeseal --fetch-cert --controller-name sealed-secrets-controller --controller-namespace sealed-secrets",
            });
            assert.deepEqual(
                ofType(resources, T.secret).filter((r) => get(r.inputs, "metadata.namespace") === "sealed-secrets"),
                [],
            );
            assert.doesNotMatch(JSON.stringify({ resources, outputs }), /BEGIN (RSA )?(PRIVATE KEY|CERTIFICATE)/);
        });

        it("delivers the platform's deploy keys directly, as Pulumi secrets", () => {
            const repo = byName(resources, T.secret, "argocd-repo-platform-gitops-staging");
            assert.equal(repo.inputs.stringData, "[secret]");
        });

        it("keeps the apps' config: only teams of apps with secretKeys may ship SealedSecrets, and wait for the controller", () => {
            const sealed = { group: "bitnami.com", kind: "SealedSecret" };
            const whitelist = (team: string) =>
                get(
                    ofType(resources, T.appProject).find((r) => get(r.inputs, "metadata.labels.team") === team)?.inputs,
                    "spec.namespaceResourceWhitelist",
                ) as unknown[];
            assert.ok(whitelist("payments").some((k) => JSON.stringify(k) === JSON.stringify(sealed)));
            assert.ok(!whitelist("storefront").some((k) => get(k, "group") === "bitnami.com"));
            const release = byName(resources, T.release, "staging-sealed-secrets-release");
            const application = ofType(resources, T.application).find(
                (r) => get(r.inputs, "metadata.name") === "payments-api",
            );
            assert.ok(application?.dependencies.includes(release.urn));
        });

        it("plans staging's apps unchanged from the ESO stacks: the same secretKeys", () => {
            const apps = stackValue<{ name: string; secretKeys?: string[] }[]>("staging", "gitops-platform:apps");
            assert.deepEqual(apps.find((a) => a.name === "payments-api")?.secretKeys, [
                "database-url",
                "stripe-api-key",
            ]);
        });
    });

    it("local (Flux, multi-tenant) on sealed-secrets: the tenant ClusterRole writes the app's SealedSecrets", async () => {
        const { resources } = await planStack("local", {
            set: { ...SEALED.set, "gitops-platform:engine": { type: "flux", multitenancy: true } },
        });
        // Flux tenants' rules are ClusterRoles, bound in each app's namespace (components/gitops/flux/flux.ts).
        const rules = ofType(resources, T.clusterRole).flatMap((r) => (r.inputs.rules ?? []) as unknown[]);
        assert.ok(
            rules.some(
                (rule) =>
                    JSON.stringify(get(rule, "apiGroups")) === '["bitnami.com"]' &&
                    JSON.stringify(get(rule, "resources")) === '["sealedsecrets"]',
            ),
        );
        assert.ok(ofType(resources, T.release).some((r) => r.inputs.chart === "sealed-secrets"));
    });

    it("the docs' SealedSecret is valid upstream, named as the app's secret, with its secretKeys", async () => {
        const doc = readFileSync(path.join(__dirname, "..", "docs", "secrets.md"), "utf8");
        const section = doc.slice(doc.indexOf("## Sealed Secrets"));
        const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
        assert.ok(block, "no yaml example in the Sealed Secrets section of docs/secrets.md");
        const object = parse(block.replace(/^ {2}/gm, "")) as {
            metadata: { name: string; annotations?: Record<string, string> };
            spec: { encryptedData: Record<string, string> };
        };
        await validate("@kubernetes-models/sealed-secrets/bitnami.com/v1alpha1/SealedSecret", "SealedSecret", object);
        assert.equal(object.metadata.name, appSecretName("payments-api"));
        assert.deepEqual(Object.keys(object.spec.encryptedData), ["database-url", "stripe-api-key"]);
        assert.equal(object.metadata.annotations?.[CLUSTER_WIDE_ANNOTATION], undefined);
        await assert.rejects(
            validate("@kubernetes-models/sealed-secrets/bitnami.com/v1alpha1/SealedSecret", "SealedSecret", {
                ...object,
                spec: { encryptedData: { "database-url": 42 } },
            }),
        );
    });

    it("refuses ESO's keys, a bad namespace and existing spokes on sealed-secrets, naming key, value and fix", () => {
        const problems = configProblems("staging", {
            set: { "gitops-platform:secrets": { type: "sealed-secrets", refreshInterval: "1h", namespace: "Bad_NS" } },
        });
        assert.deepEqual(
            problems.map((p) => [p.key, p.value]),
            [
                ["gitops-platform:secrets.namespace", "Bad_NS"],
                ["gitops-platform:secrets.refreshInterval", "1h"],
            ],
        );
        assert.match(problems[1].message, /unknown key "refreshInterval"; known keys: type, namespace/);
        assert.deepEqual(configProblems("staging", SEALED), []);
        assert.deepEqual(configProblems("local", SEALED), []);
        const spoke = configProblems("fleet-example", SEALED).find((p) => p.key.endsWith("edge-berlin.secretKey"));
        assert.ok(spoke, "an existing spoke is accepted without an External Secrets store");
        assert.equal(spoke.value, "fleet/edge-berlin");
        assert.match(spoke.message, /set secrets.type aws-secrets-manager, vault or kubernetes/);
    });
});
