/**
 * ensureDoiSetup against the fake Mautic API (tests/support/fakeMauticApi.ts): the first run
 * creates every object once, a second creates nothing, stored e-mails that lost the link token are
 * drift; retired flows left over from earlier kit versions are reported, not deleted; objects that
 * already exist (beyond the first page, duplicates a marketer made) are found and reused.
 * Drift in marketers' e-mails: doi.drift.test.ts; client errors: doi.errors.test.ts.
 */
import { ensureDoiSetup } from "../../components/doi/doiProvisioner";
import { doiBlueprint, doiConfirmToken, doiKeys, doiNames } from "../../components/doi/doiBlueprint";
import { FakeMauticApi } from "../support/fakeMauticApi";
import { MauticClient } from "../../components/mautic/mauticApi";
import { blueprint, footer, freshFake, input, Obj, stopFakes } from "../support/doi-fake-client";

afterAll(stopFakes);

describe("ensureDoiSetup against the fake Mautic API", () => {
    let fake: FakeMauticApi;
    let client: MauticClient;
    let first: Awaited<ReturnType<typeof ensureDoiSetup>>;

    beforeAll(async () => {
        ({ fake, client } = await freshFake());
        first = await ensureDoiSetup(client, blueprint);
    });

    test("the first run creates every object, once, through POST /api/<resource>/new; no form, page or campaign", () => {
        expect(first.created).toEqual(blueprint.objects.map((o) => o.key));
        expect(first.existing).toEqual([]);
        expect(first.drift).toEqual([]);
        expect(first.retired).toEqual([]);
        const posts = fake.posts();
        expect(posts.map((p) => p.path)).toEqual(blueprint.objects.map((o) => `/api/${o.resource}/new`));
        expect(posts.every((p) => p.status === 201)).toBe(true);
        for (const o of blueprint.objects) expect(Number.isInteger(first.ids[o.key])).toBe(true);
        expect(fake.all("forms")).toEqual([]);
        expect(fake.all("pages")).toEqual([]);
        expect(fake.all("campaigns")).toEqual([]);
    });

    test("a second run creates nothing (0 POSTs), returns the same ids and reports no drift", async () => {
        const before = fake.requests.length;
        const second = await ensureDoiSetup(client, blueprint);
        const during = fake.requests.slice(before);
        expect(during.filter((r) => r.method !== "GET")).toEqual([]);
        expect(second.created).toEqual([]);
        expect(second.existing).toEqual(blueprint.objects.map((o) => o.key));
        expect(second.ids).toEqual(first.ids);
        expect(second.drift).toEqual([]);
    });

    test("the stored confirmation e-mails are published template e-mails carrying the endpoint's link token", () => {
        for (const lang of ["de", "en"] as const) {
            const e = fake.all("emails").find((x) => x.id === first.ids[doiKeys.email(lang)])!;
            expect(e).toMatchObject({ name: doiNames.email(lang), emailType: "template", isPublished: true });
            expect(String(e.customHtml)).toContain(doiConfirmToken);
        }
    });

    test("an e-mail without the link token, unpublished, or with {tracking_pixel} is reported as drift, not overwritten", async () => {
        const e = fake.all("emails").find((x) => x.id === first.ids[doiKeys.email("de")])!;
        const saved = { customHtml: e.customHtml, isPublished: e.isPublished };
        try {
            e.customHtml = String(e.customHtml).replace(doiConfirmToken, "https://www.client-a.de/") + "{tracking_pixel}";
            e.isPublished = false;
            const r = await ensureDoiSetup(client, blueprint);
            const all = r.drift.join("\n");
            expect(all).toMatch(
                /emails 'DOI: confirmation email \(de\)'.*confirmation link token: customHtml does not contain "\{kit_doi_confirm_url\}"\. Fix: .*put \{kit_doi_confirm_url\} back/,
            );
            expect(all).toMatch(/emails 'DOI: confirmation email \(de\)'.*published state .* is false, the configuration says true/);
            expect(all).toMatch(/emails 'DOI: confirmation email \(de\)' \(id \d+\) carries the \{tracking_pixel\} token/);
            expect(r.drift).toHaveLength(3);
            expect(fake.requests.filter((q) => q.method !== "GET" && q.method !== "POST")).toEqual([]);
        } finally {
            Object.assign(e, saved);
        }
    });
});

