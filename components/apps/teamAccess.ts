/**
 * The stack's one team ClusterRole. Every app's RoleBinding grants it to the app's team inside the
 * app's namespace only: a RoleBinding that refers to a ClusterRole grants its rules in the
 * binding's namespace (Kubernetes docs, "Using RBAC Authorization", RoleBinding and ClusterRole).
 * The rules are the same for every app of an environment, so one object does the job of a Role per
 * app, and a real preview or refresh reads one object instead of one per app.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/**
 * What a team may do in its own namespace. Git is the only way to change what runs, so no write to
 * anything the engine applies. Granted:
 * - read of the workload kinds, their events and logs: enough to debug a sync or a rollout;
 * - delete pods: a restart the owning controller undoes, so desired state is untouched;
 * - with `debugAccess`, exec and port-forward, to debug a container and reach its ports from a laptop.
 * Not granted: Secrets (their values are in the store; ExternalSecrets show whether they synced),
 * RBAC objects, and writes to anything else.
 */
export function teamRoleRules(debugAccess: boolean): k8s.types.input.rbac.v1.PolicyRule[] {
    const read = ["get", "list", "watch"];
    const rules: k8s.types.input.rbac.v1.PolicyRule[] = [
        {
            apiGroups: [""],
            resources: [
                "pods",
                "pods/log",
                "services",
                "endpoints",
                "configmaps",
                "persistentvolumeclaims",
                "serviceaccounts",
                "events",
                "resourcequotas",
                "limitranges",
            ],
            verbs: read,
        },
        { apiGroups: ["apps"], resources: ["deployments", "replicasets", "statefulsets", "daemonsets"], verbs: read },
        { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: read },
        { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: read },
        { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: read },
        { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"], verbs: read },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: read },
        { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: read },
        { apiGroups: ["external-secrets.io"], resources: ["externalsecrets"], verbs: read },
        { apiGroups: [""], resources: ["pods"], verbs: ["delete"] },
    ];
    if (debugAccess) {
        rules.push({ apiGroups: [""], resources: ["pods/exec", "pods/portforward"], verbs: ["create", "get"] });
    }
    return rules;
}

export function teamSubjects(groups: readonly string[]): k8s.types.input.rbac.v1.Subject[] {
    return groups.map((name) => ({ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name }));
}

export interface TeamAccessArgs {
    /** Labels on the ClusterRole (the platform's labels). Required. */
    readonly labels: Readonly<Record<string, string>>;
    /** Teams may exec into and port-forward to their pods. Required. */
    readonly debugAccess: boolean;
    /** Provider of the cluster. Required. */
    readonly provider: k8s.Provider;
}

export class TeamAccess extends pulumi.ComponentResource {
    /** The ClusterRole's name, for the apps' RoleBindings. */
    public readonly roleName: pulumi.Output<string>;

    constructor(name: string, args: TeamAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:apps:TeamAccess", name, {}, opts);
        const role = new k8s.rbac.v1.ClusterRole(
            `${name}-role`,
            { metadata: { name: `gitops-${name}`, labels: args.labels }, rules: teamRoleRules(args.debugAccess) },
            { parent: this, provider: args.provider },
        );
        this.roleName = role.metadata.name;
        this.registerOutputs({ roleName: this.roleName });
    }
}
