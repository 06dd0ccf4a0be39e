/** Jest runs every test under tests/. ts-jest only transpiles (isolatedModules);
 *  the type check is `npm run typecheck`, which `npm test` runs first. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 120000,
  maxWorkers: 2,
};
