/** Recorded answers of a green staging (test/fixtures/promotion/green) and the commits they name. */
import * as path from "path";
import { CollectRequest } from "../delivery/evidence/collect";

export const FIXTURES = path.join(__dirname, "fixtures", "promotion");
export const GREEN = path.join(FIXTURES, "green");
export const PROGRAM = "9d4c1e7b2a35f68091c2d3e4f5a6b7c8d9e0f1a2";
export const PAY = "7a1c9e3f5b2d4a6c8e0f1a3b5c7d9e1f2a4b6c8d";
export const CHECKOUT = "3f9c2e1a7b4d5c6e8f90a1b2c3d4e5f6a7b8c9d0";
export const GRAFANA = "1dcaa30574cd4ce4c54a7d5ca16867f88de7ee16";

export const GREEN_REQUEST: CollectRequest = {
    from: "staging",
    environment: "staging",
    engine: "argocd",
    engineNamespace: "argocd",
    apps: {
        "payments-api": {
            revision: "v2.15.0",
            repoUrl: "https://github.com/acme-platform/payments-api.git",
            namespace: "payments-api",
        },
        "checkout-web": {
            revision: CHECKOUT,
            repoUrl: "https://github.com/acme-platform/checkout-web.git",
            namespace: "checkout",
        },
        grafana: {
            revision: "grafana-10.1.4",
            repoUrl: "https://github.com/grafana/helm-charts.git",
            namespace: "monitoring",
        },
    },
    progressive: [],
    programRepository: "acme-platform/gitops-platform",
    now: new Date("2026-12-06T12:00:00Z"),
};
