/**
 * preflight/sources.ts on recorded answers (test/fixtures/preflight/README.md says whose documented
 * response each recording is shaped after).
 */
import * as assert from "node:assert/strict";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";
import {
    addonVersions,
    addonVersionsOffered,
    bearerChallenge,
    chartLocation,
    chartVersions,
    newestFirst,
    processRunner,
    recordedRunner,
    recordingRunner,
    SourceError,
} from "../preflight/sources";

const FIXTURES = path.join(__dirname, "fixtures", "preflight");
const addonsRunner = () => recordingRunner(path.join(FIXTURES, "eks-addon-versions-1.35.json"));
const chartsRunner = () => recordingRunner(path.join(FIXTURES, "charts.json"));

async function sourceError(promise: Promise<unknown>): Promise<SourceError> {
    try {
        await promise;
    } catch (error) {
        assert.ok(error instanceof SourceError, `expected a SourceError, got ${String(error)}`);
        return error;
    }
    assert.fail("expected a SourceError");
}

describe("preflight sources", () => {
    describe("EKS add-on builds", () => {
        it("lists the builds compatible with the version, newest first, build numbers compared as numbers", async () => {
            const offered = await addonVersionsOffered(addonsRunner(), "vpc-cni", "1.35", { region: "eu-west-1" });
            assert.deepEqual(offered, ["v1.20.1-eksbuild.3", "v1.19.5-eksbuild.10", "v1.19.5-eksbuild.1"]);
        });

        it("marks EKS's default build and leaves out builds of other Kubernetes versions", async () => {
            const builds = await addonVersions(addonsRunner(), "coredns", "1.35", { region: "eu-west-1" });
            assert.deepEqual(builds, [{ version: "v1.14.2-eksbuild.4", defaultVersion: true }]);
        });

        it("gives no builds for an add-on EKS does not know", async () => {
            assert.deepEqual(
                await addonVersionsOffered(addonsRunner(), "no-such-addon", "1.35", { region: "eu-west-1" }),
                [],
            );
        });

        it("asks the AWS CLI in the stack's region", async () => {
            const runner = addonsRunner();
            await addonVersionsOffered(runner, "vpc-cni", "1.35", { region: "eu-west-1" });
            assert.deepEqual(runner.calls, [
                "aws eks describe-addon-versions --addon-name vpc-cni --kubernetes-version 1.35 --region eu-west-1 --output json",
            ]);
        });

        it("reports a failing AWS CLI as unavailable, with its message", async () => {
            const error = await sourceError(
                addonVersionsOffered(addonsRunner(), "kube-proxy", "1.35", { region: "eu-west-1" }),
            );
            assert.equal(error.kind, "unavailable");
            assert.match(error.message, /Unable to locate credentials/);
        });
    });

    describe("chart versions", () => {
        it("reads an HTTPS repository's index.yaml, newest first", async () => {
            const runner = chartsRunner();
            assert.deepEqual(await chartVersions(runner, "https://argoproj.github.io/argo-helm/", "argo-cd"), [
                "10.2.0",
                "10.1.1",
                "10.1.0",
            ]);
            assert.deepEqual(runner.calls, ["GET https://argoproj.github.io/argo-helm/index.yaml"]);
        });

        it("says a chart the index does not list is missing", async () => {
            const error = await sourceError(
                chartVersions(chartsRunner(), "https://argoproj.github.io/argo-helm", "argo"),
            );
            assert.equal(error.kind, "missing");
            assert.match(error.message, /chart "argo" is not in https:\/\/argoproj.github.io\/argo-helm\/index.yaml/);
        });

        it("says a repository without an index is missing, and one that does not answer unavailable", async () => {
            assert.equal(
                (await sourceError(chartVersions(chartsRunner(), "https://charts.example.com/gone", "x"))).kind,
                "missing",
            );
            const unreachable = await sourceError(
                chartVersions(chartsRunner(), "https://charts.unreachable.example", "x"),
            );
            assert.equal(unreachable.kind, "unavailable");
            assert.match(unreachable.message, /ENOTFOUND/);
        });

        it("lists an OCI chart's tags with an anonymous token, every page, `_` read back as `+`", async () => {
            const runner = chartsRunner();
            const versions = await chartVersions(
                runner,
                undefined,
                "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator",
            );
            assert.deepEqual(versions, [
                "0.59.0+build.7",
                "0.58.1",
                "0.58.0",
                "0.49.0",
                "0.48.0",
                "0.47.0",
                "sha256-3f1e2d",
            ]);
            assert.deepEqual(runner.calls, [
                "GET https://ghcr.io/v2/controlplaneio-fluxcd/charts/flux-operator/tags/list",
                "GET https://ghcr.io/token?service=ghcr.io&scope=repository%3Acontrolplaneio-fluxcd%2Fcharts%2Fflux-operator%3Apull",
                "GET https://ghcr.io/v2/controlplaneio-fluxcd/charts/flux-operator/tags/list",
                "GET https://ghcr.io/v2/controlplaneio-fluxcd/charts/flux-operator/tags/list?last=0.49.0&n=3",
            ]);
        });

        it("sends the token it was given on the retry and the next page", async () => {
            const seen: (string | undefined)[] = [];
            const inner = chartsRunner();
            await chartVersions(
                {
                    exec: (command, args) => inner.exec(command, args),
                    http: (url, request) => (seen.push(request?.headers?.authorization), inner.http(url, request)),
                },
                undefined,
                "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator",
            );
            const bearer = "Bearer djE6Y29udHJvbHBsYW5laW8tZmx1eGNkL2NoYXJ0cy9mbHV4LW9wZXJhdG9yOjE3OTk5OTk5OTk=";
            assert.deepEqual(seen, [undefined, undefined, bearer, bearer]);
        });

        it("says a registry that answers no JSON is unavailable, not that the chart is missing", async () => {
            const runner = recordedRunner({
                http: { "GET https://registry.example.com/v2/charts/x/tags/list": { status: 200, body: "<html>" } },
            });
            const error = await sourceError(chartVersions(runner, "oci://registry.example.com/charts", "x"));
            assert.equal(error.kind, "unavailable");
            assert.match(error.message, /answered no JSON: <html>/);
        });

        it("resolves a chart name in an oci:// repository, and refuses a chart without a repository", () => {
            assert.deepEqual(chartLocation("oci://registry.example.com/charts/", "podinfo"), {
                kind: "oci",
                registry: "registry.example.com",
                repository: "charts/podinfo",
            });
            assert.throws(() => chartLocation(undefined, "argo-cd"), /chart "argo-cd" names no repository/);
            assert.throws(() => chartLocation(undefined, "oci://ghcr.io"), /no OCI chart reference/);
        });
    });

    it("orders versions newest first, non-versions last", () => {
        assert.deepEqual(newestFirst(["1.2.0", "latest", "1.10.0", "v1.9.0", "1.2.0"]), [
            "1.10.0",
            "v1.9.0",
            "1.2.0",
            "latest",
        ]);
    });

    it("reads a Bearer challenge's parameters, and nothing from a Basic one", () => {
        assert.deepEqual(
            bearerChallenge('Bearer realm="https://r.example/token",service="r.example",scope="repository:a/b:pull"'),
            {
                realm: "https://r.example/token",
                service: "r.example",
                scope: "repository:a/b:pull",
            },
        );
        assert.equal(bearerChallenge('Basic realm="r"'), undefined);
    });

    it("a recorded runner refuses a call it has no answer for", async () => {
        const runner = recordedRunner({});
        await assert.rejects(
            runner.exec("aws", ["sts", "get-caller-identity"]),
            /no recorded answer for command: aws sts/,
        );
        await assert.rejects(
            runner.http("https://example.com"),
            /no recorded answer for request: GET https:\/\/example.com/,
        );
    });
});

