/**
 * Issue 20, fleets: a hub registers spokes with its Argo CD and places add-ons and apps on them by
 * cluster label. The builders are tested directly, then through the offline plan of
 * Pulumi.fleet-example.yaml (the StackReference's outputs come from plan/mocks.ts).
 */
import * as assert from "node:assert/strict";
import { eksKubeconfig } from "../components/cluster/eks";
import { ADDON_CATALOG, addonLabel } from "../components/fleet";
import { ARGOCD_CLUSTER_SERVICE_ACCOUNTS, managementPolicy, spokeTrustPolicy } from "../components/fleet/iam";
import { managementTrustPolicy, SPOKE_ACCESS_POLICY_ARN } from "../components/fleet/iam";
import { storedCredentials } from "../components/fleet/credentials";
import { spokeMetadata } from "../components/fleet/metadata";
import {
    addonApplicationSet,
    eksClusterConfig,
    existingSpokeExternalSecret,
    fleetProject,
    placementApplicationSet,
} from "../components/fleet/objects";
import { PlannedResource } from "../plan/recorder";
import { fromPlanned } from "../policy/check";
import { INVARIANT_RULES } from "../policy/invariants";
import { checkResources } from "../policy/rules";
import { kubeconfigCa } from "../stacks/fleet";
import {
    eksSpokeKubeconfig,
    existingSpokeKubeconfig,
    addonHelmRelease,
    addonHelmRepository,
    FLEET_SERVICE_ACCOUNT,
    HELM_CONTROLLER_SERVICE_ACCOUNT,
    KUSTOMIZE_CONTROLLER_SERVICE_ACCOUNT,
    placementKustomization,
    selects,
} from "../components/fleet/flux";
import { assertProblemAt, configProblems, importEsm, planStack, stackValue, StackOverrides } from "./harness";

