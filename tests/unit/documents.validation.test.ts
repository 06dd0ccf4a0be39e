/**
 * The privacy-text renderer (see documents.test.ts): bad input is refused naming the field and
 * the fix, the drift guard ties the texts to what the stack deploys, and the templates exist.
 */
import { SiteSettings } from "../../components/config/config";
import { DocumentInput, DocumentInputError, renderComplianceDocuments, RenderedDocument } from "../../components/compliance/documents";
import { P, byPath, measures, section, settings } from "../support/document-fixtures";

describe("input validation", () => {
    const ok = (): DocumentInput => ({ settings: settings(), measures, generatedAt: "2026-05-01" });
    const fails = (input: DocumentInput, field: RegExp) => {
        let err: unknown;
        try {
            renderComplianceDocuments(input);
        } catch (e) {
            err = e;
        }
        expect(err).toBeInstanceOf(DocumentInputError);
        expect((err as Error).message).toMatch(field);
    };

    it("rejects an empty or malformed measure list", () => {
        fails({ ...ok(), measures: [] }, /measures is empty/);
        fails({ ...ok(), measures: [measures[0], measures[0]] }, /measures\[1\]\.id = "tls" is used twice/);
        fails({ ...ok(), measures: [{ id: "x", en: "two\nlines", de: "ok" }] }, /measures\[0\]\.en must be one line/);
        fails({ ...ok(), measures: [{ id: "x", en: "sneaks in [[CONTROLLER_NAME]]", de: "ok" }] }, /measures\[0\]\.en/);
        fails({ ...ok(), measures: [{ id: "x", en: "<script>", de: "ok" }] }, /measures\[0\]\.en/);
        fails({ ...ok(), measures: [{ id: "bad id", en: "a", de: "b" }] }, /measures\[0\]\.id/);
    });

    it("rejects a bad date, a non-German location and bad numbers, naming the field", () => {
        fails({ ...ok(), generatedAt: "yesterday" }, /generatedAt = "yesterday"/);
        fails({ ...ok(), generatedAt: "2026-02-30" }, /generatedAt/);
        fails({ ...ok(), settings: { ...settings(), location: "hel1" as SiteSettings["location"] } }, /settings\.location = "hel1"/);
        fails({ ...ok(), settings: { ...settings(), cleanupDaysOld: 0 } }, /settings\.cleanupDaysOld = 0/);
        fails({ ...ok(), settings: { ...settings(), domain: "Bad Host" } }, /settings\.domain/);
        fails({ ...ok(), consentMaxAgeDays: 400 }, /consentMaxAgeDays = 400/);
        fails({ ...ok(), privacyPolicyUrl: "http://www.client-a.de/datenschutz" }, /privacyPolicyUrl = "http:\/\/www\.client-a\.de\/datenschutz"/);
        fails({ ...ok(), privacyPolicyUrl: "https://user:pw@www.client-a.de/x" }, /privacyPolicyUrl/);
        fails({ ...ok(), privacyPolicyUrl: "datenschutz" }, /privacyPolicyUrl/);
    });
});

