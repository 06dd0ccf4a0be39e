/**
 * serverType auto: the cheapest type with >= 4 GB RAM that Hetzner lists as available in the
 * location, by GET /v1/pricing (here a fake answer in the API's shape), chosen once and recorded.
 */
import { autoCandidates, cheapestAvailable, hetznerPriceSource, priceListFromApi, PriceSource, siteCost } from "../../components/host/serverTypeChoice";
import { renderSummary } from "../../plan/plan";
import { bundledPriceList } from "../../plan/prices";
import { runPlan } from "../../plan/runPlan";
import { testStack } from "../support/stacks";

/** A GET /v1/pricing answer in the API's shape (docs.hetzner.cloud, "Pricing"), prices made up. */
const price = (net: string) => ({ net, gross: (Number(net) * 1.19).toFixed(4) });
const pricingAnswer = {
    pricing: {
        currency: "EUR",
        vat_rate: "19.00",
        server_backup: { percentage: "20.0000000000" },
        volume: { price_per_gb_month: price("0.0572") },
        primary_ips: [
            {
                type: "ipv4",
                prices: [
                    { location: "fsn1", price_hourly: price("0.0008"), price_monthly: price("0.5000") },
                    { location: "nbg1", price_hourly: price("0.0008"), price_monthly: price("0.5000") },
                ],
            },
        ],
        server_types: [
            {
                id: 1,
                name: "cx23",
                prices: [
                    { location: "nbg1", price_hourly: price("0.0088"), price_monthly: price("5.4900") },
                    { location: "fsn1", price_hourly: price("0.0088"), price_monthly: price("5.4900") },
                ],
            },
            { id: 2, name: "cpx22", prices: [{ location: "nbg1", price_hourly: price("0.0312"), price_monthly: price("19.4900") }] },
            { id: 3, name: "cx33", prices: [{ location: "nbg1", price_hourly: price("0.0136"), price_monthly: price("8.4900") }] },
            { id: 4, name: "cax11", prices: [{ location: "nbg1", price_hourly: price("0.0040"), price_monthly: price("2.4900") }] },
        ],
    },
};
const fakePrices: PriceSource = async (location) => priceListFromApi(pricingAnswer, location, "2026-12-03T12:00:00Z");

/** getServerType as the provider answers: available everywhere except the types listed. */
const availability = (soldOut: string[]) => ({
    "hcloud:index/getServerType:getServerType": (i: Record<string, unknown>) => ({
        name: i.name,
        isDeprecated: false,
        locations: ["fsn1", "nbg1"].map((name) => ({ name, available: !soldOut.includes(String(i.name)), isDeprecated: false })),
    }),
});

describe("prices from GET /v1/pricing", () => {
    test("the answer is read per location, net", () => {
        const p = priceListFromApi(pricingAnswer, "nbg1", "t");
        expect(p.serverMonthly).toEqual({ cx23: 5.49, cpx22: 19.49, cx33: 8.49, cax11: 2.49 });
        expect(p).toMatchObject({ volumePerGbMonth: 0.0572, primaryIpv4Month: 0.5, backupShareOfServer: 0.2 });
        expect(priceListFromApi(pricingAnswer, "fsn1", "t").serverMonthly).toEqual({ cx23: 5.49 });
        expect(() => priceListFromApi({ error: { code: "unauthorized" } }, "nbg1", "t")).toThrow(/no pricing\.server_types/);
    });

    test("asks Hetzner's API with the stack's token", async () => {
        const calls: Array<{ url: string; auth: string }> = [];
        const fakeFetch = (async (url: string, init: { headers: Record<string, string> }) => {
            calls.push({ url, auth: init.headers.Authorization });
            return { ok: true, status: 200, json: async () => pricingAnswer };
        }) as unknown as typeof fetch;
        const list = await hetznerPriceSource("tok-123", fakeFetch)("nbg1");
        expect(calls).toEqual([{ url: "https://api.hetzner.cloud/v1/pricing", auth: "Bearer tok-123" }]);
        expect(list.serverMonthly.cx23).toBe(5.49);
        const denied = (async () => ({ ok: false, status: 401, json: async () => ({}) })) as unknown as typeof fetch;
        await expect(hetznerPriceSource("bad", denied)("nbg1")).rejects.toThrow(/HTTP 401/);
    });

    test("the cheapest available candidate wins; Arm and < 4 GB types are no candidates", () => {
        const p = priceListFromApi(pricingAnswer, "nbg1", "t");
        expect(autoCandidates).not.toContain("cax11");
        expect(autoCandidates).toContain("cx23");
        expect(
            cheapestAvailable(
                [
                    { name: "cx23", available: true },
                    { name: "cx33", available: true },
                ],
                p,
            ),
        ).toBe("cx23");
        expect(
            cheapestAvailable(
                [
                    { name: "cx23", available: false },
                    { name: "cpx22", available: true },
                    { name: "cx33", available: true },
                ],
                p,
            ),
        ).toBe("cx33");
        expect(cheapestAvailable([{ name: "ccx13", available: true }], p)).toBeUndefined(); // no price, no choice
    });

    test("monthly cost per site: server, 20 % backups, volume, IPv4, off-site", () => {
        const p = priceListFromApi(pricingAnswer, "nbg1", "t");
        expect(siteCost(p, "cx33", { backups: true, volumeSizeGb: 20, offsite: true })).toEqual({
            server: 8.49,
            backups: 1.7,
            volume: 1.14,
            ipv4: 0.5,
            offsite: 3.2,
            total: 15.03,
        });
        expect(siteCost(p, "cx33", { backups: false, volumeSizeGb: 10, offsite: false })).toMatchObject({ backups: 0, offsite: 0, total: 9.56 });
    });
});

