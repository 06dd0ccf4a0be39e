/**
 * The kit's root directory (where package.json and Pulumi.yaml are). Its own module, so that a
 * test or tool that only needs the path does not load the program and @pulumi/pulumi with
 * runPlan.ts (which re-exports it).
 */
import * as path from "path";

export const projectRoot = path.resolve(__dirname, "..");
