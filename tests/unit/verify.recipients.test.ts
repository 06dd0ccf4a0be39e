/**
 * Issue 20 item 8: webhooks and API consumers are named as recipients. The texts say none is
 * connected and that `npm run verify` fails while Mautic has a webhook; the check reads Mautic's
 * `GET /api/hooks` (shape as Mautic 5.2.1 answers it, see conformance/webhookChecks.ts for the
 * run against a real Mautic) and names only hosts.
 */
import { validateSiteArgs } from "../../components/config/config";
import { renderComplianceDocuments } from "../../components/compliance/documents";
import { listWebhooks, runWebhookCheck } from "../../verify/recipients";
import type { JsonObject } from "../../components/doi/doiBlueprint";

const hook = (id: number, url: string, published = true): JsonObject => ({
    id,
    name: `hook ${id}`,
    webhookUrl: url,
    isPublished: published,
    secret: "s3cret-signing-key",
    triggers: ["mautic.lead_post_save_new", "mautic.lead_post_delete"],
});

test("no webhook: pass", async () => {
    const r = await runWebhookCheck(async () => ({ total: 0, hooks: [] }));
    expect(r).toMatchObject({ id: "webhook-recipients", status: "pass", items: ["C01", "C02"] });
});

test("webhooks (Mautic answers an object keyed by id): fail, naming host, state and events, never the URL's token or the signing secret", async () => {
    const paths: string[] = [];
    const r = await runWebhookCheck(async (p) => {
        paths.push(p);
        return { total: 2, hooks: { "3": hook(3, "https://crm.example.net/in?token=abc123"), "4": hook(4, "not a url", false) } };
    });
    expect(paths).toEqual(["hooks?limit=500"]);
    expect(r.status).toBe("fail");
    expect(r.evidence).toContain("#3 crm.example.net (published; mautic.lead_post_save_new, mautic.lead_post_delete)");
    expect(r.evidence).toContain("#4 (no valid URL) (unpublished;");
    expect(r.evidence).toMatch(/Name each receiver as a recipient in the Art\. 30 record and the privacy policy/);
    expect(r.evidence).not.toMatch(/abc123|s3cret/);
});

test("an unreadable API is a failure, not a pass", async () => {
    const r = await runWebhookCheck(async () => {
        throw new Error("HTTP 401");
    });
    expect(r).toMatchObject({ status: "fail", evidence: "Mautic's API could not be read: HTTP 401" });
    await expect(listWebhooks(async () => ({ hooks: [hook(1, "https://a.example/x")] }))).resolves.toEqual([
        { id: 1, host: "a.example", published: true, events: ["mautic.lead_post_save_new", "mautic.lead_post_delete"] },
    ]);
});

test("the texts name webhooks and API clients as recipients (none connected) and point at the check", () => {
    const settings = validateSiteArgs({
        domain: "m.client-a.de",
        website: "https://www.client-a.de",
        adminEmail: "o@client-a.de",
        adminCidrs: ["203.0.113.0/24"],
    }).settings;
    const docs = renderComplianceDocuments({ settings, measures: [{ id: "tls", en: "HTTPS", de: "HTTPS" }], generatedAt: "2026-05-01" });
    const doc = (p: string) => docs.find((d) => d.path === p)!.content;
    expect(doc("docs/en/art30-record.md")).toContain("| Receivers of Mautic webhooks and clients of Mautic's API: none (the kit sets up none;");
    expect(doc("docs/en/art30-record.md")).toContain("`npm run verify` fails while Mautic has a webhook (check `webhook-recipients`, by host)");
    expect(doc("docs/de/verarbeitungsverzeichnis.md")).toContain("| Empfänger von Mautic-Webhooks und Clients der Mautic-API: keine");
    expect(doc("docs/en/privacy-policy.md")).toContain("We connect no other service to Mautic: no webhook");
    expect(doc("docs/de/datenschutzerklaerung.md")).toContain("Wir binden keinen weiteren Dienst an Mautic an: keinen Webhook");
});
