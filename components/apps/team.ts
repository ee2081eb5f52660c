/** One team of a stack, registered with the GitOps engine (an AppProject for Argo CD, a tenant for Flux). */
import * as pulumi from "@pulumi/pulumi";
import { GitopsEngine, TeamRegistration } from "../gitops/types";

export interface TeamArgs {
    /** Groups, namespaces and source repositories of the team. Required. */
    readonly registration: TeamRegistration;
    readonly engine: GitopsEngine;
}

export class Team extends pulumi.ComponentResource {
    /** What the team's apps wait for (its AppProject, its tenant service account). */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: TeamArgs, opts?: pulumi.ComponentResourceOptions) {
        super("gitops-platform:apps:Team", name, {}, opts);
        this.ready = args.engine.registerTeam(args.registration, { parent: this });
        this.registerOutputs({});
    }
}
