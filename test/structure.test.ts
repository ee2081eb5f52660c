/**
 * The layering the README describes, checked on the source: components/ folders import each other
 * without cycles, components/core imports no other folder, components/ never import stacks/, and the
 * program's top-level folders (stacks, plan, policy, delivery, ...) import each other without cycles.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const COMPONENTS = path.join(ROOT, "components");
/** The folders of the program besides components/ (test/ may import anything). */
const PROGRAM_FOLDERS = ["stacks", "plan", "policy", "delivery", "cli", "bench"];

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith(".ts") ? [full] : [];
    });
}

/** Relative module specifiers of a file's import and export-from statements, resolved to paths. */
function importedPaths(file: string): string[] {
    const text = fs.readFileSync(file, "utf8");
    const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^"';]*?from\s+"(\.[^"]+)"/gm)].map((m) => m[1]);
    return specifiers.map((specifier) => path.resolve(path.dirname(file), specifier));
}

/** components/<folder> of a path, or the top-level folder for anything outside components/. */
function folderOf(file: string): string {
    const relative = path.relative(ROOT, file).split(path.sep);
    return relative[0] === "components" ? `components/${relative[1]}` : relative[0];
}

/** Folder → folders it imports, from every file under components/. */
export function folderGraph(files: readonly string[]): Map<string, Set<string>> {
    const graph = new Map<string, Set<string>>();
    for (const file of files) {
        const from = folderOf(file);
        const edges = graph.get(from) ?? new Set<string>();
        for (const target of importedPaths(file).map(folderOf)) {
            if (target !== from) {
                edges.add(target);
            }
        }
        graph.set(from, edges);
    }
    return graph;
}

/** One cycle as a path of folders, or undefined. Depth-first search with an on-stack set. */
export function findCycle(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
    const done = new Set<string>();
    const stack: string[] = [];
    const visit = (node: string): string[] | undefined => {
        if (stack.includes(node)) {
            return [...stack.slice(stack.indexOf(node)), node];
        }
        if (done.has(node)) {
            return undefined;
        }
        stack.push(node);
        for (const next of graph.get(node) ?? []) {
            const cycle = visit(next);
            if (cycle) {
                return cycle;
            }
        }
        stack.pop();
        done.add(node);
        return undefined;
    };
    for (const node of graph.keys()) {
        const cycle = visit(node);
        if (cycle) {
            return cycle;
        }
    }
    return undefined;
}

describe("source layering", () => {
    const graph = folderGraph(sourceFiles(COMPONENTS));

    it("finds a cycle when there is one, and none in a chain", () => {
        const chain = new Map([
            ["a", new Set(["b"])],
            ["b", new Set(["c"])],
            ["c", new Set<string>()],
        ]);
        assert.equal(findCycle(chain), undefined);
        chain.get("c")!.add("a");
        assert.deepEqual(findCycle(chain), ["a", "b", "c", "a"]);
    });

    it("has no import cycle between the folders of components/", () => {
        assert.ok(graph.size >= 5, `expected the component folders, read ${[...graph.keys()].join(", ")}`);
        assert.equal(findCycle(graph)?.join(" → "), undefined);
    });

    it("keeps components/core free of imports from other folders", () => {
        assert.deepEqual([...(graph.get("components/core") ?? [])], []);
    });

    it("has no import cycle between the program's folders", () => {
        const program = folderGraph([
            ...sourceFiles(COMPONENTS),
            ...PROGRAM_FOLDERS.flatMap((folder) => sourceFiles(path.join(ROOT, folder))),
        ]);
        assert.ok(program.has("stacks") && program.has("policy"), `read ${[...program.keys()].join(", ")}`);
        assert.equal(findCycle(program)?.join(" → "), undefined);
    });

    it("never imports stacks/ (or anything else outside components/) from a component", () => {
        const outside = [...graph.entries()].flatMap(([from, to]) =>
            [...to].filter((t) => !t.startsWith("components/")).map((t) => `${from} → ${t}`),
        );
        assert.deepEqual(outside, []);
    });
});
