/**
 * A reader can follow every citation: each repository path a code comment, script, template or
 * doc names exists, each Markdown link resolves, each cited section ("file.md, \"Heading\"")
 * is a heading of that file, and nothing cites files outside the repository (the facts live in
 * docs/facts/). docs/guide/architecture.md names every folder and every module of components/.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../plan/projectRoot";

const tracked = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: projectRoot, encoding: "utf8" })
    .split("\n")
    .filter((f) => f && fs.existsSync(path.join(projectRoot, f)));
const read = (rel: string) => fs.readFileSync(path.join(projectRoot, rel), "utf8");
const exists = (rel: string) => fs.existsSync(path.join(projectRoot, rel));

/** The files whose text cites paths: code, scripts, templates, docs, workflows, stack files. */
const citing = tracked
    .filter((f) => /\.(ts|mjs|sh|md|ya?ml)$/.test(f) || f.startsWith("templates/") || f.startsWith(".ci/") || f === "bench/prices.json")
    .filter((f) => !f.startsWith("tests/fixtures/") && f !== "tests/unit/paths.test.ts");

const roots = ["components", "templates", "docs", "tests", "scripts", "plan", "audit", "verify", "dsr", "conformance", "policy", "examples", "bench", "lib"];
// "owner/repo:path" cites another repository (":path" after naming it); not matched.
const pathRe = new RegExp(`(?<![\\w@./~:-])(?:\\./)?((?:${roots.join("|")})/[A-Za-z0-9_./-]*[A-Za-z0-9_/])`, "g");

/** A path counts as cited when it is followed by no placeholder (`<stack>`, `*`, `{en,de}`, `$x`). */
function citedPaths(text: string): string[] {
    const out: string[] = [];
    for (const m of text.matchAll(pathRe)) {
        const next = text[m.index! + m[0].length] ?? "";
        if ("<*{$[".includes(next) && next !== "") continue;
        out.push(m[1].replace(/\.$/, ""));
    }
    return out;
}

/** Exists as a file or folder, or is the prefix of one (a jest pattern such as tests/unit/policy). */
const resolvable = (rel: string) => exists(rel) || tracked.some((f) => f.startsWith(rel));

test("every repository path cited in code, scripts, templates and docs exists", () => {
    const missing: string[] = [];
    for (const f of citing) {
        for (const p of citedPaths(read(f))) {
            // Paths inside a rendered stack's output folder (out/<stack>/docs/en/...) are not repository paths.
            if (/^docs\/(en|de)\//.test(p)) continue;
            // Paths of a Debian system the VM test copies from (tar -C / ... lib/x86_64-linux-gnu/...).
            if (/^lib\/x86_64-linux-gnu\//.test(p)) continue;
            if (!resolvable(p)) missing.push(`${f}: ${p}`);
        }
    }
    expect(missing).toEqual([]);
    expect(citing.length).toBeGreaterThan(100);
});

test("every relative Markdown link resolves", () => {
    const broken: string[] = [];
    for (const f of tracked.filter((x) => x.endsWith(".md") && !x.startsWith("tests/fixtures/"))) {
        for (const m of read(f).matchAll(/\]\(([^)\s]+)\)/g)) {
            const target = m[1].split("#")[0];
            if (!target || /^[a-z]+:/.test(target)) continue;
            const rel = path.normalize(path.join(path.dirname(f), target));
            if (rel.startsWith("..") || !exists(rel)) broken.push(`${f}: ${m[1]}`);
        }
    }
    expect(broken).toEqual([]);
});

/** A comment's text on one line: line breaks, comment markers and repeated spaces as one space. */
const oneLine = (t: string) => t.replace(/\s*\n\s*(\*|\/\/|#)?\s*/g, " ").replace(/\s+/g, " ");

test('a cited section (`file.md, "Heading"`) is a heading of that file', () => {
    const missing: string[] = [];
    for (const f of citing) {
        for (const m of read(f).matchAll(/\b((?:[\w-]+\/)*[\w.-]+\.md|README), "([^"]+)"/g)) {
            const file = m[1] === "README" ? "README.md" : exists(m[1]) ? m[1] : path.join(path.dirname(f), m[1]);
            const headings = exists(file)
                ? read(file)
                      .split("\n")
                      .filter((l) => l.startsWith("#"))
                      .map(oneLine)
                : [];
            if (!headings.some((h) => h.includes(oneLine(m[2])))) missing.push(`${f}: ${oneLine(m[0])}`);
        }
    }
    expect(missing).toEqual([]);
});

test("nothing cites a file outside the repository (the facts are in docs/facts/)", () => {
    const outside: string[] = [];
    for (const f of citing) {
        const text = read(f);
        for (const re of [/facts-[a-z-]+\.md/g, /shared\/docs/g, /\(README\)/g]) {
            for (const m of text.matchAll(re)) outside.push(`${f}: ${m[0]}`);
        }
        // "../shared/" is fine where it resolves inside the repository (components/shared/).
        for (const m of text.matchAll(/(?:\.\.\/)+shared\//g)) {
            if (path.relative(projectRoot, path.resolve(projectRoot, path.dirname(f), m[0])).startsWith("..") || !exists(path.join(path.dirname(f), m[0])))
                outside.push(`${f}: ${m[0]}`);
        }
    }
    expect(outside).toEqual([]);
    for (const f of ["mautic.md", "hetzner-and-host.md", "pulumi.md", "checklist.md"]) expect(exists(`docs/facts/${f}`)).toBe(true);
});

describe("docs/guide/architecture.md", () => {
    const arch = read("docs/guide/architecture.md");

    test("names every top-level folder", () => {
        const folders = [...new Set(tracked.filter((f) => f.includes("/") && !f.startsWith(".")).map((f) => f.split("/")[0]))];
        expect(folders.length).toBeGreaterThan(10);
        expect(folders.filter((d) => !arch.includes(`${d}/`))).toEqual([]);
    });

    test("names every folder and module of components/, and every lane of tests/", () => {
        const components = tracked.filter((f) => f.startsWith("components/") && f.endsWith(".ts"));
        const folders = [...new Set(components.map((f) => f.split("/")[1]).filter((d) => !d.endsWith(".ts")))];
        expect(folders.filter((d) => !arch.includes(`${d}/`))).toEqual([]);
        expect(components.map((f) => path.basename(f)).filter((m) => !arch.includes(m))).toEqual([]);
        const lanes = [
            ...new Set(
                tracked
                    .filter((f) => f.startsWith("tests/"))
                    .map((f) => f.split("/")[1])
                    .filter((d) => !d.includes(".")),
            ),
        ];
        expect(lanes).toEqual(expect.arrayContaining(["unit", "tools", "live", "browser", "vm"]));
        expect(lanes.filter((d) => !arch.includes(`${d}/`))).toEqual([]);
    });
});
