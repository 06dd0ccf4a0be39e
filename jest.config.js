/** Jest runs every test under tests/. ts-jest only transpiles (isolatedModules);
 *  the type check is `npm run typecheck`, which `npm test` runs first. */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/tests"],
    testMatch: ["**/*.test.ts"],
    transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
    testTimeout: 120000,
    // Removes what the mocks wrote for the Docker provider's ssh client after every test file.
    setupFilesAfterEnv: ["<rootDir>/tests/support/jest-cleanup.ts"],
    // @pulumi/pulumi loads arborist (~500 modules) at import, for code the kit never runs: loaded
    // on first use instead (tests/support/lazy-arborist.ts).
    moduleNameMapper: { "^@npmcli/arborist$": "<rootDir>/tests/support/lazy-arborist.ts" },
    maxWorkers: 2,
};
