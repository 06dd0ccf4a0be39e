import * as fs from "fs";
import * as path from "path";

/** The kit's `templates/` folder, found from this file whether it runs from source or from `bin/`. */
export const templatesDir = (() => {
    for (const candidate of [path.join(__dirname, "..", "..", "templates"), path.join(__dirname, "..", "..", "..", "templates")]) {
        if (fs.existsSync(candidate)) return candidate;
    }
    throw new Error(`templates/ not found near ${__dirname}`);
})();

/** Reads a template file under `templates/`. */
export function readTemplate(relPath: string): string {
    return fs.readFileSync(path.join(templatesDir, relPath), "utf8");
}

/**
 * Fills `{{name}}` placeholders. Strict both ways: a placeholder without a value and a value
 * without a placeholder are errors, so a template and its renderer cannot drift apart silently.
 */
export function fill(template: string, values: Record<string, string | number>, name = "template"): string {
    const used = new Set<string>();
    const out = template.replace(/\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g, (_, key: string) => {
        if (!(key in values)) throw new Error(`${name}: no value for placeholder {{${key}}}`);
        used.add(key);
        return String(values[key]);
    });
    const unused = Object.keys(values).filter((k) => !used.has(k));
    if (unused.length > 0) throw new Error(`${name}: values without a placeholder: ${unused.join(", ")}`);
    return out;
}

/** Fills a template file under `templates/`. */
export function renderTemplate(relPath: string, values: Record<string, string | number>): string {
    return fill(readTemplate(relPath), values, relPath);
}