describe("preflight's real runner", () => {
    const runner = processRunner({ PATH: process.env.PATH });

    it("runs a command without a shell and gives its exit code, stdout and stderr; 127 when it cannot start", async () => {
        const script = 'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)';
        assert.deepEqual(await runner.exec(process.execPath, ["-e", script]), {
            exitCode: 3,
            stdout: "out",
            stderr: "err",
        });
        const missing = await runner.exec("no-such-command-for-preflight", []);
        assert.equal(missing.exitCode, 127);
        assert.match(missing.stderr, /command not found/);
    });

    it("runs commands without the AWS CLI's pager", async () => {
        const result = await runner.exec(process.execPath, [
            "-e",
            "process.stdout.write(JSON.stringify(process.env.AWS_PAGER))",
        ]);
        assert.equal(result.stdout, '""');
    });

    it("sends a request with its headers and gives the status, lower-case headers and body; rejects naming why when nothing answers", async () => {
        const server = http.createServer((request, response) => {
            response.writeHead(404, { "X-Seen": String(request.headers.authorization) });
            response.end(`${request.method} ${request.url}`);
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const { port } = server.address() as AddressInfo;
        try {
            const answer = await runner.http(`http://127.0.0.1:${port}/v2/x/tags/list`, {
                headers: { authorization: "Bearer t" },
            });
            assert.equal(answer.status, 404);
            assert.equal(answer.headers["x-seen"], "Bearer t");
            assert.equal(answer.body, "GET /v2/x/tags/list");
        } finally {
            await new Promise((resolve) => server.close(resolve));
        }
        await assert.rejects(runner.http(`http://127.0.0.1:${port}/`), /fetch failed: ECONNREFUSED/);
    });
});
