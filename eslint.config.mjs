// ESLint (flat config): the recommended JavaScript and typescript-eslint rules, without type
// information (fast enough for every `npm test`; `tsc -p tsconfig.json` checks the types).
// `npm run lint`. templates/ holds fragments the renderers fill and join (not programs of their
// own): the browser tests run what they render.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "bin/", "out/", "verified/", "coverage/", "templates/", "**/*.d.ts"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.node } },
        rules: {
            // A leading "_" marks a value left out on purpose (a destructured field, a callback argument).
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
            eqeqeq: ["error", "always", { null: "ignore" }],
            "no-var": "error",
            "prefer-const": "error",
        },
    },
    {
        // The audit's fixture sites: scripts as third-party sites ship them (browser globals, ES5 `var`).
        files: ["tests/fixtures/**/*.js"],
        languageOptions: { sourceType: "script", globals: { ...globals.browser } },
        rules: { "no-var": "off" },
    },
    {
        files: ["jest.config.js"],
        languageOptions: { sourceType: "commonjs" },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
