/**
 * Stack files the real Pulumi CLI accepts: every typed config key without a default is set in
 * every stack of its project (else "Stack '...' is missing configuration value"), and no
 * `secure:` value is a placeholder (a CLI cannot decrypt it: every command fails).
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { projectRoot } from "../../plan/projectRoot";
import { readStackConfig } from "../../plan/stackFile";
import { ciphertext } from "../../scripts/deployable-stacks";

const projects = [".", "examples/agency-stack"];

describe.each(projects)("project %s", (dir) => {
    const root = path.join(projectRoot, dir);
    const project = parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
    const stacks = fs.readdirSync(root).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
    const full = (k: string) => (k.includes(":") ? k : `${project.name}:${k}`);

    test("has at least one stack file", () => expect(stacks.length).toBeGreaterThan(0));

    test.each(stacks)("%s sets every typed key without a default", (file) => {
        const config = parse(fs.readFileSync(path.join(root, file), "utf8"))?.config ?? {};
        const set = new Set(Object.keys(config).map(full));
        const required = Object.entries(project.config ?? {})
            .filter(([, v]) => !(v && typeof v === "object" && "default" in (v as object)))
            .map(([k]) => full(k));
        expect(required.length).toBeGreaterThan(0);
        expect(required.filter((k) => !set.has(k))).toEqual([]);
    });

    test.each(stacks)("%s has no secure: placeholder (secrets are set with `pulumi config set --secret`)", (file) => {
        const text = fs.readFileSync(path.join(root, file), "utf8");
        for (const m of text.matchAll(/^\s*secure:\s*(\S+)/gm)) expect(m[1]).toMatch(ciphertext);
        if (file === "Pulumi.prod.yaml" || dir !== ".") expect(text).not.toMatch(/^\s*secure:/m);
    });
});

test("the offline plan supplies its own stand-ins for the secrets a deploy sets with the CLI", () => {
    const stack = readStackConfig(projectRoot, "prod");
    expect(stack.standIns).toEqual(["hcloud:token", "mautic-gdpr:mailerDsn"]);
    for (const k of stack.standIns!) {
        expect(stack.secretKeys).toContain(k);
        expect(stack.config[k]).toMatch(/MockSecret/);
    }
});
