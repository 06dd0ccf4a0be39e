/**
 * The generated privacy texts (C01 privacy policy section, C02 Art. 30 record entry, C03 DPA
 * checklist; English and German): that they are built from the stack's real values (a changed
 * setting changes the text in both languages), carry the not-legal-advice notice, list exactly
 * the placeholders `documentPlaceholders` names, never show a secret, and are well-formed
 * Markdown. The English privacy policy section is pinned by a snapshot.
 */
import { SiteSettings, validateSiteArgs } from "../components/config";
import {
    ComplianceMeasure,
    DocumentInput,
    DocumentInputError,
    documentPlaceholders,
    hetznerDpa,
    mailerHostFromDsn,
    mauticDeviceStorage,
    renderComplianceDocuments,
    RenderedDocument,
} from "../components/render/documents";
import { consentStorageKey } from "../components/render/tracking";

const baseRaw = {
    domain: "marketing.client-a.de",
    website: "https://www.client-a.de",
    adminEmail: "ops@client-a.de",
    adminCidrs: ["203.0.113.0/24"],
};

function settings(extra: Record<string, unknown> = {}, opts: { mailerDsnProvided?: boolean } = {}): SiteSettings {
    return validateSiteArgs({ ...baseRaw, ...extra }, opts).settings;
}

const measures: ComplianceMeasure[] = [
    { id: "tls", en: "HTTPS only (TLS 1.2/1.3), HSTS 2 years", de: "Nur HTTPS (TLS 1.2/1.3), HSTS 2 Jahre" },
    { id: "access-logs", en: "Edge access logs with masked client IPs", de: "Zugriffsprotokolle mit gek\u00fcrzten IP-Adressen" },
];

function render(over: Partial<DocumentInput> = {}, extra: Record<string, unknown> = {}): RenderedDocument[] {
    return renderComplianceDocuments({ settings: settings(extra), measures, mailerHost: "smtp.mail.example.de", generatedAt: "2026-05-01", ...over });
}

const byPath = (docs: RenderedDocument[], path: string): string => {
    const d = docs.find((x) => x.path === path);
    if (!d) throw new Error(`no document ${path}`);
    return d.content;
};
const P = {
    privacyEn: "docs/en/privacy-policy.md",
    privacyDe: "docs/de/datenschutzerklaerung.md",
    art30En: "docs/en/art30-record.md",
    art30De: "docs/de/verarbeitungsverzeichnis.md",
    dpaEn: "docs/en/dpa-checklist.md",
    dpaDe: "docs/de/avv-checkliste.md",
};
const en = (docs: RenderedDocument[]) => docs.filter((d) => d.path.startsWith("docs/en/")).map((d) => d.content).join("\n");
const de = (docs: RenderedDocument[]) => docs.filter((d) => d.path.startsWith("docs/de/")).map((d) => d.content).join("\n");
const markersIn = (text: string) => new Set([...text.matchAll(/\[\[([A-Z0-9_]+)\]\]/g)].map((m) => m[0]));
const section = (text: string) => {
    const m = /<!-- BEGIN [^>]*-->\n([\s\S]*?)<!-- END [^>]*-->/.exec(text);
    if (!m) throw new Error("no BEGIN/END section");
    return m[1];
};

/** The documents for every combination of the variant switches. */
function variantDocs(): RenderedDocument[][] {
    const out: RenderedDocument[][] = [];
    for (const backups of [true, false])
        for (const mailerHost of ["smtp.mail.example.de", undefined])
            for (const consentMechanism of ["banner", "cmp"] as const)
                for (const doubleOptIn of [true, false])
                    for (const offsite of [undefined, "sftp://u1@u1.your-storagebox.de:23/m", "sftp:b@files.example.net:/r"]) {
                        const extra = { backups, ...(offsite ? { backupOffsiteRepository: offsite } : {}) };
                        out.push(renderComplianceDocuments({ settings: settings(extra), measures, mailerHost, generatedAt: "2026-05-01", consentMechanism, doubleOptIn }));
                    }
    return out;
}

