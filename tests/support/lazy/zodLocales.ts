/**
 * zod's error-message translations (`zod/v4/locales/index.cjs`), loaded on first use
 * (lazyModule.ts). zod requires all 64 when it loads, for its `z.locales` export, which the kit
 * never reads (the English messages it uses come from `locales/en.cjs`, loaded directly): 64 of
 * the 95 modules zod costs every suite that imports the config schema.
 */
import { lazyModule, realFile } from "./lazyModule";

export = lazyModule(realFile("zod", "v4/locales/index.cjs"));
