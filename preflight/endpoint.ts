/**
 * Check "endpoint": the cluster's Kubernetes API answers from where preflight runs (the deploy job's
 * runner, when the workflows run it). An existing cluster (`aws eks describe-cluster`: EKS API
 * reference, DescribeCluster → cluster.endpoint, status, resourcesVpcConfig) is asked for /version
 * (readable anonymously: the system:public-info-viewer ClusterRole); any HTTP answer, or a TLS handshake
 * that fails only on the cluster's own CA, means it answers. A cluster the first `up` will create is
 * judged from its planned endpoint settings and this runner's egress address
 * (https://checkip.amazonaws.com): the first `up` reaches the new API through its public endpoint.
 */
import { AWS_NEEDS, AwsAccess, lastLine } from "./aws";
import { fail, notApplicable, Outcome, pass, skip } from "./outcome";
import { Runner } from "./runner";
import { PlannedCluster, PreflightTarget } from "./target";

/** Whether IPv4 `address` lies in `cidr` (a.b.c.d/n); false for anything else. */
export function ipv4InCidr(address: string, cidr: string): boolean {
    const toNumber = (ip: string) => {
        const parts = ip.split(".").map(Number);
        return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255)
            ? parts.reduce((n, p) => n * 256 + p, 0)
            : undefined;
    };
    const [network, bits] = cidr.split("/");
    const [ip, net, size] = [toNumber(address), toNumber(network), Number(bits ?? "32")];
    if (ip === undefined || net === undefined || !Number.isInteger(size) || size < 0 || size > 32) {
        return false;
    }
    const block = 2 ** (32 - size);
    return Math.floor(ip / block) === Math.floor(net / block);
}

/** The planned endpoint admits `egress` through its public endpoint. */
export function publicEndpointAdmits(cluster: PlannedCluster, egress: string): boolean {
    const cidrs = cluster.publicAccessCidrs.length === 0 ? ["0.0.0.0/0"] : cluster.publicAccessCidrs;
    return cluster.publicAccess && cidrs.some((cidr) => ipv4InCidr(egress, cidr));
}

/** How to reach an endpoint this runner cannot: the fix for the stack's settings. */
export function reachFix(stack: string, cluster: PlannedCluster, egress: string | undefined): string {
    if (!cluster.publicAccess) {
        return `the endpoint is private: run this job on a runner inside the cluster's VPC (or a peered network) and name it in Pulumi.${stack}.yaml, or open the public endpoint to the runners' static egress CIDRs`;
    }
    return `add this runner's egress (${egress ?? "unknown"}/32) or the runners' static egress CIDRs to cluster.endpoint.publicAccessCidrs in Pulumi.${stack}.yaml, or run this job on runners whose egress is listed (${cluster.publicAccessCidrs.join(", ")})`;
}

/** A TLS failure that proves the server answered: Node's codes for a certificate it does not trust. */
const UNTRUSTED_CERTIFICATE = /CERT|certificate|SELF_SIGNED|UNABLE_TO_VERIFY/i;

async function egressAddress(runner: Runner): Promise<string | undefined> {
    try {
        const response = await runner.http("https://checkip.amazonaws.com");
        const address = response.body.trim();
        return response.status === 200 && /^\d{1,3}(\.\d{1,3}){3}$/.test(address) ? address : undefined;
    } catch {
        return undefined;
    }
}

export async function checkEndpoint(runner: Runner, target: PreflightTarget, aws: AwsAccess): Promise<Outcome[]> {
    const cluster = target.cluster;
    if (cluster === undefined) {
        return [
            notApplicable(
                "API endpoint",
                "the stack creates no EKS cluster (an existing cluster is reached through its kubeconfig)",
            ),
        ];
    }
    const subject = `API endpoint of ${cluster.name}`;
    if (!aws.available) {
        return [skip(subject, aws.reason, AWS_NEEDS)];
    }
    const described = await runner.exec("aws", [
        "eks",
        "describe-cluster",
        "--name",
        cluster.name,
        ...(target.region === undefined ? [] : ["--region", target.region]),
        "--output",
        "json",
    ]);
    const egress = await egressAddress(runner);
    const from = egress === undefined ? "this runner" : `this runner (egress ${egress})`;
    if (described.exitCode !== 0) {
        if (!/ResourceNotFoundException/.test(described.stderr)) {
            return [skip(subject, `describe-cluster failed: ${lastLine(described.stderr)}`, AWS_NEEDS)];
        }
        if (egress === undefined) {
            return [
                skip(
                    subject,
                    "the cluster does not exist yet and this runner's egress address is unknown",
                    "run where https://checkip.amazonaws.com answers",
                ),
            ];
        }
        return [
            publicEndpointAdmits(cluster, egress)
                ? pass(subject, `not created yet; its public endpoint will admit ${from}`)
                : fail(
                      subject,
                      `not created yet; the first \`up\` could not reach it from ${from}`,
                      reachFix(target.stack, cluster, egress),
                  ),
        ];
    }
    const endpoint = (JSON.parse(described.stdout) as { cluster?: { endpoint?: string } }).cluster?.endpoint;
    if (endpoint === undefined) {
        return [
            skip(subject, "the cluster has no endpoint yet (still creating?)", "run again once the cluster is ACTIVE"),
        ];
    }
    try {
        const response = await runner.http(`${endpoint}/version`);
        return [pass(subject, `${endpoint} answered HTTP ${response.status} from ${from}`)];
    } catch (error) {
        const message = (error as Error).message;
        return UNTRUSTED_CERTIFICATE.test(message)
            ? [
                  pass(
                      subject,
                      `${endpoint} answered from ${from} (TLS reached; its certificate is the cluster's own CA)`,
                  ),
              ]
            : [
                  fail(
                      subject,
                      `${endpoint} did not answer from ${from}: ${message}`,
                      reachFix(target.stack, cluster, egress),
                  ),
              ];
    }
}
