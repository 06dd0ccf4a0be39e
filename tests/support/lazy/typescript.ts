/**
 * `typescript`, loaded on first use (lazyModule.ts). @pulumi/pulumi requires it when it loads
 * (runtime/closure/parseFunction.js, through typescript-shim.js) but parses with it only when it
 * serializes a function (a dynamic provider): a 9 MB script, about a quarter of a CPU second per
 * suite that imports @pulumi/pulumi and never plans.
 */
import { lazyModule, realFile } from "./lazyModule";

export = lazyModule(realFile("typescript"));
