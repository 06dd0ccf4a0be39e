/**
 * The fake Mautic API (tests/support/fakeMauticApi.ts) follows the documented contract and fails
 * on anything else: the documented envelopes, the refused requests, and the campaign shapes the
 * DOI campaign uses (one broken thing per case). The rejections seen on a real Mautic:
 * doi.fake.test.ts.
 */
import { FakeMauticApi } from "../support/fakeMauticApi";
import { freshFake, Obj, password, stopFakes, user } from "../support/doi-fake-client";

afterAll(stopFakes);

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
