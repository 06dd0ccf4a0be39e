/**
 * The bundled, dated price list (bench/prices.json, source and date inside) as the offline plan
 * and the mocks use it instead of Hetzner's GET /v1/pricing: no network, no token.
 */
import * as fs from "fs";
import * as path from "path";
import { PriceList, PriceSource } from "../components/host/serverTypeChoice";

export const pricesFile = path.join(__dirname, "..", "bench", "prices.json");

export function bundledPriceList(): PriceList {
    const p = JSON.parse(fs.readFileSync(pricesFile, "utf8"));
    const serverMonthly = Object.fromEntries(Object.entries(p.serverHourly as Record<string, number>).map(([t, h]) => [t, h * p.hoursPerMonth]));
    return {
        source: "bundled price list bench/prices.json",
        date: p.date,
        currency: p.currency,
        serverMonthly,
        volumePerGbMonth: p.volumePerGbMonth,
        primaryIpv4Month: p.primaryIpv4Month,
        backupShareOfServer: p.backupShareOfServer,
        storageBoxMonth: p.storageBoxMonth,
    };
}

/** The same list for every location (the bundled list has no per-location prices). */
export const bundledPriceSource: PriceSource = async () => bundledPriceList();
