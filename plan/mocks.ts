/**
 * Pulumi mocks for the offline plan and the tests: providers' computed outputs are made up here,
 * consistently, and any provider function the program calls that is not listed throws, so nothing
 * passes by accident.
 */
import * as pulumi from "@pulumi/pulumi";
import { eksKubeconfig } from "../components/cluster/eks";

export const MOCK_ACCOUNT_ID = "123456789012";
const MOCK_REGION_FALLBACK = "eu-west-1";

type State = Record<string, unknown>;
/** The SDK types a resource's inputs as `any`; they are plain data. */
type ResourceArgs = Omit<pulumi.runtime.MockResourceArgs, "inputs"> & { readonly inputs: State };

/** What made-up outputs take from the stack's provider config, read once per plan: parsing all config per resource showed in large plans. */
export interface MockContext {
    readonly region: string;
    readonly githubOwner: string;
}

/** The mock context of a stack config (`namespace:key` → value). */
export function mockContext(config: Readonly<Record<string, string>>): MockContext {
    return {
        region: config["aws:region"] ?? MOCK_REGION_FALLBACK,
        githubOwner: config["github:owner"] ?? "mock-owner",
    };
}

/** Physical name a provider would give: the `name` input if set, else the resource name. */
function physicalName(args: ResourceArgs): string {
    return typeof args.inputs.name === "string" ? args.inputs.name : args.name;
}