describe("renderComplianceDocuments: the six documents", () => {
    const docs = render();

    it("renders the privacy section, the Art. 30 record and the DPA checklist in English and German, in a fixed order", () => {
        expect(docs.map((d) => d.path)).toEqual([P.privacyEn, P.privacyDe, P.art30En, P.art30De, P.dpaEn, P.dpaDe]);
        for (const d of variantDocs().flat()) {
            expect(d.content.endsWith("\n")).toBe(true);
            expect(d.content).not.toMatch(/\{\{|\}\}|undefined|NaN|\[object /);
            expect(d.content).not.toMatch(/\n{3,}/);
        }
    });

    it("is deterministic", () => {
        expect(render()).toEqual(docs);
    });

    it("begins every document with the not-legal-advice notice, the generation date and the stack's domain", () => {
        for (const d of docs) {
            const firstBlock = d.content.split("\n").find((l) => l.startsWith("> "))!;
            const heading = d.content.split("\n").findIndex((l) => l.startsWith("# "));
            const notice = d.content.split("\n").findIndex((l) => l.startsWith("> "));
            expect(notice).toBe(heading + 2);
            expect(firstBlock).toMatch(d.path.startsWith("docs/en/") ? /^> \*\*Not legal advice\.\*\*/ : /^> \*\*Keine Rechtsberatung\.\*\*/);
            expect(firstBlock).toContain("2026-05-01");
            expect(firstBlock).toContain("`marketing.client-a.de`");
            // The checklist's caveat: case by case, with experts.
            expect(firstBlock).toMatch(d.path.startsWith("docs/en/") ? /reviewed case by case with experts/ : /im Einzelfall mit Fachleuten gepr\u00fcft/);
        }
    });

    it("pins the English privacy policy section (snapshot)", () => {
        expect(byPath(docs, P.privacyEn)).toMatchSnapshot();
    });

    it("gives every table row as many cells as its header, in every variant", () => {
        for (const d of variantDocs().flat()) {
            const lines = d.content.split("\n");
            let cols = -1;
            for (const line of lines) {
                if (!line.startsWith("|")) {
                    cols = -1;
                    continue;
                }
                const n = line.replace(/\\\|/g, "").split("|").length - 2;
                if (cols === -1) cols = n;
                else expect({ path: d.path, line, n }).toEqual({ path: d.path, line, n: cols });
            }
        }
    });
});

describe("C01 privacy policy section", () => {
    const docs = render();
    const pEn = section(byPath(docs, P.privacyEn));
    const pDe = section(byPath(docs, P.privacyDe));

    it("names the Mautic host, the website and the German location", () => {
        for (const t of [pEn, pDe]) {
            expect(t).toContain("`https://marketing.client-a.de`");
            expect(t).toContain("https://www.client-a.de");
            expect(t).toContain("Hetzner Online GmbH");
        }
        expect(pEn).toContain("Nuremberg, Germany");
        expect(pDe).toContain("N\u00fcrnberg, Deutschland");
    });

    it("lists Mautic's cookies and storage with their lifetimes, and the consent choice storage", () => {
        for (const name of ["mautic_device_id", "mtc_id", "mtc_sid", "mautic_referer_id", consentStorageKey]) {
            expect(pEn).toContain(`\`${name}\``);
            expect(pDe).toContain(`\`${name}\``);
        }
        expect(pEn).toMatch(/\| `mautic_device_id` \| cookie of `marketing\.client-a\.de` \| [^|]+ \| 1 year \|/);
        expect(pDe).toMatch(/\| `mautic_device_id` \| Cookie von `marketing\.client-a\.de` \| [^|]+ \| 1 Jahr \|/);
        expect(pEn).toMatch(/\| `mautic_referer_id` \|[^\n]*\| 30 minutes \|/);
        expect(pEn).toMatch(/\| `consent\.mautic` \| local storage of `www\.client-a\.de` \|[^\n]*no identifier \| 1 year, then the banner asks again \|/);
        // The table is built from the exported structured list.
        expect(mauticDeviceStorage.length).toBe(5);
    });

    it("states the legal bases: consent (Art. 6(1)(a) GDPR, § 25(1) TDDDG), Art. 7 for proof, Art. 6(1)(f) for security logs", () => {
        for (const s of ["Art. 6(1)(a) GDPR", "\u00a7 25(1) TDDDG", "Art. 7(1) GDPR", "Art. 6(1)(f) GDPR", "\u00a7 25(2) no. 2 TDDDG"]) expect(pEn).toContain(s);
        for (const s of ["Art. 6 Abs. 1 lit. a DSGVO", "\u00a7 25 Abs. 1 TDDDG", "Art. 7 Abs. 1 DSGVO", "Art. 6 Abs. 1 lit. f DSGVO", "\u00a7 25 Abs. 2 Nr. 2 TDDDG"]) expect(pDe).toContain(s);
    });

    it("lists the rights (Art. 15 to 21), withdrawal of consent and the complaint to a supervisory authority", () => {
        for (const a of ["15", "16", "17", "18", "20", "21", "77"]) {
            expect(pEn).toContain(`Art. ${a}`);
            expect(pDe).toContain(`Art. ${a}`);
        }
        expect(pEn).toContain("Art. 7(3) GDPR");
        expect(pDe).toContain("Art. 7 Abs. 3 DSGVO");
        expect(pEn).toContain('"Privacy settings"');
        expect(pDe).toContain("\u201eDatenschutz-Einstellungen\u201c");
        expect(pEn).toContain("[[SUPERVISORY_AUTHORITY]]");
    });

    it("describes the masked edge logs with the edge's real mask widths", () => {
        expect(pEn).toContain("first 24 bits (IPv4) or 32 bits (IPv6)");
        expect(pDe).toContain("ersten 24 Bit (IPv4) bzw. 32 Bit (IPv6)");
    });

    it("uses the consent manager's wording when the website uses a CMP", () => {
        const cmp = render({ consentMechanism: "cmp" });
        const t = section(byPath(cmp, P.privacyEn));
        expect(t).not.toContain(consentStorageKey);
        expect(t).toContain("consent settings of our website");
        expect(section(byPath(cmp, P.privacyDe))).toContain("Einwilligungseinstellungen unserer Website");
    });

    it("prints the consent banner's configured lifetime", () => {
        const t = render({ consentMaxAgeDays: 180 });
        expect(byPath(t, P.privacyEn)).toContain("| 180 days, then the banner asks again |");
        expect(byPath(t, P.privacyDe)).toContain("| 180 Tage, danach fragt das Banner erneut |");
    });
});

describe("every number comes from the settings (both languages change)", () => {
    it("cleanupDaysOld 21 -> 30", () => {
        const a = render();
        const b = render({}, { cleanupDaysOld: 30 });
        expect(en(a)).toContain("--days-old=21");
        expect(de(a)).toContain("--days-old=21");
        for (const text of [en(b), de(b)]) {
            expect(text).toContain("--days-old=30");
            expect(text).not.toContain("--days-old=21");
        }
        expect(section(byPath(b, P.privacyEn))).toContain("no activity for 30 days");
        expect(section(byPath(b, P.privacyDe))).toContain("seit 30 Tagen keine Aktivit\u00e4t");
        expect(en(b)).not.toMatch(/\b21 days\b/);
        expect(de(b)).not.toMatch(/\b21 Tagen\b/);
    });

    it("unconfirmedContactDays, with singular and plural", () => {
        const one = render({}, { unconfirmedContactDays: 1 });
        expect(section(byPath(one, P.privacyEn))).toContain("within 1 day,");
        expect(section(byPath(one, P.privacyDe))).toContain("innerhalb von 1 Tag,");
        const seven = render({}, { unconfirmedContactDays: 7 });
        expect(section(byPath(seven, P.privacyEn))).toContain("within 7 days,");
        expect(section(byPath(seven, P.privacyDe))).toContain("innerhalb von 7 Tagen,");
        expect(byPath(seven, P.art30En)).toMatch(/\| Sign-ups that were not confirmed \| after 7 days \| campaign "DOI: delete unconfirmed contacts"/);
    });

    it("gdprPurgeDays appears with the pinned threshold", () => {
        const d = render({}, { gdprPurgeDays: 730 });
        expect(byPath(d, P.art30En)).toContain("after 730 days (2 years) without activity");
        expect(byPath(d, P.art30En)).toContain("`gdpr_user_purge_threshold = 730`");
        expect(byPath(d, P.art30De)).toContain("nach 730 Tagen (2 Jahren) ohne Aktivit\u00e4t");
        const odd = render({}, { gdprPurgeDays: 400 });
        expect(byPath(odd, P.privacyEn)).toContain("no activity for 400 days |");
    });

    it("accessLogRetentionDays and backupRetentionDays", () => {
        const d = render({}, { accessLogRetentionDays: 3, backupRetentionDays: 30 });
        expect(section(byPath(d, P.privacyEn))).toContain("| Security logs (shortened IP addresses) | after 3 days |");
        expect(section(byPath(d, P.privacyDe))).toContain("| Sicherheitsprotokolle (gek\u00fcrzte IP-Adressen) | nach 3 Tagen |");
        expect(section(byPath(d, P.privacyEn))).toContain("| Backups of the database | after 30 days |");
        expect(section(byPath(d, P.privacyDe))).toContain("| Sicherungen der Datenbank | nach 30 Tagen |");
        expect(byPath(d, P.art30En)).toMatch(/System journal[^\n]*after 3 days/);
    });

    it("location fsn1 -> Falkenstein in both languages", () => {
        const d = render({}, { location: "fsn1" });
        expect(en(d)).toContain("Falkenstein, Germany");
        expect(de(d)).toContain("Falkenstein, Deutschland");
        expect(en(d)).toContain("(`fsn1`)");
        expect(en(d)).not.toContain("Nuremberg");
        expect(de(d)).not.toContain("N\u00fcrnberg");
    });

    it("the generation date and the yearly review date", () => {
        const d = render({ generatedAt: "2028-02-29T10:00:00Z" });
        expect(byPath(d, P.art30En)).toContain("2028-02-29; review due by 2029-02-28");
        expect(byPath(d, P.dpaDe)).toContain("n\u00e4chste Pr\u00fcfung: 2029-02-28");
    });

    it("prints the cron schedules and time zone of the crontab", () => {
        const d = render({}, { timezone: "UTC" });
        expect(byPath(d, P.art30En)).toContain("daily at 03:40 (UTC)");
        expect(byPath(d, P.art30En)).toContain("daily at 04:10 (UTC)");
        expect(byPath(d, P.art30En)).toContain("every 15 minutes");
        expect(byPath(d, P.art30De)).toContain("t\u00e4glich um 03:40 Uhr (UTC)");
    });
});

describe("backups", () => {
    it("on: Hetzner server backups with 7 daily slots are named as a service and in the retention", () => {
        const d = render({}, { backups: true });
        expect(section(byPath(d, P.privacyEn))).toContain("keeps 7 daily copies of the server's system disk");
        expect(section(byPath(d, P.privacyDe))).toContain("7 t\u00e4gliche Kopien der Systemplatte");
        expect(byPath(d, P.art30En)).toContain("| 7 daily slots, the oldest replaced every day; deleted with the server |");
        expect(byPath(d, P.dpaEn)).toContain("## 1. Hetzner: server, data volume, firewall and daily backups of the server's system disk in Nuremberg, Germany");
    });

    it("off: the backup paragraph and rows say so", () => {
        const d = render({}, { backups: false });
        const pEn = section(byPath(d, P.privacyEn));
        expect(pEn).not.toContain("daily copies");
        expect(pEn).toContain("Data deleted in Mautic normally disappears from the nightly backups after 14 days. If you unsubscribe");
        expect(section(byPath(d, P.privacyDe))).not.toContain("t\u00e4gliche Kopien");
        expect(byPath(d, P.art30En)).toContain("| Hetzner server backups | switched off (`backups = false`) | none |");
        expect(byPath(d, P.art30De)).toContain("| Server-Backups von Hetzner | ausgeschaltet (`backups = false`) | keine |");
        expect(byPath(d, P.dpaEn)).toContain("## 1. Hetzner: server, data volume and firewall in Nuremberg, Germany");
    });

    it("an off-site repository adds its host (never its user) as a processor and to the retention", () => {
        const d = render({}, { backupOffsiteRepository: "sftp://u123456@u123456.your-storagebox.de:23/mautic" });
        expect(section(byPath(d, P.privacyEn))).toContain("- Operator of `u123456.your-storagebox.de`: storage of an encrypted copy");
        expect(byPath(d, P.art30En)).toContain("| Off-site copy of the backup sets at `u123456.your-storagebox.de` (restic, encrypted) | after 14 days");
        expect(byPath(d, P.dpaEn)).toContain("Hetzner Storage Box `u123456.your-storagebox.de`");
        expect(byPath(d, P.dpaDe)).toContain("Hetzner Storage Box `u123456.your-storagebox.de`");
        expect(en(d)).not.toContain("sftp://");
        const other = render({}, { backupOffsiteRepository: "sftp:backup@files.example.net:/srv/restic/mautic" });
        expect(byPath(other, P.dpaEn)).toContain("copied to `files.example.net`");
        expect(en(other)).not.toContain("backup@");
    });
});

describe("mail processor", () => {
    it("with a mailer host: the host is listed as a processor in every document, in both languages", () => {
        const d = render({ mailerHost: "smtp.mailbox.org" });
        for (const p of Object.values(P)) expect(byPath(d, p)).toContain("`smtp.mailbox.org`");
        expect(section(byPath(d, P.privacyEn))).toContain("- [[MAIL_PROVIDER_NAME]]: sending of our emails through the mail server `smtp.mailbox.org`, as our processor under Art. 28 GDPR.");
    });

    it("without a mailer: the mail processor line says it must be added", () => {
        const d = renderComplianceDocuments({ settings: settings(), measures, generatedAt: "2026-05-01" });
        expect(section(byPath(d, P.privacyEn))).toContain("**To be added before publishing:** the stack has no mail server configured yet");
        expect(section(byPath(d, P.privacyDe))).toContain("**Vor der Ver\u00f6ffentlichung zu erg\u00e4nzen:** im Stack ist noch kein Mailserver eingerichtet");
        expect(byPath(d, P.art30En)).toContain("| [[MAIL_PROVIDER_NAME]]: **to be added**, the stack has no mail server configured yet |");
        expect(byPath(d, P.dpaEn)).toContain("**To be added:** the stack has no mail server configured yet.");
        expect(byPath(d, P.dpaDe)).toContain("**Zu erg\u00e4nzen:** im Stack ist noch kein Mailserver eingerichtet.");
    });

    it("a DSN without a showable host: the text says the host is unknown, not that no mailer exists", () => {
        const s = settings({}, { mailerDsnProvided: true });
        expect(s.mailerConfigured).toBe(true);
        const d = renderComplianceDocuments({ settings: s, measures, mailerHost: mailerHostFromDsn("sendgrid+api://KEY@default"), generatedAt: "2026-05-01" });
        expect(byPath(d, P.privacyEn)).toContain("the stack's mail server setting names no host the kit can show");
    });
});

describe("secrets never reach the documents", () => {
    const secret = "s3cr3t-P4ssw0rd";
    const dsn = `smtp://mailuser%40client-a.de:${secret}@smtp.mail.example.de:587?verify_peer=1`;

    it("mailerHostFromDsn returns the host only", () => {
        expect(mailerHostFromDsn(dsn)).toBe("smtp.mail.example.de");
        expect(mailerHostFromDsn("smtps://USER:PASS@SMTP.Example.DE:465")).toBe("smtp.example.de");
        for (const bad of ["sendgrid+api://KEY@default", "smtp://localhost:25", "failover(smtp://a@x.de smtp://b@y.de)", "not a dsn", "", undefined]) {
            expect(mailerHostFromDsn(bad)).toBeUndefined();
        }
    });

    it("a settings object carrying a DSN by accident and the parsed host: only the host appears", () => {
        const s = { ...settings({}, { mailerDsnProvided: true }), mailerDsn: dsn } as SiteSettings;
        const docs = renderComplianceDocuments({ settings: s, measures, mailerHost: mailerHostFromDsn(dsn), generatedAt: "2026-05-01" });
        const all = docs.map((d) => d.content).join("\n");
        expect(all).toContain("smtp.mail.example.de");
        for (const leak of [secret, "mailuser", "verify_peer", ":587", "smtp://"]) expect(all).not.toContain(leak);
    });

    it("a DSN passed as mailerHost is rejected without echoing it", () => {
        for (const bad of [dsn, `user:${secret}@smtp.mail.example.de`, "smtp.mail.example.de:587", "smtp.example.de/path", "localhost"]) {
            let err: unknown;
            try {
                render({ mailerHost: bad });
            } catch (e) {
                err = e;
            }
            expect(err).toBeInstanceOf(DocumentInputError);
            expect(String((err as Error).message)).toContain("mailerHost");
            expect(String((err as Error).message)).not.toContain(secret);
            expect(String((err as Error).message)).not.toContain(bad);
        }
    });
});

describe("placeholders", () => {
    const variants: Array<[string, RenderedDocument[]]> = [
        ["default", render()],
        ["no mailer, backups off, cmp, no DOI", renderComplianceDocuments({ settings: settings({ backups: false }), measures, generatedAt: "2026-05-01", consentMechanism: "cmp", doubleOptIn: false })],
        ["off-site backups", render({}, { backupOffsiteRepository: "sftp://u1@u1.your-storagebox.de:23/m" })],
    ];

    it("in every combination of the variant switches, the markers are exactly documentPlaceholders", () => {
        for (const docs of variantDocs()) {
            const used = markersIn(docs.map((d) => d.content).join("\n"));
            expect([...used].sort()).toEqual(documentPlaceholders.map((p) => p.marker).sort());
        }
    });

    it.each(variants)("%s: every marker in the documents is listed in documentPlaceholders, and every listed one is used", (_name, docs) => {
        const used = markersIn(docs.map((d) => d.content).join("\n"));
        expect([...used].sort()).toEqual(documentPlaceholders.map((p) => p.marker).sort());
    });

    it("each language's documents use every marker the client must fill", () => {
        const docs = render();
        expect([...markersIn(en(docs))].sort()).toEqual(documentPlaceholders.map((p) => p.marker).sort());
        expect([...markersIn(de(docs))].sort()).toEqual(documentPlaceholders.map((p) => p.marker).sort());
    });

    it("describes each placeholder in both languages, with a unique id and a well-formed marker", () => {
        const ids = new Set<string>();
        for (const p of documentPlaceholders) {
            expect(p.marker).toMatch(/^\[\[[A-Z][A-Z0-9_]*\]\]$/);
            expect(p.en.length).toBeGreaterThan(10);
            expect(p.de.length).toBeGreaterThan(10);
            expect(ids.has(p.id)).toBe(false);
            ids.add(p.id);
        }
        for (const m of ["[[CONTROLLER_NAME]]", "[[CONTROLLER_ADDRESS]]", "[[DPO_CONTACT]]", "[[PRIVACY_CONTACT_EMAIL]]", "[[SUPERVISORY_AUTHORITY]]"]) {
            expect(documentPlaceholders.map((p) => p.marker)).toContain(m);
        }
    });
});

describe("C02 Art. 30 record", () => {
    const docs = render();
    const a = byPath(docs, P.art30En);
    const ad = byPath(docs, P.art30De);

    it("lists the deployed measures in the document's language", () => {
        expect(a).toContain("- HTTPS only (TLS 1.2/1.3), HSTS 2 years (`tls`)");
        expect(a).toContain("- Edge access logs with masked client IPs (`access-logs`)");
        expect(ad).toContain("- Nur HTTPS (TLS 1.2/1.3), HSTS 2 Jahre (`tls`)");
        expect(ad).not.toContain("HTTPS only");
    });

    it("has the Art. 30(1) contents: controller, purposes with legal bases, subjects, data, recipients, transfers, erasure, measures", () => {
        for (const h of ["## Purposes and legal bases", "## Categories of data subjects", "## Categories of personal data", "## Recipients", "## Transfers to third countries", "## Time limits for erasure", "## Technical and organisational measures (Art. 32 GDPR) deployed by the stack"]) {
            expect(a).toContain(h);
        }
        for (const h of ["## Zwecke und Rechtsgrundlagen", "## Kategorien betroffener Personen", "## Empf\u00e4nger", "## \u00dcbermittlungen in Drittl\u00e4nder", "## L\u00f6schfristen"]) expect(ad).toContain(h);
        expect(a).toContain("| Concluded on [[HETZNER_DPA_DATE]]");
    });

    it("says where each period is enforced: cron cleanup, DOI deletion campaign, GDPR purge, log retention, backup retention", () => {
        expect(a).toContain("`mautic:maintenance:cleanup --days-old=21 --no-interaction` in the container `mautic_cron`, daily at 03:40 (Europe/Berlin)");
        expect(a).toContain('campaign "DOI: delete unconfirmed contacts"');
        expect(a).toContain("`mautic:maintenance:cleanup --gdpr --no-interaction`, daily at 04:10 (Europe/Berlin)");
        expect(a).toContain("logrotate on the server");
        expect(a).toContain("journald `MaxRetentionSec`");
        expect(a).toContain("at most 5 files of 10 MB per container");
        expect(a).toContain("`mautic-backup` (systemd timer), nightly from 02:30 (Europe/Berlin)");
        expect(a).toContain("Mautic issue 12320");
    });

    it("without the DOI setup, says the deletion of unconfirmed contacts is not enforced by the stack", () => {
        const d = render({ doubleOptIn: false });
        expect(byPath(d, P.art30En)).toContain("**not enforced by the stack:**");
        expect(byPath(d, P.art30En)).not.toContain("DOI: delete unconfirmed contacts");
        expect(byPath(d, P.privacyDe)).toContain("**vor der Ver\u00f6ffentlichung einzurichten:**");
    });
});

describe("C03 DPA checklist", () => {
    const docs = render();
    const d = byPath(docs, P.dpaEn);
    const dd = byPath(docs, P.dpaDe);

    it("says where Hetzner's DPA is concluded, and the steps: sign, store, note in the Art. 30 record, review yearly", () => {
        for (const t of [d, dd]) {
            expect(t).toContain(hetznerDpa.dpaUrl);
            expect(t).toContain(hetznerDpa.accountsUrl);
            expect(t).toContain("[[HETZNER_DPA_DATE]]");
            expect(t).toContain("2027-05-01");
        }
        expect(d).toContain("Accept the agreement in the account and download it as PDF.");
        expect(d).toContain("Store the PDF with your data protection documents.");
        expect(d).toContain("Enter the agreement in the record of processing activities");
        expect(d).toContain("Review it once a year (next: 2027-05-01)");
        expect(dd).toContain("Auftragsverarbeitungsvertrag");
        expect(d).toContain(hetznerDpa.faqUrl.en);
        expect(dd).toContain(hetznerDpa.faqUrl.de);
    });

    it("has one open checkbox per step and nothing pre-ticked", () => {
        for (const t of [d, dd]) {
            expect(t).not.toMatch(/- \[x\]/i);
            expect((t.match(/- \[ \]/g) ?? []).length).toBeGreaterThanOrEqual(15);
        }
    });
});

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
    });
});

