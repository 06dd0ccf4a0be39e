import * as fs from "fs";
import * as path from "path";
import {
    BlueprintObject,
    DoiBlueprintError,
    DoiLanguage,
    JsonObject,
    JsonValue,
    confirmLinkFilter,
    doiBlueprint,
    doiEventNames,
    doiKeys,
    doiLanguages,
    doiNames,
    doiTags,
    mauticHostCookies,
    refMarker,
    withdrawalContactPlaceholder,
} from "../components/render/doiBlueprint";
import { mauticDeviceStorage } from "../components/render/documents";
import { templatesDir } from "../components/render/template";

const input = { mauticUrl: "https://marketing.client-a.de", website: "https://www.client-a.de", unconfirmedContactDays: 3 };

const byKey = (objects: BlueprintObject[], key: string): BlueprintObject => {
    const o = objects.find((x) => x.key === key);
    if (!o) throw new Error(`no object ${key}`);
    return o;
};
const fieldsOf = (form: BlueprintObject) => form.payload.fields as JsonObject[];
const eventsOf = (campaign: BlueprintObject) => campaign.payload.events as JsonObject[];
const byName = (events: JsonObject[], name: string): JsonObject => {
    const e = events.find((x) => x.name === name);
    if (!e) throw new Error(`no event ${name}`);
    return e;
};
const childrenOf = (events: JsonObject[], e: JsonObject) => events.filter((x) => x.parent === e.id);
const strings = (v: JsonValue): string[] =>
    typeof v === "string" ? [v] : Array.isArray(v) ? v.flatMap(strings) : v && typeof v === "object" ? Object.values(v).flatMap(strings) : [];
const textOf = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

