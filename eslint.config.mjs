// Lint gate (npm test): typescript-eslint's recommended type-aware rules over the whole program.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "bin/**", ".ci/**", "policy/node_modules/**", "bench/results/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        // As tsc's noUnusedLocals: a key left out of a rest copy (`{ custom: _custom, ...rest }`) is used.
        rules: { "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }] },
    },
    { files: ["**/*.mjs", "**/*.cjs"], ...tseslint.configs.disableTypeChecked },
    // A preload for `node -r` (scripts/register.cjs) is CommonJS and loads before any TypeScript can.
    {
        files: ["**/*.cjs"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
        languageOptions: {
            sourceType: "commonjs",
            globals: { require: "readonly", module: "writable", process: "readonly" },
        },
    },
);
