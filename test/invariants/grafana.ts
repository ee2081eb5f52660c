/**
 * What grafana chart 10.1.4 renders for given values, read from its templates (grafana/helm-charts
 * charts/grafana, tag grafana-10.1.4): which kinds (each template's top-level condition) and the
 * Deployment's pod security (templates/_pod.tpl). No Helm binary runs here, so this is the reading,
 * written down once and checked against the values the stack files set: only the values that decide
 * these are modelled, each with its default from the chart's values.yaml at that tag.
 */
type Values = Record<string, unknown>;

export const GRAFANA_CHART = {
    url: "https://github.com/grafana/helm-charts.git",
    path: "charts/grafana",
    /** The tag, and the commit it names (production pins the commit: `git rev-parse grafana-10.1.4^{commit}`). */
    revisions: ["grafana-10.1.4", "1dcaa30574cd4ce4c54a7d5ca16867f88de7ee16"],
} as const;

/** Whether an app's source is grafana chart 10.1.4. */
export function isGrafanaChart(source: { url?: string; path: string; revision: string }): boolean {
    return (
        source.url === GRAFANA_CHART.url &&
        source.path === GRAFANA_CHART.path &&
        (GRAFANA_CHART.revisions as readonly string[]).includes(source.revision)
    );
}

/** values.yaml at grafana-10.1.4, the keys the conditions below read. */
const DEFAULTS: Values = {
    rbac: { create: true, namespaced: false, pspEnabled: false, extraRoleRules: [], extraClusterRoleRules: [] },
    serviceAccount: { create: true },
    admin: { existingSecret: "" },
    env: {},
    ldap: { enabled: false },
    createConfigmap: true,
    useStatefulSet: false,
    persistence: { enabled: false, type: "pvc", inMemory: { enabled: false } },
    // values.yaml: `securityContext` (the pod's) and `containerSecurityContext` (grafana's container)
    securityContext: { runAsNonRoot: true, runAsUser: 472, runAsGroup: 472, fsGroup: 472 },
    containerSecurityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    },
    initChownData: {
        enabled: true,
        securityContext: {
            readOnlyRootFilesystem: false,
            runAsNonRoot: false,
            runAsUser: 0,
            seccompProfile: { type: "RuntimeDefault" },
            capabilities: { add: ["CHOWN"], drop: ["ALL"] },
        },
    },
    downloadDashboards: {
        securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
    },
    dashboards: {},
    sidecar: {
        securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
        dashboards: { enabled: false, resource: "both", SCProvider: true },
        datasources: { enabled: false },
        plugins: { enabled: false },
        alerts: { enabled: false },
        notifiers: { enabled: false },
    },
    testFramework: { enabled: true },
    service: { enabled: true },
    networkPolicy: { enabled: false },
    ingress: { enabled: false },
    serviceMonitor: { enabled: false },
    autoscaling: { enabled: false },
    imageRenderer: { enabled: false },
    envRenderSecret: {},
};

function merge(base: unknown, over: unknown): unknown {
    if (over === undefined) {
        return base;
    }
    if (
        base !== null &&
        typeof base === "object" &&
        !Array.isArray(base) &&
        over !== null &&
        typeof over === "object" &&
        !Array.isArray(over)
    ) {
        const out: Values = { ...(base as Values) };
        for (const [key, value] of Object.entries(over as Values)) {
            out[key] = merge(out[key], value);
        }
        return out;
    }
    return over;
}

const get = (values: Values, path: string): unknown =>
    path.split(".").reduce<unknown>((at, key) => (at as Values | undefined)?.[key], values);
/** Helm's truthiness: false, 0, "", nil, empty collections are false. */
const truthy = (value: unknown): boolean =>
    !(
        value === undefined ||
        value === null ||
        value === false ||
        value === 0 ||
        value === "" ||
        (Array.isArray(value) && value.length === 0) ||
        (typeof value === "object" && Object.keys(value).length === 0)
    );

interface Template {
    readonly file: string;
    readonly kind: string;
    readonly renders: (v: (path: string) => unknown) => boolean;
}

const sidecarOn = (v: (path: string) => unknown) =>
    truthy(v("sidecar.dashboards.enabled")) ||
    truthy(v("sidecar.datasources.enabled")) ||
    truthy(v("sidecar.plugins.enabled"));

