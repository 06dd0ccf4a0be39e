import * as http from "http";
import type { AddressInfo } from "net";
import { MauticApiError, MauticClient, isMauticApiError } from "../components/mauticApi";
import { ensureDoiSetup, resolveRefs } from "../components/doiProvisioner";
import { DoiBlueprintInput, deleteCampaignRootEventName, doiBlueprint, doiKeys } from "../components/render/doiBlueprint";
import { FakeMauticApi } from "./support/fakeMauticApi";

const user = "admin";
const password = "Corr3ct-Horse-Battery";
const input: DoiBlueprintInput = { mauticUrl: "https://marketing.client-a.de", website: "https://www.client-a.de", unconfirmedContactDays: 3 };
const blueprint = doiBlueprint(input);

type Obj = Record<string, unknown>;
const fakes: FakeMauticApi[] = [];
async function freshFake(opts: { maxPageSize?: number } = {}): Promise<{ fake: FakeMauticApi; client: MauticClient }> {
    const fake = new FakeMauticApi({ username: user, password, ...opts });
    fakes.push(fake);
    const baseUrl = await fake.start();
    return { fake, client: new MauticClient({ baseUrl, username: user, password, timeoutMs: 5000 }) };
}
afterAll(async () => {
    await Promise.all(fakes.map((f) => f.stop()));
});

