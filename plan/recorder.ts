/**
 * Records every resource the program registers, as the engine would receive it: the mock monitor
 * is wrapped so that parent, dependencies, provider and the safety options are read off the
 * registration request itself, and secrets are masked before anything is kept.
 */
import * as pulumi from "@pulumi/pulumi";
import { MonitorLike, RegisterRequest, WIRE } from "./sdk";

/** Resource options that matter for safety, as the engine sees them. */
export interface PlannedOptions {
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly ignoreChanges: string[];
    readonly deleteBeforeReplace: boolean;
    /** URNs named in the `dependsOn` option (not those implied by inputs). */
    readonly dependsOn: string[];
}

export interface PlannedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly parent?: string;
    readonly provider?: string;
    /** Every resource this one waits for: `dependsOn` and inputs taken from other resources' outputs. */
    readonly dependencies: string[];
    readonly inputs: Record<string, unknown>;
    readonly options: PlannedOptions;
}

export const SECRET_PLACEHOLDER = "[secret]";
export const UNKNOWN_PLACEHOLDER = "[unknown]";

/** Serialized inputs → plain JSON, secrets masked, unknowns marked, resource references as their URN. */
export function maskSerialized(value: unknown): unknown {
    if (value === WIRE.unknownValue) {
        return UNKNOWN_PLACEHOLDER;
    }
    if (Array.isArray(value)) {
        return value.map(maskSerialized);
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[WIRE.sigKey] === WIRE.secretSig) {
            return SECRET_PLACEHOLDER;
        }
        if (record[WIRE.sigKey] === WIRE.resourceSig) {
            return { resource: record.urn };
        }
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, maskSerialized(v)]));
    }
    return value;
}

/** A provider reference is "<urn>::<id>"; the URN is what identifies it. */
function providerUrn(reference: string): string | undefined {
    if (!reference) {
        return undefined;
    }
    const cut = reference.lastIndexOf("::");
    return cut > 0 ? reference.slice(0, cut) : reference;
}

/** The value of an Output, once known (under mocks, every value becomes known). */
function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/**
 * The resources of a `dependsOn` option. A plain resource or array of resources (what this program
 * passes) is taken as it is: wrapping it in `pulumi.output()` would make the SDK walk each
 * resource's whole object graph looking for unknowns, which dominated a large plan's profile.
 */
async function dependencyList(dependsOn: NonNullable<pulumi.ResourceOptions["dependsOn"]>): Promise<pulumi.Resource[]> {
    const isResource = (value: unknown): value is pulumi.Resource => pulumi.Resource.isInstance(value);
    if (isResource(dependsOn)) {
        return [dependsOn];
    }
    if (Array.isArray(dependsOn) && dependsOn.every(isResource)) {
        return dependsOn;
    }
    const resolved: unknown = await outputValue(
        pulumi.output(dependsOn as pulumi.Input<pulumi.Input<pulumi.Resource>[]>),
    );
    return (Array.isArray(resolved) ? resolved : [resolved]) as pulumi.Resource[];
}

export class PlanRecorder {
    private readonly recorded: PlannedResource[] = [];
    /** Each resource's `dependsOn` option as given; resolved to URNs only once the plan is done. */
    private readonly explicitDependsOn = new Map<pulumi.Resource, NonNullable<pulumi.ResourceOptions["dependsOn"]>>();

    /** Wraps the mock monitor that `setMocks` installed. Call after every `setMocks`. */
    attach(monitor: MonitorLike): void {
        const original = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, callback) =>
            original(req, (err, resp) => {
                if (!err && resp) {
                    this.recorded.push(this.fromRequest(resp.getUrn(), req));
                }
                callback(err, resp);
            });
    }

    /** A stack transformation that notes each resource's explicit `dependsOn`, which the request merges away. */
    readonly transformation: pulumi.ResourceTransformation = (args) => {
        if (args.opts.dependsOn !== undefined) {
            this.explicitDependsOn.set(args.resource, args.opts.dependsOn);
        }
        return undefined;
    };

    clear(): void {
        this.recorded.length = 0;
        this.explicitDependsOn.clear();
    }

    /** The resources recorded so far, with explicit `dependsOn` resolved to URNs. */
    async resources(): Promise<PlannedResource[]> {
        const byUrn = new Map<string, string[]>();
        for (const [resource, dependsOn] of this.explicitDependsOn) {
            const [urn, list] = await Promise.all([outputValue(resource.urn), dependencyList(dependsOn)]);
            byUrn.set(urn, await Promise.all(list.map((dependency) => outputValue(dependency.urn))));
        }
        return this.recorded.map((r) => ({ ...r, options: { ...r.options, dependsOn: byUrn.get(r.urn) ?? [] } }));
    }

    private fromRequest(urn: string, req: RegisterRequest): PlannedResource {
        return {
            urn,
            type: req.getType(),
            name: req.getName(),
            custom: req.getCustom(),
            parent: req.getParent() || undefined,
            provider: providerUrn(req.getProvider()),
            dependencies: [...new Set(req.getDependenciesList())].sort(),
            inputs: maskSerialized(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
            options: {
                protect: req.getProtect() ?? false,
                retainOnDelete: req.getRetainondelete() ?? false,
                ignoreChanges: req.getIgnorechangesList(),
                deleteBeforeReplace: req.getDeletebeforereplace(),
                dependsOn: [],
            },
        };
    }
}
