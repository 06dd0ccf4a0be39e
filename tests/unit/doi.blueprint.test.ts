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
    doiFields,
    doiFormFields,
    doiLineFor,
    mauticLineOf,
    refMarker,
    withdrawalContactPlaceholder,
} from "../../components/doi/doiBlueprint";
import { templatesDir } from "../../components/shared/template";

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
    const lang: DoiLanguage = "de";

    test("lists every object once, each after the objects it references", () => {
        expect(bp.schemaVersion).toBe(2);
        expect(bp.objects.map((o) => o.key)).toEqual([
            "tag:pending", "tag:confirmed",
            "field:consentDate", "field:consentTextVersion", "field:consentLanguage", "field:trackingConsent",
            "form:confirm:de", "page:confirm:de", "email:confirm:de", "form:signup:de",
            "form:confirm:en", "page:confirm:en", "email:confirm:en", "form:signup:en",
            "segment:pending", "segment:confirmed", "campaign:de", "campaign:en",
        ]);
        const seen = new Set<string>();
        for (const o of bp.objects) {
            for (const d of o.dependsOn) expect(seen.has(d)).toBe(true);
            seen.add(o.key);
        }
        expect(bp.retired.map((r) => r.matchValue)).toEqual(["DOI: record confirmation", "DOI: delete unconfirmed contacts", "DOI: sign-up form (de)", "DOI: sign-up form (en)"]);
    });

    test("is deterministic, and its hash follows the settings and the Mautic line", () => {
        expect(doiBlueprint(input)).toEqual(bp);
        expect(bp.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(doiBlueprint({ ...input, languages: ["en", "de"] }).hash).toBe(bp.hash);
        expect(doiBlueprint({ ...input, unconfirmedContactDays: 5 }).hash).not.toBe(bp.hash);
        expect(doiBlueprint({ ...input, consentTextVersion: "v2" }).hash).not.toBe(bp.hash);
        expect(doiBlueprint({ ...input, mauticLine: "7.2" }).hash).not.toBe(bp.hash);
        expect(doiBlueprint({ ...input, mauticLine: "5.2" }).hash).not.toBe(bp.hash);
    });

    test("fills every template placeholder", () => {
        expect(JSON.stringify(bp)).not.toMatch(/\{\{\s*[A-Za-z0-9_]+\s*\}\}/);
        expect(bp.settings).toMatchObject({ consentTextVersion: "v1", languages: ["de", "en"], privacyPolicyUrl: "https://www.client-a.de/datenschutz", mauticLine: "6.0" });
    });

    test("contact fields use Mautic's key isUniqueIdentifer (sic) and carry no description (seen on 5.2.1)", () => {
        for (const k of ["consentDate", "consentTextVersion", "consentLanguage", "trackingConsent"] as const) {
            const f = byKey(bp.objects, doiKeys.field(k)).payload;
            expect(f).toMatchObject({ alias: doiFields[k], object: "lead", isPubliclyUpdatable: false, isUniqueIdentifer: false });
            expect(f).not.toHaveProperty("isUniqueIdentifier");
            expect(f).not.toHaveProperty("description");
        }
    });

    test.each(["de", "en"] as const)("the %s sign-up form: no language, kiosk mode, tag action by id, unique alias", (l) => {
        const form = byKey(bp.objects, doiKeys.form(l));
        expect(form.payload).not.toHaveProperty("language");
        expect(form.payload).not.toHaveProperty("alias");
        expect(form.payload).toMatchObject({ formType: "campaign", isPublished: false, inKioskMode: true, postAction: "message" });
        expect(form.payload.actions).toEqual([
            expect.objectContaining({ type: "lead.changetags", properties: { add_tags: [refMarker(doiKeys.tag("pending"))], remove_tags: [] } }),
        ]);
        expect(JSON.stringify(form.payload)).not.toContain("email.send");
        // Mautic derives the alias from the name, cut to 10 characters: the names keep them apart.
        const derive = (n: string) => n.toLowerCase().replace(/[^a-z0-9]+/g, "_").slice(0, 10);
        expect(derive(doiNames.form(l))).toBe(doiNames.formAlias(l));
        expect(derive(doiNames.confirmForm(l))).toBe(doiNames.confirmFormAlias(l));
        expect(new Set(doiLanguages.flatMap((x) => [doiNames.formAlias(x), doiNames.confirmFormAlias(x)])).size).toBe(4);
        expect(form.driftChecks).toContainEqual(expect.objectContaining({ property: "alias", expected: doiNames.formAlias(l) }));
    });

    test.each(["de", "en"] as const)("the %s form: required unticked consent box that renders (syncList), optional separate tracking box, evidence fields not mapped", (l) => {
        const fields = fieldsOf(byKey(bp.objects, doiKeys.form(l)));
        const consent = fields.find((f) => f.alias === doiFormFields.consent)!;
        const tracking = fields.find((f) => f.alias === doiFormFields.trackingConsent)!;
        expect(consent).toMatchObject({ type: "checkboxgrp", isRequired: true, defaultValue: "" });
        expect(tracking).toMatchObject({ type: "checkboxgrp", isRequired: false, defaultValue: "" });
        for (const box of [consent, tracking]) {
            const props = box.properties as JsonObject;
            expect(props.syncList).toBe(0);
            expect(((props.optionlist as JsonObject).list as JsonObject[]).length).toBe(1);
        }
        expect((((consent.properties as JsonObject).optionlist as JsonObject).list as JsonObject[])[0].value).toBe("consent-v1");
        expect((((tracking.properties as JsonObject).optionlist as JsonObject).list as JsonObject[])[0].value).toBe("tracking-v1");
        // The newsletter consent does not bundle the tracking consent (Art. 7(4)).
        const label = String((((consent.properties as JsonObject).optionlist as JsonObject).list as JsonObject[])[0].label);
        expect(label).not.toMatch(/Klick|click|Profil|profile|Cookie/i);
        for (const alias of [doiFormFields.consentTextVersion, doiFormFields.consentLanguage]) {
            const f = fields.find((x) => x.alias === alias)!;
            expect(f.type).toBe("hidden");
            expect(f).not.toHaveProperty("mappedField");
        }
        expect(fields.filter((f) => f.mappedField).map((f) => f.mappedField)).toEqual(["email"]);
        const notice = textOf(String((fields.find((f) => f.alias === "processing_notice")!.properties as JsonObject).text));
        expect(notice).toContain(withdrawalContactPlaceholder[l]);
        expect(notice).toMatch(l === "de" ? /Schaltfläche/ : /button/);
    });

    test("the 7.2 payloads send no formType (ignored from 7.1) and do not check it; 5.2 and 6.0 do", () => {
        const v72 = doiBlueprint({ ...input, mauticLine: "7.2" });
        for (const l of doiLanguages) {
            const f = byKey(v72.objects, doiKeys.form(l));
            expect(f.payload).not.toHaveProperty("formType");
            expect(f.driftChecks!.map((c) => c.property)).not.toContain("formType");
            expect(byKey(doiBlueprint({ ...input, mauticLine: "5.2" }).objects, doiKeys.form(l)).payload.formType).toBe("campaign");
        }
        expect(mauticLineOf("6.0.6-apache")).toBe("6.0");
        expect(mauticLineOf("7.1.0")).toBeUndefined();
        expect([doiLineFor("5.1.1"), doiLineFor("6.0.8-apache"), doiLineFor("7.0.1"), doiLineFor("7.1.2"), doiLineFor("7.2.1-apache"), doiLineFor("8.0.0")]).toEqual(["5.2", "6.0", "6.0", "7.2", "7.2", "7.2"]);
    });

    test.each(["de", "en"] as const)("the %s confirmation email links the endpoint token {kit_doi_confirm_url}, no pixel", (l) => {
        const email = byKey(bp.objects, doiKeys.email(l));
        expect(email.payload).toMatchObject({ emailType: "template", isPublished: true, language: l });
        expect(email.payload.customHtml).toContain(`href="{kit_doi_confirm_url}"`);
        expect(email.payload.customHtml).not.toMatch(/tracking_pixel|<img/i);
        expect(email.driftChecks).toContainEqual(expect.objectContaining({ forbidden: "{tracking_pixel}" }));
    });

    test.each(["de", "en"] as const)("the %s confirmation page shows the confirm form; opening it confirms nothing", (l) => {
        const page = byKey(bp.objects, doiKeys.page(l));
        expect(page.payload.customHtml).toContain(`{form=${refMarker(doiKeys.confirmForm(l))}}`);
        expect(page.payload.customHtml).not.toMatch(/<script|<img/i);
        const confirm = byKey(bp.objects, doiKeys.confirmForm(l));
        expect(confirm.payload).toMatchObject({ isPublished: true, inKioskMode: true, actions: [] });
        expect(fieldsOf(confirm).map((f) => [f.alias, f.type])).toEqual([["email", "hidden"], ["submit", "button"]]);
    });

    describe("the DOI campaign (per language)", () => {
        const c = byKey(bp.objects, doiKeys.campaign(lang));
        const events = eventsOf(c);
        const ev = (n: string) => byName(events, n);

        test("is published, sourced from its own form", () => {
            expect(c.payload).toMatchObject({ name: doiNames.campaign(lang), isPublished: true, lists: [], forms: [{ id: refMarker(doiKeys.form(lang)) }] });
            expect(c.dependsOn).toEqual(expect.arrayContaining([doiKeys.form(lang), doiKeys.confirmForm(lang), doiKeys.email(lang)]));
        });

        test("known contacts (doi-confirmed, doi-keep) and do-not-contact entries get no mail and are never deleted", () => {
            const known = ev(doiEventNames.known);
            expect(known).toMatchObject({ type: "lead.tags", parent: null, properties: { tags: [doiTags.confirmed, doiTags.keep] } });
            const below = (e: JsonObject): JsonObject[] => childrenOf(events, e).flatMap((k) => [k, ...below(k)]);
            const yesBranch = childrenOf(events, known).filter((k) => k.decisionPath === "yes").flatMap((k) => [k, ...below(k)]);
            expect(yesBranch.map((e) => e.type)).toEqual(["lead.changetags"]);
            const dnc = ev(doiEventNames.dnc);
            expect(dnc).toMatchObject({ type: "lead.dnc", parent: known.id, decisionPath: "no", properties: { channels: ["email"] } });
            const dncYes = childrenOf(events, dnc).filter((k) => k.decisionPath === "yes").flatMap((k) => [k, ...below(k)]);
            expect(dncYes.map((e) => e.properties)).toEqual([{ add_tags: [], remove_tags: [doiTags.pending] }]);
            // Every deletion sits below "not known" and "not on DNC".
            for (const d of events.filter((e) => e.type === "lead.deletecontact")) {
                let p: JsonObject | undefined = d;
                const path: string[] = [];
                while (p) { path.push(String(p.name)); p = events.find((x) => x.id === p!.parent); }
                expect(path).toEqual(expect.arrayContaining([doiEventNames.send, doiEventNames.dnc, doiEventNames.known]));
            }
        });

        test("confirms only on the button after the link: email.send -> email.click -> form.submit(confirm form)", () => {
            const send = ev(doiEventNames.send);
            const clicked = ev(doiEventNames.clicked);
            const pressed = ev(doiEventNames.pressed);
            expect(send.properties).toMatchObject({ email: refMarker(doiKeys.email(lang)), email_type: "transactional" });
            expect(clicked).toMatchObject({ type: "email.click", parent: send.id, properties: { urls: { list: [confirmLinkFilter(lang)] } } });
            expect(pressed).toMatchObject({ type: "form.submit", parent: clicked.id, decisionPath: "yes", properties: { forms: [refMarker(doiKeys.confirmForm(lang))] } });
            for (const e of events.filter((x) => x.type === "lead.changetags" && JSON.stringify(x.properties).includes(doiTags.confirmed))) {
                expect(e).toMatchObject({ parent: pressed.id, decisionPath: "yes" });
            }
            expect(ev(doiEventNames.consent).properties).toEqual({ consent_date: "now", consent_text_version: "v1", consent_language: lang });
            expect(ev(doiEventNames.tracking)).toMatchObject({ type: "form.field_value", parent: pressed.id, properties: { form: refMarker(doiKeys.form(lang)), field: "tracking_consent", operator: "=", value: "tracking-v1" } });
            expect(ev(doiEventNames.trackingSet).properties).toEqual({ tracking_consent: "tracking-v1" });
        });

        test("deletes after the configured days on the 'no' paths of the link and the button; tags are names in events", () => {
            for (const [name, parent] of [[doiEventNames.deleteNoClick, doiEventNames.clicked], [doiEventNames.deleteNoPress, doiEventNames.pressed]]) {
                const d = ev(name);
                expect(d).toMatchObject({ type: "lead.deletecontact", parent: ev(parent).id, decisionPath: "no", triggerMode: "interval", triggerInterval: 3, triggerIntervalUnit: "d", children: [] });
            }
            for (const e of events.filter((x) => x.type === "lead.changetags" || x.type === "lead.tags")) {
                for (const v of Object.values(e.properties as JsonObject)) for (const t of v as JsonValue[]) expect(typeof t).toBe("string");
            }
        });

        test("drift checks cover publication, the button decision, the link and both deletion delays", () => {
            const props = c.driftChecks!.map((d) => `${d.eventName ?? ""}:${d.property}`);
            expect(props).toEqual(expect.arrayContaining([":isPublished", `${doiEventNames.pressed}:type`, `${doiEventNames.clicked}:properties.urls.list.0`, `${doiEventNames.deleteNoClick}:triggerInterval`, `${doiEventNames.deleteNoPress}:triggerInterval`]));
        });
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
        expect(() => doiBlueprint({ mauticUrl: "", website: "", unconfirmedContactDays: -1 })).toThrow(/mauticUrl is missing[\s\S]*website is missing[\s\S]*unconfirmedContactDays/);
    });
});