/** Outputs that providers compute, per resource type, as functions of the inputs. */
const COMPUTED: Record<string, (args: ResourceArgs, context: MockContext) => State> = {
    "aws:eks/cluster:Cluster": (args, { region }) => ({
        name: physicalName(args),
        arn: `arn:aws:eks:${region}:${MOCK_ACCOUNT_ID}:cluster/${physicalName(args)}`,
        endpoint: `https://${physicalName(args).toUpperCase()}.gr7.${region}.eks.amazonaws.com`,
        certificateAuthority: { data: Buffer.from(`mock-ca-${physicalName(args)}`).toString("base64") },
        identities: [
            {
                oidcs: [
                    { issuer: `https://oidc.eks.${region}.amazonaws.com/id/MOCK${physicalName(args).toUpperCase()}` },
                ],
            },
        ],
        version: args.inputs.version,
        status: "ACTIVE",
    }),
    // Another stack of this project (a fleet spoke): the outputs stacks/platform.ts gives an EKS stack,
    // made up from the referenced stack's name as the Cluster mock above makes them up.
    "pulumi:pulumi:StackReference": (args, { region }) => {
        // <organization>/<project>/<stack> → the EKS cluster name stacks/cluster.ts gives: <project>-<stack>.
        const [, project, stack] = String((args.inputs as { name?: unknown }).name).split("/");
        const name = `${project}-${stack}`;
        const endpoint = `https://${name.toUpperCase()}.gr7.${region}.eks.amazonaws.com`;
        const certificateAuthority = Buffer.from(`mock-ca-${name}`).toString("base64");
        return {
            outputs: {
                cluster: { kind: "eks", name, endpoint },
                kubeconfig: eksKubeconfig({ clusterName: name, endpoint, certificateAuthority, region: region }),
            },
            secretOutputNames: ["kubeconfig"],
        };
    },
    // IAM roles are auto-named; policies and attachments refer to them by name.
    "aws:iam/role:Role": (args) => ({ name: physicalName(args) }),
    "aws:ec2/launchTemplate:LaunchTemplate": () => ({ latestVersion: 1 }),
    // A NAT gateway's public address: made up from its name, in 198.18.0.0/15 (RFC 2544, never routed).
    "aws:ec2/natGateway:NatGateway": (args) => ({
        publicIp: `198.18.0.${[...args.name].reduce((sum, c) => (sum + c.charCodeAt(0)) % 250, 0) + 1}`,
    }),
    // Secrets Manager ARNs are "secret:<name>-" plus six random characters.
    "aws:secretsmanager/secret:Secret": (args, { region }) => ({
        arn: `arn:aws:secretsmanager:${region}:${MOCK_ACCOUNT_ID}:secret:${physicalName(args)}-AbC123`,
    }),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (args) => ({
        arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/${String(args.inputs.url).replace(/^https:\/\//, "")}`,
    }),
    "tls:index/privateKey:PrivateKey": (args) => ({
        publicKeyOpenssh: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAMOCK${args.name} mock\n`,
        privateKeyOpenssh: `mock-openssh-private-key-${args.name}`,
        privateKeyPem: `mock-pem-private-key-${args.name}`,
        publicKeyFingerprintSha256: `SHA256:mock-${args.name}`,
    }),
    "github:index/repository:Repository": (args, { githubOwner: owner }) => {
        const name = physicalName(args);
        return {
            name,
            fullName: `${owner}/${name}`,
            sshCloneUrl: `git@github.com:${owner}/${name}.git`,
            httpCloneUrl: `https://github.com/${owner}/${name}.git`,
            htmlUrl: `https://github.com/${owner}/${name}`,
            nodeId: `R_mock_${name}`,
            repoId: 1000,
            defaultBranch: "main",
        };
    },
};

/** An ARN in the shape AWS gives resources of this type: arn:aws:<service>:<region>:<account>:<resource>/<name>. */
function awsArn(args: pulumi.runtime.MockResourceArgs, region: string): string | undefined {
    const match = /^aws:([a-z0-9]+)\/([a-zA-Z0-9]+):/.exec(args.type);
    if (!match) {
        return undefined;
    }
    const [, service, resource] = match;
    const globalService = service === "iam";
    // IAM ARNs carry the path between the type and the name (arn:aws:iam::<account>:policy/<path>/<name>).
    const inputPath: unknown = (args.inputs as Record<string, unknown>).path;
    const path = globalService && typeof inputPath === "string" ? inputPath : "/";
    return `arn:aws:${service}:${globalService ? "" : region}:${MOCK_ACCOUNT_ID}:${resource.toLowerCase()}${path}${physicalName(args)}`;
}

/** Provider functions the program may call, with made-up but consistent answers. */
const CALLS: Record<string, (inputs: Record<string, unknown>, context: MockContext) => Record<string, unknown>> = {
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        accountId: MOCK_ACCOUNT_ID,
        arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/mock`,
        userId: "AIDAMOCK",
        id: MOCK_ACCOUNT_ID,
    }),
    "aws:index/getRegion:getRegion": (_inputs, { region }) => ({
        name: region,
        region: region,
        id: region,
        endpoint: `ec2.${region}.amazonaws.com`,
        description: "mock",
    }),
    "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" }),
    "aws:index/getAvailabilityZones:getAvailabilityZones": (_inputs, { region }) => {
        const names = ["a", "b", "c", "d", "e", "f"].map((suffix) => `${region}${suffix}`);
        return { names, zoneIds: names.map((_, i) => `mock-az${i + 1}`), id: region, groupNames: [region] };
    },
    // EKS's default build of an add-on for a Kubernetes version; made up, but names both.
    "aws:eks/getAddonVersion:getAddonVersion": (inputs) => ({
        addonName: inputs.addonName,
        kubernetesVersion: inputs.kubernetesVersion,
        version: `v0.0.0-eksbuild.mock-${String(inputs.addonName)}-${String(inputs.kubernetesVersion)}`,
        id: String(inputs.addonName),
    }),
    // GitHub gives teams and users numeric IDs (as strings in these results); made up from the name.
    "github:index/getTeam:getTeam": (inputs) => {
        const slug = String(inputs.slug);
        return {
            ...githubIds("team", slug),
            slug,
            name: slug,
            description: "",
            privacy: "closed",
            permission: "pull",
            members: [],
            repositories: [],
            repositoriesDetaileds: [],
            notificationSetting: "notifications_enabled",
        };
    },
    "github:index/getUser:getUser": (inputs) => {
        const login = String(inputs.username);
        return { ...githubIds("user", login), login, username: login, name: login };
    },
};

/** The provider functions the plan answers: every one the program may call (the CI credential tables cover each). */
export const MOCKED_CALLS: readonly string[] = Object.keys(CALLS);

/** The numeric ID and the node ID (T_… for teams, U_… for users) of a GitHub team or user. */
function githubIds(kind: "team" | "user", name: string): { id: string; nodeId: string } {
    return { id: String(mockNumericId(`${kind}/${name}`)), nodeId: `${kind === "team" ? "T" : "U"}_mock_${name}` };
}

/** A stable positive integer for a name, like the numeric IDs GitHub gives teams and users. */
export function mockNumericId(name: string): number {
    let hash = 0;
    for (const char of name) {
        hash = (hash * 31 + char.charCodeAt(0)) % 1_000_000;
    }
    return 1_000_000 + hash;
}

/** The mocks for one plan; the context defaults to a stack without provider config. */
export function platformMocks(context: MockContext = mockContext({})): pulumi.runtime.Mocks {
    return {
        newResource(args: ResourceArgs) {
            const computed = COMPUTED[args.type]?.(args, context) ?? {};
            const arn =
                args.type.startsWith("aws:") && !("arn" in computed) ? { arn: awsArn(args, context.region) } : {};
            // Only what the provider computes: the SDK resolves every other output from the resource's own
            // inputs (@pulumi/pulumi runtime/resource.js resolveOutputs, outside a preview), as a provider
            // that echoes its inputs would, secrets kept secret, without a second trip through protobuf.
            return { id: `${args.name}-id`, state: { ...arn, ...computed } };
        },
        call(args) {
            const answer = CALLS[args.token];
            if (!answer) {
                throw new Error(`Mock not implemented: ${args.token}. Add it to CALLS in plan/mocks.ts.`);
            }
            return answer(args.inputs as State, context);
        },
    };
}