describe("doiBlueprint", () => {
    const bp = doiBlueprint(input);

    test("lists every object once, each after the objects it references", () => {
        expect(bp.schemaVersion).toBe(2);
        expect(bp.objects.map((o) => o.key)).toEqual([
            "tag:pending", "tag:confirmed", "field:consentDate", "field:consentTextVersion", "field:consentLanguage",
            "page:confirm:de", "email:confirm:de", "form:signup:de",
            "page:confirm:en", "email:confirm:en", "form:signup:en",
            "segment:pending", "segment:confirmed", "campaign:delete",
        ]);
        const seen = new Set<string>();
        for (const o of bp.objects) {
            for (const d of o.dependsOn) expect(seen.has(d)).toBe(true);
            seen.add(o.key);
        }
        // The pixel flow's second campaign is gone and reported while it exists.
        expect(bp.retired).toEqual([expect.objectContaining({ resource: "campaigns", matchBy: "name", matchValue: "DOI: record confirmation" })]);
    });

    test("is deterministic, and its hash follows the settings", () => {
        expect(doiBlueprint(input)).toEqual(bp);
        expect(bp.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(doiBlueprint({ ...input, languages: ["en", "de"] }).hash).toBe(bp.hash);
        expect(doiBlueprint({ ...input, unconfirmedContactDays: 5 }).hash).not.toBe(bp.hash);
        expect(doiBlueprint({ ...input, consentTextVersion: "v2" }).hash).not.toBe(bp.hash);
    });

    test("fills every template placeholder and defaults the privacy policy URL", () => {
        const json = JSON.stringify(bp);
        expect(json).not.toMatch(/\{\{\s*[A-Za-z0-9_]+\s*\}\}/);
        expect(bp.settings).toMatchObject({ consentTextVersion: "v1", languages: ["de", "en"], privacyPolicyUrl: "https://www.client-a.de/datenschutz", websiteHost: "www.client-a.de", mauticHost: "marketing.client-a.de" });
    });

    test("creates the consent fields as contact fields", () => {
        expect(byKey(bp.objects, "field:consentDate").payload).toMatchObject({ alias: "consent_date", type: "datetime", object: "lead", isPubliclyUpdatable: false });
        expect(byKey(bp.objects, "field:consentTextVersion").payload).toMatchObject({ alias: "consent_text_version", type: "text", object: "lead" });
        expect(byKey(bp.objects, "field:consentLanguage").payload).toMatchObject({ alias: "consent_language", type: "text", object: "lead" });
    });

    test("no tracking pixel and no page-visit confirmation anywhere: not in a payload, not in a template", () => {
        const pixel = /mtracking|<img\b|tags=|tracking_pixel/i;
        for (const o of bp.objects) for (const s of strings(o.payload)) expect(s).not.toMatch(pixel);
        const files: string[] = [];
        const walk = (dir: string) => {
            for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
                if (f.isDirectory()) walk(path.join(dir, f.name));
                else if (f.name !== "README.md") files.push(path.join(dir, f.name));
            }
        };
        walk(path.join(templatesDir, "doi"));
        expect(files.length).toBeGreaterThanOrEqual(14);
        for (const f of files) expect(`${f}: ${fs.readFileSync(f, "utf8")}`).not.toMatch(pixel);
        // No event reads the page-visit history, and nothing confirms except the click decision's "yes" path.
        const events = eventsOf(byKey(bp.objects, doiKeys.campaign("delete")));
        expect(events.map((e) => e.type)).not.toContain("lead.pageHit");
        for (const e of events.filter((x) => x.type === "lead.changetags")) {
            expect(events.find((p) => p.id === e.parent)).toMatchObject({ type: "email.click" });
            expect(e.decisionPath).toBe("yes");
        }
    });

    test.each(["de", "en"] as const)("the %s form only tags the contact pending; it sends no email", (lang) => {
        const form = byKey(bp.objects, doiKeys.form(lang));
        expect(form.payload).toMatchObject({ formType: "campaign", isPublished: false, language: lang, postAction: "message" });
        expect(form.payload.actions).toEqual([
            expect.objectContaining({ type: "lead.changetags", properties: { add_tags: [doiTags.pending], remove_tags: [] } }),
        ]);
        expect(JSON.stringify(form.payload)).not.toContain("email.send");
        expect(form.payload.postActionProperty).toContain("3");
    });

    test.each(["de", "en"] as const)("the %s form has a required, unchecked consent checkbox, the notice, the version and the language", (lang) => {
        const form = byKey(bp.objects, doiKeys.form(lang));
        const fields = fieldsOf(form);
        const consent = fields.find((f) => f.alias === "consent")!;
        expect(consent.type).toBe("checkboxgrp");
        expect(consent.isRequired).toBe(true);
        expect(consent.defaultValue).toBeFalsy(); // C05: never pre-ticked
        const options = ((consent.properties as JsonObject).optionlist as JsonObject).list as JsonObject[];
        expect(options).toHaveLength(1);
        expect(options[0].value).toBe("consent-v1");
        expect(typeof consent.validationMessage).toBe("string");

        const notice = fields.find((f) => f.alias === "processing_notice")!;
        expect(notice.type).toBe("freetext");
        expect(fields.findIndex((f) => f.alias === "processing_notice")).toBeLessThan(fields.findIndex((f) => f.alias === "consent"));

        expect(fields.find((f) => f.alias === "consent_text_version")).toMatchObject({ type: "hidden", defaultValue: "v1", mappedObject: "contact", mappedField: "consent_text_version" });
        expect(fields.find((f) => f.alias === "consent_language")).toMatchObject({ type: "hidden", defaultValue: lang, mappedObject: "contact", mappedField: "consent_language" });
        expect(fields.find((f) => f.alias === "email")).toMatchObject({ type: "email", isRequired: true, mappedObject: "contact", mappedField: "email" });
        expect(fields[fields.length - 1].type).toBe("button");

        // Existing forms are never overwritten, so a later deploy checks what the kit manages.
        expect(form.driftChecks).toEqual(expect.arrayContaining([
            expect.objectContaining({ property: "formType", forbidden: "standalone" }),
            expect.objectContaining({ property: "actions", forbidden: "email.send.lead" }),
            expect.objectContaining({ fieldAlias: "consent", property: "isRequired", expected: true }),
            expect.objectContaining({ fieldAlias: "consent", property: "defaultValue", expected: "" }),
            expect.objectContaining({ fieldAlias: "consent_text_version", property: "defaultValue", expected: "v1" }),
            expect.objectContaining({ fieldAlias: "consent_language", property: "defaultValue", expected: lang }),
            expect.objectContaining({ fieldAlias: "processing_notice", property: "properties.text", forbidden: withdrawalContactPlaceholder[lang] }),
        ]));
    });

    // What the consent covers (checkbox label and notice together), per language.
    const covers: Record<DoiLanguage, { what: RegExp[]; falseClaims: RegExp[] }> = {
        de: {
            what: [/Newsletter/, /Werbe-E-Mails/, /Öffnungen und Klicks/, /Besuche[n]? (der|auf) .*Bestätigungs- und Landingpages/, /Interessenprofil \(Segmente, Punkte\)/, /Cookies/, /jederzeit .*widerrufen|widerrufen .*jederzeit/, /Abmeldelink/],
            falseClaims: [/[Ee]rst nach Ihrer Bestätigung tragen wir Sie ein/, /Erst nach Ihrer Bestätigung senden/],
        },
        en: {
            what: [/newsletters/, /marketing emails/, /opens and clicks|open our emails and which links you click/, /visits to the confirmation and landing pages/, /interest profile \(segments, points\)/, /cookies/, /withdraw .*at any time/, /unsubscribe link/],
            falseClaims: [/only add you once you have confirmed/i, /We only send you newsletters after/],
        },
    };
    test.each(["de", "en"] as const)("the %s consent label and notice say what is done, where cookies are set, how to withdraw, and nothing false", (lang) => {
        const fields = fieldsOf(byKey(bp.objects, doiKeys.form(lang)));
        const label = ((((fields.find((f) => f.alias === "consent")!.properties as JsonObject).optionlist as JsonObject).list as JsonObject[])[0].label) as string;
        const noticeHtml = (fields.find((f) => f.alias === "processing_notice")!.properties as JsonObject).text as string;
        const notice = textOf(noticeHtml);
        const both = `${label} ${notice}`;
        for (const re of covers[lang].what) expect(both).toMatch(re);
        // The label alone names marketing emails, the measurement, the profile and the cookies on the Mautic host.
        for (const re of covers[lang].what.slice(0, 6)) expect(label).toMatch(re);
        expect(label).toContain("www.client-a.de");
        expect(label).toContain("marketing.client-a.de");
        // The notice names the cookies, the Mautic host, the deletion after N days, the withdrawal address placeholder and the policy.
        for (const c of mauticHostCookies) expect(notice).toContain(c);
        expect(notice).toContain("marketing.client-a.de");
        expect(notice).toMatch(lang === "de" ? /innerhalb von 3 Tag\(en\).*löschen wir den Kontakt/ : /within 3 day\(s\), we delete the contact/);
        expect(notice).toMatch(lang === "de" ? /legen wir einen Kontakt .* an und markieren ihn als unbestätigt/ : /we create a contact .* mark it as unconfirmed/);
        expect(notice).toContain(withdrawalContactPlaceholder[lang]);
        expect(noticeHtml).toContain('href="https://www.client-a.de/datenschutz"');
        for (const re of covers[lang].falseClaims) expect(both).not.toMatch(re);
    });

    test("the cookies the texts name are Mautic's cookies on its own host, as the privacy policy lists them", () => {
        const fromDocuments = mauticDeviceStorage.filter((e) => e.origin === "mautic" && e.kind === "cookie").flatMap((e) => e.names).sort();
        expect([...mauticHostCookies].sort()).toEqual(fromDocuments);
    });

    test.each(["de", "en"] as const)("the %s confirmation email is a template email linking the %s confirmation page", (lang) => {
        const email = byKey(bp.objects, doiKeys.email(lang));
        expect(email.payload).toMatchObject({ emailType: "template", isPublished: true, language: lang, template: "mautic_code_mode" });
        expect(email.payload.customHtml).toContain(`href="{pagelink=${refMarker(doiKeys.page(lang))}}"`);
        expect(email.payload.subject).toContain("www.client-a.de");
        expect(email.dependsOn).toEqual([doiKeys.page(lang)]);
        // The click proves the mailbox; the text says what the click confirms and that ignoring it deletes.
        expect(textOf(email.payload.customHtml as string)).toMatch(lang === "de" ? /nach 3 Tag\(en\) automatisch/ : /after 3 day\(s\)/);
    });

    test.each(["de", "en"] as const)("the %s confirmation page is a plain thank-you page", (lang) => {
        const page = byKey(bp.objects, doiKeys.page(lang));
        expect(page.payload).toMatchObject({ isPublished: true, language: lang, alias: lang === "de" ? "doi-bestaetigung" : "doi-confirmation" });
        expect(page.payload.customHtml).toContain('name="robots" content="noindex, nofollow"');
        expect(page.payload.customHtml).not.toMatch(/<script|<img/i);
        expect(page.driftChecks).toEqual([expect.objectContaining({ property: "customHtml", forbidden: "mtracking.gif" })]);
    });

    test("segments select the DOI tags by tag id reference", () => {
        for (const s of ["pending", "confirmed"] as const) {
            const seg = byKey(bp.objects, doiKeys.segment(s));
            expect(seg.payload).toMatchObject({ alias: `doi-${s}`, isPublished: true, isGlobal: true });
            expect(seg.payload.filters).toEqual([
                { glue: "and", field: "tags", object: "lead", type: "tags", operator: "in", properties: { filter: [refMarker(doiKeys.tag(s))] } },
            ]);
        }
    });

    describe("the DOI campaign", () => {
        const seven = doiBlueprint({ ...input, unconfirmedContactDays: 7 });
        const c = byKey(seven.objects, doiKeys.campaign("delete"));
        const events = eventsOf(c);

        test("is published and sourced from the forms (Mautic adds the contact on submit), not from a segment", () => {
            expect(c.matchValue).toBe(doiNames.campaignDelete);
            expect(c.payload).toMatchObject({
                name: "DOI: delete unconfirmed contacts",
                isPublished: true,
                allowRestart: false,
                lists: [],
                forms: [{ id: refMarker(doiKeys.form("de")) }, { id: refMarker(doiKeys.form("en")) }],
            });
            const canvas = c.payload.canvasSettings as { nodes: JsonObject[]; connections: JsonObject[] };
            expect(canvas.nodes.map((n) => n.id).sort()).toEqual(["forms", ...events.map((e) => e.id as string)].sort());
            const roots = events.filter((e) => e.parent === null);
            expect(roots).toHaveLength(1);
            expect(canvas.connections).toContainEqual({ sourceId: "forms", targetId: roots[0].id, anchors: { source: "leadsource", target: "top" } });
            // Children and parents agree, and every connection follows the tree.
            for (const e of events) for (const ch of e.children as string[]) expect(events.find((x) => x.id === ch)!.parent).toBe(e.id);
            for (const e of events.filter((x) => x.parent !== null)) {
                expect(canvas.connections).toContainEqual({ sourceId: e.parent, targetId: e.id, anchors: { source: e.decisionPath ?? "bottom", target: "top" } });
            }
        });

        test("with two languages, consent_language picks the branch; every contact ends up in exactly one branch", () => {
            const root = events.find((e) => e.parent === null)!;
            expect(root).toMatchObject({ type: "lead.field_value", eventType: "condition", triggerMode: "immediate", properties: { field: "consent_language", operator: "=", value: "de" } });
            expect(childrenOf(events, root).map((e) => [e.decisionPath, e.type, e.name])).toEqual([
                ["yes", "email.send", doiEventNames.send("de")],
                ["no", "email.send", doiEventNames.send("en")],
            ]);
        });

        test.each(["de", "en"] as const)("%s: email.send first, then the click decision: yes -> tags and consent date at once, no -> delete after the configured days, last", (lang) => {
            const send = byName(events, doiEventNames.send(lang));
            // The first event that reaches the contact is the send; nothing but the language condition comes before it.
            const before = events.filter((e) => e.id === send.parent);
            expect(before.every((e) => e.type === "lead.field_value")).toBe(true);
            expect(send).toMatchObject({
                type: "email.send", eventType: "action", triggerMode: "immediate",
                properties: { email: refMarker(doiKeys.email(lang)), email_type: "transactional", priority: 2, attempts: 3 },
            });
            const [decision, ...other] = childrenOf(events, send);
            expect(other).toEqual([]);
            expect(decision).toMatchObject({
                name: doiEventNames.clicked(lang), type: "email.click", eventType: "decision", decisionPath: null,
                properties: { urls: { list: [confirmLinkFilter(lang)] } },
            });
            // Only the confirmation link counts: the page path, which the privacy link does not contain.
            expect(confirmLinkFilter(lang)).toBe(`/${doiNames.pageAlias(lang)}`);
            expect("https://www.client-a.de/datenschutz").not.toContain(confirmLinkFilter(lang));

            const yes = childrenOf(events, decision).filter((e) => e.decisionPath === "yes");
            expect(yes.map((e) => ({ type: e.type, properties: e.properties, triggerMode: e.triggerMode, children: e.children }))).toEqual([
                { type: "lead.changetags", properties: { add_tags: [doiTags.confirmed], remove_tags: [doiTags.pending] }, triggerMode: "immediate", children: [] },
                { type: "lead.updatelead", properties: { consent_date: "now" }, triggerMode: "immediate", children: [] },
            ]);
            const no = childrenOf(events, decision).filter((e) => e.decisionPath === "no");
            expect(no).toEqual([expect.objectContaining({
                name: doiEventNames.delete(lang), type: "lead.deletecontact", eventType: "action", properties: {}, children: [],
                // Mautic counts this from the send: "no click within 7 days".
                triggerMode: "interval", triggerInterval: 7, triggerIntervalUnit: "d",
            })]);
        });

        test("deletes only on 'no' paths of a click decision", () => {
            const deletes = events.filter((e) => e.type === "lead.deletecontact");
            expect(deletes).toHaveLength(2);
            for (const d of deletes) {
                expect(d.decisionPath).toBe("no");
                expect(events.find((e) => e.id === d.parent)).toMatchObject({ type: "email.click" });
            }
        });

        test("drift checks cover publication, the decision, its link and the deletion delay", () => {
            expect(c.driftChecks).toEqual(expect.arrayContaining([
                expect.objectContaining({ property: "isPublished", expected: true }),
                ...doiLanguages.flatMap((lang) => [
                    expect.objectContaining({ eventName: doiEventNames.clicked(lang), property: "type", expected: "email.click" }),
                    expect.objectContaining({ eventName: doiEventNames.clicked(lang), property: "properties.urls.list.0", expected: confirmLinkFilter(lang) }),
                    expect.objectContaining({ eventName: doiEventNames.delete(lang), property: "triggerInterval", expected: 7 }),
                    expect.objectContaining({ eventName: doiEventNames.delete(lang), property: "triggerIntervalUnit", expected: "d" }),
                    expect.objectContaining({ eventName: doiEventNames.delete(lang), property: "triggerMode", expected: "interval" }),
                ]),
            ]));
        });
    });

    test("with one language the campaign starts with the send, without a language condition", () => {
        const only = doiBlueprint({ ...input, languages: ["de"] });
        expect(only.objects.map((o) => o.key)).not.toContain("form:signup:en");
        const c = byKey(only.objects, doiKeys.campaign("delete"));
        expect(c.payload.forms).toEqual([{ id: refMarker(doiKeys.form("de")) }]);
        const events = eventsOf(c);
        expect(events.map((e) => e.type)).toEqual(["email.send", "email.click", "lead.changetags", "lead.updatelead", "lead.deletecontact"]);
        expect(events[0]).toMatchObject({ parent: null, name: doiEventNames.send("de") });
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
        expect(() => doiBlueprint({ mauticUrl: "", website: "", unconfirmedContactDays: -1 })).toThrow(/mauticUrl is missing[\s\S]*website is missing[\s\S]*unconfirmedContactDays/);
    });
});
