/**
 * The compliance report reads the rendered files, not the intent: built without a plan from a
 * hand-made input (settings, host files, Caddyfile, crontab, Mautic's parameters), each test cuts
 * or weakens one rendered thing and the item it backs warns or says MISSING. The report of a
 * planned stack: compliance.plan.test.ts.
 */
import { buildComplianceReport, ComplianceInput, documentPaths } from "../../components/compliance/compliance";
import { validateSiteArgs } from "../../components/config/config";
import { mauticParameters } from "../../components/app/mautic";
import { noConsentUserAgent, renderCaddyfile } from "../../components/edge/caddyfile";
import { privacyMaintenancePaths, renderPrivacyMaintenanceFiles } from "../../components/host/privacyMaintenance";
import { DoiFormTexts, doiFormTexts } from "../../components/compliance/complianceDoi";
import { item } from "../support/compliance-report";

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
