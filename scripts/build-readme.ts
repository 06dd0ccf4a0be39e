/**
 * `npm run readme`: fills the generated regions of README.md and of every topic file in
 * docs/guide/, so the documentation never drifts from the code (tests/unit/readme.test.ts
 * fails when a file is stale):
 *   <!-- include: path/X.md -->                        ... <!-- end -->   a file's text
 *   <!-- generated: docs-index -->                     ... <!-- end -->   a link to every docs/guide/*.md, titled by its first heading
 *   <!-- generated: config-table -->                   ... <!-- end -->   every config key, its default and its doc
 *   <!-- generated: compliance-sample -->              ... <!-- end -->   the compliance report of Pulumi.prod.yaml
 * A topic file added to docs/guide/ is linked from the README by the next `npm run readme`.
 */
import * as fs from "fs";
import * as path from "path";
import { parseDocument, isMap, isScalar, Pair, Scalar } from "yaml";
import { renderComplianceMarkdown, ComplianceReport } from "../components/compliance/compliance";
import { configKeys } from "../components/config/config";
import { defaults } from "../components/config/defaults";
import { projectRoot, runPlan } from "../plan/runPlan";
import { readStackConfig } from "../plan/stackFile";

const region = /(<!-- (include|generated): ([^ ]+) -->\n)([\s\S]*?)(<!-- end -->)/g;

/** The config reference, from components/config/config.ts (keys), defaults.ts and Pulumi.prod.yaml (docs). */
export function configTable(): string {
    const doc = parseDocument(fs.readFileSync(path.join(projectRoot, "Pulumi.prod.yaml"), "utf8"));
    const config = doc.get("config");
    const docs = new Map<string, string>();
    if (isMap(config)) {
        (config.items as Pair[]).forEach((item, i) => {
            const key = isScalar(item.key) ? String((item.key as Scalar).value) : "";
            // The comment block right above the key (the first key's is the map's own comment, up
            // to its last blank line); a commented-out key before it ends another key's block.
            const raw = (item.key as Scalar).commentBefore ?? (i === 0 ? (config.commentBefore ?? "") : "");
            const all = raw.split("\n").map((l) => l.trim());
            const lines = i === 0 ? all.slice(all.lastIndexOf("") + 1) : all;
            const lastOther = lines.map((l) => /^mautic-gdpr:[A-Za-z]+:/.test(l)).lastIndexOf(true);
            const comment = lines.slice(lastOther + 1).filter((l) => !l.startsWith("---")).join(" ").trim();
            docs.set(key.replace(/^mautic-gdpr:/, ""), comment);
        });
    }
    // Keys shown commented out in the example: the comment block right above `# mautic-gdpr:key:`.
    const lines = fs.readFileSync(path.join(projectRoot, "Pulumi.prod.yaml"), "utf8").split("\n");
    lines.forEach((line, i) => {
        const m = /^\s*#\s*mautic-gdpr:([A-Za-z]+):/.exec(line);
        if (!m || docs.has(m[1])) return;
        const block: string[] = [];
        for (let j = i - 1; j >= 0 && /^\s*#/.test(lines[j]) && !/^\s*#\s*mautic-gdpr:/.test(lines[j]); j--) block.unshift(lines[j].replace(/^\s*#\s?/, "").trim());
        docs.set(m[1], block.filter((l) => !l.startsWith("---")).join(" ").trim());
    });
    const rows = ["| Key | Default | What it does |", "|---|---|---|"];
    for (const key of configKeys) {
        const d = (defaults as Record<string, unknown>)[key];
        const computed: Record<string, string> = { privacyPolicyUrl: "`<website>/datenschutz`" };
        const shown = computed[key] ?? (d === undefined ? (["domain", "website", "adminEmail", "adminCidrs"].includes(key) ? "**required**" : "none") : `\`${JSON.stringify(d)}\``);
        const text = (docs.get(key) ?? "").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;") || "(see Pulumi.prod.yaml)";
        rows.push(`| \`${key}\` | ${shown} | ${text} |`);
    }
    return `${rows.join("\n")}\n`;
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
    return docFiles().map((f) => `- [${docTitle(f).replace(/[[\]]/g, "")}](${f})`).join("\n") + "\n";
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

/** README.md and every topic file: the files whose generated regions `npm run readme` fills. */
export function generatedFiles(): string[] {
    return ["README.md", ...docFiles()];
}

if (require.main === module) {
    (async () => {
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