/** Each template's top-level condition, as the file at grafana-10.1.4 states it. */
const TEMPLATES: readonly Template[] = [
    {
        file: "clusterrole.yaml",
        kind: "ClusterRole",
        renders: (v) =>
            truthy(v("rbac.create")) &&
            (!truthy(v("rbac.namespaced")) || truthy(v("rbac.extraClusterRoleRules"))) &&
            !truthy(v("rbac.useExistingClusterRole")),
    },
    {
        file: "clusterrolebinding.yaml",
        kind: "ClusterRoleBinding",
        renders: (v) =>
            truthy(v("rbac.create")) && (!truthy(v("rbac.namespaced")) || truthy(v("rbac.extraClusterRoleRules"))),
    },
    { file: "role.yaml", kind: "Role", renders: (v) => truthy(v("rbac.create")) && !truthy(v("rbac.useExistingRole")) },
    { file: "rolebinding.yaml", kind: "RoleBinding", renders: (v) => truthy(v("rbac.create")) },
    {
        file: "secret.yaml",
        kind: "Secret",
        renders: (v) =>
            (!truthy(v("admin.existingSecret")) &&
                !truthy(v("env.GF_SECURITY_ADMIN_PASSWORD__FILE")) &&
                !truthy(v("env.GF_SECURITY_ADMIN_PASSWORD")) &&
                !truthy(v("env.GF_SECURITY_DISABLE_INITIAL_ADMIN_CREATION"))) ||
            (truthy(v("ldap.enabled")) && !truthy(v("ldap.existingSecret"))),
    },
    { file: "secret-env.yaml", kind: "Secret", renders: (v) => truthy(v("envRenderSecret")) },
    { file: "serviceaccount.yaml", kind: "ServiceAccount", renders: (v) => truthy(v("serviceAccount.create")) },
    { file: "configmap.yaml", kind: "ConfigMap", renders: (v) => truthy(v("createConfigmap")) },
    {
        file: "configmap-dashboard-provider.yaml",
        kind: "ConfigMap",
        renders: (v) => truthy(v("sidecar.dashboards.enabled")) && truthy(v("sidecar.dashboards.SCProvider")),
    },
    { file: "dashboards-json-configmap.yaml", kind: "ConfigMap", renders: (v) => truthy(v("dashboards")) },
    { file: "service.yaml", kind: "Service", renders: (v) => truthy(v("service.enabled")) },
    {
        file: "deployment.yaml",
        kind: "Deployment",
        renders: (v) =>
            !truthy(v("useStatefulSet")) && (!truthy(v("persistence.enabled")) || v("persistence.type") === "pvc"),
    },
    {
        file: "pvc.yaml",
        kind: "PersistentVolumeClaim",
        renders: (v) =>
            !truthy(v("useStatefulSet")) &&
            truthy(v("persistence.enabled")) &&
            !truthy(v("persistence.existingClaim")) &&
            v("persistence.type") === "pvc",
    },
    { file: "networkpolicy.yaml", kind: "NetworkPolicy", renders: (v) => truthy(v("networkPolicy.enabled")) },
    { file: "ingress.yaml", kind: "Ingress", renders: (v) => truthy(v("ingress.enabled")) },
    { file: "servicemonitor.yaml", kind: "ServiceMonitor", renders: (v) => truthy(v("serviceMonitor.enabled")) },
    { file: "hpa.yaml", kind: "HorizontalPodAutoscaler", renders: (v) => truthy(v("autoscaling.enabled")) },
    { file: "tests/test.yaml", kind: "Pod", renders: (v) => truthy(v("testFramework.enabled")) },
    { file: "tests/test-configmap.yaml", kind: "ConfigMap", renders: (v) => truthy(v("testFramework.enabled")) },
    {
        file: "tests/test-serviceaccount.yaml",
        kind: "ServiceAccount",
        renders: (v) => truthy(v("testFramework.enabled")) && truthy(v("serviceAccount.create")),
    },
];

export interface GrafanaRender {
    /** Kinds rendered, each with the template it comes from. */
    readonly objects: readonly { kind: string; template: string }[];
    /** The Deployment's pod spec, as far as Pod Security reads it. */
    readonly podSpec: Record<string, unknown>;
}

/** What grafana 10.1.4 renders with `values` (the app's helmValues). */
export function renderGrafana(values: Values = {}): GrafanaRender {
    const merged = merge(DEFAULTS, values) as Values;
    const v = (path: string) => get(merged, path);
    const objects = TEMPLATES.filter((t) => t.renders(v)).map((t) => ({ kind: t.kind, template: t.file }));
    // _pod.tpl: init-chown-data under `and .Values.persistence.enabled .Values.initChownData.enabled`,
    // download-dashboards under `if .Values.dashboards`, one sidecar per enabled sidecar, then grafana.
    const initContainers = [
        ...(truthy(v("persistence.enabled")) && truthy(v("initChownData.enabled"))
            ? [{ name: "init-chown-data", securityContext: v("initChownData.securityContext") }]
            : []),
        ...(truthy(v("dashboards"))
            ? [{ name: "download-dashboards", securityContext: v("downloadDashboards.securityContext") }]
            : []),
    ];
    const sidecars = ["alerts", "dashboards", "datasources", "notifiers", "plugins"]
        .filter((name) => truthy(v(`sidecar.${name}.enabled`)))
        .map((name) => ({ name: `grafana-sc-${name}`, securityContext: v("sidecar.securityContext") }));
    const storage =
        truthy(v("persistence.enabled")) && v("persistence.type") === "pvc"
            ? { name: "storage", persistentVolumeClaim: { claimName: "grafana" } }
            : { name: "storage", emptyDir: {} };
    const podSpec = {
        ...(truthy(v("securityContext")) ? { securityContext: v("securityContext") } : {}),
        ...(initContainers.length > 0 ? { initContainers } : {}),
        containers: [...sidecars, { name: "grafana", securityContext: v("containerSecurityContext") }],
        volumes: [
            { name: "config", configMap: { name: "grafana" } },
            storage,
            ...(sidecarOn(v) ? [{ name: "sc-dashboard-volume", emptyDir: {} }] : []),
        ],
    };
    return { objects, podSpec };
}
