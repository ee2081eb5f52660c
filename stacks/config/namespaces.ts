/**
 * The namespaces the platform's components take (the engine's, the secrets operator's, the local
 * store's): each its own, never a system namespace (the schema refuses those), and no app's.
 */
import { CrossFieldContext, CrossFieldProblem, optionalSection } from "./crossField";
import type { EngineConfig } from "./engine";
import type { SecretsConfig } from "./secrets";

export interface ComponentNamespace {
    readonly path: PropertyKey[];
    readonly namespace: string;
    readonly what: string;
}

export interface NamespaceSections {
    readonly engine?: EngineConfig;
    readonly secrets?: SecretsConfig;
}

/** The components' namespaces in the config, in the order they are checked. */
export function componentNamespaces(config: NamespaceSections, { present }: CrossFieldContext): ComponentNamespace[] {
    const { engine } = config;
    const secrets = optionalSection(config.secrets, present("secrets"));
    return [
        ...(engine
            ? [{ path: ["engine", "namespace"], namespace: engine.namespace, what: "the GitOps engine's namespace" }]
            : []),
        ...(secrets
            ? [
                  {
                      path: ["secrets", "namespace"],
                      namespace: secrets.namespace,
                      what: "the secrets operator's namespace",
                  },
              ]
            : []),
        ...(secrets?.type === "kubernetes"
            ? [
                  {
                      path: ["secrets", "sourceNamespace"],
                      namespace: secrets.sourceNamespace,
                      what: "the secrets store's source namespace",
                  },
              ]
            : []),
    ];
}

/** No two components share a namespace. */
export function componentNamespaceRules(config: NamespaceSections, context: CrossFieldContext): CrossFieldProblem[] {
    const namespaces = componentNamespaces(config, context);
    return namespaces.flatMap(({ path, namespace }, index) => {
        const earlier = namespaces.slice(0, index).find((other) => other.namespace === namespace);
        return earlier
            ? [
                  {
                      path,
                      message: `namespace "${namespace}" is already ${earlier.what}: give each component a namespace of its own`,
                  },
              ]
            : [];
    });
}
