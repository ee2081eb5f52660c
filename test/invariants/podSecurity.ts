/**
 * The Pod Security Standards' checks, as the admission plugin evaluates a pod spec at `enforce-version:
 * latest` (kubernetes/kubernetes staging/src/k8s.io/pod-security-admission/policy/check_*.go, Kubernetes
 * 1.35; the levels' definitions: kubernetes/website content/en/docs/concepts/security/pod-security-standards.md).
 * Used by invariant (b) on what each chart renders with the program's values and on the example apps.
 */
export type Level = "privileged" | "baseline" | "restricted";

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => (value !== null && typeof value === "object" ? (value as Obj) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** check_capabilities_baseline.go: what baseline lets a container add. */
const BASELINE_CAPABILITIES = new Set([
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
]);
/** check_restrictedVolumes.go: the volume types restricted allows. */
const RESTRICTED_VOLUMES = new Set([
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
]);
/** check_sysctls.go (1.32+): the safe sysctls. */
const SAFE_SYSCTLS = new Set([
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
]);
/** check_seLinuxOptions.go: the SELinux types baseline allows. */
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);

/** Every container of a pod spec, init and ephemeral ones included, with where it is. */
function containers(spec: Obj): { where: string; container: Obj }[] {
    return (["initContainers", "containers", "ephemeralContainers"] as const).flatMap((field) =>
        list(spec[field]).map((c) => ({ where: `${field}[${String(obj(c).name)}]`, container: obj(c) })),
    );
}

/** Baseline's violations of a pod spec. */
function baseline(spec: Obj): string[] {
    const problems: string[] = [];
    for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
        if (spec[field] === true) {
            problems.push(`${field}: true (host namespaces)`);
        }
    }
    const pod = obj(spec.securityContext);
    for (const volume of list(spec.volumes).map(obj)) {
        if (volume.hostPath !== undefined) {
            problems.push(`volume ${String(volume.name)}: hostPath`);
        }
    }
    const seccompUnconfined = (sc: Obj) => obj(sc.seccompProfile).type === "Unconfined";
    const appArmorUnconfined = (sc: Obj) => obj(sc.appArmorProfile).type === "Unconfined";
    const seLinuxBad = (sc: Obj) => {
        const options = obj(sc.seLinuxOptions);
        return (
            !SELINUX_TYPES.has(typeof options.type === "string" ? options.type : "") ||
            options.user !== undefined ||
            options.role !== undefined
        );
    };
    if (seccompUnconfined(pod)) {
        problems.push("pod seccompProfile Unconfined");
    }
    if (appArmorUnconfined(pod)) {
        problems.push("pod appArmorProfile Unconfined");
    }
    if (seLinuxBad(pod)) {
        problems.push("pod seLinuxOptions outside the allowed types");
    }
    for (const sysctl of list(pod.sysctls).map(obj)) {
        if (!SAFE_SYSCTLS.has(String(sysctl.name))) {
            problems.push(`sysctl ${String(sysctl.name)}`);
        }
    }
    for (const { where, container } of containers(spec)) {
        const sc = obj(container.securityContext);
        if (sc.privileged === true) {
            problems.push(`${where}: privileged`);
        }
        for (const cap of list(obj(sc.capabilities).add)) {
            if (!BASELINE_CAPABILITIES.has(String(cap))) {
                problems.push(`${where}: adds capability ${String(cap)}`);
            }
        }
        for (const port of list(container.ports).map(obj)) {
            if (port.hostPort !== undefined && port.hostPort !== 0) {
                problems.push(`${where}: hostPort ${JSON.stringify(port.hostPort)}`);
            }
        }
        if (seccompUnconfined(sc)) {
            problems.push(`${where}: seccompProfile Unconfined`);
        }
        if (appArmorUnconfined(sc)) {
            problems.push(`${where}: appArmorProfile Unconfined`);
        }
        if (seLinuxBad(sc)) {
            problems.push(`${where}: seLinuxOptions outside the allowed types`);
        }
        if (sc.procMount !== undefined && sc.procMount !== "Default") {
            problems.push(`${where}: procMount ${JSON.stringify(sc.procMount)}`);
        }
    }
    return problems;
}

/** What restricted adds to baseline. */
function restricted(spec: Obj): string[] {
    const problems: string[] = [];
    const pod = obj(spec.securityContext);
    for (const volume of list(spec.volumes).map(obj)) {
        const type = Object.keys(volume).find((key) => key !== "name");
        if (type !== undefined && !RESTRICTED_VOLUMES.has(type)) {
            problems.push(`volume ${String(volume.name)}: type ${type}`);
        }
    }
    if (pod.runAsNonRoot === false) {
        problems.push("pod runAsNonRoot: false");
    }
    if (pod.runAsUser === 0) {
        problems.push("pod runAsUser: 0");
    }
    const podSeccomp = ["RuntimeDefault", "Localhost"].includes(String(obj(pod.seccompProfile).type));
    for (const { where, container } of containers(spec)) {
        const sc = obj(container.securityContext);
        if (sc.allowPrivilegeEscalation !== false) {
            problems.push(`${where}: allowPrivilegeEscalation is not false`);
        }
        const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
        if (nonRoot !== true) {
            problems.push(`${where}: runAsNonRoot is not true`);
        }
        if (sc.runAsUser === 0) {
            problems.push(`${where}: runAsUser: 0`);
        }
        const seccomp =
            sc.seccompProfile === undefined
                ? podSeccomp
                : ["RuntimeDefault", "Localhost"].includes(String(obj(sc.seccompProfile).type));
        if (!seccomp) {
            problems.push(`${where}: no RuntimeDefault or Localhost seccompProfile`);
        }
        const capabilities = obj(sc.capabilities);
        if (!list(capabilities.drop).includes("ALL")) {
            problems.push(`${where}: capabilities do not drop ALL`);
        }
        for (const cap of list(capabilities.add)) {
            if (cap !== "NET_BIND_SERVICE") {
                problems.push(`${where}: adds capability ${String(cap)} (restricted allows NET_BIND_SERVICE only)`);
            }
        }
    }
    return problems;
}

/** What keeps a pod spec from being admitted at `level` (none: admitted). */
export function podSecurityViolations(spec: unknown, level: Level): string[] {
    if (level === "privileged") {
        return [];
    }
    const pod = obj(spec);
    return level === "baseline" ? baseline(pod) : [...baseline(pod), ...restricted(pod)];
}

/** The pod spec of a workload object (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod), if it is one. */
export function podSpecOf(object: unknown): Obj | undefined {
    const o = obj(object);
    switch (o.kind) {
        case "Pod":
            return obj(o.spec);
        case "Deployment":
        case "StatefulSet":
        case "DaemonSet":
        case "ReplicaSet":
        case "Job":
            return obj(obj(obj(o.spec).template).spec);
        case "CronJob":
            return obj(obj(obj(obj(obj(o.spec).jobTemplate).spec).template).spec);
        default:
            return undefined;
    }
}
