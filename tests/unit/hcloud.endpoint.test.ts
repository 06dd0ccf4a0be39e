/**
 * The kit's own calls to Hetzner's Cloud API (the version label, the prices for serverType auto)
 * go where the hcloud provider's go: `hcloud:endpoint`, else HCLOUD_ENDPOINT, else Hetzner's
 * public API (hetznercloud/terraform-provider-hcloud plugin_provider.go Configure;
 * docs/guide/deploy.md). Checked against a loopback fake of the API.
 */
import * as pulumi from "@pulumi/pulumi";
import { hcloudDefaultEndpoint, hcloudEndpoint, hcloudToken } from "../../components/host/hcloudApi";
import { serverLabelProvider } from "../../components/host/serverLabel";
import { defaultPriceSource, setPriceSource } from "../../components/host/serverTypeChoice";
import { unwrap } from "../../plan/mockRuntime";
import { runPlan } from "../../plan/runPlan";
import { FakeHcloudApi } from "../support/fakeHcloudApi";
import { testStack } from "../support/stacks";

const price = (net: string) => ({ net, gross: net });
const pricing = {
    pricing: {
        currency: "EUR",
        server_backup: { percentage: "20.0000000000" },
        volume: { price_per_gb_month: price("0.0572") },
        primary_ips: [{ type: "ipv4", prices: [{ location: "nbg1", price_monthly: price("0.5000") }] }],
        server_types: [{ id: 1, name: "cx23", prices: [{ location: "nbg1", price_monthly: price("5.4900") }] }],
    },
};

let api: FakeHcloudApi;
const savedEnv = { endpoint: process.env.HCLOUD_ENDPOINT, token: process.env.HCLOUD_TOKEN };
beforeAll(async () => {
    api = await new FakeHcloudApi({ token: "tok-loopback", pricing }).start();
});
afterAll(async () => {
    await api.stop();
});
afterEach(() => {
    for (const [k, v] of [["HCLOUD_ENDPOINT", savedEnv.endpoint], ["HCLOUD_TOKEN", savedEnv.token]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
    api.requests.length = 0;
});

test("precedence as the hcloud provider: configured, then HCLOUD_ENDPOINT / HCLOUD_TOKEN, then Hetzner's API", () => {
    expect(hcloudEndpoint(undefined, {})).toBe(hcloudDefaultEndpoint);
    expect(hcloudEndpoint("", { HCLOUD_ENDPOINT: "http://env.example/v1/" })).toBe("http://env.example/v1");
    expect(hcloudEndpoint("http://config.example/v1", { HCLOUD_ENDPOINT: "http://env.example/v1" })).toBe("http://config.example/v1");
    expect(hcloudToken(undefined, {})).toBeUndefined();
    expect(hcloudToken("", { HCLOUD_TOKEN: "env" })).toBe("env");
    expect(hcloudToken("config", { HCLOUD_TOKEN: "env" })).toBe("config");
});

describe("the version label (ServerLabel)", () => {
    const inputs = (endpoint: string | undefined) => ({ serverId: 7, key: "mautic-version", value: "7.2.1", token: "tok-loopback", ...(endpoint === undefined ? {} : { endpoint }) });

    test("goes to the configured endpoint (hcloud:endpoint), keeping the other labels", async () => {
        api.servers.set(7, { id: 7, name: "s", labels: { "managed-by": "mautic-gdpr-kit", "mautic-version": "6.0.6" } });
        process.env.HCLOUD_ENDPOINT = "http://127.0.0.1:9/v1"; // the configured endpoint wins over the env
        const out = await serverLabelProvider.update!("7/mautic-version", {}, inputs(api.endpoint));
        expect(out.outs).toEqual({ serverId: 7, key: "mautic-version", value: "7.2.1" });
        expect(api.requests.map((r) => `${r.method} ${r.path} ${r.auth}`)).toEqual(["GET /v1/servers/7 Bearer tok-loopback", "PUT /v1/servers/7 Bearer tok-loopback"]);
        expect(api.servers.get(7)!.labels).toEqual({ "managed-by": "mautic-gdpr-kit", "mautic-version": "7.2.1" });
    });

    test("without hcloud:endpoint, HCLOUD_ENDPOINT (an earlier state without the input too)", async () => {
        api.servers.set(7, { id: 7, name: "s", labels: {} });
        process.env.HCLOUD_ENDPOINT = api.endpoint;
        await serverLabelProvider.create!(inputs(""));
        await serverLabelProvider.create!(inputs(undefined));
        expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1/servers/7", "PUT /v1/servers/7", "GET /v1/servers/7", "PUT /v1/servers/7"]);
    });

    test("the program passes the stack's hcloud:endpoint to it; unset: empty (decided where the provider runs)", async () => {
        const withEndpoint = testStack({});
        withEndpoint.config["hcloud:endpoint"] = api.endpoint;
        const label = (await runPlan(withEndpoint)).cloud.one("pulumi-nodejs:dynamic/mautic-kit-server-label:Resource");
        expect(unwrap(label.inputs.endpoint)).toBe(api.endpoint);
        const plain = (await runPlan(testStack({}))).cloud.one("pulumi-nodejs:dynamic/mautic-kit-server-label:Resource");
        expect(unwrap(plain.inputs.endpoint)).toBe("");
    });
});

describe("the prices for serverType auto", () => {
    afterEach(() => setPriceSource(undefined));
    test("are read from hcloud:endpoint with hcloud:token", async () => {
        setPriceSource(undefined);
        pulumi.runtime.setAllConfig({ "hcloud:endpoint": api.endpoint, "hcloud:token": "tok-loopback" });
        const list = await defaultPriceSource()("nbg1");
        expect(list.serverMonthly).toEqual({ cx23: 5.49 });
        expect(api.requests.map((r) => `${r.method} ${r.path} ${r.auth}`)).toEqual(["GET /v1/pricing Bearer tok-loopback"]);
    });
    test("from HCLOUD_ENDPOINT / HCLOUD_TOKEN when the stack sets neither", async () => {
        setPriceSource(undefined);
        pulumi.runtime.setAllConfig({});
        process.env.HCLOUD_ENDPOINT = api.endpoint;
        process.env.HCLOUD_TOKEN = "tok-loopback";
        expect((await defaultPriceSource()("nbg1")).serverMonthly).toEqual({ cx23: 5.49 });
        expect(api.requests).toHaveLength(1);
    });
});
