/**
 * A stand-in for a module that a dependency requires when it loads but the unit tests rarely
 * use: jest loads every module anew for each test file, so such a package costs its full load
 * time in every suite that imports it. jest.config.js `moduleNameMapper` maps the module's name to
 * a file of this folder, which exports `lazyModule(<the real file>)`: nothing is loaded until the
 * first property is read, and then the real module answers every access.
 */
import * as fs from "fs";
import * as path from "path";

/** A file of a package as @pulumi/pulumi would load it (default: the package's main file).
 *  Resolved through its package.json: inside jest both `require.resolve(name)` and `createRequire`
 *  apply `moduleNameMapper`, and so would answer with the stand-in itself. */
export function realFile(name: string, file?: string): string {
    const manifest = require.resolve(`${name}/package.json`, { paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))] });
    const main = file ?? (JSON.parse(fs.readFileSync(manifest, "utf8")) as { main?: string }).main ?? "index.js";
    return path.join(path.dirname(manifest), main);
}

export function lazyModule(realPath: string): object {
    let real: Record<string | symbol, unknown> | undefined;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily, inside jest's module registry
    const load = () => (real ??= require(realPath) as Record<string | symbol, unknown>);
    // `__esModule` answers true without loading, so TypeScript's `__importStar` keeps this object
    // as it is instead of copying every export at import time.
    return new Proxy(
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
}