describe("ensureDoiSetup against the fake Mautic API", () => {
    let fake: FakeMauticApi;
    let client: MauticClient;
    let first: Awaited<ReturnType<typeof ensureDoiSetup>>;

    beforeAll(async () => {
        ({ fake, client } = await freshFake());
        first = await ensureDoiSetup(client, blueprint);
    });

    test("the first run creates every object, once, through POST /api/<resource>/new", () => {
        expect(first.created).toEqual(blueprint.objects.map((o) => o.key));
        expect(first.existing).toEqual([]);
        expect(first.drift).toEqual([]);
        const posts = fake.posts();
        expect(posts.map((p) => p.path)).toEqual(blueprint.objects.map((o) => `/api/${o.resource}/new`));
        expect(posts.every((p) => p.status === 201)).toBe(true);
        for (const o of blueprint.objects) expect(Number.isInteger(first.ids[o.key])).toBe(true);
    });

    test("a second run creates nothing (0 POSTs) and returns the same ids", async () => {
        const before = fake.requests.length;
        const second = await ensureDoiSetup(client, blueprint);
        const during = fake.requests.slice(before);
        expect(during.filter((r) => r.method !== "GET")).toEqual([]);
        expect(second.created).toEqual([]);
        expect(second.existing).toEqual(blueprint.objects.map((o) => o.key));
        expect(second.ids).toEqual(first.ids);
        expect(second.drift).toEqual([]);
    });

    test("the stored deletion campaign deletes after the configured delay, as its last event", () => {
        const campaign = fake.all("campaigns").find((c) => c.name === "DOI: delete unconfirmed contacts")!;
        expect(campaign.isPublished).toBe(true);
        expect(campaign.lists).toEqual([{ id: first.ids[doiKeys.segment("pending")] }]);
        const events = Object.values(campaign.events as Record<string, Obj>);
        const root = events.find((e) => e.parent === null)!;
        expect(root).toMatchObject({ name: deleteCampaignRootEventName, type: "lead.tags", triggerMode: "interval", triggerInterval: 3, triggerIntervalUnit: "d" });
        const del = events.find((e) => e.type === "lead.deletecontact")!;
        expect(del).toMatchObject({ eventType: "action", decisionPath: "no", children: [] });
        const pageConditions = events.filter((e) => e.type === "lead.pageHit").map((e) => (e.properties as Obj).page);
        expect(pageConditions.sort()).toEqual([first.ids[doiKeys.page("de")], first.ids[doiKeys.page("en")]].sort());
    });

    test("the stored forms have a required consent checkbox that is not pre-checked", () => {
        for (const lang of ["de", "en"] as const) {
            const form = fake.all("forms").find((f) => f.id === first.ids[doiKeys.form(lang)])!;
            expect(form.formType).toBe("standalone");
            const consent = (form.fields as Obj[]).find((f) => f.alias === "consent")!;
            expect(consent).toMatchObject({ type: "checkboxgrp", isRequired: true });
            expect(consent.defaultValue).toBeFalsy();
            expect(form.actions).toEqual([
                expect.objectContaining({ type: "lead.changetags" }),
                expect.objectContaining({ type: "email.send.lead", properties: { email: first.ids[doiKeys.email(lang)] } }),
            ]);
        }
    });

    test("references are resolved to the created ids", () => {
        const email = fake.all("emails").find((e) => e.id === first.ids[doiKeys.email("de")])!;
        expect(email.customHtml).toContain(`{pagelink=${first.ids[doiKeys.page("de")]}}`);
        const segment = fake.all("segments").find((s) => s.id === first.ids[doiKeys.segment("confirmed")])!;
        expect(((segment.filters as Obj[])[0].properties as Obj).filter).toEqual([first.ids[doiKeys.tag("confirmed")]]);
        expect(JSON.stringify(fake.all("campaigns"))).not.toContain("%%ref:");
    });

    test("a changed delay is reported as drift, not silently overwritten", async () => {
        const five = doiBlueprint({ ...input, unconfirmedContactDays: 5 });
        const before = fake.posts().length;
        const r = await ensureDoiSetup(client, five);
        expect(fake.posts().length).toBe(before);
        expect(r.created).toEqual([]);
        expect(r.drift).toEqual([expect.stringMatching(/days before unconfirmed contacts are deleted is 3, the configuration says 5\. Fix: .*set the delay .* to 5 days/)]);
    });

    test("a pre-ticked or optional consent checkbox and an old text version are reported as drift (C05)", async () => {
        const form = fake.all("forms").find((f) => f.id === first.ids[doiKeys.form("en")])!;
        const consent = (form.fields as Obj[]).find((f) => f.alias === "consent")!;
        consent.isRequired = false;
        consent.defaultValue = "consent-v1";
        try {
            const r = await ensureDoiSetup(client, doiBlueprint({ ...input, consentTextVersion: "v2" }));
            expect(r.created).toEqual([]);
            expect(r.drift).toEqual([
                expect.stringMatching(/DOI: sign-up form \(de\).*consent text version the form records is "v1", the configuration says "v2"/),
                expect.stringMatching(/DOI: sign-up form \(en\).*consent checkbox 'required' .* is false, the configuration says true/),
                expect.stringMatching(/DOI: sign-up form \(en\).*never pre-ticked\) is "consent-v1", the configuration says ""/),
                expect.stringMatching(/DOI: sign-up form \(en\).*consent text version the form records is "v1", the configuration says "v2"/),
            ]);
        } finally {
            consent.isRequired = true;
            consent.defaultValue = "";
        }
    });

    test("an unpublished deletion campaign is reported as drift (C06 not enforced)", async () => {
        const campaign = fake.all("campaigns").find((c) => c.name === "DOI: delete unconfirmed contacts")!;
        campaign.isPublished = false;
        try {
            const r = await ensureDoiSetup(client, blueprint);
            expect(r.drift).toEqual([expect.stringContaining("C06 is not enforced")]);
        } finally {
            campaign.isPublished = true;
        }
    });
});

