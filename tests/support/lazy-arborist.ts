/**
 * Jest maps `@npmcli/arborist` to this module (jest.config.js `moduleNameMapper`). @pulumi/pulumi
 * requires arborist when it loads (runtime/closure/codePaths.js, for `computeCodePaths`, which
 * the kit never calls), and jest loads every module anew for each test file: about 500 modules
 * and half a CPU second per suite that imports @pulumi/pulumi. This stand-in loads the real
 * package on first use, so code that does use it gets the real thing; until then nothing is loaded.
 */
import { createRequire } from "module";

// Node's own resolution (jest's would map the name back to this file).
const realPath = createRequire(require.resolve("@pulumi/pulumi/runtime/closure/codePaths.js")).resolve("@npmcli/arborist");
let real: Record<string | symbol, unknown> | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, inside jest's module registry
const load = () => (real ??= require(realPath) as Record<string | symbol, unknown>);

// `__esModule` answers true without loading, so TypeScript's `__importStar` (codePaths.js) keeps
// this object as it is instead of copying every export at import time.
export = new Proxy(
    {},
    {
        get: (_t, key) => (key === "__esModule" ? true : load()[key]),
        has: (_t, key) => key === "__esModule" || key in load(),
        ownKeys: () => Reflect.ownKeys(load()),
        getOwnPropertyDescriptor: (_t, key) => {
            const d = Reflect.getOwnPropertyDescriptor(load(), key);
            return d && { ...d, configurable: true };
        },
    },
);