describe("ensureDoiSetup against a Mautic that has the retired flows", () => {
    test("reports every leftover as retired with its fix, deletes and changes nothing, creates only what is missing", async () => {
        const { fake, client } = await freshFake();
        const pending = fake.seed("tags", { tag: "doi-pending" });
        fake.seed("pages", { title: "Anmeldung bestätigt", alias: "doi-bestaetigung", customHtml: "<p>Danke</p>" });
        fake.seed("forms", { name: "DOI de: sign-up form", formType: "campaign", fields: [], actions: [] });
        fake.seed("forms", { name: "DOI de: confirm button", formType: "campaign", fields: [], actions: [] });
        fake.seed("forms", { name: "DOI: sign-up form (de)", formType: "standalone", fields: [], actions: [] });
        fake.seed("campaigns", { name: "DOI: delete unconfirmed contacts (de)", lists: [], events: {}, isPublished: true });
        fake.seed("campaigns", { name: "DOI: delete unconfirmed contacts", lists: [], events: {}, isPublished: true });
        fake.seed("campaigns", { name: "DOI: record confirmation", lists: [], events: {}, isPublished: true });

        const r = await ensureDoiSetup(client, doiBlueprint({ ...input, languages: ["de"] }));
        expect(r.existing).toEqual(["tag:pending"]);
        expect(r.ids["tag:pending"]).toBe(pending.id);
        expect(r.retired).toHaveLength(7);
        const all = r.drift.join("\n");
        expect(all).toMatch(/retired: pages 'doi-bestaetigung' \(id \d+\) is left over .*\/kit\/doi\/confirm.*The kit does not delete it\. Fix: unpublish/);
        expect(all).toMatch(/retired: forms 'DOI de: sign-up form' \(id \d+\).*Fix: unpublish .*keep it for its results/);
        expect(all).toMatch(/retired: forms 'DOI de: confirm button' \(id \d+\).*anyone who knew an address/);
        expect(all).toMatch(/retired: campaigns 'DOI: delete unconfirmed contacts \(de\)' \(id \d+\).*hit queue/);
        expect(all).toMatch(/retired: forms 'DOI: sign-up form \(de\)' \(id \d+\)/);
        expect(all).toMatch(/retired: campaigns 'DOI: delete unconfirmed contacts' \(id \d+\).*link scanners/);
        expect(all).toMatch(/retired: campaigns 'DOI: record confirmation' \(id \d+\)/);
        // Nothing is changed or deleted by the kit, and nothing of the old flow is created.
        expect(fake.requests.filter((q) => q.method !== "GET" && q.method !== "POST")).toEqual([]);
        expect(fake.posts().map((p) => p.path)).not.toEqual(expect.arrayContaining(["/api/forms/new", "/api/pages/new", "/api/campaigns/new"]));
        expect(fake.all("forms")).toHaveLength(3);
    });
});

describe("ensureDoiSetup with objects that already exist", () => {
    test("finds existing objects beyond the first page and creates only what is missing", async () => {
        const { fake, client } = await freshFake({ maxPageSize: 5 });
        for (let i = 0; i < 23; i++) fake.seed("emails", { name: `Newsletter ${i}`, subject: `Issue ${i}`, emailType: "list", customHtml: footer });
        const existingEmail = fake.seed("emails", {
            name: "DOI: confirmation email (de)",
            subject: "edited by the marketer",
            emailType: "template",
            isPublished: true,
            customHtml: `<a href="${doiConfirmToken}">ja</a>`,
        });
        const existingTag = fake.seed("tags", { tag: "doi-pending" });

        const r = await ensureDoiSetup(client, blueprint);
        expect(r.existing).toEqual(["tag:pending", "email:confirm:de"]);
        expect(r.created).toHaveLength(blueprint.objects.length - 2);
        expect(r.ids["email:confirm:de"]).toBe(existingEmail.id);
        expect(r.drift).toEqual([]);
        // Dependants use the existing objects' ids; the marketer's email is untouched.
        const segment = fake.all("segments").find((s) => s.id === r.ids["segment:pending"])!;
        expect(((segment.filters as Obj[])[0].properties as Obj).filter).toEqual([existingTag.id]);
        expect(fake.find("emails", "name", "DOI: confirmation email (de)")!.subject).toBe("edited by the marketer");
        // Paging: the e-mail list took several requests.
        expect(fake.requests.filter((q) => q.path.startsWith("/api/emails?")).length).toBeGreaterThan(4);
    });
    test("reports duplicates a marketer made and uses the oldest", async () => {
        const { fake, client } = await freshFake();
        const a = fake.seed("tags", { tag: "doi-confirmed" });
        fake.seed("tags", { tag: "DOI-Confirmed" });
        const r = await ensureDoiSetup(client, blueprint);
        expect(r.ids["tag:confirmed"]).toBe(a.id);
        expect(r.drift).toEqual([expect.stringContaining("2 objects match")]);
    });
});
