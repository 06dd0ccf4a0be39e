/**
 * `serverType: auto`: the cheapest Hetzner type that can be ordered in the site's location and
 * has at least 4 GB RAM, chosen when the server is first created. Availability comes from the
 * hcloud provider (`getServerType`: `locations[].available`); prices from Hetzner's
 * `GET /v1/pricing` with the stack's token (the provider exposes no prices), or, in the offline
 * plan, from a bundled and dated price list. A running server keeps its type: the choice is made
 * once, recorded on the server (label `server-type-choice`) and in the stack output `serverType`,
 * and never changes the server by itself when prices or availability change later.
 */
import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import { serverTypes } from "../config/defaults";
import { hcloudEndpoint, hcloudToken } from "./hcloudApi";

/** Monthly prices (net, EUR) in one location: what the choice and the cost summary need. */
export interface PriceList {
    /** Where the prices come from: "GET /v1/pricing" or the bundled list's source. */
    source: string;
    /** Date of the prices (ISO), or the time they were read from the API. */
    date: string;
    currency: string;
    /** Server type -> monthly price in the location. Types without a price are not candidates. */
    serverMonthly: Record<string, number>;
    volumePerGbMonth: number;
    primaryIpv4Month: number;
    /** Hetzner's backups cost this share of the server price (0.2). */
    backupShareOfServer: number;
    /** The smallest Storage Box, for the off-site copy (not in /v1/pricing: from the bundled list). */
    storageBoxMonth: number;
}

/** Returns the prices for a location; the program's default asks Hetzner's API. */
export type PriceSource = (location: string) => Promise<PriceList>;

/** Monthly cost of one site, per item (net, in the price list's currency). */
export interface SiteCost {
    server: number;
    backups: number;
    volume: number;
    ipv4: number;
    offsite: number;
    /** What the off-site amount is and where its price comes from (the API lists no Storage Boxes). */
    offsiteNote?: string;
    total: number;
}

/** The off-site target as the cost sees it: true/"storagebox"/"repository" = one Storage Box for this site. */
export type OffsiteCostKind = boolean | "storagebox" | "subaccount" | "repository" | "none";

export interface ServerTypeChoice {
    serverType: string;
    /** "auto" (cheapest available), "running server" (auto, kept), or "config" (set explicitly). */
    chosenBy: "auto" | "running server" | "config";
    prices?: { source: string; date: string; currency: string };
    monthlyCost?: SiteCost;
}

/** Only x86 types are candidates: the kit's pinned images are checked on amd64. */
export const autoCandidates = Object.entries(serverTypes)
    .filter(([, t]) => t.memoryGb >= 4 && t.arch === "x86")
    .map(([name]) => name);

/** Fallback Storage Box price when the API answer is used (it has none): bench/prices.json's. */
const storageBoxMonthFallback = 3.2;
/** The date of that price in bench/prices.json (tests/unit/serverType.auto.test.ts keeps both in step). */
export const bundledStorageBoxPriceDate = "2026-11-28";

const num = (v: unknown) => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`GET /v1/pricing: not a number: ${JSON.stringify(v)}`);
    return n;
};

/** The fields of Hetzner's `GET /v1/pricing` answer the kit reads (each checked when read). */
interface PricingAnswer {
    currency?: string;
    server_types?: Array<{ name?: unknown; prices?: LocationPrice[] }>;
    primary_ips?: Array<{ type?: string; prices?: LocationPrice[] }>;
    volume?: { price_per_gb_month?: { net?: unknown } };
    server_backup?: { percentage?: unknown };
}
interface LocationPrice {
    location?: string;
    price_monthly?: { net?: unknown };
}

/** The prices of one location from a `GET /v1/pricing` answer (net prices). */
export function priceListFromApi(answer: unknown, location: string, readAt: string): PriceList {
    const p = (answer as { pricing?: PricingAnswer })?.pricing;
    if (!p || !Array.isArray(p.server_types)) throw new Error("GET /v1/pricing: the answer has no pricing.server_types");
    const serverMonthly: Record<string, number> = {};
    for (const t of p.server_types) {
        const here = (t.prices ?? []).find((x) => x.location === location);
        if (here) serverMonthly[String(t.name)] = num(here.price_monthly?.net);
    }
    const ipv4 = (p.primary_ips ?? []).find((x) => x.type === "ipv4");
    const ipv4Here = (ipv4?.prices ?? []).find((x) => x.location === location);
    return {
        source: "Hetzner API GET /v1/pricing",
        date: readAt,
        currency: `${p.currency ?? "EUR"}, net`,
        serverMonthly,
        volumePerGbMonth: num(p.volume?.price_per_gb_month?.net),
        primaryIpv4Month: ipv4Here ? num(ipv4Here.price_monthly?.net) : 0,
        backupShareOfServer: num(p.server_backup?.percentage ?? 20) / 100,
        storageBoxMonth: storageBoxMonthFallback,
    };
}

/**
 * Asks Hetzner's API for the prices (token of the stack: `hcloud:token`, or HCLOUD_TOKEN; API at
 * `endpoint`, default as the hcloud provider: `hcloud:endpoint`, HCLOUD_ENDPOINT, Hetzner's).
 */
