/**
 * The library's surface (components/index.ts and the `render` namespace, components/render.ts):
 * named exports only, every one listed on docs/guide/library.md, no internals. The page's example
 * program is compiled against the packed package by tests/tools/package.test.ts.
 */
import * as fs from "fs";
import * as path from "path";
import * as kit from "../../components";
import { projectRoot } from "../../plan/runPlan";

const read = (rel: string) => fs.readFileSync(path.join(projectRoot, rel), "utf8");
const page = read("docs/guide/library.md");

/** The names a barrel exports, from its `export { a, b } from` and `export type { ... } from` lines. */
function exported(rel: string): { values: string[]; types: string[] } {
    const values: string[] = [];
    const types: string[] = [];
    for (const m of read(rel).matchAll(/^export (type )?\{([^}]*)\} from "[^"]+";$/gm)) {
        const names = m[2].split(",").map((n) => n.trim()).filter(Boolean);
        (m[1] ? types : values).push(...names);
    }
    return { values, types };
}

describe.each(["components/index.ts", "components/render.ts"])("%s", (rel) => {
    test("has named exports only (no `export *`, except the render namespace)", () => {
        const stars = read(rel).match(/^export \*.*$/gm) ?? [];
        expect(stars).toEqual(rel.endsWith("index.ts") ? ['export * as render from "./render";'] : []);
        expect(exported(rel).values.length).toBeGreaterThan(5);
    });

    test("docs/guide/library.md lists every export", () => {
        const { values, types } = exported(rel);
        const prefix = rel.endsWith("render.ts") ? "render." : "";
        const missing = [...values.map((n) => `${prefix}${n}`), ...types].filter((n) => !page.includes(`\`${n}\``));
        expect(missing).toEqual([]);
    });
});

test("the runtime exports are exactly the listed values", () => {
    expect(Object.keys(kit).sort()).toEqual([...exported("components/index.ts").values, "render"].sort());
    expect(Object.keys(kit.render).sort()).toEqual(exported("components/render.ts").values.sort());
});

test("the components are exported, internals are not", () => {
    for (const c of ["MauticSite", "HardenedHost", "HostFiles", "AlertSecrets", "MauticApp", "SiteSecrets", "WebEdge", "DoiSetup"]) {
        expect(typeof (kit as Record<string, unknown>)[c]).toBe("function");
    }
    const all = { ...kit, ...kit.render } as Record<string, unknown>;
    for (const internal of ["doiProvider", "serverLabelProvider", "setPriceSource", "writeSshMaterial", "sshMaterialBase", "readTemplate", "fill", "templatesDir", "ensureDoiSetup", "MauticClient"]) {
        expect({ internal, exported: internal in all }).toEqual({ internal, exported: false });
    }
});

test("every component file's class is exported (a new component is not forgotten)", () => {
    const dir = path.join(projectRoot, "components");
    const classes: string[] = [];
    for (const sub of fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
        for (const f of fs.readdirSync(path.join(dir, sub.name)).filter((n) => n.endsWith(".ts"))) {
            for (const m of fs.readFileSync(path.join(dir, sub.name, f), "utf8").matchAll(/^export class (\w+) extends pulumi\.(ComponentResource|dynamic\.Resource)/gm)) classes.push(m[1]);
        }
    }
    expect(classes.length).toBeGreaterThanOrEqual(9);
    expect(classes.filter((c) => !(c in kit))).toEqual([]);
});