describe("under mocks", () => {
    test("a new site gets the cheapest type available in its location, recorded as label and output", async () => {
        const p = await runPlan(testStack({ location: "nbg1" }), { prices: fakePrices, calls: availability(["cx23"]) });
        const server = p.cloud.one("hcloud:index/server:Server");
        expect(server.inputs.serverType).toBe("cx33"); // cx23 sold out; cax11 is Arm
        expect((server.inputs.labels as Record<string, string>)["server-type-choice"]).toBe("auto");
        expect(p.exports.serverType).toMatchObject({
            serverType: "cx33",
            chosenBy: "auto",
            prices: { source: "Hetzner API GET /v1/pricing" },
            monthlyCost: { server: 8.49 },
        });
        const asked = p.cloud.invokes.filter((i) => i.token === "hcloud:index/getServerType:getServerType").map((i) => i.inputs.name);
        expect(asked.sort()).toEqual([...autoCandidates].sort());
    });

    test("a running server keeps its type, whatever the prices say now", async () => {
        const p = await runPlan(testStack({ location: "nbg1" }), {
            prices: fakePrices,
            existingServers: [
                {
                    id: 3,
                    name: "x",
                    serverType: "cx43",
                    labels: {
                        "managed-by": "mautic-gdpr-kit",
                        project: "mautic-gdpr",
                        stack: "test",
                        site: "www.client-a.de",
                        "mautic-domain": "marketing.client-a.de",
                    },
                },
            ],
        });
        expect(p.cloud.one("hcloud:index/server:Server").inputs.serverType).toBe("cx43");
        expect(p.exports.serverType).toMatchObject({ serverType: "cx43", chosenBy: "running server" });
        expect(p.cloud.invokes.map((i) => i.token)).not.toContain("hcloud:index/getServerType:getServerType");
    });

    test("nothing orderable: stops before anything is created, with the fix", async () => {
        await expect(runPlan(testStack({ location: "nbg1" }), { prices: fakePrices, calls: availability(autoCandidates) })).rejects.toThrow(
            /serverType = auto: no server type with >= 4 GB RAM is available in nbg1 right now.*Fix: choose the other German location/,
        );
    });

    test("the offline plan chooses from the bundled, dated price list and shows the cost per site", async () => {
        const p = await runPlan(testStack({ backupOffsiteRepository: "sftp:u123@u123.your-storagebox.de:/mautic" }));
        const bundled = bundledPriceList();
        const cheapest = cheapestAvailable(
            autoCandidates.map((name) => ({ name, available: true })),
            bundled,
        )!;
        expect(p.exports.serverType).toMatchObject({ serverType: cheapest, chosenBy: "auto", prices: { date: bundled.date } });
        const summary = renderSummary(p, "out/test");
        expect(summary).toContain(`server type: ${cheapest} (serverType auto`);
        expect(summary).toMatch(
            /monthly cost per site \(EUR[^)]*\): server \d+\.\d\d \+ backups \d+\.\d\d \+ volume \d+\.\d\d \+ IPv4 0\.50 \+ off-site 3\.20 \(the repository.s Storage Box, if it is one \(bundled price\)\) = \d+\.\d\d/,
        );
    });

    test("an explicit type is kept and labelled as configured", async () => {
        const p = await runPlan(testStack({ serverType: "cx43" }), { prices: fakePrices });
        expect(p.exports.serverType).toMatchObject({ serverType: "cx43", chosenBy: "config" });
        expect((p.cloud.one("hcloud:index/server:Server").inputs.labels as Record<string, string>)["server-type-choice"]).toBe("config");
    });
});
