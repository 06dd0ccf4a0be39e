/**
 * Every default of the kit: the platform constants (`platform.ts`, re-exported here) and the
 * config keys' defaults, which come from the field table (`fields.ts`).
 */
export * from "./platform";
import { configDefaults } from "./schema";

/** The config keys' defaults (from the field table) and the kit's other defaults. */
export const defaults = {
    ...configDefaults,
    /** Path of the website's imprint (Impressum, §5 DDG) when `imprintUrl` is not set: <website>/impressum. */
    imprintPath: "/impressum",
} as const;
