import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { subnetLayout } from "./cidr";

export interface NetworkArgs {
    /** VPC block, e.g. 10.20.0.0/16. Required. */
    readonly vpcCidr: string;
    /** Availability zone names, e.g. ["eu-west-1a", "eu-west-1b"]; subnets are keyed by them. Required, at least 2. */
    readonly availabilityZones: readonly string[];
    /**
     * "single": one NAT gateway in the first zone; "onePerZone": each zone egresses through its own. Default "single".
     */
    readonly natGateways?: "single" | "onePerZone";
    /** Public subnet blocks, one per zone; computed from vpcCidr (subnetLayout) when omitted. */
    readonly publicSubnetCidrs?: readonly string[];
    /** Private subnet blocks, one per zone; computed from vpcCidr when omitted. */
    readonly privateSubnetCidrs?: readonly string[];
    /** Tags on every resource. Default none. */
    readonly tags?: Record<string, string>;
    /** Protect the VPC against deletion (production). Default false. */
    readonly protect?: boolean;
}

const DEFAULTS = {
    natGateways: "single",
    tags: {},
    protect: false,
} as const;

/** Subnet tags that tell the AWS Load Balancer Controller and the in-tree controller where to put load balancers. */
export const LOAD_BALANCER_TAGS = {
    public: { "kubernetes.io/role/elb": "1" },
    private: { "kubernetes.io/role/internal-elb": "1" },
} as const;

/** The zone that hosts NAT gateway(s) for each zone's private subnets. */
export function natZoneFor(zone: string, zones: readonly string[], mode: "single" | "onePerZone"): string {
    return mode === "single" ? zones[0] : zone;
}

/**
 * A VPC for an EKS cluster: public subnets (load balancers, NAT gateways) and private subnets (nodes),
 * one of each per availability zone, an internet gateway, and NAT for the private subnets' egress.
 */
export class Network extends pulumi.ComponentResource {
    readonly vpc: aws.ec2.Vpc;
    readonly publicSubnets: Record<string, aws.ec2.Subnet> = {};
    readonly privateSubnets: Record<string, aws.ec2.Subnet> = {};
    readonly natGateways: Record<string, aws.ec2.NatGateway> = {};
    readonly publicSubnetIds: pulumi.Output<string>[];
    readonly privateSubnetIds: pulumi.Output<string>[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:cluster:Network", name, {}, opts);
        const settings = { ...DEFAULTS, ...args };
        const zones = settings.availabilityZones;
        const layout =
            settings.publicSubnetCidrs && settings.privateSubnetCidrs
                ? { public: [...settings.publicSubnetCidrs], private: [...settings.privateSubnetCidrs] }
                : subnetLayout(settings.vpcCidr, zones.length);
        if (layout.public.length !== zones.length || layout.private.length !== zones.length) {
            throw new pulumi.ResourceError(
                `expected one public and one private subnet block per zone (${zones.length})`,
                this,
            );
        }
        const tagged = (resourceName: string, extra: Record<string, string> = {}) => ({
            ...settings.tags,
            Name: resourceName,
            ...extra,
        });

        this.vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: settings.vpcCidr,
                // Both are required for the EKS private endpoint and for nodes to register by DNS name.
                enableDnsSupport: true,
                enableDnsHostnames: true,
                tags: tagged(`${name}-vpc`),
            },
            { parent: this, protect: settings.protect },
        );
        const gateway = new aws.ec2.InternetGateway(
            `${name}-igw`,
            { vpcId: this.vpc.id, tags: tagged(`${name}-igw`) },
            { parent: this },
        );

        const publicRoutes = new aws.ec2.RouteTable(
            `${name}-public`,
            {
                vpcId: this.vpc.id,
                routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }],
                tags: tagged(`${name}-public`),
            },
            { parent: this },
        );

        const subnet = (
            tier: "public" | "private",
            zone: string,
            cidrBlock: string,
            routeTableId: pulumi.Input<string>,
        ) => {
            const subnetName = `${name}-${tier}-${zone}`;
            const created = new aws.ec2.Subnet(
                subnetName,
                {
                    vpcId: this.vpc.id,
                    availabilityZone: zone,
                    cidrBlock,
                    // No instance gets a public address: nodes are private, and load balancers and NAT
                    // gateways bring their own.
                    mapPublicIpOnLaunch: false,
                    tags: tagged(subnetName, LOAD_BALANCER_TAGS[tier]),
                },
                { parent: this },
            );
            new aws.ec2.RouteTableAssociation(subnetName, { subnetId: created.id, routeTableId }, { parent: this });
            return created;
        };
        zones.forEach((zone, i) => {
            this.publicSubnets[zone] = subnet("public", zone, layout.public[i], publicRoutes.id);
        });

        const natZones = [...new Set(zones.map((zone) => natZoneFor(zone, zones, settings.natGateways)))];
        for (const zone of natZones) {
            const natName = `${name}-nat-${zone}`;
            const address = new aws.ec2.Eip(natName, { domain: "vpc", tags: tagged(natName) }, { parent: this });
            this.natGateways[zone] = new aws.ec2.NatGateway(
                natName,
                {
                    allocationId: address.id,
                    subnetId: this.publicSubnets[zone].id,
                    tags: tagged(natName),
                },
                { parent: this, dependsOn: [gateway] },
            );
        }

        zones.forEach((zone, i) => {
            const routes = new aws.ec2.RouteTable(
                `${name}-private-${zone}`,
                {
                    vpcId: this.vpc.id,
                    routes: [
                        {
                            cidrBlock: "0.0.0.0/0",
                            natGatewayId: this.natGateways[natZoneFor(zone, zones, settings.natGateways)].id,
                        },
                    ],
                    tags: tagged(`${name}-private-${zone}`),
                },
                { parent: this },
            );
            this.privateSubnets[zone] = subnet("private", zone, layout.private[i], routes.id);
        });

        this.publicSubnetIds = zones.map((zone) => this.publicSubnets[zone].id);
        this.privateSubnetIds = zones.map((zone) => this.privateSubnets[zone].id);
        this.registerOutputs({
            vpcId: this.vpc.id,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
        });
    }
}
