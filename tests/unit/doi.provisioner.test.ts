import * as http from "http";
import type { AddressInfo } from "net";
import { MauticApiError, MauticClient, isMauticApiError } from "../../components/mautic/mauticApi";
import { ensureDoiSetup, resolveRefs } from "../../components/doi/doiProvisioner";
import { DoiBlueprintInput, doiBlueprint, doiConfirmToken, doiKeys, doiNames } from "../../components/doi/doiBlueprint";
import { FakeMauticApi } from "../support/fakeMauticApi";

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

/** Every marketer's e-mail carries Mautic's unsubscribe token (unsubscribe and profiling-withdrawal links). */
const footer = "<p>{unsubscribe_text}</p>";

describe("an e-mail without {unsubscribe_text} (no one-click withdrawal) is drift (issue 20 item 5)", () => {
    test("a marketer's e-mail without the token is reported with its fix; one with it and the kit's DOI e-mails are not", async () => {
        const { fake, client } = await freshFake();
        await ensureDoiSetup(client, blueprint);
        fake.seed("emails", { name: "Newsletter July", subject: "News", emailType: "list", customHtml: "<p>no footer</p>", lists: [1] });
        fake.seed("emails", { name: "Newsletter August", subject: "News", emailType: "list", customHtml: `<p>ok</p>${footer}`, lists: [1] });
        const drift = (await ensureDoiSetup(client, blueprint)).drift.filter((d) => d.startsWith("emails "));
        expect(drift).toEqual([
            expect.stringMatching(
                /^emails 'Newsletter July' \(id \d+\) lacks \{unsubscribe_text\}: .*one-click withdrawal of the profiling consent.*Fix: put \{unsubscribe_text\}/,
            ),
        ]);
    });
});

describe("open tracking in any e-mail is drift (issue 19 item 6)", () => {
    test.each([
        ["the {tracking_pixel} token", '<p>Hi</p><img src="{tracking_pixel}" alt="">', /carries the \{tracking_pixel\} token/],
        ["a raw mtracking.gif", '<img src="https://marketing.client-a.de/mtracking.gif?x=1">', /carries mtracking\.gif/],
        [
            "an /email/<hash>.gif pixel copied from a sent mail",
            '<img src="https://marketing.client-a.de/email/5f3a9c.gif">',
            /carries an \/email\/<hash>\.gif open pixel/,
        ],
    ])("a marketer's e-mail with %s is reported with its fix; a clean one is not", async (_what, html, re) => {
        const { fake, client } = await freshFake();
        await ensureDoiSetup(client, blueprint);
        fake.seed("emails", { name: "Newsletter March", subject: "News", emailType: "list", customHtml: `${html}${footer}`, lists: [1] });
        fake.seed("emails", { name: "Newsletter April", subject: "News", emailType: "list", customHtml: `<p>clean</p>${footer}`, lists: [1] });
        const drift = (await ensureDoiSetup(client, blueprint)).drift.filter((d) => d.startsWith("emails 'Newsletter"));
        expect(drift).toEqual([expect.stringMatching(re)]);
        expect(drift[0]).toMatch(/^emails 'Newsletter March' \(id \d+\) carries .*opens would be measured.*Fix: remove it/);
    });

    test("the kit's own DOI e-mails carry no open tracking", async () => {
        const { client } = await freshFake();
        const r = await ensureDoiSetup(client, blueprint);
        expect(r.drift.filter((d) => d.startsWith("emails "))).toEqual([]);
    });
});

