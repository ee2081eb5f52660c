/** Chart versions of the argo-cd chart this program supports, each with the Argo CD version it installs. */

/** Newest argo-cd chart in argoproj/argo-helm (charts/argo-cd/Chart.yaml, July 2026). */
export const DEFAULT_CHART_VERSION = "10.1.1";

/**
 * The Argo CD version each supported chart version installs (its Chart.yaml `appVersion`, read from
 * argoproj/argo-helm's history), for the stack outputs the promotion command reads. A chart upgrade
 * adds its line here, in review.
 */
export const APP_VERSIONS: Readonly<Record<string, string>> = {
    "10.1.1": "v3.4.4",
    "10.1.0": "v3.4.4",
    "10.0.1": "v3.4.4",
    "10.0.0": "v3.4.4",
    "9.7.1": "v3.4.4",
};
