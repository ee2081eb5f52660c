/** Test configs with progressive delivery: a checked-in stack whose payments-api opts in. */
import * as YAML from "yaml";
import * as fs from "node:fs";
import { stackFilePath } from "../plan/stackFile";
import type { StackOverrides } from "./harness";

export const PROMETHEUS = "http://prometheus-operated.kube-prometheus-stack:9090";
export const SUCCESS_RATE = {
    name: "success-rate",
    query: 'sum(rate(http_requests_total{namespace="{namespace}",code!~"5.."}[1m])) / sum(rate(http_requests_total{namespace="{namespace}"}[1m]))',
    min: 0.99,
};
export const FLUX = { "gitops-platform:engine": { type: "flux", multitenancy: true } };

/** The stack's apps with `delivery` on payments-api, and a delivery section with the stack's Prometheus. */
export function withDelivery(
    stack: string,
    delivery: Record<string, unknown>,
    extra: Record<string, unknown> = {},
): StackOverrides {
    const document = YAML.parse(fs.readFileSync(stackFilePath(stack), "utf8")) as { config: Record<string, unknown> };
    const apps = (document.config["gitops-platform:apps"] as { name: string }[]).map((app) =>
        app.name === "payments-api" ? { ...app, delivery } : app,
    );
    return {
        set: {
            "gitops-platform:apps": apps,
            "gitops-platform:delivery": { prometheusAddress: PROMETHEUS },
            ...extra,
        },
    };
}