export function hetznerPriceSource(token: string, fetchImpl: typeof fetch = fetch, endpoint: string = hcloudEndpoint(undefined)): PriceSource {
    return async (location) => {
        const res = await fetchImpl(`${endpoint}/pricing`, { headers: { Authorization: `Bearer ${token}`, Accept: "application/json" } });
        if (!res.ok) throw new Error(`GET /v1/pricing answered HTTP ${res.status}`);
        return priceListFromApi(await res.json(), location, new Date().toISOString());
    };
}

let priceSourceOverride: PriceSource | undefined;

/** Replaces where prices come from (the offline plan and the tests: a bundled or fake list). */
export function setPriceSource(source: PriceSource | undefined): void {
    priceSourceOverride = source;
}

/** The price source `serverType: auto` uses: the override, else Hetzner's API as the hcloud provider reaches it. */
export function defaultPriceSource(): PriceSource {
    if (priceSourceOverride) return priceSourceOverride;
    const config = pulumi.runtime.allConfig();
    const token = hcloudToken(config["hcloud:token"]);
    if (!token) throw new pulumi.RunError("serverType = auto needs the Hetzner token to read prices. Fix: `pulumi config set --secret hcloud:token`, or set serverType (e.g. cx33).");
    return hetznerPriceSource(token, fetch, hcloudEndpoint(config["hcloud:endpoint"]));
}

export function siteCost(prices: PriceList, serverType: string, site: { backups: boolean; volumeSizeGb: number; offsite: OffsiteCostKind }): SiteCost | undefined {
    const server = prices.serverMonthly[serverType];
    if (server === undefined) return undefined;
    const round = (n: number) => Math.round(n * 100) / 100;
    const parts = {
        server: round(server),
        backups: round(site.backups ? server * prices.backupShareOfServer : 0),
        volume: round(site.volumeSizeGb * prices.volumePerGbMonth),
        ipv4: round(prices.primaryIpv4Month),
        offsite: round(site.offsite === true || site.offsite === "storagebox" || site.offsite === "repository" ? prices.storageBoxMonth : 0),
    };
    const offsiteNote =
        site.offsite === "storagebox"
            ? `Storage Box BX11, from the bundled price list bench/prices.json of ${bundledStorageBoxPriceDate}`
            : site.offsite === "subaccount"
              ? "a subaccount of the agency's Storage Box: 0 for this site, the box is billed once to the agency"
              : site.offsite === "repository"
                ? "the repository's Storage Box, if it is one (bundled price)"
                : undefined;
    return { ...parts, ...(offsiteNote ? { offsiteNote } : {}), total: round(parts.server + parts.backups + parts.volume + parts.ipv4 + parts.offsite) };
}

/** The cheapest candidate that is available in the location and has a price; ties by name. */
export function cheapestAvailable(candidates: Array<{ name: string; available: boolean }>, prices: PriceList): string | undefined {
    return candidates
        .filter((c) => c.available && prices.serverMonthly[c.name] !== undefined)
        .sort((a, b) => prices.serverMonthly[a.name] - prices.serverMonthly[b.name] || a.name.localeCompare(b.name))[0]?.name;
}

/**
 * Resolves the site's server type. `running` is the type of this stack's existing server, if
 * any: with `auto` it is kept. Throws a RunError naming the fix when nothing can be ordered.
 */
export async function chooseServerType(
    site: { serverType: string; location: string; backups: boolean; volumeSizeGb: number; offsite: OffsiteCostKind },
    running: string | undefined,
    sourceArg?: PriceSource,
): Promise<ServerTypeChoice> {
    let source: PriceSource | undefined = sourceArg;
    try {
        source ??= defaultPriceSource();
    } catch (e) {
        if (site.serverType === "auto") throw e;
    }
    const prices = await (source ? source(site.location) : Promise.resolve(undefined)).catch((e) => {
        if (site.serverType !== "auto") return undefined; // the cost is informative; an explicit type needs no prices
        throw new pulumi.RunError(`serverType = auto: could not read prices (${(e as Error).message}). Fix: retry, or set serverType (e.g. cx33).`);
    });
    const cost = (type: string) => (prices ? siteCost(prices, type, site) : undefined);
    const meta = prices ? { source: prices.source, date: prices.date, currency: prices.currency } : undefined;
    if (site.serverType !== "auto") return { serverType: site.serverType, chosenBy: "config", prices: meta, monthlyCost: cost(site.serverType) };
    if (running) return { serverType: running, chosenBy: "running server", prices: meta, monthlyCost: cost(running) };
    const candidates = [];
    for (const name of autoCandidates) {
        const t = await hcloud.getServerType({ name });
        const here = (t.locations ?? []).find((l) => l.name === site.location);
        candidates.push({ name, available: !t.isDeprecated && !!here && here.available && !here.isDeprecated });
    }
    const pick = cheapestAvailable(candidates, prices!);
    if (!pick) {
        throw new pulumi.RunError(
            `serverType = auto: no server type with >= 4 GB RAM is available in ${site.location} right now (asked: ${autoCandidates.join(", ")}). ` +
                "Fix: choose the other German location (fsn1/nbg1), or set serverType to a type Hetzner lists as available.",
        );
    }
    return { serverType: pick, chosenBy: "auto", prices: meta, monthlyCost: cost(pick) };
}
