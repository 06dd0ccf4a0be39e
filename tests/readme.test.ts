/**
 * The README is generated where it can drift: its config table, the included sections and the
 * sample compliance report must match the code (`npm run readme` regenerates them).
 */
import * as fs from "fs";
import * as path from "path";
import { configKeys } from "../components/config";
import { projectRoot } from "../plan/runPlan";
import { buildReadme } from "../scripts/build-readme";

const readme = fs.readFileSync(path.join(projectRoot, "README.md"), "utf8");

test("generated regions are up to date (run `npm run readme` after changing a part)", async () => {
    const fresh = await buildReadme(readme);
    expect(readme).toBe(fresh);
});

test("the two commands are at the top, and .ci/run runs the test command", () => {
    const top = readme.slice(0, 1500);
    expect(top).toContain("npm ci && npm run plan");
    expect(top).toContain("npm test");
    expect(fs.readFileSync(path.join(projectRoot, ".ci/run"), "utf8")).toMatch(/^npm test$/m);
});

test("every config key is documented in the README and in Pulumi.prod.yaml", () => {
    const example = fs.readFileSync(path.join(projectRoot, "Pulumi.prod.yaml"), "utf8");
    for (const key of configKeys) {
        expect(readme).toContain(`| \`${key}\` |`);
        expect(example).toMatch(new RegExp(`mautic-gdpr:${key}:`));
    }
});