describe("third-country fonts and stylesheets in any e-mail are drift (issue 20 item 1)", () => {
    test.each([
        [
            "Google Fonts as Mautic's neopolitan e-mail theme links them",
            '<head><link href="https://fonts.googleapis.com/css?family=Open+Sans" rel="stylesheet"></head>',
            /loads Google Fonts \(fonts\.googleapis\.com \/ fonts\.gstatic\.com\)/,
        ],
        ["a font file @import-ed from fonts.gstatic.com", "<style>@font-face{src:url(//fonts.gstatic.com/s/x.woff2)}</style>", /loads Google Fonts/],
        [
            "the bootstrapcdn stylesheet of Mautic's message pages",
            '<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/3.3.7/css/bootstrap.min.css">',
            /loads a bootstrapcdn\.com stylesheet/,
        ],
    ])("a marketer's e-mail with %s is reported with its fix; a clean one is not", async (_what, html, re) => {
        const { fake, client } = await freshFake();
        await ensureDoiSetup(client, blueprint);
        fake.seed("emails", { name: "Newsletter May", subject: "News", emailType: "list", customHtml: `${html}${footer}`, lists: [1] });
        fake.seed("emails", {
            name: "Newsletter June",
            subject: "News",
            emailType: "list",
            customHtml: `<p>Text with a link to <a href="https://fonts.example.org/">fonts.example.org</a></p>${footer}`,
            lists: [1],
        });
        const drift = (await ensureDoiSetup(client, blueprint)).drift.filter((d) => d.startsWith("emails 'Newsletter"));
        expect(drift).toEqual([expect.stringMatching(re)]);
        expect(drift[0]).toMatch(
            /^emails 'Newsletter May' \(id \d+\) loads .* in every recipient's mail client: a transfer to a third country .*Fix: remove the <link>\/@import/,
        );
    });

    test("the kit's own DOI e-mails load nothing from a CDN", async () => {
        const { client } = await freshFake();
        const r = await ensureDoiSetup(client, blueprint);
        expect(r.drift.filter((d) => / loads /.test(d))).toEqual([]);
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
        await expect(client.list("tags")).rejects.toThrow(
            new RegExp(`GET /api/tags\\?start=0&limit=100 failed: could not reach http://127.0.0.1:${port}/api \\(ECONNREFUSED\\)`),
        );
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
        expect(await call("POST", "/api/tags/new", { tag: "x" })).toEqual({
            status: 201,
            body: { tag: expect.objectContaining({ id: expect.any(Number), tag: "x" }) },
        });
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
        ["unknown endpoint", "GET", "/api/assets", undefined, {}, 404],
        ["not JSON", "POST", "/api/tags/new", "tag=y", { "Content-Type": "application/x-www-form-urlencoded" }, 415],
        ["missing required key", "POST", "/api/emails/new", { name: "no subject" }, {}, 400],
        ["unknown key", "POST", "/api/tags/new", { tag: "z", colour: "red" }, {}, 400],
        ["duplicate natural key", "POST", "/api/tags/new", { tag: "X" }, {}, 409],
        ["unknown query parameter", "GET", "/api/tags?where=1", undefined, {}, 400],
        ["form field of an undocumented type", "POST", "/api/forms/new", { name: "f", fields: [{ label: "a", type: "checkbox" }] }, {}, 400],
        [
            "email action without an existing email",
            "POST",
            "/api/forms/new",
            { name: "g", actions: [{ type: "email.send.lead", properties: { email: 999 } }] },
            {},
            400,
        ],
        [
            "an event after lead.deletecontact",
            "POST",
            "/api/campaigns/new",
            {
                name: "c",
                events: [
                    {
                        id: "new_1",
                        name: "del",
                        type: "lead.deletecontact",
                        eventType: "action",
                        properties: {},
                        triggerMode: "immediate",
                        children: ["new_2"],
                        parent: null,
                        decisionPath: null,
                    },
                    {
                        id: "new_2",
                        name: "after",
                        type: "lead.changetags",
                        eventType: "action",
                        properties: { add_tags: [], remove_tags: [] },
                        triggerMode: "immediate",
                        children: [],
                        parent: "new_1",
                        decisionPath: null,
                    },
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

    describe("campaigns: the shapes the DOI campaign uses, and nothing else", () => {
        const ids: Record<string, number> = {};
        const ev = (
            id: string,
            type: string,
            eventType: string,
            properties: Obj,
            parent: string | null,
            decisionPath: string | null,
            children: string[],
            extra: Obj = {},
        ) => ({
            id,
            name: id,
            type,
            eventType,
            properties,
            triggerMode: "immediate",
            triggerInterval: 0,
            triggerIntervalUnit: "d",
            children,
            parent,
            decisionPath,
            ...extra,
        });
        /** A valid DOI-shaped campaign; each case breaks one thing. */
        const good = (patch: (c: Obj & { events: Obj[] }) => void = () => undefined) => {
            const c = {
                name: `c${Math.random()}`,
                isPublished: true,
                forms: [{ id: ids.campaignForm }],
                lists: [],
                events: [
                    ev("new_1", "email.send", "action", { email: ids.template, email_type: "transactional", priority: 2, attempts: 3 }, null, null, ["new_2"]),
                    ev("new_2", "email.click", "decision", { urls: { list: ["/doi-bestaetigung"] } }, "new_1", null, ["new_3", "new_4", "new_5"]),
                    ev("new_3", "lead.changetags", "action", { add_tags: ["doi-confirmed"], remove_tags: ["doi-pending"] }, "new_2", "yes", []),
                    ev("new_4", "lead.updatelead", "action", { lastname: "now" }, "new_2", "yes", []),
                    ev("new_5", "lead.deletecontact", "action", {}, "new_2", "no", [], { triggerMode: "interval", triggerInterval: 3 }),
                ],
            };
            patch(c);
            return c;
        };
        beforeAll(async () => {
            ids.template = ((await call("POST", "/api/emails/new", { name: "t", subject: "s", emailType: "template" })).body.email as Obj).id as number;
            const seg = ((await call("POST", "/api/segments/new", { name: "seg" })).body.list as Obj).id as number;
            ids.segmentEmail = ((await call("POST", "/api/emails/new", { name: "b", subject: "s", emailType: "list", lists: [seg] })).body.email as Obj)
                .id as number;
            ids.campaignForm = ((await call("POST", "/api/forms/new", { name: "cf", formType: "campaign" })).body.form as Obj).id as number;
            ids.standaloneForm = ((await call("POST", "/api/forms/new", { name: "sf", formType: "standalone" })).body.form as Obj).id as number;
        });

        test("the DOI shape is accepted", async () => {
            expect((await call("POST", "/api/campaigns/new", good())).status).toBe(201);
        });

        test.each([
            [
                "no source",
                (c: Obj) => {
                    c.forms = [];
                },
                /needs a contact source/,
            ],
            [
                "no events",
                (c: Obj) => {
                    c.events = [];
                },
                /at least one event/,
            ],
            [
                "a standalone form as the source",
                (c: Obj) => {
                    c.forms = [{ id: ids.standaloneForm }];
                },
                /standalone form/,
            ],
            [
                "a form that does not exist",
                (c: Obj) => {
                    c.forms = [{ id: 999 }];
                },
                /existing form id/,
            ],
            [
                "a segment email sent by a campaign",
                (c: Obj & { events: Obj[] }) => {
                    (c.events[0].properties as Obj).email = ids.segmentEmail;
                },
                /template emails only/,
            ],
            [
                "an unknown email_type",
                (c: Obj & { events: Obj[] }) => {
                    (c.events[0].properties as Obj).email_type = "newsletter";
                },
                /email_type/,
            ],
            [
                "an unknown email.send property",
                (c: Obj & { events: Obj[] }) => {
                    (c.events[0].properties as Obj).template = 1;
                },
                /has no property template/,
            ],
            [
                "a click decision with a bare URL list",
                (c: Obj & { events: Obj[] }) => {
                    c.events[1].properties = { urls: ["/doi-bestaetigung"] };
                },
                /urls = \{list/,
            ],
            [
                "a click decision that does not follow a send",
                (c: Obj & { events: Obj[] }) => {
                    c.events = [
                        ev("new_1", "lead.changetags", "action", { add_tags: ["x"], remove_tags: [] }, null, null, ["new_2"]),
                        ev("new_2", "email.click", "decision", {}, "new_1", null, []),
                    ];
                },
                /must follow an email.send/,
            ],
            [
                "a decision child without a path",
                (c: Obj & { events: Obj[] }) => {
                    c.events[2].decisionPath = null;
                },
                /decisionPath yes or no/,
            ],
            [
                "properties on lead.deletecontact",
                (c: Obj & { events: Obj[] }) => {
                    c.events[4].properties = { now: true };
                },
                /has no property now/,
            ],
            [
                "a condition on an unknown field",
                (c: Obj & { events: Obj[] }) => {
                    c.events = [ev("new_1", "lead.field_value", "condition", { field: "nope", operator: "=", value: "de" }, null, null, [])];
                },
                /existing contact field/,
            ],
            [
                "a condition with an unknown operator",
                (c: Obj & { events: Obj[] }) => {
                    c.events = [ev("new_1", "lead.field_value", "condition", { field: "email", operator: "equals", value: "de" }, null, null, [])];
                },
                /unknown operator/,
            ],
            [
                "an event after lead.deletecontact",
                (c: Obj & { events: Obj[] }) => {
                    c.events = [
                        ev("new_1", "lead.deletecontact", "action", {}, null, null, ["new_2"]),
                        ev("new_2", "lead.changetags", "action", { add_tags: [], remove_tags: [] }, "new_1", null, []),
                    ];
                },
                /lead.deletecontact must be the last event|nothing may follow lead.deletecontact/,
            ],
            [
                "a canvas whose root hangs off a segment node although the source is a form",
                (c: Obj & { events: Obj[] }) => {
                    c.canvasSettings = {
                        nodes: [{ id: "lists" }, ...c.events.map((e) => ({ id: e.id }))],
                        connections: c.events.map((e) => ({
                            sourceId: e.parent ?? "lists",
                            targetId: e.id,
                            anchors: { source: e.decisionPath ?? (e.parent ? "bottom" : "leadsource"), target: "top" },
                        })),
                    };
                },
                /canvas has no node for the form source/,
            ],
        ])("refuses %s", async (_name, patch, message) => {
            const r = await call("POST", "/api/campaigns/new", good(patch as (c: Obj & { events: Obj[] }) => void));
            expect(r.status).toBe(400);
            expect((r.body.errors as Obj[])[0].message as string).toMatch(message);
        });
    });
});
