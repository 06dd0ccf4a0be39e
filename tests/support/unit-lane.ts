/**
 * Set up before every test file of the unit lane (jest.config.js `setupFilesAfterEnv`; files
 * outside tests/unit/ are left alone). The unit lane runs the program under Pulumi's mocks in most
 * suites, and jest loads and runs the SDK anew for each file; two pieces of the SDK that change no
 * value the tests check cost about half of the lane's CPU time there (measured 2026-12-07, docs/guide/testing.md):
 *
 * - `debuggablePromise` (runtime/debuggable.js) takes a stack trace for every promise the SDK makes,
 *   for its leak report at process exit; under jest each trace is source-mapped through Pulumi's
 *   `.js.map` files (about 12 of the lane's 60 CPU seconds). Here it runs as it is, with stack
 *   traces off for the length of the call: the promise is the same, its debug trace is empty.
 * - `serializeFunction` (runtime/closure/serializeClosure.js) turns a dynamic provider (DoiSetup,
 *   the server label) into the program text the engine runs; under jest it scans jest's
 *   `require.cache` proxy for every captured value and loads TypeScript's parser (about 0.6 CPU
 *   seconds per suite that plans). Here it answers with `serializedProviderStandIn`. A suite that
 *   checks the real text opts out with `jest.unmock` (tests/unit/doi.setup.test.ts); the real text
 *   runs in Pulumi's real provider host in tests/live/dynamic.provider.host.test.ts and
 *   tests/live/doi.provider.test.ts, and `npm run plan` writes it to resources.json.
 */
export const serializedProviderStandIn =
    "// the unit lane's stand-in for Pulumi's closure serializer (tests/support/unit-lane.ts)\nexports.handler = undefined;\n";

if (/[\\/]tests[\\/]unit[\\/]/.test(expect.getState().testPath ?? "")) {
    jest.mock("@pulumi/pulumi/runtime/debuggable", () => {
        const real = jest.requireActual("@pulumi/pulumi/runtime/debuggable");
        return {
            ...real,
            debuggablePromise: (p: Promise<unknown>, ctx: unknown) => {
                const limit = Error.stackTraceLimit;
                Error.stackTraceLimit = 0;
                try {
                    return real.debuggablePromise(p, ctx);
                } finally {
                    Error.stackTraceLimit = limit;
                }
            },
        };
    });
    jest.mock("@pulumi/pulumi/runtime/closure/serializeClosure", () => ({
        serializeFunction: async (_func: unknown, args: { exportName?: string } = {}) => ({
            text: serializedProviderStandIn,
            exportName: args.exportName ?? "handler",
            containsSecrets: false,
        }),
        serializeFunctionAsync: async () => serializedProviderStandIn,
    }));
}
