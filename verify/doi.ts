/**
 * The double opt-in objects through Mautic's API, read only: the provisioner's own matching and
 * drift checks (`ensureDoiSetup`) run with a client that refuses to create anything, so a
 * missing object is reported instead of re-created.
 */
import { ensureDoiSetup, MauticApiLike } from "../components/doi/doiProvisioner";
import { DoiBlueprint } from "../components/doi/doiBlueprint";
import { CheckResult } from "./types";

const marker = "verify: read only, would create";

export function readOnly(client: MauticApiLike): MauticApiLike {
    return {
        list: (r) => client.list(r),
        get: (r, id) => client.get(r, id),
        create: async (r, payload) => {
            const name = ["name", "title", "alias", "tag"].map((k) => payload[k]).find((v) => typeof v === "string");
            throw new Error(`${marker} ${r} ${JSON.stringify(name ?? "?")}`);
        },
    };
}

export async function runDoiCheck(client: MauticApiLike, blueprint: DoiBlueprint): Promise<CheckResult> {
    const seenAt = new Date().toISOString();
    const base = { id: "doi-objects", title: "double opt-in objects exist in Mautic, unchanged (API)", seenAt, items: ["C04", "C05", "C06"] as CheckResult["items"] };
    try {
        const r = await ensureDoiSetup(readOnly(client), blueprint);
        if (r.drift.length) return { ...base, status: "fail", evidence: `drift: ${r.drift.join(" | ")}` };
        return { ...base, status: "pass", evidence: `${r.existing.length} objects found as the kit manages them (confirmation e-mails, segments, tags, fields); no retired object of an earlier flow` };
    } catch (e) {
        const msg = (e as Error).message;
        if (msg.includes(marker)) return { ...base, status: "fail", evidence: `missing in Mautic: ${msg.slice(msg.indexOf(marker) + marker.length + 1)} (run \`pulumi up\` to re-create it)` };
        return { ...base, status: "fail", evidence: `Mautic's API could not be read: ${msg}` };
    }
}
