/**
 * The compliance report is computed: changing the config, or a rendered file, changes it.
 */
import { buildComplianceReport, ComplianceInput, ComplianceReport, documentPaths, renderComplianceMarkdown, renderComplianceScreen } from "../../components/compliance/compliance";
import { validateSiteArgs } from "../../components/config/config";
import { runPlan } from "../../plan/runPlan";
import { mauticParameters } from "../../components/app/mautic";
import { renderCaddyfile } from "../../components/edge/caddyfile";
import { privacyMaintenancePaths, renderPrivacyMaintenanceFiles } from "../../components/host/privacyMaintenance";
import { testStack } from "../support/stacks";

async function reportFor(overrides: Record<string, unknown> = {}, opts: { mailer?: boolean } = {}): Promise<ComplianceReport> {
    const plan = await runPlan(testStack(overrides, opts), {}, "2026-11-28");
    return plan.exports.compliance as ComplianceReport;
}
const item = (r: ComplianceReport, id: string) => r.items.find((i) => i.id === id)!;

describe("the report of the example configuration", () => {
    let r: ComplianceReport;
    beforeAll(async () => {
        r = await reportFor();
    });

    test("one entry per checklist item C01..C15, each with evidence", () => {
        expect(r.items.map((i) => i.id)).toEqual(Array.from({ length: 15 }, (_, i) => `C${String(i + 1).padStart(2, "0")}`));
        for (const i of r.items) expect(i.evidence.length).toBeGreaterThan(0);
    });

    test("statuses: documents prepared, organisational steps manual, the rest enforced", () => {
        const by = Object.fromEntries(r.items.map((i) => [i.id, i.status]));
        expect(by).toEqual({
            C01: "prepared", C02: "prepared", C03: "manual", C04: "prepared", C05: "prepared", C06: "enforced",
            C07: "enforced", C08: "prepared", C09: "enforced", C10: "enforced", C11: "enforced", C12: "enforced",
            C13: "enforced", C14: "manual", C15: "enforced",
        });
        expect(r.summary).toEqual({ enforced: 8, prepared: 5, manual: 2, warning: 0 });
    });

    test("evidence quotes the rendered files", () => {
        expect(item(r, "C07").evidence[0]).toMatch(/40 3 \* \* \* \.\.\. mautic:maintenance:cleanup --days-old=21 --no-interaction/);
        expect(item(r, "C11").evidence.join("\n")).toMatch(/max-age=63072000/);
        expect(item(r, "C09").evidence[0]).toMatch(/anonymize_ip=true, track_contact_by_ip=false/);
        expect(item(r, "C12").evidence.join("\n")).toMatch(/SSH only from 203\.0\.113\.0\/24/);
        expect(item(r, "C06").evidence[0]).toMatch(/within 3 days/);
        expect(item(r, "C12").evidence.join("\n")).toMatch(/edge access log: client IPs masked .* deleted after 7 days/);
    });

    test("C04 is prepared, not enforced: the forms are created unpublished and other forms can skip DOI", () => {
        const c04 = item(r, "C04");
        expect(c04.evidence.join("\n")).toMatch(/created unpublished/);
        expect(c04.evidence.join("\n")).toMatch(/not enforced: Mautic lets any other form collect addresses without double opt-in/);
        expect(c04.evidence.join("\n")).toMatch(/mailer_from_email=newsletter@client-a\.de/);
        expect(c04.evidence.join("\n")).toMatch(/consent_date is stored as local time of Europe\/Berlin/);
        expect(c04.evidence.join("\n")).toMatch(/the published campaigns 'DOI: delete unconfirmed contacts \(de\)' \/ 'DOI: delete unconfirmed contacts \(en\)' send the confirmation email/);
        expect(c04.evidence.join("\n")).toMatch(/only opening the link in that email \(proof of the mailbox\) AND THEN pressing the confirm button on the confirmation page \(a form POST; opening the link alone confirms nothing/);
        expect(c04.evidence.join("\n")).toMatch(/a sign-up with a known address \(doi-confirmed, doi-keep, or on the do-not-contact list\) changes nothing on that contact/);
        expect(c04.evidence.join("\n")).toMatch(/a still-pending address that signs up again gets no second mail/);
        expect(c04.evidence.join("\n")).toMatch(/not UTC; the form result's submission time is UTC/);
        expect(c04.actions.join("\n")).toMatch(/publish the sign-up forms/);
    });

    test("C05: the newsletter consent covers the newsletter only; clicks need the separate box; no open pixel", () => {
        const c05 = item(r, "C05");
        expect(c05.evidence.join("\n")).toMatch(/it covers the newsletter and marketing mails only/);
        expect(c05.evidence.join("\n")).toMatch(/a separate, optional, unchecked checkbox for click measurement and profiling; stored in the contact field tracking_consent only on confirmation/);
        expect(c05.evidence.join("\n")).toMatch(/mailer_append_tracking_pixel=false, no open pixel in any mail/);
        expect(c05.actions.join("\n")).toMatch(/use clicks for profiling \(points, segments\) only for contacts with tracking_consent set/);
    });

    test("C06 states the campaign, the safety net and its scope", () => {
        const e = item(r, "C06").evidence.join("\n");
        expect(e).toMatch(/deletes contacts still doi-pending 3 days after signing up on the kit's forms; never a contact with a sign of an earlier existence/);
        expect(e).toMatch(/scope: contacts of the kit's sign-up forms/);
        expect(e).toMatch(/the published campaigns 'DOI: delete unconfirmed contacts \(de\)' \/ 'DOI: delete unconfirmed contacts \(en\)' \(one per language\) delete contacts/);
    });

    test("C10 says what it guarantees: no Google Analytics or Meta pixel through Mautic", () => {
        expect(item(r, "C10").evidence[0]).toMatch(/Mautic embeds no Google Analytics and no Meta \(Facebook\) pixel/);
        expect(item(r, "C10").evidence.join("\n")).toMatch(/not covered: Google Analytics that the website embeds itself/);
    });

    test("C12 is enforced by default (a Storage Box per stack, other German location), a warning with offsiteBackup none", async () => {
        expect(item(r, "C12").status).toBe("enforced");
        expect(item(r, "C12").evidence.join("\n")).toMatch(/off-site copy of every nightly set, same retention, restorable with mautic-restore --from-offsite: Hetzner Storage Box BX11 in Falkenstein, Germany \(fsn1\)/);
        expect(item(r, "C12").actions.join("\n")).toMatch(/Compare the Storage Box host key fingerprint .* storageBoxHostKey/);
        const pinned = await reportFor({ storageBoxHostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq8" });
        expect(item(pinned, "C12").actions.join("\n")).not.toMatch(/host key fingerprint/);
        const off = await reportFor({ offsiteBackup: "none" });
        expect(item(off, "C12").status).toBe("warning");
        expect(item(off, "C12").evidence.join("\n")).toMatch(/NO off-site backup: Hetzner's server backups exclude the volume/);
        expect(item(off, "C12").actions.join("\n")).toMatch(/offsiteBackup = "none"/);
        const byHand = await reportFor({ backupOffsiteRepository: "sftp://u1@u1.your-storagebox.de:23/mautic" });
        expect(item(byHand, "C12").status).toBe("enforced");
        expect(item(byHand, "C12").evidence.join("\n")).toMatch(/sftp:\/\/u1@u1.your-storagebox.de:23\/mautic \(restic over SFTP, set up by hand\)/);
    });

    test("C08 states the edge's consent-cookie gate, read from the rendered Caddyfile", () => {
        const e = item(r, "C08").evidence.join("\n");
        expect(e).toContain("edge (Caddyfile): Mautic's tracking cookies (mtc_id, mtc_sid, mautic_device_id, mautic_referer_id, mautic_page_*) reach a visitor only on requests that carry the first-party consent cookie tracking_consent=1");
        expect(e).toContain("set by POST /consent/grant from https://www.client-a.de only, 365 days, Secure, HttpOnly, SameSite=None; expired by POST /consent/forget");
        expect(e).toMatch(/removed from the request's Cookie header and every Set-Cookie for them becomes a deletion/);
        expect(item(r, "C08").actions).toHaveLength(1);
    });

    test("Gravatar off by default: C03 and C13 quote the admin img-src without https:, no Gravatar to-do or placeholder", () => {
        expect(item(r, "C13").evidence.join("\n")).toContain("admin UI CSP img-src 'self' data: blob:: no Gravatar avatars");
        expect(item(r, "C03").evidence.join("\n")).toContain("no Gravatar avatars");
        expect(item(r, "C03").actions.join("\n")).not.toMatch(/Gravatar/);
        expect(r.placeholders.map((p) => p.marker)).not.toContain("[[GRAVATAR_TRANSFER_BASIS]]");
    });

    test("gravatar = true: the report says the avatars load and asks for the transfer basis", async () => {
        const on = await reportFor({ gravatar: true });
        expect(item(on, "C13").evidence.join("\n")).toContain("admin UI CSP img-src 'self' data: blob: https:: Mautic's Gravatar avatars load");
        expect(item(on, "C03").actions.join("\n")).toMatch(/Gravatar is on: check the basis of the transfer to Automattic \(USA\)/);
        expect(on.placeholders.map((p) => p.marker)).toContain("[[GRAVATAR_TRANSFER_BASIS]]");
    });

    test("C13 says the public page class is relaxed, quoting the rendered CSP", () => {
        expect(item(r, "C13").evidence.join("\n")).toMatch(/public page class RELAXED .*script-src 'self' 'unsafe-inline' https:/);
    });

    test("the access-log retention follows accessLogRetentionDays", async () => {
        const r = await reportFor({ accessLogRetentionDays: 3 });
        expect(item(r, "C12").evidence.join("\n")).toMatch(/deleted after 3 days/);
    });

    test("lists the documents and the placeholders only the client can fill", () => {
        expect(item(r, "C01").evidence[0]).toContain("docs/en/privacy-policy.md");
        expect(item(r, "C01").evidence[0]).toContain("docs/de/datenschutzerklaerung.md");
        expect(r.placeholders.map((p) => p.marker)).toEqual(expect.arrayContaining(["[[CONTROLLER_NAME]]", "[[DPO_CONTACT]]"]));
        expect(documentPaths).toHaveLength(6);
    });

    test("markdown and one-screen renderings carry every item and the disclaimer", () => {
        const md = renderComplianceMarkdown(r);
        const screen = renderComplianceScreen(r);
        for (const i of r.items) {
            expect(md).toContain(`| ${i.id} |`);
            expect(screen).toContain(` ${i.id} `);
        }
        expect(md).toMatch(/Not legal advice/);
        expect(screen.split("\n").length).toBeLessThanOrEqual(24);
    });
});

describe("the report follows the configuration", () => {
    test("SSH open to the world -> C12 warning", async () => {
        const r = await reportFor({ adminCidrs: ["0.0.0.0/0"] });
        expect(item(r, "C12").status).toBe("warning");
        expect(item(r, "C12").actions.join()).toMatch(/0\.0\.0\.0\/0/);
    });

    test("admin UI open to the world -> C12 warning", async () => {
        const r = await reportFor({ adminUiCidrs: ["0.0.0.0/0"] });
        expect(item(r, "C12").status).toBe("warning");
        expect(item(r, "C12").actions.join()).toMatch(/adminUiCidrs contains 0\.0\.0\.0\/0/);
    });

    test("server backups off -> C12 warning", async () => {
        const r = await reportFor({ backups: false });
        expect(item(r, "C12").status).toBe("warning");
        expect(item(r, "C12").evidence.join()).toMatch(/Hetzner server backups OFF/);
    });

    test("no mailer -> C04 warning (confirmation mails cannot be sent)", async () => {
        const r = await reportFor({}, { mailer: false });
        expect(item(r, "C04").status).toBe("warning");
    });

    test("cleanup period and unconfirmed-contact period are quoted from the config", async () => {
        const r = await reportFor({ cleanupDaysOld: 30, unconfirmedContactDays: 7 });
        expect(item(r, "C07").evidence[0]).toContain("--days-old=30");
        expect(item(r, "C06").evidence[0]).toMatch(/within 7 days/);
    });
});

describe("the report reads the rendered files, not the intent", () => {
    let base: ComplianceInput;
    beforeAll(() => {
        const { settings, warnings } = validateSiteArgs({
            domain: "m.example.de", website: "https://www.example.de", adminEmail: "a@example.de", adminCidrs: ["203.0.113.0/24"],
            mailerDsn: "smtps://u:p@smtp.example.de:465", mailerFromEmail: "news@example.de", mailerFromName: "Example", backupOffsiteRepository: "sftp://u1@u1.your-storagebox.de:23/m",
        });
        const privacyJob = renderPrivacyMaintenanceFiles({ dataDir: "/srv/mautic", dbContainer: "mautic_db", database: "mautic" }).find((f) => f.path === privacyMaintenancePaths.script)!;
        base = {
            settings,
            warnings,
            hostFiles: [
                { path: "/etc/ssh/sshd_config.d/10-mautic-kit-hardening.conf", content: "PasswordAuthentication no\nAuthenticationMethods publickey\n", permissions: "0600" },
                { path: "/etc/apt/apt.conf.d/20auto-upgrades", content: 'APT::Periodic::Unattended-Upgrade "1";', permissions: "0644" },
                { path: "/etc/apt/apt.conf.d/52unattended-upgrades-mautic-kit", content: 'Unattended-Upgrade::Automatic-Reboot "true";\nUnattended-Upgrade::Automatic-Reboot-Time "04:30";', permissions: "0644" },
                { path: "/etc/docker/daemon.json", content: '{"log-opts":{"max-size":"10m","max-file":"5"}}', permissions: "0644" },
                { path: "/etc/fail2ban/jail.d/sshd.local", content: "backend = systemd\n", permissions: "0644" },
                { path: "/etc/systemd/journald.conf.d/10-mautic-kit.conf", content: "MaxRetentionSec=7day\n", permissions: "0644" },
                { path: "/etc/logrotate.d/mautic-kit-edge", content: "daily\nmaxage 7\n", permissions: "0644" },
                privacyJob,
            ],
            caddyfile: `log { format filter { fields { request>remote_ip ip_mask } } }\ntls {\n\tprotocols tls1.2 tls1.3\n}\nheader { Strict-Transport-Security "max-age=63072000" Content-Security-Policy "frame-ancestors 'none'" X-Content-Type-Options "nosniff" Referrer-Policy "x" Permissions-Policy "x" -Server }`,
            crontab: "10,25,40,55 * * * * php bin/console mautic:campaigns:trigger --no-interaction\n40 3 * * * php bin/console mautic:maintenance:cleanup --days-old=21 --no-interaction\n",
            mauticParameters: mauticParameters({ domain: "m.example.de", website: "https://www.example.de", timezone: "UTC", gdprPurgeDays: 1095, logRetentionDays: 7, secretKey: "x" }),
            doiSetup: true,
            documents: documentPaths,
            consentSnippet: true,
            placeholders: [],
        };
    });

    test("the hand-built input is fully enforced", () => {
        const r = buildComplianceReport(base);
        expect(r.items.filter((i) => i.status === "warning")).toEqual([]);
    });

    test("a short HSTS max-age -> C11 warning", () => {
        const r = buildComplianceReport({ ...base, caddyfile: base.caddyfile.replace("63072000", "86400") });
        expect(item(r, "C11").status).toBe("warning");
        expect(item(r, "C11").actions[0]).toMatch(/86400 is shorter than 2 years/);
    });

    test("TLS 1.0 allowed -> C11 warning", () => {
        const r = buildComplianceReport({ ...base, caddyfile: base.caddyfile.replace("protocols tls1.2 tls1.3", "protocols tls1.0 tls1.3") });
        expect(item(r, "C11").status).toBe("warning");
        expect(item(r, "C11").evidence.join()).toMatch(/TLS protocols tls1\.0 tls1\.3/);
    });

    test("cleanup without --no-interaction -> C07 warning", () => {
        const r = buildComplianceReport({ ...base, crontab: base.crontab.replace("--days-old=21 --no-interaction", "--days-old=21") });
        expect(item(r, "C07").status).toBe("warning");
    });

    test("no audit-log IP anonymisation job -> C09 warning", () => {
        const r = buildComplianceReport({ ...base, hostFiles: base.hostFiles.filter((f) => !f.path.includes("privacy-maintenance")) });
        expect(item(r, "C09").status).toBe("warning");
        expect(item(r, "C09").evidence.join()).toMatch(/MISSING: anonymisation of the IPs Mautic writes into audit_log/);
    });

    test("IP anonymisation off -> C09 warning", () => {
        const r = buildComplianceReport({ ...base, mauticParameters: { ...base.mauticParameters, anonymize_ip: false } });
        expect(item(r, "C09").status).toBe("warning");
    });

    test("password login in sshd -> C12 warning naming what is missing", () => {
        const hostFiles = base.hostFiles.map((f) => (f.path.includes("sshd") ? { ...f, content: "PasswordAuthentication yes\n" } : f));
        const r = buildComplianceReport({ ...base, hostFiles });
        expect(item(r, "C12").status).toBe("warning");
        expect(item(r, "C12").evidence[0]).toMatch(/^MISSING: sshd: keys only/);
    });

    test("no frame protection -> C13 warning", () => {
        const r = buildComplianceReport({ ...base, caddyfile: base.caddyfile.replace("frame-ancestors 'none'", "") });
        expect(item(r, "C13").status).toBe("warning");
    });

    test("a Caddyfile without the consent-cookie gate -> C08 says MISSING and asks to deploy it", () => {
        const real = renderCaddyfile({ domain: "m.example.de", website: "https://www.example.de", adminUiCidrs: [], accessLogRetentionDays: 7, upstream: "mautic_web:80" });
        expect(item(buildComplianceReport({ ...base, caddyfile: real }), "C08").evidence.join("\n")).toMatch(/reach a visitor only on requests that carry the first-party consent cookie tracking_consent=1/);
        const cuts: Array<[string, RegExp]> = [
            ["the request rewrite", /^\s*request_header @no_tracking_consent .*$/m],
            ["the response rewrite", /^\s*Set-Cookie "\^\\s\*\(.*$/m],
            ["the grant cookie", /^\s*\+Set-Cookie "tracking_consent=1;.*$/m],
            ["the forget expiry", /^\s*\+Set-Cookie "tracking_consent=; .*$/m],
        ];
        for (const [what, re] of cuts) {
            expect([what, re.test(real)]).toEqual([what, true]);
            const r = buildComplianceReport({ ...base, caddyfile: real.replace(re, "") });
            expect([what, item(r, "C08").evidence.join("\n")]).toEqual([what, expect.stringMatching(/^MISSING: the Caddyfile does not gate Mautic's tracking cookies/m)]);
            expect(item(r, "C08").actions.join("\n")).toMatch(/Deploy the kit's Caddyfile/);
        }
        const renamed = buildComplianceReport({ ...base, caddyfile: real.split("tracking_consent=").join("kit_ok=") });
        expect(item(renamed, "C08").evidence.join("\n")).toMatch(/consent cookie kit_ok=1/);
        const longer = buildComplianceReport({ ...base, caddyfile: real.replace("Max-Age=31536000", "Max-Age=8640000") });
        expect(item(longer, "C08").evidence.join("\n")).toMatch(/, 100 days, Secure/);
    });

    test("the fake Caddyfile of these tests has no gate: C08 says MISSING", () => {
        expect(item(buildComplianceReport(base), "C08").evidence.join("\n")).toMatch(/^MISSING: the Caddyfile does not gate/m);
    });

    test("no DOI safety net in the privacy job -> C06 warning", () => {
        const hostFiles = base.hostFiles.map((f) => (f.path.includes("privacy-maintenance") ? { ...f, content: f.content.replace(/DELETE FROM leads WHERE id IN \(SELECT id FROM kit_doi_expired\);/, "") } : f));
        const r = buildComplianceReport({ ...base, hostFiles });
        expect(item(r, "C06").status).toBe("warning");
        expect(item(r, "C06").evidence.join()).toMatch(/MISSING: the host job that deletes unconfirmed contacts/);
    });

    test("Mautic's open pixel not pinned off -> C05 warning with the fix", () => {
        const r = buildComplianceReport({ ...base, mauticParameters: { ...base.mauticParameters, mailer_append_tracking_pixel: true } });
        expect(item(r, "C05").status).toBe("warning");
        expect(item(r, "C05").evidence.join("\n")).toMatch(/MISSING: mailer_append_tracking_pixel is true/);
        expect(item(r, "C05").actions[0]).toMatch(/Pin mailer_append_tracking_pixel to false/);
    });

    test("a third-party tracker not pinned off -> C10 warning naming it", () => {
        const r = buildComplianceReport({ ...base, mauticParameters: { ...base.mauticParameters, facebook_pixel_landingpage_enabled: true } });
        expect(item(r, "C10").status).toBe("warning");
        expect(item(r, "C10").evidence[0]).toBe("config/parameters_local.php does NOT pin off: facebook_pixel_landingpage_enabled");
    });

    test("C04 is never enforced, even with everything in place", () => {
        expect(item(buildComplianceReport(base), "C04").status).toBe("prepared");
    });

    test("without the DOI setup, C04-C06 become manual", () => {
        const r = buildComplianceReport({ ...base, doiSetup: false });
        expect(["C04", "C05", "C06"].map((id) => item(r, id).status)).toEqual(["manual", "manual", "manual"]);
    });
});
