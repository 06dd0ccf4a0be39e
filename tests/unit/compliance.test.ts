/**
 * The compliance report is computed: changing the config, or a rendered file, changes it.
 */
import {
    buildComplianceReport,
    ComplianceInput,
    ComplianceReport,
    documentPaths,
    renderComplianceMarkdown,
    renderComplianceScreen,
} from "../../components/compliance/compliance";
import { validateSiteArgs } from "../../components/config/config";
import { runPlan } from "../../plan/runPlan";
import { mauticParameters } from "../../components/app/mautic";
import { noConsentUserAgent, renderCaddyfile } from "../../components/edge/caddyfile";
import { privacyMaintenancePaths, renderPrivacyMaintenanceFiles } from "../../components/host/privacyMaintenance";
import { testStack } from "../support/stacks";
import { DoiFormTexts, doiFormTexts } from "../../components/compliance/complianceDoi";

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

    test("statuses: documents prepared, organisational steps manual, C05 warns (consent-label placeholders; link tracking not pinned off on this branch), the rest enforced", () => {
        const by = Object.fromEntries(r.items.map((i) => [i.id, i.status]));
        expect(by).toEqual({
            C01: "prepared",
            C02: "prepared",
            C03: "manual",
            C04: "prepared",
            C05: "warning",
            C06: "enforced",
            C07: "enforced",
            C08: "prepared",
            C09: "enforced",
            C10: "enforced",
            C11: "enforced",
            C12: "enforced",
            C13: "enforced",
            C14: "manual",
            C15: "enforced",
        });
        expect(r.summary).toEqual({ enforced: 8, prepared: 4, manual: 2, warning: 1 });
    });

    test("evidence quotes the rendered files", () => {
        expect(item(r, "C07").evidence[0]).toMatch(/40 3 \* \* \* \.\.\. mautic:maintenance:cleanup --days-old=21 --no-interaction/);
        expect(item(r, "C11").evidence.join("\n")).toMatch(/max-age=63072000/);
        expect(item(r, "C09").evidence[0]).toMatch(/anonymize_ip=true, track_contact_by_ip=false/);
        expect(item(r, "C12").evidence.join("\n")).toMatch(/SSH only from 203\.0\.113\.0\/24/);
        expect(item(r, "C06").evidence[0]).toMatch(/every one is older than 3 days/);
        expect(item(r, "C12").evidence.join("\n")).toMatch(/edge access log: client IPs masked .* deleted after 7 days/);
    });

    test("C04 is prepared, not enforced: the endpoint enforces DOI for its sign-ups; Mautic's own forms can skip it", () => {
        const e = item(r, "C04").evidence.join("\n");
        expect(e).toMatch(
            /the kit's DOI endpoint \(\/var\/www\/kit-doi, served by the Mautic web container's Apache at \/kit\/doi\/\*\): a sign-up is a POST to \/kit\/doi\/signup/,
        );
        expect(e).toMatch(/creates a contact tagged doi-pending only for an unknown address and changes nothing on a known one/);
        expect(e).toMatch(/HMAC-SHA256 with the stack's doiSecret over it and the address key, so only the mailbox has it/);
        expect(e).toMatch(
            /only a POST of the button on \/kit\/doi\/confirm with that token confirms \(a GET shows the button and changes nothing; a wrong token gets 403/,
        );
        expect(e).toMatch(/sets consent_date \(UTC\)/);
        expect(e).toMatch(/consent-proof ledger kit_consent_ledger \/ kit_consent_texts: keyed hash of the address/);
        expect(e).toMatch(
            /untouched by unsubscribe minimisation, cleanup, contact deletion and `npm run dsr -- erase` \(restricted, Art\. 17\(3\)\(b\),\(e\), Art\. 18\); included in `npm run dsr -- export`/,
        );
        expect(e).toMatch(/not enforced: Mautic's own forms, imports and the API can add addresses without double opt-in/);
        expect(e).toMatch(/mailer_from_email=newsletter@client-a\.de/);
        // The earlier flow is gone from the report: no campaigns, no link click, no local-time consent_date.
        for (const old of [/campaign/i, /opening the link in that email/, /local time/, /created unpublished/]) expect(e).not.toMatch(old);
        expect(item(r, "C04").actions.join("\n")).toMatch(/Point every sign-up of the website at POST \/kit\/doi\/signup/);
    });

    test("C05: required and optional boxes, the label's placeholders warned about, no open pixel; link tracking named as missing", () => {
        const c05 = item(r, "C05");
        const e = c05.evidence.join("\n");
        expect(e).toMatch(/a required, unticked consent box for the newsletter \(naming the controller and what is advertised\)/);
        expect(e).toMatch(
            /a separate, optional, unticked box for the interest profile \(stored as tracking_consent only on confirmation\); a sign-up without consent=1 is refused \(400\)/,
        );
        expect(e).toContain(
            "placeholders left in the texts the form shows: de: consent label [Firma des Verantwortlichen einfügen]; de: consent label [beworbene Produkte und Dienstleistungen einfügen]; en: consent label [insert the controller's legal name]; en: consent label [insert the advertised products and services]",
        );
        expect(e).toMatch(/mailer_append_tracking_pixel=false, no open pixel in any mail \(opens are measured for nobody\)/);
        expect(c05.actions[0]).toMatch(/pulumi config set controllerName .*pulumi config set newsletterTopics .*BGH I ZR 169\/10/);
        expect(c05.actions.join("\n")).toMatch(/use the profile \(points, segments\) only for contacts with tracking_consent set/);
        expect(e).not.toMatch(/click measurement/);
    });

    test("C06 states the safety net's criterion exactly, the ledger's retention and the scope", () => {
        const e = item(r, "C06").evidence.join("\n");
        expect(e).toMatch(
            /deletes a contact only when the endpoint created it for a sign-up \(ledger contact_created = 1, the contact added within 10 minutes of that sign-up\), none of its sign-ups is confirmed and every one is older than 3 days, consent_date is empty, and it carries neither doi-confirmed nor doi-keep/,
        );
        expect(e).toMatch(/a contact that existed before its sign-up is never deleted by it/);
        expect(e).toMatch(/each row is deleted on 1 January after 3 full years after the year of its last mailing or withdrawal/);
        expect(e).toMatch(/scope: sign-ups through the endpoint/);
        expect(e).not.toMatch(/campaign/);
    });

    test("C10 says what it guarantees: no Google Analytics or Meta pixel through Mautic", () => {
        expect(item(r, "C10").evidence[0]).toMatch(/Mautic embeds no Google Analytics and no Meta \(Facebook\) pixel/);
        expect(item(r, "C10").evidence.join("\n")).toMatch(/not covered: Google Analytics that the website embeds itself/);
    });

    test("C12 is enforced by default (a Storage Box per stack, other German location), a warning with offsiteBackup none", async () => {
        expect(item(r, "C12").status).toBe("enforced");
        expect(item(r, "C12").evidence.join("\n")).toMatch(
            /off-site copy of every nightly set, same retention, restorable with mautic-restore --from-offsite: Hetzner Storage Box BX11 in Falkenstein, Germany \(fsn1\)/,
        );
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
        expect(e).toContain(
            "edge (Caddyfile): Mautic's tracking cookies (mtc_id, mtc_sid, mautic_device_id, mautic_referer_id, mautic_page_*) reach a visitor only on requests that carry the first-party consent cookie tracking_consent=1",
        );
        expect(e).toContain(
            "set by POST /consent/grant from https://www.client-a.de only, 365 days, Secure, HttpOnly, SameSite=None; expired by POST /consent/forget",
        );
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
        expect(documentPaths).toHaveLength(10);
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
        expect(item(r, "C06").evidence[0]).toMatch(/every one is older than 7 days/);
    });
});

