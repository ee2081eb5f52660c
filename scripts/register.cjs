// `node -r ./scripts/register.cjs <file>.ts`: how the project's commands load TypeScript (package.json's
// scripts, cli/command.ts TYPESCRIPT_LOADER). Two things, both for start-up time (docs/benchmarks.md):
//
// - Each .ts file is transpiled by swc when required: types stripped, CommonJS, the options
//   @swc-node/register derives from tsconfig.json. No type check (npm test type checks), and not
//   @swc-node/register itself, which loads TypeScript's compiler on every run to read tsconfig.json.
// - @pulumi/pulumi 3.270.0 requires TypeScript's compiler (typescript-shim.js) and npm's Arborist
//   (runtime/closure/codePaths.js) when it loads, for closure serialization alone, which this program
//   never uses: together about half of the SDK's load time. They load when first used instead
//   (test/loader.test.ts serializes a closure through them).
"use strict";
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const { transformSync } = require("@swc/core");

/** tsconfig.json's compilerOptions as swc options (ES2022, esModuleInterop, define semantics for class fields). */
const SWC_OPTIONS = {
    jsc: {
        target: "es2022",
        parser: { syntax: "typescript", tsx: false, decorators: false, dynamicImport: true },
        transform: { useDefineForClassFields: true },
        keepClassNames: true,
        externalHelpers: false,
    },
    module: { type: "commonjs", noInterop: false, ignoreDynamic: false },
    isModule: true,
    // Only when Node maps stack traces (`--enable-source-maps`, as the mocha suite runs): they cost start-up time.
    sourceMaps: process.sourceMapsEnabled ? "inline" : false,
    swcrc: false,
    configFile: false,
};

require.extensions[".ts"] = (module, filename) => {
    const { code } = transformSync(fs.readFileSync(filename, "utf8"), { ...SWC_OPTIONS, filename });
    module._compile(code, filename);
};

/** Modules the SDK requires at load and uses only to serialize closures: request → how its importer reads it. */
const DEFERRED = {
    // typescript-shim.js: `module.exports = require("typescript")`, read as `ts.createSourceFile(...)`.
    typescript: "namespace",
    // codePaths.js: `__importStar(require("@npmcli/arborist"))`, read as `arborist.Arborist`.
    "@npmcli/arborist": "esModule",
};
const SDK = `${path.sep}@pulumi${path.sep}pulumi${path.sep}`;
const load = Module._load;

Module._load = function (request, parent, isMain) {
    const kind = Object.hasOwn(DEFERRED, request) && parent?.filename?.includes(SDK) ? DEFERRED[request] : undefined;
    if (kind === undefined) {
        return load.call(this, request, parent, isMain);
    }
    let loaded;
    const real = () => (loaded ??= load.call(this, request, parent, isMain));
    if (kind === "esModule") {
        // __importStar passes a module marked __esModule through as it is, so nothing is read until used.
        return new Proxy({ __esModule: true }, { get: (target, key) => (key in target ? target[key] : real()[key]) });
    }
    return new Proxy({}, { get: (_, key) => real()[key], has: (_, key) => key in real() });
};
