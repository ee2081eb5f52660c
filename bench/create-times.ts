/**
 * Typical create times per resource type on an empty AWS account, used to weight the critical path
 * of `pulumi up`. Figures are seconds: `typical` is what the estimate uses, `low`/`high` give its
 * range. `basis` says how much to trust each line: "reported" when a public log or maintainer
 * statement gives the time, "estimate" when it is our judgement (the source then says what it rests on).
 * Component resources and providers take no time of their own and are not listed (see weightOf in graph.ts).
 */

export interface CreateTime {
    readonly typical: number;
    readonly low: number;
    readonly high: number;
    readonly basis: "reported" | "estimate";
    readonly source: string;
}

/** Custom resources of a type not listed here: an API call that returns at once. */
export const UNLISTED: CreateTime = {
    typical: 2,
    low: 1,
    high: 5,
    basis: "estimate",
    source: "estimate: a synchronous create API call with no waiter",
};

export const CREATE_TIMES: Readonly<Record<string, CreateTime>> = {
    "aws:eks/cluster:Cluster": {
        typical: 600,
        low: 480,
        high: 900,
        basis: "reported",
        source: "aws/containers-roadmap#1227: control plane provisioning 'averages 15 minutes', later reduced by 40% to 'an EKS control plane in 9 minutes on an average'; commenters report 10-14 min",
    },
    "aws:eks/nodeGroup:NodeGroup": {
        typical: 180,
        low: 110,
        high: 300,
        basis: "reported",
        source: "terraform apply logs: 'Creation complete after 1m48s' / '1m59s' (DevopsArtFactory/terraform-provisioning#46), 'after 2m50s' (umotif-public/terraform-aws-eks-node-group#7)",
    },
    "aws:ec2/natGateway:NatGateway": {
        typical: 100,
        low: 60,
        high: 300,
        basis: "reported",
        source: "kubernetes/kops#944 and #995: NAT gateway goes from pending to available in 'up to 5 min' (code comment), 'up to 10 min' (PR text); hashicorp/terraform#8687 log shows 3m+ in creating; typical 1-2 min is an estimate",
    },
    "aws:eks/addon:Addon": {
        typical: 60,
        low: 20,
        high: 900,
        basis: "reported",
        source: "aws-ia/terraform-aws-eks-blueprints#642: vpc-cni and kube-proxy active as soon as pods are ready, coredns and ebs-csi 'at least 15 minutes' on a new cluster; coredns needs nodes (terraform-aws-eks#3001); typical is an estimate",
    },
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
        typical: 5,
        low: 2,
        high: 15,
        basis: "estimate",
        source: "estimate: CreatePodIdentityAssociation is a synchronous EKS API call (no waiter in the provider)",
    },
    "aws:eks/accessEntry:AccessEntry": {
        typical: 5,
        low: 2,
        high: 15,
        basis: "estimate",
        source: "estimate: CreateAccessEntry is a synchronous EKS API call",
    },
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": {
        typical: 5,
        low: 2,
        high: 15,
        basis: "estimate",
        source: "estimate: AssociateAccessPolicy is a synchronous EKS API call",
    },
    "kubernetes:helm.sh/v3:Release": {
        typical: 120,
        low: 60,
        high: 300,
        basis: "estimate",
        source: "estimate: install plus wait for the chart's workloads to be ready (images pulled on fresh nodes); @pulumi/kubernetes helm/v3 Release `timeout` bounds each wait (helm's default 300 s)",
    },
    "aws:ec2/vpc:Vpc": {
        typical: 20,
        low: 5,
        high: 30,
        basis: "reported",
        source: "terraform apply log in turbot/steampipe-plugin-aws#131: aws_vpc 'Creation complete after 24s'",
    },
    "aws:ec2/subnet:Subnet": {
        typical: 10,
        low: 5,
        high: 15,
        basis: "reported",
        source: "terraform apply logs: aws_subnet 'Creation complete after 7s' (turbot/steampipe-plugin-aws#131), 'after 10s' (terraform-aws-modules/terraform-aws-eks#2203)",
    },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": {
        typical: 1,
        low: 1,
        high: 5,
        basis: "reported",
        source: "terraform apply log in terraform-aws-modules/terraform-aws-eks#2203: 'Creation complete after 1s'",
    },
    "aws:ec2/eip:Eip": {
        typical: 2,
        low: 1,
        high: 5,
        basis: "estimate",
        source: "estimate: AllocateAddress is synchronous",
    },
    "aws:ec2/internetGateway:InternetGateway": {
        typical: 3,
        low: 1,
        high: 10,
        basis: "estimate",
        source: "estimate: create + attach, both synchronous",
    },
    "aws:ec2/routeTable:RouteTable": {
        typical: 2,
        low: 1,
        high: 5,
        basis: "estimate",
        source: "estimate: CreateRouteTable is synchronous",
    },
    "aws:ec2/route:Route": {
        typical: 2,
        low: 1,
        high: 5,
        basis: "estimate",
        source: "estimate: CreateRoute is synchronous once its NAT or internet gateway is available",
    },
    "aws:ec2/launchTemplate:LaunchTemplate": {
        typical: 2,
        low: 1,
        high: 5,
        basis: "estimate",
        source: "estimate: CreateLaunchTemplate is synchronous",
    },
    "aws:ec2/securityGroup:SecurityGroup": {
        typical: 3,
        low: 2,
        high: 5,
        basis: "reported",
        source: "terraform apply log in DevopsArtFactory/terraform-provisioning#47: aws_security_group 'Creation complete after 3s'",
    },
    "aws:iam/role:Role": {
        typical: 5,
        low: 1,
        high: 10,
        basis: "reported",
        source: "terraform apply log in turbot/steampipe-plugin-aws#131: aws_iam_role 'Creation complete after 7s'; pulumi/pulumi-eks#1819 output: aws:iam:Role 'created (1s)' / '(2s)'",
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        typical: 1,
        low: 1,
        high: 4,
        basis: "reported",
        source: "pulumi/pulumi-eks#1819 output: aws:iam:RolePolicyAttachment 'created (0.71s)' / '(1s)'; turbot/steampipe-plugin-aws#131: 'after 4s'",
    },
    "aws:iam/rolePolicy:RolePolicy": {
        typical: 1,
        low: 1,
        high: 4,
        basis: "estimate",
        source: "estimate: PutRolePolicy is synchronous, like a policy attachment (see RolePolicyAttachment)",
    },
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
        typical: 2,
        low: 1,
        high: 5,
        basis: "estimate",
        source: "estimate: CreateOpenIDConnectProvider is synchronous",
    },
    "aws:kms/key:Key": {
        typical: 10,
        low: 2,
        high: 30,
        basis: "estimate",
        source: "estimate: CreateKey is synchronous; the provider then waits for the key policy and tags to propagate",
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        typical: 2,
        low: 1,
        high: 5,
        basis: "estimate",
        source: "estimate: CreateLogGroup is synchronous",
    },
    "aws:secretsmanager/secret:Secret": {
        typical: 2,
        low: 1,
        high: 5,
        basis: "estimate",
        source: "estimate: CreateSecret is synchronous",
    },
    "github:index/repository:Repository": {
        typical: 5,
        low: 2,
        high: 15,
        basis: "estimate",
        source: "estimate: one REST call to create the repository plus follow-up calls for settings",
    },
    "github:index/repositoryDeployKey:RepositoryDeployKey": {
        typical: 2,
        low: 1,
        high: 5,
        basis: "estimate",
        source: "estimate: one REST call",
    },
    "tls:index/privateKey:PrivateKey": {
        typical: 1,
        low: 1,
        high: 2,
        basis: "estimate",
        source: "estimate: computed locally by the provider",
    },
};

/** Kubernetes objects other than Helm releases: applied by the API server in about a second. */
export const KUBERNETES_OBJECT: CreateTime = {
    typical: 2,
    low: 1,
    high: 10,
    basis: "estimate",
    source: "estimate: one apply against the API server; custom resources wait for nothing beyond admission",
};
