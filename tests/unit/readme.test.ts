/**
 * The README is short and the topic files in docs/guide/ carry the rest. Both are generated
 * where they can drift: the docs index, the config reference and the sample compliance report
 * must match the code (`npm run readme` regenerates them), and every relative link must resolve.
 */
import * as fs from "fs";
import * as path from "path";
import { configKeys } from "../../components/config/config";
import { projectRoot } from "../../plan/runPlan";
import { buildReadme, docFiles, docTitle, generatedFiles, stackFileComments, stackFileWithComments } from "../../scripts/build-readme";

const read = (rel: string) => fs.readFileSync(path.join(projectRoot, rel), "utf8");
const readme = read("README.md");

test.each(generatedFiles())("generated regions of %s are up to date (run `npm run readme`)", async (rel) => {
    const text = read(rel);
    expect(text).toBe(await buildReadme(text));
});

test("the README is short: at most 300 lines", () => {
    expect(readme.split("\n").length).toBeLessThanOrEqual(300);
});

test("the two commands are at the top, and .ci/run runs the test command", () => {
    const top = readme.slice(0, 1500);
    expect(top).toContain("npm ci --ignore-scripts && npm run plan");
    expect(top).toContain("npm test");
    expect(read(".ci/run")).toMatch(/^npm test$/m);
});

test("the first deploy ends with a preview that must be empty", () => {
    expect(readme).toContain("pulumi preview --expect-no-changes");
    expect(readme).toMatch(/dnsRecords/);
    expect(readme).not.toMatch(/secure:\s*v1:/);
});

test("every topic file in docs/guide/ is linked from the README, under its own title", () => {
    const files = docFiles();
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
        expect(readme).toContain(`](${f})`);
        expect(docTitle(f)).not.toBe(path.basename(f, ".md"));
    }
});

test("every relative link in the README and the topic files points at an existing file", () => {
    const broken: string[] = [];
    for (const rel of generatedFiles()) {
        const text = read(rel).replace(/```[\s\S]*?```/g, "");
        for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
            const target = m[1];
            if (/^[a-z]+:/i.test(target) || target.startsWith("#")) continue;
            const file = target.split("#")[0];
            if (!fs.existsSync(path.resolve(path.dirname(path.join(projectRoot, rel)), file))) broken.push(`${rel}: ${target}`);
        }
    }
    expect(broken).toEqual([]);
});

test("every config key is in the configuration reference and in Pulumi.prod.yaml", () => {
    const reference = read("docs/guide/configuration.md");
    const example = read("Pulumi.prod.yaml");
    for (const key of configKeys) {
        expect(reference).toContain(`| \`${key}\` |`);
        expect(example).toMatch(new RegExp(`mautic-gdpr:${key}:`));
    }
});

test("the comment above every key in Pulumi.prod.yaml is the key's doc in the field table (run `npm run readme`)", () => {
    const text = read(stackFileWithComments);
    expect(stackFileComments(text)).toBe(text);
    // A comment that drifted from the table is written back; a missing one is added (a block
    // that says the doc in other line breaks is kept, so hand-wrapped blocks stay as they are).
    const drifted = text.replace("# First name of that admin account", "# Given name of that admin account");
    expect(drifted).not.toBe(text);
    expect(stackFileComments(drifted)).toBe(text);
    const missing = text.replace(/\n *# First name of that admin account[^\n]*\n *# [^\n]*\n/, "\n");
    expect(missing).not.toBe(text);
    expect(stackFileComments(missing)).toBe(text);
});
