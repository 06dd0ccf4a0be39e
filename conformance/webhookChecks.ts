/**
 * The conformance check of webhooks as recipients (issue 20 item 8): a webhook created in Mautic
 * makes its URL's operator a recipient of contact data, and `npm run verify`'s check
 * (verify/recipients.ts) reports it by host (never the URL's token) until it is gone.
 */
import { runWebhookCheck } from "../verify/recipients";
import { must, type Runner } from "./checks";
import type { Target } from "./target";
import type { JsonObject } from "../components/doi/doiBlueprint";

export async function webhookChecks(run: Runner, t: Target, runId: string): Promise<void> {
    await run("webhook-recipient", "a webhook created in Mautic is reported by verify's recipients check (host only) until it is deleted", async () => {
        const get = (p: string) => t.api("GET", p);
        const before = await runWebhookCheck(get);
        // A loopback URL nobody listens on: the webhook exists only for the check, and if Mautic
        // fired it meanwhile, nothing would leave this machine.
        const host = "127.0.0.1:9";
        const token = `tok${runId}`;
        const created = await t.api("POST", "hooks/new", {
            name: `conformance webhook ${runId}`,
            webhookUrl: `https://${host}/hook?token=${token}`,
            triggers: ["mautic.lead_post_save_new"],
            isPublished: true,
        });
        const id = Number((created.hook as JsonObject | undefined)?.id);
        must(id > 0, `POST /api/hooks/new returned no id: ${JSON.stringify(created).slice(0, 200)}`);
        let seen: Awaited<ReturnType<typeof runWebhookCheck>>;
        try {
            seen = await runWebhookCheck(get);
        } finally {
            await t.api("DELETE", `hooks/${id}/delete`);
        }
        must(seen.status === "fail" && seen.evidence.includes(`#${id} ${host} (published; mautic.lead_post_save_new)`), `with the webhook: ${seen.evidence}`);
        must(!seen.evidence.includes(token), "the evidence shows the webhook URL's token");
        const after = await runWebhookCheck(get);
        must(!after.evidence.includes(`#${id} `), `after the deletion: ${after.evidence}`);
        return `before: ${before.status} (${before.evidence.slice(0, 80)}); with webhook #${id}: fail, "${seen.evidence.slice(0, 120)}..."; after deleting it: ${after.status}`;
    });
}
