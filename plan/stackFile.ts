/**
 * Reads config the way the Pulumi CLI hands it to a program: Pulumi.yaml defaults, then the stack
 * file's values, structured values as JSON text, and `secure:` values as secrets. The offline plan
 * cannot decrypt `secure:` ciphertext, so it substitutes a placeholder that is still a secret.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { InputError, readTextFile, UsageError } from "../cli/command";

export const OFFLINE_SECRET_VALUE = "offline-plan-secret";

export interface StackConfig {
    /** `namespace:key` → value text, as the CLI passes it. */
    readonly config: Record<string, string>;
    /** Keys whose value is (or contains) a secret. */
    readonly secretKeys: string[];
}

export const PROJECT_ROOT = path.resolve(__dirname, "..");

export function stackFilePath(stack: string, root = PROJECT_ROOT): string {
    return path.join(root, `Pulumi.${stack}.yaml`);
}

/** `Pulumi.staging.yaml` → `staging`; any other file name plans as stack "offline". */
export function stackNameOf(file: string): string {
    return /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(file))?.[1] ?? "offline";
}

function isSecure(value: unknown): boolean {
    return (
        value !== null &&
        typeof value === "object" &&
        !Array.isArray(value) &&
        Object.keys(value).length === 1 &&
        typeof (value as Record<string, unknown>).secure === "string"
    );
}

/** Replaces `secure:` values; reports whether any were found. */
function replaceSecure(value: unknown): { value: unknown; secret: boolean } {
    if (isSecure(value)) {
        return { value: OFFLINE_SECRET_VALUE, secret: true };
    }
    if (Array.isArray(value)) {
        const items = value.map(replaceSecure);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value).map(([k, v]) => [k, replaceSecure(v)] as const);
        return {
            value: Object.fromEntries(entries.map(([k, r]) => [k, r.value])),
            secret: entries.some(([, r]) => r.secret),
        };
    }
    return { value, secret: false };
}

function asConfigText(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** Defaults declared under `config:` in Pulumi.yaml, as `project:key` → text. */
export function projectDefaults(root = PROJECT_ROOT): Record<string, string> {
    const file = path.join(root, "Pulumi.yaml");
    const project = parseYamlFile(file, readTextFile(file, "project file")) as {
        name: string;
        config?: Record<string, { default?: unknown }>;
    };
    const defaults: Record<string, string> = {};
    for (const [key, declaration] of Object.entries(project.config ?? {})) {
        if (declaration && typeof declaration === "object" && "default" in declaration) {
            defaults[key.includes(":") ? key : `${project.name}:${key}`] = asConfigText(declaration.default);
        }
    }
    return defaults;
}

/**
 * YAML as the Pulumi CLI reads it (go-yaml v3): merge keys (`<<: *base`) apply, a duplicate key or a
 * tab in indentation is an error. Errors are one line: file, line, column, the problem.
 */
export function parseYamlFile(file: string, text: string): unknown {
    const lines = new YAML.LineCounter();
    const document = YAML.parseDocument(text, {
        merge: true,
        uniqueKeys: true,
        prettyErrors: false,
        lineCounter: lines,
    });
    const error = document.errors[0];
    if (error !== undefined) {
        // Without prettyErrors the error has no linePos: the line counter turns its offset into line and column.
        const { line, col: column } = lines.linePos(error.pos[0]);
        const problem = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        throw new InputError(`${file}:${line}:${column}: ${problem}`);
    }
    return document.toJS({ maxAliasCount: 100 });
}

export function readStackConfig(file: string, root = PROJECT_ROOT): StackConfig {
    if (!fs.existsSync(file)) {
        throw new UsageError(
            `no stack config file at ${file}: pass --stack <name> for Pulumi.<name>.yaml, or --config <file>`,
        );
    }
    return stackConfigFromText(file, readTextFile(file, "stack config"), root);
}

/** A stack file's text (read, or about to be written) as the CLI would pass it. */
export function stackConfigFromText(file: string, text: string, root = PROJECT_ROOT): StackConfig {
    const document = (parseYamlFile(file, text) ?? {}) as { config?: unknown };
    if (
        document === null ||
        typeof document !== "object" ||
        Array.isArray(document) ||
        (document.config !== undefined &&
            (document.config === null || typeof document.config !== "object" || Array.isArray(document.config)))
    ) {
        throw new InputError(`${file}: expected a mapping with a "config:" mapping of namespace:key entries`);
    }
    const config = projectDefaults(root);
    const secretKeys: string[] = [];
    for (const [key, raw] of Object.entries((document.config ?? {}) as Record<string, unknown>)) {
        const { value, secret } = replaceSecure(raw);
        config[key] = asConfigText(value);
        if (secret) {
            secretKeys.push(key);
        }
    }
    return { config, secretKeys };
}
