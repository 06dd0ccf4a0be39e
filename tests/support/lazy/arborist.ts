/**
 * `@npmcli/arborist`, loaded on first use (lazyModule.ts). @pulumi/pulumi requires it when it
 * loads (runtime/closure/codePaths.js, for `computeCodePaths`, which the kit never calls): about
 * 500 modules and half a CPU second per suite that imports @pulumi/pulumi.
 */
import { lazyModule, realFile } from "./lazyModule";

export = lazyModule(realFile("@npmcli/arborist"));
