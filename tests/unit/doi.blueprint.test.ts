import * as fs from "fs";
import * as path from "path";
import {
    BlueprintObject,
    DoiBlueprintError,
    JsonValue,
    doiBlueprint,
    doiConfirmToken,
    doiKeys,
    doiNames,
    doiFields,
    doiLineFor,
    mauticLineOf,
    refMarker,
} from "../../components/doi/doiBlueprint";
import { templatesDir } from "../../components/shared/template";

const input = { mauticUrl: "https://marketing.client-a.de", website: "https://www.client-a.de", unconfirmedContactDays: 3 };

const byKey = (objects: BlueprintObject[], key: string): BlueprintObject => {
    const o = objects.find((x) => x.key === key);
    if (!o) throw new Error(`no object ${key}`);
    return o;
};
const strings = (v: JsonValue): string[] =>
    typeof v === "string" ? [v] : Array.isArray(v) ? v.flatMap(strings) : v && typeof v === "object" ? Object.values(v).flatMap(strings) : [];

describe("doiBlueprint", () => {
    const bp = doiBlueprint(input);

    test("only what the DOI endpoint needs: tags, fields, the confirmation e-mails, segments; each after what it references", () => {
        expect(bp.schemaVersion).toBe(3);
        expect(bp.objects.map((o) => o.key)).toEqual([
            "tag:pending",
            "tag:confirmed",
            "field:consentDate",
            "field:consentTextVersion",
            "field:consentLanguage",
            "field:trackingConsent",
            "field:profilingToken",
            "email:confirm:de",
            "email:confirm:en",
            "segment:pending",
            "segment:confirmed",
        ]);
        expect(bp.objects.map((o) => o.resource)).not.toEqual(expect.arrayContaining(["forms"]));
        expect(bp.objects.map((o) => o.resource)).not.toEqual(expect.arrayContaining(["pages"]));
        expect(bp.objects.map((o) => o.resource)).not.toEqual(expect.arrayContaining(["campaigns"]));
        const seen = new Set<string>();
        for (const o of bp.objects) {
            for (const d of o.dependsOn) expect(seen.has(d)).toBe(true);
            seen.add(o.key);
        }
    });

    test("the earlier flow's forms, landing pages and campaigns are listed as retired, each with a fix that deletes nothing of the evidence", () => {
        const names = bp.retired.map((r) => `${r.resource}:${r.matchValue}`);
        for (const l of ["de", "en"] as const) {
            expect(names).toEqual(
                expect.arrayContaining([
                    `forms:${doiNames.form(l)}`,
                    `forms:${doiNames.confirmForm(l)}`,
                    `pages:${doiNames.pageAlias(l)}`,
                    `campaigns:${doiNames.campaign(l)}`,
                    `forms:DOI: sign-up form (${l})`,
                ]),
            );
        }
        expect(names).toEqual(expect.arrayContaining(["campaigns:DOI: record confirmation", "campaigns:DOI: delete unconfirmed contacts"]));
        for (const r of bp.retired.filter((x) => x.resource === "forms" && /sign-up/.test(x.matchValue))) expect(r.fix).toMatch(/keep it for its results/);
        for (const r of bp.retired) expect(r.fix).toMatch(/^unpublish /);
    });

    test("is deterministic, and its hash follows the settings", () => {
        expect(doiBlueprint(input)).toEqual(bp);
        expect(bp.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(doiBlueprint({ ...input, languages: ["en", "de"] }).hash).toBe(bp.hash);
        expect(doiBlueprint({ ...input, unconfirmedContactDays: 5 }).hash).not.toBe(bp.hash);
        expect(doiBlueprint({ ...input, languages: ["de"] }).hash).not.toBe(bp.hash);
        expect(doiBlueprint({ ...input, mauticLine: "7.2" }).hash).not.toBe(bp.hash);
    });

    test("fills every template placeholder", () => {
        expect(JSON.stringify(bp)).not.toMatch(/\{\{\s*[A-Za-z0-9_]+\s*\}\}/);
        expect(bp.settings).toMatchObject({
            consentTextVersion: "v1",
            languages: ["de", "en"],
            privacyPolicyUrl: "https://www.client-a.de/datenschutz",
            mauticLine: "6.0",
        });
    });

    test("contact fields use Mautic's key isUniqueIdentifer (sic) and carry no description (seen on 5.2.1)", () => {
        for (const k of ["consentDate", "consentTextVersion", "consentLanguage", "trackingConsent"] as const) {
            const f = byKey(bp.objects, doiKeys.field(k)).payload;
            expect(f).toMatchObject({ alias: doiFields[k], object: "lead", isPubliclyUpdatable: false, isUniqueIdentifer: false });
            expect(f).not.toHaveProperty("isUniqueIdentifier");
            expect(f).not.toHaveProperty("description");
        }
    });

    test.each(["de", "en"] as const)("the %s confirmation email links the endpoint token {kit_doi_confirm_url}, no pixel; drift checks keep it so", (l) => {
        const email = byKey(bp.objects, doiKeys.email(l));
        expect(email.matchValue).toBe(doiNames.email(l));
        expect(email.payload).toMatchObject({ emailType: "template", isPublished: true, language: l });
        expect(email.payload.customHtml).toContain(`href="${doiConfirmToken}"`);
        expect(email.payload.customHtml).not.toMatch(/tracking_pixel|<img/i);
        expect(email.driftChecks).toContainEqual(expect.objectContaining({ required: doiConfirmToken, property: "customHtml" }));
        expect(email.driftChecks).toContainEqual(expect.objectContaining({ property: "isPublished", expected: true }));
    });

    test("segments filter on the DOI tags by id", () => {
        expect(byKey(bp.objects, doiKeys.segment("confirmed")).payload.filters).toEqual([
            expect.objectContaining({ field: "tags", operator: "in", properties: { filter: [refMarker(doiKeys.tag("confirmed"))] } }),
        ]);
        expect(byKey(bp.objects, doiKeys.segment("pending")).dependsOn).toEqual([doiKeys.tag("pending")]);
    });

    test("Mautic lines from image tags", () => {
        expect(mauticLineOf("5.2.1-apache")).toBe("5.2");
        expect(mauticLineOf("6.1.0")).toBeUndefined();
        expect(doiLineFor("6.1.0")).toBe("6.0");
        expect(doiLineFor("7.0.1")).toBe("6.0");
        expect(doiLineFor("7.1.0")).toBe("7.2");
        expect(doiLineFor("4.4.0")).toBe("5.2");
    });

    test("no template or payload carries a tracking pixel", () => {
        const pixel = /mtracking|<img\b|tags=|tracking_pixel\}/i;
        for (const o of bp.objects) for (const x of strings(o.payload)) expect(x).not.toMatch(pixel);
        const dir = path.join(templatesDir, "doiBlueprint");
        for (const l of fs.readdirSync(dir).filter((f) => f !== "README.md")) {
            for (const f of fs.readdirSync(path.join(dir, l))) expect(fs.readFileSync(path.join(dir, l, f), "utf8")).not.toMatch(pixel);
        }
    });

    test("payloads hold only JSON (no undefined, no functions)", () => {
        const walk = (v: JsonValue | undefined): void => {
            expect(v).not.toBeUndefined();
            if (Array.isArray(v)) v.forEach(walk);
            else if (v && typeof v === "object") Object.values(v).forEach(walk);
            else expect(["string", "number", "boolean"].includes(typeof v) || v === null).toBe(true);
        };
        bp.objects.forEach((o) => walk(o.payload));
    });

    test.each([
        [{ unconfirmedContactDays: 0 }, "unconfirmedContactDays"],
        [{ unconfirmedContactDays: 31 }, "unconfirmedContactDays"],
        [{ unconfirmedContactDays: 2.5 }, "unconfirmedContactDays"],
        [{ website: "http://www.client-a.de" }, "website"],
        [{ website: "https://www.client-a.de/newsletter" }, "website"],
        [{ mauticUrl: "marketing.client-a.de" }, "mauticUrl"],
        [{ mauticUrl: "https://www.client-a.de" }, "mauticUrl and website"],
        [{ consentTextVersion: "version 1" }, "consentTextVersion"],
        [{ languages: ["fr"] }, "languages"],
        [{ languages: [] }, "languages"],
        [{ privacyPolicyUrl: "http://www.client-a.de/datenschutz" }, "privacyPolicyUrl"],
        [{ newsletter: true }, "newsletter is not a DOI setting"],
    ])("rejects %j naming the setting", (patch, field) => {
        let err: unknown;
        try {
            doiBlueprint({ ...input, ...(patch as object) } as never);
        } catch (e) {
            err = e;
        }
        expect(err).toBeInstanceOf(DoiBlueprintError);
        expect((err as DoiBlueprintError).message).toContain(field);
        expect((err as DoiBlueprintError).message).toContain("Fix:");
    });

    test("reports every problem at once", () => {
        expect(() => doiBlueprint({ mauticUrl: "", website: "", unconfirmedContactDays: -1 })).toThrow(
            /mauticUrl is missing[\s\S]*website is missing[\s\S]*unconfirmedContactDays/,
        );
    });
});
