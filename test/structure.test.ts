/**
 * The layering docs/architecture.md describes, checked on the source: components/ folders import each
 * other without cycles, components/core imports no other folder, components/ never import stacks/, the
 * program's top-level folders (stacks, plan, policy, delivery, ...) import each other without cycles;
 * and rooms one can read: no source file above 600 lines, no two files that import each other.
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

/** Every source file of the program: the TypeScript outside test/ and node_modules/. */
function programFiles(): string[] {
    return fs
        .readdirSync(ROOT, { withFileTypes: true })
        .filter((entry) => !["node_modules", "test", ".git"].includes(entry.name) && !entry.name.startsWith("."))
        .flatMap((entry) => {
            const full = path.join(ROOT, entry.name);
            return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith(".ts") ? [full] : [];
        });
}

/** File → files it imports (relative specifiers, type-only imports included), as paths from the root. */
export function fileGraph(files: readonly string[]): Map<string, Set<string>> {
    const known = new Set(files);
    const resolve = (target: string) =>
        [`${target}.ts`, path.join(target, "index.ts")].find((candidate) => known.has(candidate));
    return new Map(
        files.map((file) => [
            path.relative(ROOT, file),
            new Set(
                importedPaths(file)
                    .map(resolve)
                    .filter((target): target is string => target !== undefined)
                    .map((target) => path.relative(ROOT, target)),
            ),
        ]),
    );
}

/** Lines a source file may have: a room one can read in one sitting. */
const MAX_LINES = 600;

describe("rooms one can read", () => {
    const files = programFiles();
    const graph = fileGraph(files);

    it("reads the whole program", () => {
        for (const file of [
            "index.ts",
            "stacks/config/index.ts",
            "cli/command.ts",
            "plan/recorder.ts",
            "bench/run.ts",
        ]) {
            assert.ok(graph.has(file), `${file} not read`);
        }
    });

    it(`has no source file above ${MAX_LINES} lines outside tests`, () => {
        const sizes = files.map((file) => ({
            file: path.relative(ROOT, file),
            lines: fs.readFileSync(file, "utf8").split("\n").length,
        }));
        assert.deepEqual(
            sizes.filter((s) => s.lines > MAX_LINES).map((s) => `${s.file}: ${s.lines}`),
            [],
        );
    });

    it("finds a cycle between two files that import each other", () => {
        const dir = fs.mkdtempSync(path.join(ROOT, ".structure-"));
        try {
            fs.writeFileSync(path.join(dir, "a.ts"), 'import type { B } from "./b";\nexport type A = B;\n');
            fs.writeFileSync(path.join(dir, "b.ts"), 'import { x } from "./c";\nexport type B = string;\n');
            fs.writeFileSync(path.join(dir, "c.ts"), "export const x = 1;\n");
            const files = ["a.ts", "b.ts", "c.ts"].map((name) => path.join(dir, name));
            assert.equal(findCycle(fileGraph(files)), undefined);
            fs.writeFileSync(path.join(dir, "c.ts"), 'import type { A } from "./a";\nexport const x: A = "";\n');
            assert.equal(findCycle(fileGraph(files))?.length, 4);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("has no source files that import each other (type-only imports count)", () => {
        const cycles: string[] = [];
        const remaining = new Map([...graph].map(([file, edges]) => [file, new Set(edges)]));
        // Each cycle found is reported and one of its edges dropped, until none is left.
        for (let cycle = findCycle(remaining); cycle !== undefined; cycle = findCycle(remaining)) {
            cycles.push(cycle.join(" → "));
            remaining.get(cycle[0])!.delete(cycle[1]);
        }
        assert.deepEqual(cycles, []);
    });
});