describe("the report reads the rendered files, not the intent", () => {
    let base: ComplianceInput;
    /** The form texts with the label's placeholders filled, as a marketer leaves them. */
    let filled: DoiFormTexts;
    beforeAll(() => {
        const { settings, warnings } = validateSiteArgs({
            domain: "m.example.de",
            website: "https://www.example.de",
            adminEmail: "a@example.de",
            adminCidrs: ["203.0.113.0/24"],
            mailerDsn: "smtps://u:p@smtp.example.de:465",
            mailerFromEmail: "news@example.de",
            mailerFromName: "Example",
            backupOffsiteRepository: "sftp://u1@u1.your-storagebox.de:23/m",
        });
        const privacyJob = renderPrivacyMaintenanceFiles({ dataDir: "/srv/mautic", dbContainer: "mautic_db", database: "mautic" }).find(
            (f) => f.path === privacyMaintenancePaths.script,
        )!;
        const rendered = doiFormTexts(settings);
        const fill = (t: string) => t.replace(/\[[^\]]*(einfügen|insert)[^\]]*\]/g, "Example GmbH");
        filled = {
            de: { consent: fill(rendered.de.consent), notice: rendered.de.notice },
            en: { consent: fill(rendered.en.consent), notice: rendered.en.notice },
        };
        base = {
            settings,
            warnings,
            doiFormTexts: filled,
            hostFiles: [
                {
                    path: "/etc/ssh/sshd_config.d/10-mautic-kit-hardening.conf",
                    content: "PasswordAuthentication no\nAuthenticationMethods publickey\n",
                    permissions: "0600",
                },
                { path: "/etc/apt/apt.conf.d/20auto-upgrades", content: 'APT::Periodic::Unattended-Upgrade "1";', permissions: "0644" },
                {
                    path: "/etc/apt/apt.conf.d/52unattended-upgrades-mautic-kit",
                    content: 'Unattended-Upgrade::Automatic-Reboot "true";\nUnattended-Upgrade::Automatic-Reboot-Time "04:30";',
                    permissions: "0644",
                },
                { path: "/etc/docker/daemon.json", content: '{"log-opts":{"max-size":"10m","max-file":"5"}}', permissions: "0644" },
                { path: "/etc/fail2ban/jail.d/sshd.local", content: "backend = systemd\n", permissions: "0644" },
                { path: "/etc/systemd/journald.conf.d/10-mautic-kit.conf", content: "MaxRetentionSec=7day\n", permissions: "0644" },
                { path: "/etc/logrotate.d/mautic-kit-edge", content: "daily\nmaxage 7\n", permissions: "0644" },
                privacyJob,
            ],
            caddyfile: `log { format filter { fields { request>remote_ip ip_mask } } }\ntls {\n\tprotocols tls1.2 tls1.3\n}\nheader { Strict-Transport-Security "max-age=63072000" Content-Security-Policy "frame-ancestors 'none'" X-Content-Type-Options "nosniff" Referrer-Policy "x" Permissions-Policy "x" -Server }`,
            crontab:
                "10,25,40,55 * * * * php bin/console mautic:campaigns:trigger --no-interaction\n40 3 * * * php bin/console mautic:maintenance:cleanup --days-old=21 --no-interaction\n",
            mauticParameters: mauticParameters({
                domain: "m.example.de",
                website: "https://www.example.de",
                timezone: "UTC",
                gdprPurgeDays: 1095,
                logRetentionDays: 7,
                secretKey: "x",
            }),
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

    test("C05 warns while the consent label keeps a placeholder (the label must name who advertises what)", () => {
        const texts = { ...filled, en: { ...filled.en, consent: "Yes, I want the newsletter of [insert the controller's legal name] about shoes." } };
        const r = buildComplianceReport({ ...base, doiFormTexts: texts });
        expect(item(r, "C05").status).toBe("warning");
        expect(item(r, "C05").evidence.join("\n")).toContain(
            "placeholders left in the texts the form shows: en: consent label [insert the controller's legal name]",
        );
        expect(item(r, "C05").actions[0]).toMatch(/pulumi config set controllerName .*pulumi config set newsletterTopics .*BGH I ZR 169\/10/);
        // The kit's own templates ship with the markers: the default (rendered) texts warn.
        expect(item(buildComplianceReport({ ...base, doiFormTexts: undefined }), "C05").status).toBe("warning");
    });

    test("link tracking not pinned off -> C05 warning (the texts say clicks are measured for nobody)", () => {
        const r = buildComplianceReport({ ...base, mauticParameters: { ...base.mauticParameters, disable_trackable_urls: false } });
        expect(item(r, "C05").status).toBe("warning");
        expect(item(r, "C05").evidence.join("\n")).toMatch(
            /MISSING: disable_trackable_urls is false: every link in a mail is a per-recipient tracked redirect/,
        );
        expect(item(r, "C05").actions[0]).toMatch(/Pin disable_trackable_urls to true/);
    });

    test("the consent ledger's retention missing from the privacy job -> C06 warning", () => {
        const hostFiles = base.hostFiles.map((f) =>
            f.path.includes("privacy-maintenance") ? { ...f, content: f.content.replace(/DELETE FROM kit_consent_ledger WHERE [^;]*;/, "") } : f,
        );
        const r = buildComplianceReport({ ...base, hostFiles });
        expect(item(r, "C06").status).toBe("warning");
        expect(item(r, "C06").evidence.join()).toMatch(/MISSING: the consent ledger's retention for consentProofYears = 3/);
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
        expect(item(r, "C09").evidence.join()).toMatch(/MISSING: anonymisation of full IPs left in audit_log/);
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
        const real = renderCaddyfile({
            domain: "m.example.de",
            website: "https://www.example.de",
            adminUiCidrs: [],
            accessLogRetentionDays: 7,
            upstream: "mautic_web:80",
        });
        expect(item(buildComplianceReport({ ...base, caddyfile: real }), "C08").evidence.join("\n")).toMatch(
            /reach a visitor only on requests that carry the first-party consent cookie tracking_consent=1/,
        );
        const cuts: Array<[string, RegExp]> = [
            ["the request rewrite", /^\s*request_header @no_tracking_consent .*$/m],
            ["the response rewrite", /^\s*Set-Cookie "\^\\s\*\(.*$/m],
            ["the grant cookie", /^\s*\+Set-Cookie "tracking_consent=1;.*$/m],
            ["the forget expiry", /^\s*\+Set-Cookie "tracking_consent=; .*$/m],
        ];
        for (const [what, re] of cuts) {
            expect([what, re.test(real)]).toEqual([what, true]);
            const r = buildComplianceReport({ ...base, caddyfile: real.replace(re, "") });
            expect([what, item(r, "C08").evidence.join("\n")]).toEqual([
                what,
                expect.stringMatching(/^MISSING: the Caddyfile does not gate Mautic's tracking cookies/m),
            ]);
            expect(item(r, "C08").actions.join("\n")).toMatch(/Deploy the kit's Caddyfile/);
        }
        const renamed = buildComplianceReport({ ...base, caddyfile: real.split("tracking_consent=").join("kit_ok=") });
        expect(item(renamed, "C08").evidence.join("\n")).toMatch(/consent cookie kit_ok=1/);
        const longer = buildComplianceReport({ ...base, caddyfile: real.replace("Max-Age=31536000", "Max-Age=8640000") });
        expect(item(longer, "C08").evidence.join("\n")).toMatch(/, 100 days, Secure/);
    });

    test("C08 states that Mautic records no visit without consent: the edge's gate read back, and the pinned bot list naming its User-Agent", () => {
        const real = renderCaddyfile({
            domain: "m.example.de",
            website: "https://www.example.de",
            adminUiCidrs: [],
            accessLogRetentionDays: 7,
            upstream: "mautic_web:80",
        });
        const evidence = (caddyfile: string, bots: unknown = [noConsentUserAgent]) =>
            item(buildComplianceReport({ ...base, caddyfile, mauticParameters: { ...base.mauticParameters, do_not_track_bots: bots } }), "C08").evidence.join(
                "\n",
            );
        expect(evidence(real)).toContain(
            `without tracking_consent=1 the edge answers Mautic's tracking script, event and pixel itself and passes every other visitor request with the User-Agent "${noConsentUserAgent}", the entry of the pinned do_not_track_bots: Mautic records no visit`,
        );
        // The kit's own pin is the one that matches.
        expect(base.mauticParameters.do_not_track_bots).toEqual([noConsentUserAgent]);
        expect(evidence(real, [])).toMatch(/^MISSING: the edge gives visitor requests without consent the User-Agent .* does not list it/m);
        expect(evidence(real, ["Googlebot"])).toMatch(/^MISSING: the edge gives visitor requests without consent/m);
        const cuts: Array<[string, RegExp]> = [
            ["the User-Agent rewrite", /^\s*request_header @no_consent_visit .*$/m],
            ["the script answer", /handle @no_consent_script \{/],
            ["the event answer", /body `\{"success":0\}`/],
            ["the pixel matcher's consent condition", /(@no_consent_pixel \{\s*)not header_regexp[^\n]*\n/],
        ];
        for (const [what, re] of cuts) {
            expect([what, re.test(real)]).toEqual([what, true]);
            expect([what, evidence(real.replace(re, "$1"))]).toEqual([
                what,
                expect.stringMatching(/^MISSING: without the consent cookie Mautic still records visits/m),
            ]);
        }
    });

    test("the fake Caddyfile of these tests has no gate: C08 says MISSING", () => {
        expect(item(buildComplianceReport(base), "C08").evidence.join("\n")).toMatch(/^MISSING: the Caddyfile does not gate/m);
    });

    test("no DOI safety net in the privacy job -> C06 warning", () => {
        const hostFiles = base.hostFiles.map((f) =>
            f.path.includes("privacy-maintenance")
                ? { ...f, content: f.content.replace(/DELETE FROM leads WHERE id IN \(SELECT id FROM kit_doi_expired\);/, "") }
                : f,
        );
        const r = buildComplianceReport({ ...base, hostFiles });
        expect(item(r, "C06").status).toBe("warning");
        expect(item(r, "C06").evidence.join()).toMatch(
            /MISSING: the host job that deletes contacts the endpoint created for sign-ups unconfirmed after 3 days/,
        );
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
