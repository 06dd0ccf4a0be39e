/**
 * Issue 20 item 8: the failed-message queue is purged within a stated period. The texts state the
 * days the rendered privacy job really uses, and the documents refuse to render when the job no
 * longer deletes those messages (drift guard).
 */
import { validateSiteArgs } from "../../components/config/config";
import { renderComplianceDocuments } from "../../components/compliance/documents";
import { failedMessageDays, privacyMaintenancePaths, renderPrivacyMaintenanceFiles } from "../../components/host/privacyMaintenance";
import { messengerDsns } from "../../components/app/mautic";

const settings = validateSiteArgs({
    domain: "marketing.client-a.de",
    website: "https://www.client-a.de",
    adminEmail: "ops@client-a.de",
    adminCidrs: ["203.0.113.0/24"],
}).settings;
const measures = [{ id: "tls", en: "HTTPS only", de: "Nur HTTPS" }];
const docs = () => renderComplianceDocuments({ settings, measures, generatedAt: "2026-05-01" });
const doc = (path: string) => docs().find((d) => d.path === path)!.content;

test("the privacy job deletes failed-queue messages after failedMessageDays (7), in the queue the kit configures", () => {
    expect(failedMessageDays).toBe(7);
    expect(messengerDsns.failed).toBe("doctrine://default?queue_name=failed");
    const script = renderPrivacyMaintenanceFiles({ dataDir: "/srv/mautic", dbContainer: "mautic_db", database: "mautic" }).find(
        (f) => f.path === privacyMaintenancePaths.script,
    )!.content;
    expect(script).toContain("DELETE FROM messenger_messages WHERE queue_name = 'failed' AND created_at < UTC_TIMESTAMP() - INTERVAL 7 DAY;");
    // Only in the full run, not in the backup's --audit-ip-only run.
    expect(script.indexOf("queue_name = 'failed'")).toBeGreaterThan(script.indexOf("if (( ! AUDIT_ONLY )); then"));
});

test("the privacy policy and the Art. 30 record state the period, in both languages", () => {
    expect(doc("docs/en/privacy-policy.md")).toContain(
        "| A message that could not be processed even after several attempts (for example an email the mail provider did not accept) | 7 days after it failed; never in backups | automatic job on our server, every 30 minutes |",
    );
    expect(doc("docs/de/datenschutzerklaerung.md")).toContain(
        "| nach 7 Tagen ab dem Scheitern; nie in Sicherungen | automatischer Job auf unserem Server, alle 30 Minuten |",
    );
    expect(doc("docs/en/art30-record.md")).toContain("the host job `mautic-privacy-maintenance` deletes it once it has been there 7 days (every 30 minutes).");
    expect(doc("docs/de/verarbeitungsverzeichnis.md")).toContain("löscht sie nach 7 Tagen in dieser Warteschlange (alle 30 Minuten).");
});

test("drift guard: without the purge in the job the documents refuse to render", () => {
    jest.isolateModules(() => {
        jest.doMock("../../components/host/privacyMaintenance", () => {
            const real = jest.requireActual<typeof import("../../components/host/privacyMaintenance")>("../../components/host/privacyMaintenance");
            return {
                ...real,
                renderPrivacyMaintenanceFiles: (i: Parameters<typeof real.renderPrivacyMaintenanceFiles>[0]) =>
                    real.renderPrivacyMaintenanceFiles(i).map((f) => ({ ...f, content: f.content.replace(/queue_name = 'failed'/g, "queue_name = 'other'") })),
            };
        });
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- isolateModules needs a synchronous require that sees the doMock above
        const mod = require("../../components/compliance/documents") as typeof import("../../components/compliance/documents");
        expect(() => mod.renderComplianceDocuments({ settings, measures, generatedAt: "2026-05-01" })).toThrow(
            /no longer deletes old messages of Mautic's failed-message queue/,
        );
    });
});
