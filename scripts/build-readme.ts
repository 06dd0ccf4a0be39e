/**
 * `npm run readme`: fills the generated regions of README.md and of every topic file in
 * docs/guide/, so the documentation never drifts from the code (tests/unit/readme.test.ts
 * fails when a file is stale):
 *   <!-- include: path/X.md -->                        ... <!-- end -->   a file's text
 *   <!-- generated: docs-index -->                     ... <!-- end -->   a link to every docs/guide/*.md, titled by its first heading
 *   <!-- generated: config-table -->                   ... <!-- end -->   every config key, its default and its doc
 * and rewrites the comment above every key in Pulumi.prod.yaml from the same field table
 * (components/config/fields.ts).
 *   <!-- generated: compliance-sample -->              ... <!-- end -->   the compliance report of Pulumi.prod.yaml
 * A topic file added to docs/guide/ is linked from the README by the next `npm run readme`.
 */
import * as fs from "fs";
import * as path from "path";
import { renderComplianceMarkdown, ComplianceReport } from "../components/compliance/compliance";
import { ConfigKey, configKeys } from "../components/config/config";
import { fields, FieldSpec } from "../components/config/fields";
import { projectRoot, runPlan } from "../plan/runPlan";
import { readStackConfig } from "../plan/stackFile";

const region = /(<!-- (include|generated): ([^ ]+) -->\n)([\s\S]*?)(<!-- end -->)/g;

/** The config reference: one row per key of the field table (components/config/fields.ts). */
export function configTable(): string {
    const rows = ["| Key | Default | What it does |", "|---|---|---|"];
    for (const key of configKeys) {
        const f: FieldSpec = fields[key];
        const shown = f.required ? "**required**" : f.defaultText !== undefined ? f.defaultText : "default" in f ? `\`${JSON.stringify(f.default)}\`` : "none";
        const text = f.doc.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
        rows.push(`| \`${key}\` | ${shown} | ${text} |`);
    }
    return `${rows.join("\n")}\n`;
}

/** Width of the comment lines `stackFileComments` writes. */
const commentWidth = 100;

/**
 * Pulumi.prod.yaml with the comment block above every key (set, or shown commented out as
 * `# mautic-gdpr:key: ...`) saying that key's doc line from the field table: a block that says
 * something else is replaced by the doc, wrapped at 100 columns; one that says the same words
 * keeps its line breaks. Section headers (`# --- ...`) and every other line stay as they are.
 */
export function stackFileComments(text: string, project = "mautic-gdpr"): string {
    const keyLine = new RegExp(`^(\\s*)(#\\s*)?${project}:([A-Za-z]+):`);
    const out: string[] = [];
    for (const line of text.split("\n")) {
        const m = keyLine.exec(line);
        if (m && Object.hasOwn(fields, m[3])) {
            const keep = new RegExp(`^\\s*#\\s*(---|${project}:)`);
            let start = out.length;
            while (start > 0 && /^\s*#/.test(out[start - 1]) && !keep.test(out[start - 1])) start--;
            const doc = fields[m[3] as ConfigKey].doc;
            const current = out
                .slice(start)
                .map((l) => l.replace(/^\s*#\s?/, ""))
                .join(" ");
            // A block that already says the doc keeps its line breaks; any other is rewritten.
            if (current.split(/\s+/).join(" ").trim() !== doc.split(/\s+/).join(" "))
                out.splice(start, out.length - start, ...wrap(doc, `${m[1]}# `, commentWidth));
        }
        out.push(line);
    }
    return out.join("\n");
}

function wrap(text: string, prefix: string, width: number): string[] {
    const lines: string[] = [];
    let current = "";
    for (const word of text.split(/\s+/)) {
        if (current !== "" && prefix.length + current.length + 1 + word.length > width) {
            lines.push(prefix + current);
            current = word;
        } else current = current === "" ? word : `${current} ${word}`;
    }
    if (current !== "") lines.push(prefix + current);
    return lines;
}

export async function complianceSample(): Promise<string> {
    const plan = await runPlan(readStackConfig(projectRoot, "prod"), {}, "2026-01-01");
    return renderComplianceMarkdown(plan.exports.compliance as ComplianceReport).replace(/^# /m, "#### ");
}

/** The topic files (docs/guide/*.md, then docs/evidence/*.md), relative to the project root, sorted by name. */
export const docsDir = "docs/guide";
export function docFiles(): string[] {
    const list = (dir: string) =>
        fs
            .readdirSync(path.join(projectRoot, dir))
            .filter((f) => f.endsWith(".md") && fs.statSync(path.join(projectRoot, dir, f)).isFile())
            .sort()
            .map((f) => `${dir}/${f}`);
    return [...list(docsDir), ...list("docs/evidence")];
}

/** A file's title: its first markdown heading, without the #s. */
export function docTitle(file: string): string {
    const m = /^#{1,6}\s+(.+?)\s*$/m.exec(fs.readFileSync(path.join(projectRoot, file), "utf8"));
    return m ? m[1] : path.basename(file, ".md");
}

export function docsIndex(): string {
    return (
        docFiles()
            .map((f) => `- [${docTitle(f).replace(/[[\]]/g, "")}](${f})`)
            .join("\n") + "\n"
    );
}

export async function buildReadme(text: string): Promise<string> {
    const generated: Record<string, () => Promise<string> | string> = {
        "docs-index": docsIndex,
        "config-table": configTable,
        "compliance-sample": complianceSample,
    };
    const parts: string[] = [];
    let last = 0;
    for (const m of text.matchAll(region)) {
        const [whole, open, kind, name, , close] = m;
        let body: string;
        if (kind === "include") {
            body = fs.readFileSync(path.join(projectRoot, name), "utf8");
        } else {
            const gen = generated[name];
            if (!gen) throw new Error(`README: unknown generated region ${name}`);
            body = await gen();
        }
        parts.push(text.slice(last, m.index), open, body.endsWith("\n") ? body : `${body}\n`, close);
        last = (m.index ?? 0) + whole.length;
    }
    parts.push(text.slice(last));
    return parts.join("");
}

/** The stack file whose key comments `npm run readme` writes from the field table. */
export const stackFileWithComments = "Pulumi.prod.yaml";

/** README.md and every topic file: the files whose generated regions `npm run readme` fills. */
export function generatedFiles(): string[] {
    return ["README.md", ...docFiles()];
}

if (require.main === module) {
    (async () => {
        const stackFile = path.join(projectRoot, stackFileWithComments);
        const stackText = fs.readFileSync(stackFile, "utf8");
        if (stackFileComments(stackText) !== stackText) {
            fs.writeFileSync(stackFile, stackFileComments(stackText));
            process.stdout.write(`${stackFileWithComments} regenerated\n`);
        }
        for (const rel of generatedFiles()) {
            const file = path.join(projectRoot, rel);
            const text = fs.readFileSync(file, "utf8");
            const out = await buildReadme(text);
            if (out !== text) {
                fs.writeFileSync(file, out);
                process.stdout.write(`${rel} regenerated\n`);
            }
        }
    })().then(
        () => process.exit(0),
        (e) => {
            process.stderr.write(`build-readme: ${e?.stack ?? e}\n`);
            process.exit(1);
        },
    );
}
