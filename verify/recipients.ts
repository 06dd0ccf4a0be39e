/**
 * Recipients Mautic can gain after the deploy (issue 20 item 8): a webhook a Mautic user creates
 * (Settings > Webhooks) sends contact data for its events to its URL, so that URL's operator is a
 * recipient the Art. 30 record and the privacy policy must name (with a DPA where it processes on
 * the controller's behalf). Read through Mautic's API (`GET /api/hooks`), read only. The evidence
 * names only each webhook's host: a webhook URL can carry a token.
 */
import type { JsonObject } from "../components/doi/doiBlueprint";
import { CheckResult } from "./types";

/** `GET /api/<path>` on Mautic's API, parsed. */
export type MauticGet = (path: string) => Promise<JsonObject>;

export interface WebhookSeen {
    id: number;
    host: string;
    published: boolean;
    events: string[];
}

export async function listWebhooks(get: MauticGet): Promise<WebhookSeen[]> {
    const body = await get("hooks?limit=500");
    const raw = Array.isArray(body.hooks) ? body.hooks : Object.values((body.hooks ?? {}) as JsonObject);
    return (raw as JsonObject[]).map((h) => {
        let host = "(no valid URL)";
        try {
            host = new URL(String(h.webhookUrl ?? "")).host;
        } catch {
            // reported as is
        }
        const triggers = Array.isArray(h.triggers) ? h.triggers : Object.values((h.triggers ?? {}) as JsonObject);
        return { id: Number(h.id), host, published: h.isPublished === true || h.isPublished === 1, events: triggers.map(String) };
    });
}

export async function runWebhookCheck(get: MauticGet): Promise<CheckResult> {
    const base = {
        id: "webhook-recipients",
        title: "no Mautic webhook sends contact data to a recipient the generated texts do not name (API)",
        seenAt: new Date().toISOString(),
        items: ["C01", "C02"] as CheckResult["items"],
    };
    let hooks: WebhookSeen[];
    try {
        hooks = await listWebhooks(get);
    } catch (e) {
        return { ...base, status: "fail", evidence: `Mautic's API could not be read: ${(e as Error).message}` };
    }
    if (hooks.length === 0) return { ...base, status: "pass", evidence: "no webhook in Mautic (GET /api/hooks: 0)" };
    const list = hooks.map((h) => `#${h.id} ${h.host} (${h.published ? "published" : "unpublished"}; ${h.events.join(", ") || "no event"})`);
    return {
        ...base,
        status: "fail",
        evidence: `${hooks.length} webhook(s) send contact data out of Mautic: ${list.join("; ")}. Name each receiver as a recipient in the Art. 30 record and the privacy policy (and conclude a DPA where it processes on your behalf), or delete the webhook in Mautic (Settings > Webhooks).`,
    };
}
