/** Jest runs every test under tests/. ts-jest only transpiles (isolatedModules);
 *  the type check is `npm run typecheck`, which `npm test` runs first. */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/tests"],
    testMatch: ["**/*.test.ts"],
    transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
    testTimeout: 120000,
    // Removes what the mocks wrote for the Docker provider's ssh client after every test file.
    // tests/support/unit-lane.ts: what the unit lane replaces in the Pulumi SDK, and why.
    setupFilesAfterEnv: ["<rootDir>/tests/support/jest-cleanup.ts", "<rootDir>/tests/support/unit-lane.ts"],
    // Dependencies load these at import, for code the unit tests seldom or never run: loaded on
    // first use instead (tests/support/lazy/). zod requires its locales as "../locales/index.cjs".
    moduleNameMapper: {
        "^\\.\\./locales/index\\.cjs$": "<rootDir>/tests/support/lazy/zodLocales.ts",
        "^@npmcli/arborist$": "<rootDir>/tests/support/lazy/arborist.ts",
        "^typescript$": "<rootDir>/tests/support/lazy/typescript.ts",
    },
    maxWorkers: 2,
};