describe("drift guard: the texts cannot outlive what the stack deploys", () => {
    afterEach(() => jest.dontMock("../components/render/mautic"));

    const renderWith = (patch: (real: typeof import("../components/render/mautic")) => Record<string, unknown>) => {
        let run: () => unknown = () => undefined;
        jest.isolateModules(() => {
            jest.doMock("../components/render/mautic", () => {
                const real = jest.requireActual("../components/render/mautic");
                return { ...real, ...patch(real) };
            });
            const mod = require("../components/render/documents") as typeof import("../components/render/documents");
            run = () => mod.renderComplianceDocuments({ settings: settings(), measures, generatedAt: "2026-05-01" });
        });
        return run;
    };

    it("throws when Mautic no longer pins anonymised IPs", () => {
        const run = renderWith((real) => ({ mauticParameters: (i: Parameters<typeof real.mauticParameters>[0]) => ({ ...real.mauticParameters(i), anonymize_ip: false }) }));
        expect(run).toThrow(/out of date with the stack: the texts say anonymize_ip = true/);
    });

    it("throws when the crontab loses the GDPR purge", () => {
        const run = renderWith((real) => ({ cronJobs: (i: Parameters<typeof real.cronJobs>[0]) => real.cronJobs(i).filter((j) => !j.args.includes("--gdpr")) }));
        expect(run).toThrow(/no 'mautic:maintenance:cleanup --gdpr' job/);
    });
});

describe("templates", () => {
    it("define the same text pieces in English and German", () => {
        const { readTemplate } = jest.requireActual("../components/render/template") as typeof import("../components/render/template");
        const names = (lang: string) => [...readTemplate(`docs/${lang}/parts.md`).matchAll(/^<!-- part: ([a-z0-9-]+) -->$/gm)].map((m) => m[1]).sort();
        expect(names("de")).toEqual(names("en"));
        expect(names("en").length).toBeGreaterThan(30);
    });
});
