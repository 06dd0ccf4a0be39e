import {
    BlueprintObject,
    DoiBlueprintError,
    JsonObject,
    JsonValue,
    deleteCampaignRootEventName,
    doiBlueprint,
    doiKeys,
    doiTags,
    refMarker,
} from "../components/render/doiBlueprint";

const input = { mauticUrl: "https://marketing.client-a.de", website: "https://www.client-a.de", unconfirmedContactDays: 3 };

const byKey = (objects: BlueprintObject[], key: string): BlueprintObject => {
    const o = objects.find((x) => x.key === key);
    if (!o) throw new Error(`no object ${key}`);
    return o;
};
const fieldsOf = (form: BlueprintObject) => form.payload.fields as JsonObject[];
const eventsOf = (campaign: BlueprintObject) => campaign.payload.events as JsonObject[];

describe("doiBlueprint", () => {
    const bp = doiBlueprint(input);

    test("lists every object once, each after the objects it references", () => {
        expect(bp.objects.map((o) => o.key)).toEqual([
            "tag:pending", "tag:confirmed", "field:consentDate", "field:consentTextVersion",
            "page:confirm:de", "email:confirm:de", "form:signup:de",
            "page:confirm:en", "email:confirm:en", "form:signup:en",
            "segment:pending", "segment:confirmed", "campaign:delete", "campaign:record",
        ]);
        const seen = new Set<string>();
        for (const o of bp.objects) {
            for (const d of o.dependsOn) expect(seen.has(d)).toBe(true);
            seen.add(o.key);
        }
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
        expect(bp.settings).toMatchObject({ consentTextVersion: "v1", languages: ["de", "en"], privacyPolicyUrl: "https://www.client-a.de/datenschutz", websiteHost: "www.client-a.de" });
    });

    test("creates the consent fields as contact fields", () => {
        expect(byKey(bp.objects, "field:consentDate").payload).toMatchObject({ alias: "consent_date", type: "datetime", object: "lead", isPubliclyUpdatable: false });
        expect(byKey(bp.objects, "field:consentTextVersion").payload).toMatchObject({ alias: "consent_text_version", type: "text", object: "lead" });
    });

    test.each(["de", "en"] as const)("the %s form has a required, unchecked consent checkbox, the notice and the version", (lang) => {
        const form = byKey(bp.objects, doiKeys.form(lang));
        expect(form.payload).toMatchObject({ formType: "standalone", isPublished: false, language: lang, postAction: "message" });
        const fields = fieldsOf(form);
        const consent = fields.find((f) => f.alias === "consent")!;
        expect(consent.type).toBe("checkboxgrp");
        expect(consent.isRequired).toBe(true);
        expect(consent.defaultValue).toBeFalsy(); // C05: never pre-ticked
        const options = ((consent.properties as JsonObject).optionlist as JsonObject).list as JsonObject[];
        expect(options).toHaveLength(1);
        expect(options[0].value).toBe("consent-v1");
        expect(options[0].label).toContain("www.client-a.de");
        expect(typeof consent.validationMessage).toBe("string");

        const notice = fields.find((f) => f.alias === "processing_notice")!;
        expect(notice.type).toBe("freetext");
        const text = (notice.properties as JsonObject).text as string;
        expect(text).toContain("https://www.client-a.de/datenschutz");
        expect(text).toContain("3");
        expect(fields.findIndex((f) => f.alias === "processing_notice")).toBeLessThan(fields.findIndex((f) => f.alias === "consent"));

        expect(fields.find((f) => f.alias === "consent_text_version")).toMatchObject({ type: "hidden", defaultValue: "v1", mappedObject: "contact", mappedField: "consent_text_version" });
        expect(fields.find((f) => f.alias === "email")).toMatchObject({ type: "email", isRequired: true, mappedObject: "contact", mappedField: "email" });
        expect(fields[fields.length - 1].type).toBe("button");

        // Existing forms are never overwritten, so a later deploy checks that consent stays required and unticked.
        expect(form.driftChecks).toEqual(expect.arrayContaining([
            expect.objectContaining({ fieldAlias: "consent", property: "isRequired", expected: true }),
            expect.objectContaining({ fieldAlias: "consent", property: "defaultValue", expected: "" }),
            expect.objectContaining({ fieldAlias: "consent_text_version", property: "defaultValue", expected: "v1" }),
        ]));
        expect(form.payload.actions).toEqual([
            expect.objectContaining({ type: "lead.changetags", properties: { add_tags: [doiTags.pending], remove_tags: [] } }),
            expect.objectContaining({ type: "email.send.lead", properties: { email: refMarker(doiKeys.email(lang)) } }),
        ]);
    });

    test.each(["de", "en"] as const)("the %s confirmation email links the %s confirmation page", (lang) => {
        const email = byKey(bp.objects, doiKeys.email(lang));
        expect(email.payload).toMatchObject({ emailType: "template", isPublished: true, language: lang, template: "mautic_code_mode" });
        expect(email.payload.customHtml).toContain(`href="{pagelink=${refMarker(doiKeys.page(lang))}}"`);
        expect(email.payload.subject).toContain("www.client-a.de");
        expect(email.dependsOn).toEqual([doiKeys.page(lang)]);
    });

    test.each(["de", "en"] as const)("the %s confirmation page tags the contact through Mautic's tracking pixel", (lang) => {
        const page = byKey(bp.objects, doiKeys.page(lang));
        expect(page.payload).toMatchObject({ isPublished: true, language: lang, alias: lang === "de" ? "doi-bestaetigung" : "doi-confirmation" });
        expect(page.payload.customHtml).toContain('src="https://marketing.client-a.de/mtracking.gif?tags=doi-confirmed,-doi-pending"');
        expect(page.payload.customHtml).toContain('name="robots" content="noindex, nofollow"');
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

    test("the deletion campaign is published, waits the configured days and deletes only on 'no' paths", () => {
        const c = byKey(doiBlueprint({ ...input, unconfirmedContactDays: 7 }).objects, doiKeys.campaign("delete"));
        expect(c.payload).toMatchObject({ isPublished: true, lists: [{ id: refMarker(doiKeys.segment("pending")) }] });
        const events = eventsOf(c);
        const roots = events.filter((e) => e.parent === null);
        expect(roots).toHaveLength(1);
        expect(roots[0]).toMatchObject({
            name: deleteCampaignRootEventName, type: "lead.tags", eventType: "condition",
            properties: { tags: [doiTags.confirmed] }, triggerMode: "interval", triggerInterval: 7, triggerIntervalUnit: "d",
        });

        const deletes = events.filter((e) => e.type === "lead.deletecontact");
        expect(deletes).toHaveLength(1);
        const del = deletes[0];
        expect(del).toMatchObject({ eventType: "action", children: [], properties: {}, triggerMode: "immediate" });
        // From the delete action up to the root, every step is a "no": not tagged, and no confirmation page hit in any language.
        const chain: JsonObject[] = [];
        for (let e: JsonObject | undefined = del; e; e = events.find((x) => x.id === e!.parent)) chain.push(e);
        expect(chain.slice(0, -1).every((e) => e.decisionPath === "no")).toBe(true);
        expect(chain.map((e) => e.type)).toEqual(["lead.deletecontact", "lead.pageHit", "lead.pageHit", "lead.tags"]);
        expect(chain.filter((e) => e.type === "lead.pageHit").map((e) => (e.properties as JsonObject).page).sort()).toEqual(
            [refMarker(doiKeys.page("de")), refMarker(doiKeys.page("en"))].sort(),
        );

        // "yes" paths keep the contact and tidy its tags.
        for (const e of events.filter((x) => x.decisionPath === "yes")) {
            expect(e.type).toBe("lead.changetags");
            expect((e.properties as JsonObject).remove_tags).toEqual([doiTags.pending]);
        }
        // Children and parents agree, and the canvas has every event and the segment source.
        for (const e of events) for (const ch of e.children as string[]) expect(events.find((x) => x.id === ch)!.parent).toBe(e.id);
        const canvas = c.payload.canvasSettings as { nodes: JsonObject[]; connections: JsonObject[] };
        expect(canvas.nodes.map((n) => n.id).sort()).toEqual(["lists", ...events.map((e) => e.id as string)].sort());
        expect(canvas.connections).toContainEqual({ sourceId: "lists", targetId: roots[0].id, anchors: { source: "leadsource", target: "top" } });
        expect(c.driftChecks).toEqual(expect.arrayContaining([expect.objectContaining({ eventName: deleteCampaignRootEventName, property: "triggerInterval", expected: 7 })]));
    });

    test("with one language the deletion chain checks one confirmation page", () => {
        const only = doiBlueprint({ ...input, languages: ["de"] });
        expect(only.objects.map((o) => o.key)).not.toContain("form:signup:en");
        const events = eventsOf(byKey(only.objects, doiKeys.campaign("delete")));
        expect(events.filter((e) => e.type === "lead.pageHit")).toHaveLength(1);
        expect(events.find((e) => e.type === "lead.deletecontact")!.parent).toBe(events.find((e) => e.type === "lead.pageHit")!.id);
    });

    test("the record campaign stamps consent_date on confirmed contacts", () => {
        const c = byKey(bp.objects, doiKeys.campaign("record"));
        expect(c.payload).toMatchObject({ isPublished: true, lists: [{ id: refMarker(doiKeys.segment("confirmed")) }] });
        expect(eventsOf(c)).toEqual(expect.arrayContaining([expect.objectContaining({ type: "lead.updatelead", properties: { consent_date: "now" }, parent: null })]));
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