describe("ensureDoiSetup with objects that already exist", () => {
    test("finds existing objects beyond the first page and creates only what is missing", async () => {
        const { fake, client } = await freshFake({ maxPageSize: 5 });
        for (let i = 0; i < 23; i++) fake.seed("emails", { name: `Newsletter ${i}`, subject: `Issue ${i}`, emailType: "list" });
        const existingEmail = fake.seed("emails", { name: "DOI: confirmation email (de)", subject: "edited by the marketer", emailType: "template" });
        const existingTag = fake.seed("tags", { tag: "doi-pending" });

        const r = await ensureDoiSetup(client, blueprint);
        expect(r.existing).toEqual(["tag:pending", "email:confirm:de"]);
        expect(r.created).toHaveLength(blueprint.objects.length - 2);
        expect(r.ids["email:confirm:de"]).toBe(existingEmail.id);
        // Dependants use the existing objects' ids; the marketer's email is untouched.
        const form = fake.all("forms").find((f) => f.id === r.ids["form:signup:de"])!;
        expect((form.actions as Obj[])[1].properties).toEqual({ email: existingEmail.id });
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

describe("errors", () => {
    test("a wrong password fails with a clear error that names the endpoint and status, not the secret", async () => {
        const { fake } = await freshFake();
        const wrong = "Wr0ng-Password-123";
        const client = new MauticClient({ baseUrl: fake.baseUrl, username: user, password: wrong });
        let err: unknown;
        try {
            await ensureDoiSetup(client, blueprint);
        } catch (e) {
            err = e;
        }
        expect(isMauticApiError(err)).toBe(true);
        const e = err as MauticApiError;
        expect(e.status).toBe(401);
        expect(e.message).toMatch(/^Mautic API GET \/api\/tags\?start=0&limit=100 failed: HTTP 401: API authorization denied\./);
        expect(e.message).toContain("api_enable_basic_auth");
        const token = Buffer.from(`${user}:${wrong}`).toString("base64");
        for (const secret of [wrong, token]) expect(`${e.message} ${e.detail} ${e.stack}`).not.toContain(secret);
        expect(fake.posts()).toEqual([]);
    });

    test("an unreachable Mautic fails naming the address", async () => {
        const srv = http.createServer();
        await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
        const { port } = srv.address() as AddressInfo;
        await new Promise<void>((r) => srv.close(() => r()));
        const client = new MauticClient({ baseUrl: `http://127.0.0.1:${port}`, username: user, password, timeoutMs: 2000 });
        await expect(client.list("tags")).rejects.toThrow(new RegExp(`GET /api/tags\\?start=0&limit=100 failed: could not reach http://127.0.0.1:${port}/api \\(ECONNREFUSED\\)`));
    });

    test("waitUntilReady retries while Mautic is starting, and stops at once on 401", async () => {
        let calls = 0;
        const srv = http.createServer((req, res) => {
            calls++;
            res.writeHead(calls < 3 ? 503 : 200, { "Content-Type": "application/json" });
            res.end(calls < 3 ? "<html>starting</html>" : JSON.stringify({ total: 0, tags: [] }));
        });
        await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
        try {
            const { port } = srv.address() as AddressInfo;
            const client = new MauticClient({ baseUrl: `http://127.0.0.1:${port}`, username: user, password });
            await client.waitUntilReady(5000, 10);
            expect(calls).toBe(3);
        } finally {
            await new Promise<void>((r) => srv.close(() => r()));
        }
        const { fake } = await freshFake();
        const bad = new MauticClient({ baseUrl: fake.baseUrl, username: user, password: "nope-nope" });
        const t0 = Date.now();
        await expect(bad.waitUntilReady(60000, 10)).rejects.toThrow(/HTTP 401/);
        expect(Date.now() - t0).toBeLessThan(2000);
    });

    test("the client refuses plain http except on loopback, and URLs with credentials", () => {
        expect(() => new MauticClient({ baseUrl: "http://marketing.client-a.de", username: user, password })).toThrow(/not https/);
        expect(() => new MauticClient({ baseUrl: "https://a:b@marketing.client-a.de", username: user, password })).toThrow(/credentials/);
        expect(() => new MauticClient({ baseUrl: "https://marketing.client-a.de", username: user, password: "" })).toThrow(/password is empty/);
    });

    test("references to objects without an id are refused", () => {
        expect(() => resolveRefs({ email: "%%ref:email:confirm:de%%" }, {}, "form x")).toThrow(/form x references email:confirm:de/);
        expect(resolveRefs({ a: "%%ref:k%%", b: "x{pagelink=%%ref:k%%}", c: ["%%ref:k%%"] }, { k: 7 }, "w")).toEqual({ a: 7, b: "x{pagelink=7}", c: [7] });
    });
});

describe("the fake follows the documented contract and fails on anything else", () => {
    let fake: FakeMauticApi;
    const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
        const res = await fetch(`${fake.baseUrl}${path}`, {
            method,
            headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`, "Content-Type": "application/json", ...headers },
            body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as Obj };
    };
    beforeAll(async () => {
        ({ fake } = await freshFake());
    });

    test("documented envelopes", async () => {
        expect(await call("POST", "/api/tags/new", { tag: "x" })).toEqual({ status: 201, body: { tag: expect.objectContaining({ id: expect.any(Number), tag: "x" }) } });
        expect((await call("GET", "/api/tags")).body).toEqual({ total: 1, tags: [expect.objectContaining({ tag: "x" })] });
        const fields = (await call("GET", "/api/fields/contact")).body;
        expect(fields.total).toBe(3);
        expect((fields.fields as Obj[]).map((f) => f.alias)).toEqual(["firstname", "lastname", "email"]);
        expect((await call("POST", "/api/segments/new", { name: "s" })).body).toEqual({ list: expect.objectContaining({ name: "s" }) });
        const lists = (await call("GET", "/api/segments")).body;
        expect(Object.values(lists.lists as Obj)).toEqual([expect.objectContaining({ name: "s" })]);
    });

    test.each([
        ["no credentials", "GET", "/api/tags", undefined, { Authorization: "" }, 401],
        ["wrong method on a list", "POST", "/api/tags", { tag: "y" }, {}, 405],
        ["edit (not used by the kit)", "PATCH", "/api/tags/1/edit", { tag: "y" }, {}, 404],
        ["delete (not used by the kit)", "DELETE", "/api/tags/1", undefined, {}, 405],
        ["unknown endpoint", "GET", "/api/contacts", undefined, {}, 404],
        ["not JSON", "POST", "/api/tags/new", "tag=y", { "Content-Type": "application/x-www-form-urlencoded" }, 415],
        ["missing required key", "POST", "/api/emails/new", { name: "no subject" }, {}, 400],
        ["unknown key", "POST", "/api/tags/new", { tag: "z", colour: "red" }, {}, 400],
        ["duplicate natural key", "POST", "/api/tags/new", { tag: "X" }, {}, 409],
        ["unknown query parameter", "GET", "/api/tags?where=1", undefined, {}, 400],
        ["form field of an undocumented type", "POST", "/api/forms/new", { name: "f", fields: [{ label: "a", type: "checkbox" }] }, {}, 400],
        ["email action without an existing email", "POST", "/api/forms/new", { name: "g", actions: [{ type: "email.send.lead", properties: { email: 999 } }] }, {}, 400],
        [
            "an event after lead.deletecontact",
            "POST",
            "/api/campaigns/new",
            {
                name: "c",
                events: [
                    { id: "new_1", name: "del", type: "lead.deletecontact", eventType: "action", properties: {}, triggerMode: "immediate", children: ["new_2"], parent: null, decisionPath: null },
                    { id: "new_2", name: "after", type: "lead.changetags", eventType: "action", properties: { add_tags: [], remove_tags: [] }, triggerMode: "immediate", children: [], parent: "new_1", decisionPath: null },
                ],
            },
            {},
            400,
        ],
    ])("%s", async (_name, method, path, body, headers, status) => {
        const r = await call(method as string, path as string, body, headers as Record<string, string>);
        expect(r.status).toBe(status);
        expect(r.body).toEqual({ errors: [expect.objectContaining({ code: status, message: expect.any(String) })] });
    });
});
