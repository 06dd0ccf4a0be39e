/**
 * The field table (components/config/fields.ts) is the one source of every config key: these
 * tests check what derives from it (key lists, defaults, how Pulumi's strings are read, the
 * secrets) and that every row is complete.
 */
import { configKeys, readRawSettings, SiteConfigError, validateSiteArgs } from "../../components/config/config";
import { defaults } from "../../components/config/defaults";
import { fields, FieldSpec } from "../../components/config/fields";
import { configDefaults, fieldKind, intRange, rawSchema, requiredKeys, secretKeys } from "../../components/config/schema";
import { validateStackConfig } from "../../components/config/stackConfig";

const good = {
    domain: "marketing.client-a.de",
    website: "https://www.client-a.de",
    adminEmail: "ops@agency.example",
    adminCidrs: ["203.0.113.0/24"],
};
const rows = Object.entries(fields) as Array<[string, FieldSpec]>;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

test("the key list, the schema's shape and the table have the same keys in the same order", () => {
    expect(configKeys).toEqual(Object.keys(fields));
    expect(Object.keys(rawSchema.shape)).toEqual([...configKeys]);
    expect(configKeys.length).toBeGreaterThanOrEqual(40);
});

describe.each(rows)("%s", (key, f) => {
    test("has a fix and a doc line", () => {
        expect(f.fix.trim().length).toBeGreaterThan(5);
        expect(f.doc.trim().length).toBeGreaterThan(20);
        expect(f.doc).not.toMatch(/\n/);
    });

    test("its doc says its default", () => {
        if (f.required) expect(f.doc).toMatch(/REQUIRED/);
        else if (f.defaultText !== undefined) expect(f.doc.replace(/`/g, "")).toContain(`Default: ${f.defaultText.replace(/`/g, "")}`);
        else if ("default" in f) {
            const shown = Array.isArray(f.default) && f.default.length === 0 ? "(\\[\\]|none)" : escape(String(f.default));
            expect(f.doc).toMatch(new RegExp(`default:? ${shown}(?![\\w-])|${shown} \\(default\\)`, "i"));
        } else expect(f.doc).toMatch(/Default: none/);
    });

    test("is required, has a default or is optional: exactly one", () => {
        expect([f.required === true, "default" in f, !f.required && !("default" in f)].filter(Boolean)).toHaveLength(1);
        if (f.defaultText !== undefined) expect("default" in f || f.required === true).toBe(false);
    });

    if ("default" in f) {
        test("its default passes its own schema and is what an unset key gets", () => {
            expect(f.schema.safeParse(f.default).success).toBe(true);
            expect((defaults as Record<string, unknown>)[key]).toEqual(f.default);
            expect((configDefaults as Record<string, unknown>)[key]).toEqual(f.default);
            expect((validateSiteArgs(good).settings as Record<string, unknown>)[key]).toEqual(f.default);
        });
    }

    if (f.required) {
        test("an unset value is refused with its fix", () => {
            const raw: Record<string, unknown> = { ...good };
            delete raw[key];
            expect(() => validateSiteArgs(raw)).toThrow(new RegExp(`${key} = undefined is missing: it is required\\. Fix: ${escape(f.fix)}\\.`));
        });
    }

    test("a value of the wrong type is refused with the key's fix", () => {
        const wrong = fieldKind(key as never) === "string" ? 42 : { not: "this" };
        let message = "";
        try {
            validateSiteArgs({ ...good, [key]: wrong });
        } catch (e) {
            expect(e).toBeInstanceOf(SiteConfigError);
            message = (e as Error).message;
        }
        expect(message).toContain(`${key} = ${f.secret ? "[secret]" : JSON.stringify(wrong)} `);
        expect(message).toContain(`Fix: ${f.fix}.`);
    });
});

test("Pulumi's string values are read by the schema's type", () => {
    const sample = { number: ["7", 7], boolean: ["true", true], list: ['["a"]', ["a"]], string: ["7", "7"] } as const;
    const kinds = new Set<string>();
    for (const key of configKeys) {
        const kind = fieldKind(key);
        kinds.add(kind);
        const [text, value] = sample[kind];
        expect(readRawSettings((k) => (k === key ? text : undefined))).toEqual({ [key]: value });
    }
    expect([...kinds].sort()).toEqual(["boolean", "list", "number", "string"]);
    expect(configKeys.filter((k) => fieldKind(k) === "number")).toEqual(expect.arrayContaining(["cleanupDaysOld", "storageBoxId", "volumeSizeGb"]));
});

test("the required keys are the ones without a default that the program cannot run without", () => {
    expect(requiredKeys).toEqual(["domain", "website", "adminEmail", "adminCidrs"]);
});

describe("secret keys are never echoed", () => {
    const marker = "S3cretMarker_42";
    test.each([...secretKeys])("%s", (key) => {
        const bad = `bad value ${marker} '"<>`;
        let message = "";
        try {
            validateSiteArgs({ ...good, [key]: bad });
        } catch (e) {
            message = (e as Error).message;
        }
        expect(message).toContain(`${key} = [secret] `);
        expect(message).not.toContain(marker);
        // Accepted: kept out of the settings and the warnings, returned apart.
        const value = key === "mailerDsn" ? `smtps://u:${marker}@smtp.example.de:465` : `key_${marker}`;
        const v = validateSiteArgs({ ...good, mailerFromEmail: "news@client-a.de", mailerFromName: "Client A", [key]: value });
        expect(Object.keys(v.settings)).not.toContain(key);
        expect(JSON.stringify(v.settings) + v.warnings.join("\n")).not.toContain(marker);
        expect((v as unknown as Record<string, unknown>)[key]).toBe(value);
        // In plain text in a stack file: refused, without the value.
        const values = {
            "p:domain": good.domain,
            "p:website": good.website,
            "p:adminEmail": good.adminEmail,
            "p:adminCidrs": JSON.stringify(good.adminCidrs),
            [`p:${key}`]: value,
        };
        expect(() => validateStackConfig("p", values, () => false)).toThrow(
            new RegExp(
                `- ${key} = \\[secret\\] is stored in plain text\\. Fix: \`pulumi config set --secret ${key} '${escape(fields[key].secret!.placeholder)}'\``,
                "m",
            ),
        );
        expect(() => validateStackConfig("p", values, () => false)).not.toThrow(new RegExp(marker));
    });
    test("there are secret keys", () => expect([...secretKeys]).toEqual(["mailerDsn", "maxmindLicenseKey"]));
});

test("whole-number ranges come from the schema (the renderers' re-checks use them)", () => {
    expect(intRange("cleanupDaysOld")).toEqual([1, 365]);
    expect(intRange("gdprPurgeDays")).toEqual([30, 3650]);
    expect(() => validateSiteArgs({ ...good, gdprPurgeDays: intRange("gdprPurgeDays")[1] + 1 })).toThrow(/gdprPurgeDays = 3651 must be at most 3650/);
    expect(() => intRange("storageBoxId")).toThrow(/not a bounded number field/);
});