interface Validatable {
    validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

async function model(specifier: string, name: string): Promise<ModelClass> {
    return (await importEsm<Record<string, ModelClass>>(specifier))[name];
}

const MODELS: Record<string, [string, string]> = {
    "kubernetes:argoproj.io/v1alpha1:ApplicationSet": [
        "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet",
        "ApplicationSet",
    ],
    "kubernetes:argoproj.io/v1alpha1:AppProject": [
        "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject",
        "AppProject",
    ],
    "kubernetes:external-secrets.io/v1:ExternalSecret": [
        "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret",
        "ExternalSecret",
    ],
};

/** The value at a path of plan inputs or a parsed document, whose shapes the test does not type. */
function at(value: unknown, ...path: (string | number)[]): unknown {
    return path.reduce<unknown>(
        (current, key) =>
            current !== null && typeof current === "object" ? (current as Record<string, unknown>)[key] : undefined,
        value,
    );
}
const json = (text: unknown): unknown => JSON.parse(String(text));

const STACK = "fleet-example";
const FLEET = "gitops-platform:fleet";
type FleetYaml = {
    spokes: Record<string, Record<string, unknown>>;
    placements: Record<string, Record<string, unknown>>;
};
const exampleFleet = () => structuredClone(stackValue<FleetYaml>(STACK, FLEET));
const withFleet = (edit: (fleet: FleetYaml) => void): StackOverrides => {
    const fleet = exampleFleet();
    edit(fleet);
    return { set: { [FLEET]: fleet } };
};

const metadataInput = {
    name: "eu-staging",
    environment: "staging",
    cloud: "aws",
    aws: { region: "eu-west-1", accountId: "111122223333", clusterName: "gitops-platform-staging" },
    addons: ["external_secrets"],
    labels: { business_unit: "payments" },
    gitops: { url: "ssh://git@github.com/acme/gitops.git", revision: "main" },
};

const ACCOUNT_ID = "111122223333";

/** Each statement's StringEquals condition of a trust policy. */
const trustConditions = (policy: unknown): unknown[] =>
    (at(json(policy), "Statement") as unknown[]).map((statement) => at(statement, "Condition", "StringEquals"));

describe("fleet builders", () => {
    it("writes an EKS spoke's cluster config as Argo CD reads it", () => {
        // argoproj/argo-cd v3.4.7 docs/operator-manual/declarative-setup.md, "EKS": awsAuthConfig.clusterName
        // and roleARN, tlsClientConfig.caData; field names from pkg/apis/application/v1alpha1/types.go
        // (AWSAuthConfig `json:"clusterName"`, `json:"roleARN"`; TLSClientConfig `json:"caData"`, `json:"insecure"`).
        assert.deepEqual(JSON.parse(eksClusterConfig("c1", "arn:aws:iam::1:role/r", "Q0E=")), {
            awsAuthConfig: { clusterName: "c1", roleARN: "arn:aws:iam::1:role/r" },
            tlsClientConfig: { insecure: false, caData: "Q0E=" },
        });
    });

    it("gives a spoke the in-cluster metadata contract plus cloud, enable_ and its own labels", () => {
        const { labels, annotations } = spokeMetadata(metadataInput);
        assert.deepEqual(labels, {
            business_unit: "payments",
            environment: "staging",
            cluster_name: "eu-staging",
            aws_region: "eu-west-1",
            cloud: "aws",
            enable_external_secrets: "true",
            enable_kube_prometheus_stack: "false",
        });
        assert.equal(annotations.gitops_repo_path, "clusters/eu-staging");
        assert.equal(annotations.aws_account_id, "111122223333");
        assert.equal(annotations.aws_cluster_name, "gitops-platform-staging");
        assert.equal(spokeMetadata({ ...metadataInput, addons: [] }).labels.enable_external_secrets, "false");
    });

    it("refuses a label the contract sets, and an add-on not in the catalog", () => {
        assert.throws(
            () => spokeMetadata({ ...metadataInput, labels: { cloud: "gcp" } }),
            /labels cloud are set by the platform/,
        );
        assert.throws(() => spokeMetadata({ ...metadataInput, addons: ["karpenter"] }), /no add-on karpenter/);
    });

    it("uses gitops-bridge's enable_<addon> label keys", () => {
        // gitops-bridge-dev/gitops-bridge argocd/iac/terraform/examples/eks/multi-cluster/hub-spoke/spokes/main.tf
        assert.equal(addonLabel("external_secrets"), "enable_external_secrets");
    });

    it("installs an add-on on the clusters that enable it, at the version the platform runs", async () => {
        const set = addonApplicationSet({
            addon: "external_secrets",
            definition: ADDON_CATALOG.external_secrets,
            namespace: "argocd",
            sync: { prune: false, selfHeal: true },
            labels: {},
        });
        assert.deepEqual(set.spec.generators, [
            { clusters: { selector: { matchLabels: { enable_external_secrets: "true" } } } },
        ]);
        const template = at(set.spec, "template", "spec");
        assert.equal(at(template, "source", "targetRevision"), "2.9.0");
        assert.equal(at(template, "destination", "server"), "{{.server}}");
        assert.equal(at(template, "syncPolicy", "automated", "prune"), false);
        new (await model(...MODELS["kubernetes:argoproj.io/v1alpha1:ApplicationSet"]))(set).validate();
    });

    it("places an app by a matrix whose Git generator reads the cluster generator's name", async () => {
        const set = placementApplicationSet({
            name: "web",
            namespace: "argocd",
            selector: { business_unit: "payments" },
            path: "apps/web",
            targetNamespace: "web",
            repoUrl: "https://example.com/gitops.git",
            revision: "main",
            sync: { prune: false, selfHeal: true },
            labels: {},
        });
        // Generators-Matrix.md (v3.4.7): the generator that consumes parameters comes after the one producing them.
        const [clusters, git] = set.spec.generators[0].matrix.generators;
        assert.deepEqual(clusters, { clusters: { selector: { matchLabels: { business_unit: "payments" } } } });
        assert.deepEqual(git.git?.directories, [{ path: "clusters/{{.name}}/apps/web" }]);
        assert.equal(set.spec.template.spec.source.path, "{{.path.path}}");
        new (await model(...MODELS["kubernetes:argoproj.io/v1alpha1:ApplicationSet"]))(set).validate();
    });

    it("fills an existing spoke's cluster Secret from the store, labelled for the generator", async () => {
        const object = existingSpokeExternalSecret({
            name: "edge",
            namespace: "argocd",
            server: "https://edge.example.com:6443",
            storeKey: "fleet/edge",
            storeName: "platform-secrets",
            metadata: spokeMetadata({ ...metadataInput, name: "edge", aws: undefined, cloud: "on-prem" }),
        });
        const template = object.spec.target.template;
        assert.equal(at(template, "metadata", "labels", "argocd.argoproj.io/secret-type"), "cluster");
        assert.equal(at(template, "metadata", "labels", "cloud"), "on-prem");
        assert.deepEqual(at(template, "data"), {
            name: "edge",
            server: "https://edge.example.com:6443",
            config: "{{ .config }}",
        });
        assert.deepEqual(object.spec.data, [{ secretKey: "config", remoteRef: { key: "fleet/edge" } }]);
        new (await model(...MODELS["kubernetes:external-secrets.io/v1:ExternalSecret"]))(object).validate();
    });

    it("lets fleet Applications reach the spokes by name and nothing else", () => {
        const project = fleetProject("argocd", "u", ["https://b", "https://a", "https://a"], ["z", "a"], {});
        assert.deepEqual(project.spec.destinations, [
            { name: "a", namespace: "*" },
            { name: "z", namespace: "*" },
        ]);
        assert.deepEqual(project.spec.sourceRepos, ["u", "https://a", "https://b"]);
    });

    it("scopes IAM: Pod Identity for Argo CD's two controllers (not the server), exact spoke roles, one trusted principal", () => {
        // argoproj/argo-helm charts/argo-cd/values.yaml at argo-cd-10.1.1: serviceAccount.name of controller and
        // applicationSet; declarative-setup.md "Argo CD Management Role" adds the server, which issue 25 leaves out:
        // the user-facing server must not hold a role that is cluster-admin on every spoke.
        assert.deepEqual(
            [...ARGOCD_CLUSTER_SERVICE_ACCOUNTS],
            ["argocd-application-controller", "argocd-applicationset-controller"],
        );
        // EKS User Guide, "Create IAM role with trust policy required by EKS Pod Identity" (pod-id-role.html):
        // pods.eks.amazonaws.com assumes the role and tags the session with eks-cluster-name,
        // kubernetes-namespace and kubernetes-service-account; aws:SourceAccount keeps other accounts out.
        const trust = json(managementTrustPolicy({ clusterName: "hub", accountId: ACCOUNT_ID }, "argocd")) as {
            Statement: { Principal: unknown; Condition: { StringEquals: Record<string, string> } }[];
        };
        assert.deepEqual(
            trust.Statement.map((statement) => [statement.Principal, statement.Condition.StringEquals]),
            ARGOCD_CLUSTER_SERVICE_ACCOUNTS.map((serviceAccount) => [
                { Service: "pods.eks.amazonaws.com" },
                {
                    "aws:SourceAccount": ACCOUNT_ID,
                    "aws:RequestTag/eks-cluster-name": "hub",
                    "aws:RequestTag/kubernetes-namespace": "argocd",
                    "aws:RequestTag/kubernetes-service-account": serviceAccount,
                },
            ]),
        );
        const policy = at(json(managementPolicy(["arn:b", "arn:a"])), "Statement");
        assert.deepEqual(policy, [
            { Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: ["arn:a", "arn:b"] },
        ]);
        assert.deepEqual(at(json(spokeTrustPolicy("arn:hub")), "Statement", 0, "Principal"), { AWS: "arn:hub" });
    });

    it("reads the CA from the kubeconfig an EKS stack outputs, and says so when it is missing", () => {
        const text = eksKubeconfig({
            clusterName: "c",
            endpoint: "https://e",
            certificateAuthority: "Q0E=",
            region: "eu-west-1",
        });
        assert.equal(kubeconfigCa(text), "Q0E=");
        assert.throws(() => kubeconfigCa("{}"), /certificate-authority-data/);
    });
});

const isType = (type: string) => (r: PlannedResource) => r.type === type;
const labelsOf = (r: PlannedResource): Record<string, string> => {
    const metadata =
        r.type === "kubernetes:core/v1:Secret"
            ? at(r.inputs, "metadata")
            : at(r.inputs, "spec", "target", "template", "metadata");
    return (at(metadata, "labels") ?? {}) as Record<string, string>;
};

/** Spoke names whose cluster Secret a cluster generator with these matchLabels selects (label-selector semantics). */
function selected(resources: readonly PlannedResource[], matchLabels: Record<string, string>): string[] {
    return resources
        .filter((r) => /::[a-z0-9-]+-fleet-[a-z0-9-]+-cluster$/.test(r.urn))
        .filter((r) => labelsOf(r)["argocd.argoproj.io/secret-type"] === "cluster")
        .filter((r) => Object.entries(matchLabels).every(([k, v]) => labelsOf(r)[k] === v))
        .map((r) => labelsOf(r).cluster_name)
        .sort();
}

function selectorOf(resources: readonly PlannedResource[], name: string): Record<string, string> {
    const set = resources.find((r) => r.type === "kubernetes:argoproj.io/v1alpha1:ApplicationSet" && r.name === name);
    assert.ok(set, name);
    const generator = at(set.inputs, "spec", "generators", 0);
    const clusters = at(generator, "matrix", "generators", 0) ?? generator;
    return at(clusters, "clusters", "selector", "matchLabels") as Record<string, string>;
}

/** URNs only in `after`, only in `before`, and in both with different inputs. */
function diff(before: readonly PlannedResource[], after: readonly PlannedResource[]) {
    const old = new Map(before.map((r) => [r.urn, r]));
    const now = new Map(after.map((r) => [r.urn, r]));
    return {
        added: [...now.keys()].filter((urn) => !old.has(urn)),
        removed: [...old.keys()].filter((urn) => !now.has(urn)),
        changed: [...now.keys()].filter(
            (urn) => old.has(urn) && JSON.stringify(old.get(urn)!.inputs) !== JSON.stringify(now.get(urn)!.inputs),
        ),
    };
}
const names = (urns: string[]) => urns.map((urn) => urn.slice(urn.lastIndexOf("::") + 2)).sort();

describe("fleet-example offline plan", function () {
    this.timeout(120_000);
    let resources: PlannedResource[];
    let outputs: Record<string, unknown>;
    before(async () => ({ resources, outputs } = await planStack(STACK)));

    it("registers each spoke: a cluster Secret for the stack spoke, an ExternalSecret for the existing one", () => {
        // The StackReference is read, not registered, so the plan shows what it gave: the mocked staging outputs.
        assert.deepEqual(selected(resources, {}), ["edge-berlin", "eu-staging"]);
        const secret = resources.find((r) => r.name === "fleet-example-fleet-eu-staging-cluster")!;
        assert.equal(secret.type, "kubernetes:core/v1:Secret");
        assert.equal(at(secret.inputs, "metadata", "annotations", "aws_cluster_name"), "gitops-platform-staging");
        assert.equal(at(secret.inputs, "metadata", "labels", "cloud"), "aws");
        assert.equal(
            resources.find((r) => r.name === "fleet-example-fleet-edge-berlin-cluster")?.type,
            "kubernetes:external-secrets.io/v1:ExternalSecret",
        );
        assert.deepEqual((outputs.fleet as { spokes: string[] }).spokes, ["eu-staging", "edge-berlin"]);
    });

    it("seeds clusters/<spoke>/ in the GitOps repository for each spoke", () => {
        const seeded = resources
            .filter(isType("github:index/repositoryFile:RepositoryFile"))
            .map((r) => String(r.inputs.file))
            .filter((file) => /^clusters\/[^/]+\/README\.md$/.test(file));
        assert.deepEqual(seeded.sort(), ["clusters/edge-berlin/README.md", "clusters/eu-staging/README.md"]);
    });

    it("places the add-on and the app by label", () => {
        assert.deepEqual(selected(resources, selectorOf(resources, "fleet-example-fleet-addon-external-secrets")), [
            "eu-staging",
        ]);
        assert.deepEqual(selected(resources, selectorOf(resources, "fleet-example-fleet-placement-payments-api")), [
            "eu-staging",
        ]);
    });

    it("validates every fleet object against its CRD schema", async () => {
        const fleet = resources.filter((r) => r.parent?.endsWith("::fleet-example-fleet") && r.type in MODELS);
        assert.deepEqual([...new Set(fleet.map((r) => r.type))].sort(), Object.keys(MODELS).sort());
        for (const resource of fleet) {
            new (await model(...MODELS[resource.type]))(resource.inputs).validate();
        }
    });

    it("gives the hub access to each EKS spoke through one role on that spoke only", () => {
        const entries = resources
            .filter(isType("aws:eks/accessEntry:AccessEntry"))
            .filter((r) => r.name.includes("-fleet-"));
        assert.deepEqual(
            entries.map((r) => [r.inputs.clusterName, r.inputs.principalArn, r.inputs.region]),
            [
                [
                    "gitops-platform-staging",
                    "arn:aws:iam::123456789012:role/fleet-example-fleet-eu-staging-role",
                    "eu-west-1",
                ],
            ],
        );
        const association = resources.find((r) => r.name === "fleet-example-fleet-eu-staging-access-policy")!;
        assert.deepEqual(association.inputs.accessScope, { type: "cluster" });
        assert.equal(association.inputs.policyArn, SPOKE_ACCESS_POLICY_ARN);
        const policy = resources.find((r) => r.name === "fleet-example-fleet-management-policy")!;
        assert.deepEqual(at(json(policy.inputs.policy), "Statement", 0, "Resource"), [
            "arn:aws:iam::123456789012:role/fleet-example-fleet-eu-staging-role",
        ]);
        const spokeRole = resources.find((r) => r.name === "fleet-example-fleet-eu-staging-role")!;
        assert.deepEqual(at(json(spokeRole.inputs.assumeRolePolicy), "Statement", 0, "Principal"), {
            AWS: "arn:aws:iam::123456789012:role/fleet-example-fleet-management",
        });
        const pods = resources
            .filter(isType("aws:eks/podIdentityAssociation:PodIdentityAssociation"))
            .filter((r) => r.name.startsWith("fleet-example-fleet-management-"));
        assert.deepEqual(
            pods.map((r) => [r.inputs.clusterName, r.inputs.namespace, r.inputs.serviceAccount]),
            ARGOCD_CLUSTER_SERVICE_ACCOUNTS.map((sa) => ["gitops-platform-fleet-example", "argocd", sa]),
        );
    });

    it("lets only the hub's own cluster, in the hub's account, give the management role to Argo CD", () => {
        // The hub's cluster and account as the mocks give them (plan/mocks.ts), the same the associations name.
        const management = resources.find((r) => r.name === "fleet-example-fleet-management")!;
        assert.deepEqual(
            trustConditions(management.inputs.assumeRolePolicy),
            ARGOCD_CLUSTER_SERVICE_ACCOUNTS.map((serviceAccount) => ({
                "aws:SourceAccount": "123456789012",
                "aws:RequestTag/eks-cluster-name": "gitops-platform-fleet-example",
                "aws:RequestTag/kubernetes-namespace": "argocd",
                "aws:RequestTag/kubernetes-service-account": serviceAccount,
            })),
        );
        // It names the cluster by its configured name: the role is created while the cluster still is.
        assert.deepEqual(
            management.dependencies.filter((urn) => urn.includes("aws:eks/cluster:Cluster")),
            [],
        );
    });

    it("adding a spoke adds only its objects; shared ones are updated in place", async () => {
        const after = await planStack(
            STACK,
            withFleet((fleet) => {
                fleet.spokes["us-prod-like"] = { ...fleet.spokes["eu-staging"], stack: "acme/gitops-platform/us" };
            }),
        );
        const { added, removed, changed } = diff(resources, after.resources);
        assert.deepEqual(removed, []);
        // Role, access entry, access policy, cluster Secret, and the seeded clusters/us-prod-like/README.md.
        assert.equal(added.length, 5, names(added).join(", "));
        assert.ok(
            names(added).every((name) => name.includes("us-prod-like")),
            names(added).join(", "),
        );
        // The project lists destinations and the management policy the spoke roles: updates, not renames.
        assert.deepEqual(names(changed), ["fleet-example-fleet-management-policy", "fleet-example-fleet-project"]);
    });

    it("removing a spoke removes only its objects", async () => {
        const after = await planStack(
            STACK,
            withFleet((fleet) => {
                delete fleet.spokes["edge-berlin"];
            }),
        );
        const { added, removed, changed } = diff(resources, after.resources);
        assert.deepEqual(added, []);
        assert.deepEqual(names(removed), [
            "fleet-example-fleet-edge-berlin-cluster",
            "platform-gitops-fleet-file-clusters-edge-berlin-readme-md",
        ]);
        assert.deepEqual(names(changed), ["fleet-example-fleet-project"]);
    });

    it("a label change moves placement, and an add-on follows its enable_ label", async () => {
        const after = await planStack(
            STACK,
            withFleet((fleet) => {
                fleet.spokes["edge-berlin"].labels = { business_unit: "payments" };
                fleet.spokes["edge-berlin"].addons = { external_secrets: true };
                fleet.spokes["eu-staging"].labels = { business_unit: "retail" };
            }),
        );
        const placed = (name: string) => selected(after.resources, selectorOf(after.resources, name));
        assert.deepEqual(placed("fleet-example-fleet-placement-payments-api"), ["edge-berlin"]);
        assert.deepEqual(placed("fleet-example-fleet-addon-external-secrets"), ["edge-berlin", "eu-staging"]);
        const { added, removed } = diff(resources, after.resources);
        assert.deepEqual([added, removed], [[], []], "labels are updates in place");
    });

    it("leaves single-cluster stacks without any fleet object or output", async () => {
        const { resources: staging, outputs: stagingOutputs } = await planStack("staging");
        assert.deepEqual(
            staging.filter((r) => r.type.includes(":fleet:") || r.name.includes("-fleet-")),
            [],
        );
        assert.equal("fleet" in stagingOutputs, false);
    });
});

describe("fleet config", () => {
    const keys = (stack: string, overrides: StackOverrides) => configProblems(stack, overrides).map((p) => p.key);
    const P = `${FLEET}.spokes`;

    it("accepts the example", () => assert.deepEqual(configProblems(STACK), []));
    it("accepts the example on a Flux hub, locked down or not", () => {
        assert.deepEqual(configProblems(STACK, FLUX_HUB), []);
        assert.deepEqual(configProblems(STACK, { set: { "gitops-platform:engine": { type: "flux" } } }), []);
    });

    const cases: [string, StackOverrides, string, RegExp][] = [
        [
            "a label the platform sets",
            withFleet((f) => (f.spokes["edge-berlin"].labels = { cloud: "gcp" })),
            `${P}.edge-berlin.labels.cloud`,
            /set by the platform/,
        ],
        [
            "an add-on outside the catalog",
            withFleet((f) => (f.spokes["edge-berlin"].addons = { karpenter: true })),
            `${P}.edge-berlin.addons.karpenter`,
            /no add-on "karpenter" in the catalog.*external_secrets/,
        ],
        [
            "an existing spoke without a secrets store",
            { remove: ["gitops-platform:secrets"] },
            `${P}.edge-berlin.secretKey`,
            /add a gitops-platform:secrets section/,
        ],
        [
            "a production spoke on a staging hub",
            withFleet((f) => (f.spokes["edge-berlin"].environment = "production")),
            `${P}.edge-berlin.environment`,
            /production hub/,
        ],
        [
            "a stack spoke with an IRSA hub",
            {
                set: {
                    "gitops-platform:cluster": {
                        ...stackValue<Record<string, unknown>>(STACK, "gitops-platform:cluster"),
                        workloadIdentity: "irsa",
                    },
                },
            },
            `${P}.eu-staging.type`,
            /workloadIdentity podIdentity/,
        ],
        [
            "a spoke named like the hub",
            withFleet((f) => (f.spokes[STACK] = f.spokes["edge-berlin"])),
            `${P}.${STACK}`,
            /another name/,
        ],
        [
            "a stack name that is not fully qualified",
            withFleet((f) => (f.spokes["eu-staging"].stack = "staging")),
            `${P}.eu-staging.stack`,
            /<organization>\/<project>\/<stack>/,
        ],
    ];
    for (const [name, overrides, key, message] of cases) {
        it(`refuses ${name}, naming ${key}`, () => {
            assertProblemAt(configProblems(STACK, overrides), key, message);
        });
    }

    it("reports the value it refused", () => {
        const problem = configProblems(
            STACK,
            withFleet((f) => (f.spokes["eu-staging"].stack = "staging")),
        ).find((p) => p.key.endsWith(".stack"));
        assert.equal(problem?.value, "staging");
    });

    const productionPlacement = (prune?: boolean): StackOverrides => ({
        set: {
            [FLEET]: {
                placements: {
                    web: {
                        selector: { business_unit: "web" },
                        path: "apps/web",
                        namespace: "web",
                        ...(prune === undefined ? {} : { prune }),
                    },
                },
            },
        },
    });

    it("refuses prune on a production hub's placement (invariant fleet-no-prune), and accepts it without", () => {
        const problems = configProblems("production", productionPlacement(true));
        assert.deepEqual(
            problems.map((p) => [p.key, /production invariant fleet-no-prune/.test(p.message)]),
            [[`${FLEET}.placements.web.prune`, true]],
        );
        assert.deepEqual(keys("production", productionPlacement()), []);
        assert.deepEqual(keys("staging", productionPlacement(true)), []);
    });

    it("the policy pack flags a production ApplicationSet that prunes, and passes one that does not", async function () {
        this.timeout(120_000);
        const planned = (await planStack("production", productionPlacement())).resources.map(fromPlanned);
        const sets = planned.filter((r) => r.type === "kubernetes:argoproj.io/v1alpha1:ApplicationSet");
        // One per catalog add-on and one per placement.
        assert.equal(sets.length, Object.keys(ADDON_CATALOG).length + 1);
        assert.deepEqual(checkResources(planned, INVARIANT_RULES), []);
        const pruning = planned.map((r) => {
            if (!sets.includes(r)) {
                return r;
            }
            const spec = structuredClone(r.props.spec);
            (at(spec, "template", "spec", "syncPolicy", "automated") as Record<string, unknown>).prune = true;
            return { ...r, props: { ...r.props, spec } };
        });
        const messages = checkResources(pruning, INVARIANT_RULES).map((v) => v.message);
        assert.equal(messages.length, sets.length);
        assert.ok(
            messages.every((m) => /production invariant fleet-no-prune/.test(m)),
            messages.join("\n"),
        );
    });
});

/**
 * A Flux hub: the example with engine flux under lockdown. Shapes from fluxcd/kustomize-controller v1.9.4
 * (the controller of the pinned Flux 2.9) docs/spec/v1/kustomizations.md, "KubeConfig (Remote clusters)":
 * secretRef reads key `value` (or `value.yaml`), configMapRef takes `provider: aws`, `cluster` (the EKS ARN),
 * `address` and the PEM `ca.crt`; with kubeConfig, `serviceAccountName` (or lockdown's default) is
 * impersonated on the spoke (fluxcd/pkg runtime/client impersonator.go setImpersonationConfig).
 */
const FLUX_HUB: StackOverrides = { set: { "gitops-platform:engine": { type: "flux", multitenancy: true } } };
const withFluxFleet = (edit: (fleet: FleetYaml) => void): StackOverrides => ({
    set: { ...FLUX_HUB.set, ...withFleet(edit).set },
});
const FLUX_MODELS: Record<string, [string, string]> = {
    "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization": [
        "@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization",
        "Kustomization",
    ],
    "kubernetes:external-secrets.io/v1:ExternalSecret": MODELS["kubernetes:external-secrets.io/v1:ExternalSecret"],
    "kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease": [
        "@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2/HelmRelease",
        "HelmRelease",
    ],
    "kubernetes:source.toolkit.fluxcd.io/v1:HelmRepository": [
        "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/HelmRepository",
        "HelmRepository",
    ],
};
const placed = (resources: readonly PlannedResource[]) =>
    resources
        .filter(isType("kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization"))
        .filter((r) => r.name.includes("-fleet-placement-"))
        .map((r) => String(at(r.inputs, "metadata", "name")))
        .sort();

describe("fleet builders, Flux hub", () => {
    const placement = {
        placement: "payments-api",
        spoke: "eu-staging",
        namespace: "flux-system",
        sourceName: "flux-system",
        path: "apps/payments-api",
        targetNamespace: "payments-api",
        prune: false,
        labels: {},
    };

    it("applies clusters/<spoke>/<path> to the spoke through its kubeconfig, Secret key value or ConfigMap", async () => {
        const Kustomization = await model(...FLUX_MODELS["kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization"]);
        const secret = placementKustomization({ ...placement, access: "secret" });
        const configMap = placementKustomization({ ...placement, access: "configMap", serviceAccountName: "fleet" });
        for (const object of [secret, configMap]) {
            new Kustomization(object).validate();
        }
        assert.equal(secret.metadata.name, "fleet-payments-api-eu-staging");
        assert.equal(secret.spec.path, "./clusters/eu-staging/apps/payments-api");
        assert.deepEqual(secret.spec.sourceRef, { kind: "GitRepository", name: "flux-system" });
        assert.deepEqual(secret.spec.kubeConfig, { secretRef: { name: "fleet-eu-staging-kubeconfig", key: "value" } });
        assert.equal("serviceAccountName" in secret.spec, false);
        assert.deepEqual(configMap.spec.kubeConfig, { configMapRef: { name: "fleet-eu-staging-kubeconfig" } });
        assert.equal(configMap.spec.serviceAccountName, "fleet");
    });

    it("describes an EKS spoke for the aws provider: cluster ARN, address, CA as PEM", async () => {
        const pem = "-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n";
        const map = eksSpokeKubeconfig({
            name: "eu-staging",
            namespace: "flux-system",
            clusterArn: "arn:aws:eks:eu-west-1:111122223333:cluster/c",
            endpoint: "https://e",
            caData: Buffer.from(pem).toString("base64"),
            labels: {},
        });
        assert.equal(map.metadata.name, "fleet-eu-staging-kubeconfig");
        const { "ca.crt": ca, ...rest } = map.data;
        assert.deepEqual(rest, {
            provider: "aws",
            cluster: "arn:aws:eks:eu-west-1:111122223333:cluster/c",
            address: "https://e",
        });
        assert.equal(await new Promise((resolve) => ca.apply(resolve)), pem);
    });

    it("makes an existing spoke's credentials Secret from one key of the platform's ClusterSecretStore", async () => {
        const object = storedCredentials(
            { name: "edge", namespace: "flux-system", storeKey: "fleet/edge", storeName: "platform-secrets" },
            { name: "edge-credentials", key: "token" },
        );
        new (await model(...MODELS["kubernetes:external-secrets.io/v1:ExternalSecret"]))(object).validate();
        assert.deepEqual(object.metadata, { name: "edge-credentials", namespace: "flux-system" });
        assert.deepEqual(object.spec.secretStoreRef, { kind: "ClusterSecretStore", name: "platform-secrets" });
        // Owner: deleting the spoke's ExternalSecret deletes the credentials with it.
        assert.deepEqual(object.spec.target, { name: "edge-credentials", creationPolicy: "Owner" });
        assert.equal(object.spec.refreshInterval, "1h");
        assert.deepEqual(object.spec.data, [{ secretKey: "token", remoteRef: { key: "fleet/edge" } }]);
    });

    it("fills an existing spoke's kubeconfig Secret from the store under key value", async () => {
        const object = existingSpokeKubeconfig({
            name: "edge-berlin",
            namespace: "flux-system",
            storeKey: "fleet/edge-berlin",
            storeName: "platform-secrets",
        });
        new (await model(...MODELS["kubernetes:external-secrets.io/v1:ExternalSecret"]))(object).validate();
        assert.equal(object.spec.target.name, "fleet-edge-berlin-kubeconfig");
        assert.deepEqual(object.spec.data, [{ secretKey: "value", remoteRef: { key: "fleet/edge-berlin" } }]);
    });

    it("installs a catalog add-on on a spoke at the platform's version, storage and release in its namespace", async () => {
        // helm-controller v1.6.3 docs/spec/v2/helmreleases.md, "KubeConfig (Remote clusters)": storage
        // defaults to the HelmRelease's namespace on the spoke; only the target namespace is created.
        const definition = ADDON_CATALOG.external_secrets;
        const release = addonHelmRelease({
            addon: "external_secrets",
            definition,
            spoke: "eu-staging",
            namespace: "flux-system",
            access: "configMap",
            serviceAccountName: "fleet",
            labels: {},
        });
        const repository = addonHelmRepository("external_secrets", definition, "flux-system", {});
        new (await model(...FLUX_MODELS["kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease"]))(release).validate();
        new (await model(...FLUX_MODELS["kubernetes:source.toolkit.fluxcd.io/v1:HelmRepository"]))(
            repository,
        ).validate();
        assert.equal(release.metadata.name, "fleet-addon-external-secrets-eu-staging");
        assert.deepEqual(release.spec.chart?.spec, {
            chart: "external-secrets",
            version: "2.9.0",
            sourceRef: { kind: "HelmRepository", name: repository.metadata.name },
        });
        assert.deepEqual(
            [release.spec.targetNamespace, release.spec.storageNamespace, release.spec.install?.createNamespace],
            ["external-secrets", "external-secrets", true],
        );
        assert.deepEqual(release.spec.kubeConfig, { configMapRef: { name: "fleet-eu-staging-kubeconfig" } });
        assert.equal(release.spec.serviceAccountName, "fleet");
        // The chart's repository (external-secrets docs, introduction/getting-started: helm repo add).
        assert.equal(repository.spec?.url, "https://charts.external-secrets.io");
    });

    it("selects a spoke when it carries every selector label", () => {
        assert.equal(selects({ a: "1", b: "2" }, { a: "1", b: "2", c: "3" }), true);
        assert.equal(selects({ a: "1", b: "2" }, { a: "1" }), false);
        assert.equal(selects({ a: "1" }, { a: "2" }), false);
    });
});

describe("fleet-example offline plan, Flux hub", function () {
    this.timeout(180_000);
    let resources: PlannedResource[];
    before(async () => ({ resources } = await planStack(STACK, FLUX_HUB)));
    const named = (name: string) => resources.find((r) => r.name === name);

    it("gives each spoke a kubeconfig: a ConfigMap for the stack spoke, an ExternalSecret for the existing one", () => {
        const map = named("fleet-example-fleet-eu-staging-kubeconfig")!;
        assert.equal(map.type, "kubernetes:core/v1:ConfigMap");
        assert.deepEqual(at(map.inputs, "metadata", "namespace"), "flux-system");
        assert.equal(at(map.inputs, "data", "provider"), "aws");
        assert.match(String(at(map.inputs, "data", "address")), /^https:\/\//);
        // From the stack's kubeconfig output, a secret output, so the plan masks it (the builder test decodes it).
        assert.equal(at(map.inputs, "data", "ca.crt"), "[secret]");
        assert.equal(
            at(map.inputs, "data", "cluster"),
            "arn:aws:eks:eu-west-1:123456789012:cluster/gitops-platform-staging",
        );
        assert.equal(
            named("fleet-example-fleet-edge-berlin-kubeconfig")?.type,
            "kubernetes:external-secrets.io/v1:ExternalSecret",
        );
        assert.equal(
            resources.some((r) => r.type.startsWith("kubernetes:argoproj.io")),
            false,
            "no Argo CD object on a Flux hub",
        );
    });

    it("installs the add-on on the spokes that enable it, from one HelmRepository", () => {
        const releases = resources
            .filter(isType("kubernetes:helm.toolkit.fluxcd.io/v2:HelmRelease"))
            .filter((r) => r.name.startsWith("fleet-example-fleet-addon-"));
        assert.deepEqual(
            releases.map((r) => [at(r.inputs, "metadata", "name"), at(r.inputs, "spec", "kubeConfig")]),
            [["fleet-addon-external-secrets-eu-staging", { configMapRef: { name: "fleet-eu-staging-kubeconfig" } }]],
        );
        assert.equal(at(releases[0].inputs, "spec", "serviceAccountName"), FLEET_SERVICE_ACCOUNT);
        assert.deepEqual(
            resources.filter(isType("kubernetes:source.toolkit.fluxcd.io/v1:HelmRepository")).map((r) => r.name),
            ["fleet-example-fleet-addon-external-secrets"],
        );
    });

    it("places the app by label with a Kustomization per matching spoke, acting as the fleet account", () => {
        assert.deepEqual(placed(resources), ["fleet-payments-api-eu-staging"]);
        const kustomization = named("fleet-example-fleet-placement-payments-api-eu-staging")!;
        assert.equal(at(kustomization.inputs, "spec", "serviceAccountName"), FLEET_SERVICE_ACCOUNT);
        assert.equal(at(kustomization.inputs, "spec", "prune"), true, "staging's root prune");
        const account = named("fleet-example-fleet-service-account")!;
        assert.deepEqual(at(account.inputs, "metadata", "namespace"), "flux-system");
        assert.deepEqual(at(account.inputs, "metadata", "name"), FLEET_SERVICE_ACCOUNT);
    });

    it("validates every Flux fleet object against its CRD schema", async () => {
        const fleet = resources.filter((r) => r.parent?.endsWith("::fleet-example-fleet") && r.type in FLUX_MODELS);
        assert.deepEqual([...new Set(fleet.map((r) => r.type))].sort(), Object.keys(FLUX_MODELS).sort());
        for (const resource of fleet) {
            new (await model(...FLUX_MODELS[resource.type]))(resource.inputs).validate();
        }
    });

    it("gives kustomize-controller one Pod Identity role, with an access entry on each EKS spoke only", () => {
        const pods = resources
            .filter(isType("aws:eks/podIdentityAssociation:PodIdentityAssociation"))
            .filter((r) => r.name.startsWith("fleet-example-fleet-"));
        const controllers = [KUSTOMIZE_CONTROLLER_SERVICE_ACCOUNT, HELM_CONTROLLER_SERVICE_ACCOUNT];
        assert.deepEqual(
            pods.map((r) => [r.inputs.clusterName, r.inputs.namespace, r.inputs.serviceAccount]),
            controllers.map((sa) => ["gitops-platform-fleet-example", "flux-system", sa]),
        );
        // Only the hub's own cluster, in the hub's account, may hand the role to the controllers.
        assert.deepEqual(
            trustConditions(named("fleet-example-fleet-flux")!.inputs.assumeRolePolicy),
            controllers.map((serviceAccount) => ({
                "aws:SourceAccount": "123456789012",
                "aws:RequestTag/eks-cluster-name": "gitops-platform-fleet-example",
                "aws:RequestTag/kubernetes-namespace": "flux-system",
                "aws:RequestTag/kubernetes-service-account": serviceAccount,
            })),
        );
        const entries = resources
            .filter(isType("aws:eks/accessEntry:AccessEntry"))
            .filter((r) => r.name.includes("-fleet-"));
        assert.deepEqual(
            entries.map((r) => [r.inputs.clusterName, r.inputs.principalArn]),
            [["gitops-platform-staging", "arn:aws:iam::123456789012:role/fleet-example-fleet-flux"]],
        );
        // Address and CA are in the ConfigMap, so the role needs no eks:DescribeCluster: no policy at all.
        assert.deepEqual(
            resources.filter(
                (r) => r.type.startsWith("aws:iam/rolePolicy") && r.name.startsWith("fleet-example-fleet-"),
            ),
            [],
        );
        assert.deepEqual(
            resources
                .filter(isType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation"))
                .filter((r) => r.name.startsWith("fleet-example-fleet-"))
                .map((r) => [r.inputs.principalArn, r.inputs.policyArn, r.inputs.accessScope]),
            [["arn:aws:iam::123456789012:role/fleet-example-fleet-flux", SPOKE_ACCESS_POLICY_ARN, { type: "cluster" }]],
        );
    });

    it("adding a spoke adds only its objects; removing one removes only its objects", async () => {
        const added = await planStack(
            STACK,
            withFluxFleet((fleet) => {
                fleet.spokes["us-prod-like"] = { ...fleet.spokes["eu-staging"], stack: "acme/gitops-platform/us" };
            }),
        );
        const grow = diff(resources, added.resources);
        assert.deepEqual(grow.removed, []);
        // Access entry and policy, kubeconfig, placement, add-on release, and the seeded
        // clusters/us-prod-like/README.md; nothing shared changes (the hub's role has no policy listing spokes).
        assert.equal(grow.added.length, 6, names(grow.added).join(", "));
        assert.ok(
            names(grow.added).every((name) => name.includes("us-prod-like")),
            names(grow.added).join(", "),
        );
        assert.deepEqual(grow.changed, []);

        const removed = await planStack(
            STACK,
            withFluxFleet((fleet) => {
                delete fleet.spokes["edge-berlin"];
            }),
        );
        const shrink = diff(resources, removed.resources);
        assert.deepEqual([shrink.added, shrink.changed], [[], []]);
        assert.deepEqual(names(shrink.removed), [
            "fleet-example-fleet-edge-berlin-kubeconfig",
            "platform-gitops-fleet-file-clusters-edge-berlin-readme-md",
        ]);
    });

    it("a label change moves the placement and touches nothing else", async () => {
        const after = await planStack(
            STACK,
            withFluxFleet((fleet) => {
                fleet.spokes["edge-berlin"].labels = { business_unit: "payments" };
                fleet.spokes["eu-staging"].labels = { business_unit: "retail" };
            }),
        );
        assert.deepEqual(placed(after.resources), ["fleet-payments-api-edge-berlin"]);
        const { added, removed, changed } = diff(resources, after.resources);
        assert.deepEqual(
            [names(added), names(removed), changed],
            [
                ["fleet-example-fleet-placement-payments-api-edge-berlin"],
                ["fleet-example-fleet-placement-payments-api-eu-staging"],
                [],
            ],
        );
    });

    it("an add-on follows its enable_ label: turning it on adds that spoke's release only", async () => {
        const after = await planStack(
            STACK,
            withFluxFleet((fleet) => {
                fleet.spokes["edge-berlin"].addons = { external_secrets: true };
            }),
        );
        const { added, removed, changed } = diff(resources, after.resources);
        assert.deepEqual(
            [names(added), removed, changed],
            [["fleet-example-fleet-addon-external-secrets-edge-berlin"], [], []],
        );
        const release = after.resources.find(
            (r) => r.name === "fleet-example-fleet-addon-external-secrets-edge-berlin",
        )!;
        assert.deepEqual(at(release.inputs, "spec", "kubeConfig"), {
            secretRef: { name: "fleet-edge-berlin-kubeconfig", key: "value" },
        });
    });

    it("without lockdown, Kustomizations act as kustomize-controller itself: no fleet account", async () => {
        const { resources: open } = await planStack(STACK, {
            set: { "gitops-platform:engine": { type: "flux", multitenancy: false } },
        });
        const kustomization = open.find((r) => r.name === "fleet-example-fleet-placement-payments-api-eu-staging")!;
        assert.equal(at(kustomization.inputs, "spec", "serviceAccountName"), undefined);
        assert.equal(
            open.some((r) => r.name === "fleet-example-fleet-service-account"),
            false,
        );
    });

    it("the policy pack flags a production Kustomization that prunes on a spoke, and passes one that does not", () => {
        // The same planned objects as a production hub's (the stack is read from the URN).
        const asProduction = (prune: boolean) =>
            resources
                .filter((r) => r.name.includes("-fleet-placement-"))
                .map(fromPlanned)
                .map((r) => ({
                    ...r,
                    urn: r.urn.replace(`urn:pulumi:${STACK}::`, "urn:pulumi:production::"),
                    props: { ...r.props, spec: { ...(r.props.spec as object), prune } },
                }));
        const rule = INVARIANT_RULES.filter((r) => r.name === "production-fleet-no-prune");
        assert.deepEqual(checkResources(asProduction(false), rule), []);
        const messages = checkResources(asProduction(true), rule).map((v) => v.message);
        assert.deepEqual(messages, [
            'production invariant fleet-no-prune: Kustomization "fleet-example-fleet-placement-payments-api-eu-staging" prunes on a spoke cluster; set spec.prune to false',
        ]);
        // In staging the hub's root prune applies.
        assert.deepEqual(
            checkResources(resources.filter((r) => r.name.includes("-fleet-placement-")).map(fromPlanned), rule),
            [],
        );
    });
});