describe("drift guard: the texts cannot outlive what the stack deploys", () => {
    const mocked = [
        "../../components/app/mautic",
        "../../components/host/privacyMaintenance",
        "../../components/edge/caddyfile",
        "../../components/shared/template",
    ];
    afterEach(() => mocked.forEach((m) => jest.dontMock(m)));

    const renderWithModule = <M>(modulePath: string, patch: (real: M) => Record<string, unknown>) => {
        let run: () => RenderedDocument[] = () => [];
        jest.isolateModules(() => {
            jest.doMock(modulePath, () => {
                const real = jest.requireActual<M & object>(modulePath);
                return { ...real, ...patch(real) };
            });
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- isolateModules needs a synchronous require that sees the doMock above
            const mod = require("../../components/compliance/documents") as typeof import("../../components/compliance/documents");
            run = () => mod.renderComplianceDocuments({ settings: settings(), measures, generatedAt: "2026-05-01" });
        });
        return run;
    };
    const renderWith = (patch: (real: typeof import("../../components/app/mautic")) => Record<string, unknown>) =>
        renderWithModule("../../components/app/mautic", patch);
    /** The maintenance job with its timer or script text changed. */
    const withMaintenance = (change: { timer?: (t: string) => string; script?: (t: string) => string }) =>
        renderWithModule("../../components/host/privacyMaintenance", (real: typeof import("../../components/host/privacyMaintenance")) => ({
            renderPrivacyMaintenanceFiles: (i: Parameters<typeof real.renderPrivacyMaintenanceFiles>[0]) =>
                real
                    .renderPrivacyMaintenanceFiles(i)
                    .map((f) =>
                        f.path === real.privacyMaintenancePaths.timer && change.timer
                            ? { ...f, content: change.timer(f.content) }
                            : f.path === real.privacyMaintenancePaths.script && change.script
                              ? { ...f, content: change.script(f.content) }
                              : f,
                    ),
        }));
    const timer = (lines: string) => `[Timer]\n${lines}\nPersistent=true\n`;

    it("throws when Mautic no longer pins anonymised IPs", () => {
        const run = renderWith((real) => ({
            mauticParameters: (i: Parameters<typeof real.mauticParameters>[0]) => ({ ...real.mauticParameters(i), anonymize_ip: false }),
        }));
        expect(run).toThrow(/out of date with the stack: the texts say anonymize_ip = true/);
    });

    it("throws when Mautic's open pixel is no longer pinned off (the texts promise no open measurement)", () => {
        const run = renderWith((real) => ({
            mauticParameters: (i: Parameters<typeof real.mauticParameters>[0]) => ({ ...real.mauticParameters(i), mailer_append_tracking_pixel: true }),
        }));
        expect(run).toThrow(/out of date with the stack: the texts say mailer_append_tracking_pixel = false, mauticParameters pins true/);
    });

    it("throws when the crontab loses the GDPR purge", () => {
        const run = renderWith((real) => ({
            cronJobs: (i: Parameters<typeof real.cronJobs>[0]) => real.cronJobs(i).filter((j) => !j.args.includes("--gdpr")),
        }));
        expect(run).toThrow(/no 'mautic:maintenance:cleanup --gdpr' job/);
    });

    it("throws when the privacy maintenance job stops anonymising the audit log or deleting orphaned email statistics", () => {
        expect(withMaintenance({ script: (t) => t.replace(/UPDATE audit_log[^;]*;/, "") })).toThrow(/no longer anonymises audit_log\.ip_address/);
        expect(withMaintenance({ script: (t) => t.replace(" email_stats:date_sent", "") })).toThrow(/no longer deletes email_stats rows of deleted contacts/);
        expect(withMaintenance({ script: (t) => t.replace("DELETE FROM leads WHERE id IN (SELECT id FROM kit_doi_expired);", "") })).toThrow(
            /no longer deletes unconfirmed sign-ups after unconfirmedContactDays \(3\)/,
        );
        expect(withMaintenance({ script: (t) => t.replace("DELETE a FROM audit_log a LEFT JOIN leads l", "") })).toThrow(
            /no longer deletes form results and audit-log entries of deleted contacts/,
        );
    });

    it("throws when the maintenance timer runs less often than hourly", () => {
        expect(withMaintenance({ timer: () => timer("OnCalendar=daily") })).toThrow(/mautic-privacy-maintenance\.timer no longer runs at least hourly/);
    });

    it("prints the anonymisation bound the timer really gives: period + RandomizedDelaySec + AccuracySec", () => {
        const hourlyJitter = withMaintenance({ timer: () => timer("OnCalendar=hourly\nRandomizedDelaySec=5min") })();
        expect(section(byPath(hourlyJitter, P.privacyEn))).toContain("our server overwrites it within 66 minutes.");
        expect(section(byPath(hourlyJitter, P.privacyDe))).toContain("überschreibt unser Server sie innerhalb von 66 Minuten.");
        const exact = withMaintenance({ timer: () => timer("OnCalendar=hourly\nAccuracySec=1s") })();
        expect(section(byPath(exact, P.privacyEn))).toContain("our server overwrites it within one hour.");
        expect(section(byPath(exact, P.privacyDe))).toContain("überschreibt unser Server sie innerhalb einer Stunde.");
        expect(byPath(exact, P.art30En)).toContain("(systemd timer `mautic-privacy-maintenance.timer`, every hour)");
        const halfHourly = withMaintenance({ timer: () => timer("OnCalendar=*:0/30\nRandomizedDelaySec=5min") })();
        expect(section(byPath(halfHourly, P.privacyEn))).toContain("our server overwrites it within one hour.");
        expect(section(byPath(halfHourly, P.privacyEn))).toContain("| automatic job on our server, every 30 minutes |");
        expect(byPath(halfHourly, P.art30De)).toContain("(systemd-Timer `mautic-privacy-maintenance.timer`, alle 30 Minuten)");
    });

    it("the consent ledger's retention: throws when the privacy job no longer keeps and deletes it after consentProofYears", () => {
        const run = withMaintenance({ script: (t) => t.replace(/DELETE FROM kit_consent_ledger WHERE [^;]*;/, "") });
        expect(run).toThrow(/no longer keeps and then deletes the consent ledger after consentProofYears \(3\)/);
    });

    it("throws when the Mautic web container's vhost defines an access log again", () => {
        const run = renderWith((real) => ({
            renderApacheVhost: () => real.renderApacheVhost().replace("</VirtualHost>", "\tCustomLog ${APACHE_LOG_DIR}/access.log combined\n</VirtualHost>"),
        }));
        expect(run).toThrow(/Apache vhost defines an access log again/);
    });

    it("throws when journald no longer rotates daily (the N-day retention would not hold)", () => {
        const run = renderWithModule("../../components/shared/template", (real: typeof import("../../components/shared/template")) => ({
            readTemplate: (rel: string) =>
                rel === "cloudInit/journald.conf" ? real.readTemplate(rel).replace(/^MaxFileSec=.*$/m, "") : real.readTemplate(rel),
        }));
        expect(run).toThrow(/journald no longer rotates daily/);
    });

    it("throws when the edge's consent-forget route stops expiring a Mautic-host cookie the texts list", () => {
        const run = renderWithModule("../../components/edge/caddyfile", (real: typeof import("../../components/edge/caddyfile")) => ({
            mauticHostCookieNames: real.mauticHostCookieNames.filter((n) => n !== "mautic_device_id"),
        }));
        expect(run).toThrow(/the edge's \/consent\/forget route does not expire mautic_device_id/);
    });
});

describe("templates", () => {
    it("define the same text pieces in English and German", () => {
        const { readTemplate } = jest.requireActual("../../components/shared/template") as typeof import("../../components/shared/template");
        const names = (lang: string) => [...readTemplate(`documents/${lang}/parts.md`).matchAll(/^<!-- part: ([a-z0-9-]+) -->$/gm)].map((m) => m[1]).sort();
        expect(names("de")).toEqual(names("en"));
        expect(names("en").length).toBeGreaterThan(30);
    });
});
