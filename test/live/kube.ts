/** kubectl, run synchronously against the kubeconfig the live test wrote (one context, flattened). */
import { execFile, spawnSync } from "child_process";
import { ClusterInventory, crdInventory, KubeObject } from "./logic";

export class Kubectl {
    constructor(private readonly kubeconfig: string) {}

    run(args: readonly string[], input?: string): { ok: boolean; stdout: string; stderr: string } {
        const result = spawnSync("kubectl", ["--kubeconfig", this.kubeconfig, ...args], {
            input,
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        });
        return {
            ok: result.status === 0,
            stdout: result.stdout ?? "",
            stderr: result.stderr ?? String(result.error ?? ""),
        };
    }

    /** Like run, without blocking the event loop (the inline program runs in this process during up). */
    runAsync(args: readonly string[], input?: string): Promise<boolean> {
        return new Promise((resolve) => {
            const child = execFile("kubectl", ["--kubeconfig", this.kubeconfig, ...args], (error) =>
                resolve(error === null),
            );
            child.stdin?.end(input ?? "");
        });
    }

    /** Like run, but a failure throws with kubectl's message. */
    must(args: readonly string[], input?: string): string {
        const result = this.run(args, input);
        if (!result.ok) {
            throw new Error(`kubectl ${args.join(" ")} failed: ${result.stderr.trim()}`);
        }
        return result.stdout;
    }

    /** One object, or undefined when it does not exist (yet). */
    get(resource: string, name: string, namespace?: string): KubeObject | undefined {
        const result = this.run(["get", resource, name, ...(namespace ? ["-n", namespace] : []), "-o", "json"]);
        return result.ok ? (JSON.parse(result.stdout) as KubeObject) : undefined;
    }

    /** Every object of a cluster-scoped resource; a failure throws with kubectl's message. */
    listOrThrow(resource: string): KubeObject[] {
        return (JSON.parse(this.must(["get", resource, "-o", "json"])) as { items: KubeObject[] }).items;
    }

    list(resource: string, namespace?: string): KubeObject[] {
        const result = this.run([
            "get",
            resource,
            ...(namespace ? ["-n", namespace] : ["--all-namespaces"]),
            "-o",
            "json",
        ]);
        return result.ok ? (JSON.parse(result.stdout) as { items: KubeObject[] }).items : [];
    }

    names(resource: string): string[] {
        return this.must(["get", resource, "-o", "name"])
            .split("\n")
            .filter(Boolean)
            .map((line) => line.replace(/^[^/]+\//, ""))
            .sort();
    }

    inventory(): ClusterInventory {
        return {
            namespaces: this.names("namespaces"),
            // The engines' charts keep their CRDs on uninstall, on purpose: not something destroy left behind.
            crds: crdInventory(this.listOrThrow("customresourcedefinitions")).crds,
            webhooks: [
                ...this.names("validatingwebhookconfigurations").map((n) => `validating/${n}`),
                ...this.names("mutatingwebhookconfigurations").map((n) => `mutating/${n}`),
            ],
        };
    }
}
