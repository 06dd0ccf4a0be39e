/**
 * The fake Mautic API refuses what the real Mautic 5.2.1 refused (docs/facts/mautic.md, "Seen on a
 * real Mautic 5.2.1"; docs/evidence/conformance.md has the real run), one test per rejection, and the
 * kit's payloads pass it.
 */
import { isMauticApiError } from "../../components/mautic/mauticApi";
import { ensureDoiSetup } from "../../components/doi/doiProvisioner";
import { JsonObject, doiBlueprint, doiKeys, doiNames } from "../../components/doi/doiBlueprint";
import { renderPublicForm } from "../support/fakeMauticApi";
import { freshFake as fresh, stopFakes } from "../support/doi-fake-client";

afterAll(stopFakes);
async function status(p: Promise<unknown>): Promise<[number, string]> {
    try {
        await p;
        return [201, ""];
    } catch (e) {
        if (!isMauticApiError(e)) throw e;
        return [e.status, e.detail];
    }
}
const box = (properties: Record<string, unknown>) =>
    ({ label: "Einwilligung", alias: "consent", type: "checkboxgrp", isRequired: true, properties }) as unknown as JsonObject;
const list = { optionlist: { list: [{ label: "Ja", value: "consent-v1" }] } };

describe("the fake rejects what the real Mautic 5.2.1 rejected", () => {
    test("a form language Mautic does not know: 400 'language: This value is not valid.' (offline only en_US)", async () => {
        const { client } = await fresh();
        expect(await status(client.create("forms", { name: "A", language: "de" }))).toEqual([400, "language: This value is not valid."]);
        expect((await status(client.create("forms", { name: "B", language: "en_US" })))[0]).toBe(201);
        const { client: withDe } = await fresh({ languages: ["en_US", "de"] });
        expect((await status(withDe.create("forms", { name: "C", language: "de" })))[0]).toBe(201);
    });

    test("tag names in a form action: 400 'add_tags: This value is not valid.'; tag ids pass", async () => {
        const { client } = await fresh();
        const tag = await client.create("tags", { tag: "doi-pending" });
        const action = (add: unknown[]) =>
            ({
                name: "x",
                fields: [],
                actions: [{ name: "t", type: "lead.changetags", properties: { add_tags: add, remove_tags: [] } }],
            }) as unknown as JsonObject;
        expect(await status(client.create("forms", action(["doi-pending"])))).toEqual([400, "add_tags: This value is not valid."]);
        expect((await status(client.create("forms", { ...action([tag.id]), name: "y" })))[0]).toBe(201);
    });

    test("tag ids in a campaign event are refused (the real one would create a tag named '2')", async () => {
        const { fake, client } = await fresh();
        const form = fake.seed("forms", { name: "f", formType: "campaign", fields: [], actions: [] });
        const ev = {
            id: "new_1",
            name: "t",
            type: "lead.changetags",
            eventType: "action",
            properties: { add_tags: [2], remove_tags: [] },
            triggerMode: "immediate",
            children: [],
            parent: null,
            decisionPath: null,
        };
        const [code, detail] = await status(client.create("campaigns", { name: "c", forms: [{ id: form.id }], events: [ev] }));
        expect(code).toBe(400);
        expect(detail).toContain("tag names");
    });

    test("a checkboxgrp without syncList is stored but renders no checkbox; with syncList 0 it renders", async () => {
        const { fake, client } = await fresh();
        const bare = await client.create("forms", { name: "bare", isPublished: true, fields: [box(list)] });
        const synced = await client.create("forms", { name: "synced", isPublished: true, fields: [box({ syncList: 0, ...list })] });
        const page = async (id: number) => (await fetch(`${fake.baseUrl}/form/${id}`)).text();
        expect(await page(bare.id)).not.toContain('type="checkbox"');
        expect(await page(synced.id)).toMatch(/<input type="checkbox" name="mauticform\[consent\]\[\]"[^>]*value="consent-v1">/);
        expect(renderPublicForm({ id: 1, alias: "x", fields: [box(list)] } as never)).not.toContain('checkbox" name');
    });

    test("form aliases are the name cut to 10 characters: two 'DOI sign-up ...' forms collide; the kit's names do not", async () => {
        const { client } = await fresh();
        const a = await client.create("forms", { name: "DOI sign-up form (de)" });
        const b = await client.create("forms", { name: "DOI sign-up form (en)" });
        expect([a.alias, b.alias]).toEqual(["doi_sign_u", "doi_sign_u"]);
        expect((await client.create("forms", { name: doiNames.form("de") })).alias).toBe("doi_de_sig");
        expect((await client.create("forms", { name: doiNames.form("en") })).alias).toBe("doi_en_sig");
    });

    test("contact fields: 'isUniqueIdentifier' and 'description' are refused (the real one drops them silently); isUniqueIdentifer passes", async () => {
        const { client } = await fresh();
        const base = { label: "Consent date", alias: "consent_date", type: "datetime", object: "lead" };
        expect((await status(client.create("fields/contact", { ...base, isUniqueIdentifier: false })))[1]).toContain('"isUniqueIdentifier"');
        expect((await status(client.create("fields/contact", { ...base, description: "x" })))[1]).toContain('"description"');
        expect((await status(client.create("fields/contact", { ...base, isUniqueIdentifer: false })))[0]).toBe(201);
    });
});

describe("the kit's payloads on every line", () => {
    test.each(["5.2", "6.0", "7.2"] as const)("%s: provisioning succeeds, a second run makes 0 POSTs, no form, page or campaign", async (line) => {
        const { fake, client } = await fresh({ line });
        const bp = doiBlueprint({
            mauticUrl: "https://marketing.client-a.de",
            website: "https://www.client-a.de",
            unconfirmedContactDays: 3,
            mauticLine: line,
        });
        const r = await ensureDoiSetup(client, bp);
        expect(r.created).toHaveLength(bp.objects.length);
        const posts = fake.posts().length;
        await ensureDoiSetup(client, bp);
        expect(fake.posts().length).toBe(posts);
        expect(fake.store.get("emails")!.get(r.ids[doiKeys.email("de")])!.emailType).toBe("template");
        for (const res of ["forms", "pages", "campaigns"] as const) expect(fake.all(res)).toEqual([]);
    });
});
