/**
 * Breaches (Art. 33/34 GDPR) in the generated texts: the Art. 30 record and the privacy policy
 * state the staff access log with the retention the security job really applies, the runbook
 * explains every alert the job can send, and the register has every Art. 33(5) field.
 */
import { validateSiteArgs } from "../../components/config/config";
import { renderComplianceDocuments, RenderedDocument } from "../../components/compliance/documents";
import { deployedMeasures } from "../../components/compliance/complianceMeasures";
import { renderSecurityAlertFiles, securityDefaults, securityPaths } from "../../components/host/securityAlerts";

const raw = { domain: "marketing.client-a.de", website: "https://www.client-a.de", adminEmail: "ops@client-a.de", adminCidrs: ["203.0.113.0/24"] };

function docs(extra: Record<string, unknown> = {}): Map<string, string> {
    const settings = validateSiteArgs({ ...raw, ...extra }).settings;
    const d: RenderedDocument[] = renderComplianceDocuments({ settings, measures: deployedMeasures(settings), generatedAt: "2026-05-01" });
    return new Map(d.map((x) => [x.path, x.content]));
}

describe("the staff access log in the Art. 30 record and the privacy policy", () => {
    test.each([
        [undefined, 180],
        [30, 30],
    ])("staffAccessLogDays %p: the texts say %p days, as the rendered job keeps them", (set, n) => {
        const d = docs(set === undefined ? {} : { staffAccessLogDays: set });
        const script = renderSecurityAlertFiles({ dataDir: "/srv/mautic", dbContainer: "mautic_db", database: "mautic", staffAccessLogDays: n })[0].content;
        expect(script).toContain(`\nSTAFF_LOG_DAYS=${n}\n`);
        const art30 = d.get("docs/en/art30-record.md")!;
        const art30de = d.get("docs/de/verarbeitungsverzeichnis.md")!;
        expect(art30).toMatch(
            new RegExp(
                `^\\| 9 \\| Staff access log and security alerts: the host job \`mautic-kit-security\` \\(every ${securityDefaults.periodMinutes} minutes\\).*\\| Art\\. 6\\(1\\)\\(f\\) GDPR .*deleted after ${n} days`,
                "m",
            ),
        );
        expect(art30).toContain(
            `| Staff access log of the security alerts (\`${securityPaths.staffLog}\`, purpose 9) and the networks the alerts remember | after ${n} days |`,
        );
        expect(art30de).toMatch(new RegExp(`^\\| 9 \\| Protokoll der Mitarbeiterzugriffe und Sicherheitswarnungen: .*gelöscht nach ${n} Tagen`, "m"));
        expect(art30de).toContain(`und die Netze, die sich die Warnungen merken | nach ${n} Tagen |`);
        expect(d.get("docs/en/privacy-policy.md")).toContain(`| Security log of logins and API use (shortened IP addresses) | after ${n} days |`);
        expect(d.get("docs/de/datenschutzerklaerung.md")).toContain(
            `in einem Sicherheitsprotokoll, um den Missbrauch von Zugängen zu erkennen und aufzuklären; es wird nach ${n} Tagen gelöscht.`,
        );
        expect(d.get("docs/de/datenschutzerklaerung.md")).toContain(
            `| Sicherheitsprotokoll der Anmeldungen und API-Nutzung (gekürzte IP-Adressen) | nach ${n} Tagen |`,
        );
        expect(d.get("docs/en/privacy-policy.md")).toContain(`in a security log for ${n} days, to detect and investigate the misuse of accounts.`);
        expect(art30).toContain(`staff access log kept ${n} days; breach runbook and register (Art. 33, 34 GDPR) (\`breach-alerts\`)`);
    });

    test("the checklist points to the runbook and the register in each language", () => {
        const d = docs();
        expect(d.get("docs/en/art30-record.md")).toContain("the 72-hour runbook `docs/en/breach-runbook.md`");
        expect(d.get("docs/en/art30-record.md")).toContain("the breach register `docs/en/breach-register.md` kept (Art. 33(5) GDPR)");
        expect(d.get("docs/de/verarbeitungsverzeichnis.md")).toContain("den 72-Stunden-Ablaufplan `docs/de/ablaufplan-datenpanne.md`");
        expect(d.get("docs/de/verarbeitungsverzeichnis.md")).toContain("das Verzeichnis `docs/de/verzeichnis-datenpannen.md` geführt");
        for (const p of ["docs/en/breach-runbook.md", "docs/de/ablaufplan-datenpanne.md", "docs/en/breach-register.md", "docs/de/verzeichnis-datenpannen.md"])
            expect(d.has(p)).toBe(true);
    });
});

describe("the runbook and the register", () => {
    const script = renderSecurityAlertFiles({ dataDir: "/srv/mautic", dbContainer: "mautic_db", database: "mautic", staffAccessLogDays: 180 })[0].content;
    const kinds = [...new Set([...script.matchAll(/\balert ([a-z-]+) "/g)].map((m) => m[1]))].sort();

    test("the job sends five kinds of alert", () => {
        expect(kinds).toEqual(["admin-network", "api-client", "contact-export", "failed-logins", "new-admin"]);
    });

    test.each([
        ["docs/en/breach-runbook.md", "72 hours", "Art. 33(1) GDPR"],
        ["docs/de/ablaufplan-datenpanne.md", "72 Stunden", "Art. 33 Abs. 1 DSGVO"],
    ])("%s explains every alert the job sends, the clock and the steps", (path, hours, article) => {
        const text = docs().get(path)!;
        for (const k of kinds) expect(text).toMatch(new RegExp(`^\\| \`security:${k}\` \\|`, "m"));
        expect(text).toContain(hours);
        expect(text).toContain(article);
        expect(text).toContain("`[marketing.client-a.de] security: security:<");
        expect(text).toContain(securityPaths.staffLog);
        expect(text.match(/^\d\. \*\*/gm)).toHaveLength(8);
    });

    test.each([
        [
            "docs/en/breach-register.md",
            [
                "nature of the breach",
                "approximate number of people",
                "Likely consequences",
                "Measures taken",
                "reasons for the delay",
                "[[SUPERVISORY_AUTHORITY]]",
            ],
        ],
        [
            "docs/de/verzeichnis-datenpannen.md",
            [
                "Art der Verletzung",
                "ungefähre Zahl der betroffenen Personen",
                "Wahrscheinliche Folgen",
                "Maßnahmen zur Eindämmung",
                "Gründe für die Verzögerung",
                "[[SUPERVISORY_AUTHORITY]]",
            ],
        ],
    ])("%s has the fields of Art. 33(3) and (5) GDPR", (path, fields) => {
        const text = docs().get(path)!;
        for (const f of fields) expect(text).toContain(f);
        expect(text).not.toMatch(/\{\{|\}\}/);
    });
});
