/**
 * `gitops-platform:fleet`: the spoke clusters this stack's engine manages, by stable name, and the
 * apps placed on them by cluster label. Names key the objects of each spoke, so adding or removing
 * one never renames another's.
 */
import { z } from "zod";
import { ADDON_NAMES } from "../../components/fleet";
import { reservedLabelKeys } from "../../components/fleet/metadata";
import { CrossFieldContext, CrossFieldProblem, optionalSection } from "./crossField";
import { dnsLabel, strictObject } from "./rules";

/** AWS region codes, as for aws:region. */
const awsRegion = z
    .string()
    .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/, "expected an AWS region code such as eu-west-1");

/** Kubernetes label values: at most 63 characters, alphanumeric at both ends, '-', '_' and '.' inside. */
const labelValue = z
    .string()
    .regex(
        /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/,
        "expected a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    );
/** Label keys without a prefix, snake_case like the metadata contract's (they are Flux variable names too). */
const labelKey = z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,62}$/, "expected a snake_case label key (a-z, 0-9, _) such as business_unit");

const spokeLabels = z
    .record(labelKey, labelValue)
    .default({})
    .superRefine((labels, ctx) => {
        for (const key of Object.keys(labels).filter((k) => reservedLabelKeys().includes(k))) {
            ctx.addIssue({
                code: "custom",
                path: [key],
                input: labels[key],
                message: `label "${key}" is set by the platform from the spoke's settings; remove it (add-ons are turned on with addons.<name>: true)`,
            });
        }
    });

const addons = z
    .record(z.string(), z.boolean())
    .default({})
    .superRefine((enabled, ctx) => {
        for (const name of Object.keys(enabled).filter((n) => !(ADDON_NAMES as readonly string[]).includes(n))) {
            ctx.addIssue({
                code: "custom",
                path: [name],
                input: enabled[name],
                message: `no add-on "${name}" in the catalog (components/fleet/addons.ts): use one of ${ADDON_NAMES.join(", ")}`,
            });
        }
    });

const common = {
    environment: z.enum(["staging", "production", "local"]),
    labels: spokeLabels,
    /** Catalog add-ons the hub installs on this spoke (`external_secrets: true`). */
    addons,
};

/** Another stack of this project: its `cluster` and `kubeconfig` outputs give name, endpoint and CA. */
const stackSpoke = strictObject({
    type: z.literal("stack"),
    /** The stack reference, `<organization>/gitops-platform/<stack>`. */
    stack: z
        .string()
        .regex(
            /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/,
            "expected a fully qualified stack name: <organization>/<project>/<stack>",
        ),
    /** The spoke's AWS region (its stack's aws:region); the spoke is in the hub's AWS account. */
    region: awsRegion,
    ...common,
});

/** A cluster this project does not manage: Argo CD's cluster `config` JSON sits in the secrets store. */
const existingSpoke = strictObject({
    type: z.literal("existing"),
    /** The API server URL. */
    server: z.url({ protocol: /^https$/, error: "expected the API server's https:// URL" }),
    /**
     * Store key holding Argo CD's cluster config JSON (bearerToken and tlsClientConfig.caData); for Flux, a
     * self-contained kubeconfig.
     */
    secretKey: z.string().min(1),
    /** What the `cloud` label says about this cluster (on-prem, azure, gcp...). */
    cloud: dnsLabel.default("on-prem"),
    ...common,
});

const placement = strictObject({
    /** Cluster labels a spoke must carry (all of them) to get the app. */
    selector: z
        .record(z.string().min(1), labelValue)
        .refine((selector) => Object.keys(selector).length > 0, "a placement needs at least one label to select on"),
    /** Folder under each selected spoke's clusters/<spoke>/ with its overlay of the app. */
    path: z
        .string()
        .regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, "expected a relative folder such as apps/payments-api")
        .refine((path) => !path.split("/").includes(".."), "a placement's path stays under clusters/<spoke>/"),
    /** Namespace the app deploys to on each spoke. */
    namespace: dnsLabel,
    /** Delete what was removed from the overlay. Default: the environment's root-app prune; never in production. */
    prune: z.boolean().optional(),
});

export const fleetConfig = strictObject({
    spokes: z.record(dnsLabel, z.discriminatedUnion("type", [stackSpoke, existingSpoke])).default({}),
    placements: z.record(dnsLabel, placement).default({}),
});

export type FleetConfig = z.infer<typeof fleetConfig>;
export type SpokeConfig = FleetConfig["spokes"][string];

interface FleetProblem {
    readonly path: readonly PropertyKey[];
    readonly message: string;
}

/** The sections a fleet reads besides its own. */
interface FleetContext {
    readonly environment: string;
    readonly engine: { readonly type: string };
    readonly cluster: { readonly type: string; readonly workloadIdentity?: string };
    readonly secrets?: { readonly type: string };
    readonly teams: Readonly<Record<string, unknown>>;
    readonly fleet?: FleetConfig;
}

/** Rules between the fleet and the rest of the config; each names the key and the fix. */
export function fleetProblems(config: FleetContext, stack: string): FleetProblem[] {
    const fleet = config.fleet;
    if (fleet === undefined) {
        return [];
    }
    const problems: FleetProblem[] = [];
    const add = (path: readonly PropertyKey[], message: string) => problems.push({ path, message });
    if (config.engine.type === "argocd" && "fleet" in config.teams) {
        add(["teams", "fleet"], 'the Argo CD project "fleet" holds the fleet\'s Applications: rename the team');
    }
    for (const [name, spoke] of Object.entries(fleet.spokes)) {
        const at = (...rest: PropertyKey[]) => ["fleet", "spokes", name, ...rest];
        if (name === stack) {
            add(at(), `spoke "${name}" would share clusters/${name}/ with this stack: give the spoke another name`);
        }
        if (spoke.environment === "production" && config.environment !== "production") {
            add(
                at("environment"),
                "a production spoke is managed by a production hub, whose syncs never prune: register it from the production stack",
            );
        }
        if (
            spoke.type === "stack" &&
            (config.cluster.type !== "eks" || config.cluster.workloadIdentity !== "podIdentity")
        ) {
            add(
                at("type"),
                "the hub's engine reaches a stack spoke through IAM with an EKS Pod Identity role on the hub: set cluster.type eks and cluster.workloadIdentity podIdentity, or register the spoke as type existing",
            );
        }
        if (spoke.type === "existing" && (config.secrets === undefined || config.secrets.type === "sealed-secrets")) {
            add(
                at("secretKey"),
                config.secrets === undefined
                    ? "an existing spoke's credentials come from the secrets store: add a gitops-platform:secrets section"
                    : "an existing spoke's credentials come from an External Secrets store, and secrets.type sealed-secrets has none: set secrets.type aws-secrets-manager, vault or kubernetes",
            );
        }
    }
    return problems;
}

/** fleetProblems on the sections it reads, once every one of them parsed; secrets is null when the file has none. */
export function fleetRules(
    config: Partial<Omit<FleetContext, "secrets">> & { readonly secrets?: FleetContext["secrets"] },
    { stack, present }: CrossFieldContext,
): CrossFieldProblem[] {
    const { environment, engine, cluster, teams, fleet } = config;
    const secrets = optionalSection(config.secrets, present("secrets"));
    if (
        environment === undefined ||
        engine === undefined ||
        cluster === undefined ||
        teams === undefined ||
        secrets === undefined
    ) {
        return [];
    }
    return fleetProblems({ environment, engine, cluster, teams, secrets: secrets ?? undefined, fleet }, stack);
}
