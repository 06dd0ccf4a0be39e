/**
 * The generated privacy texts (C01 privacy policy section, C02 Art. 30 record entry, C03 DPA
 * checklist; English and German): that they are built from the stack's real values (a changed
 * setting changes the text in both languages), carry the not-legal-advice notice, list exactly
 * the placeholders `documentPlaceholders` names, never show a secret, and are well-formed
 * Markdown; that they state, in both languages, what the stack does about the audit log's IPs,
 * logs, data of deleted contacts, Gravatar, the double opt-in and cookie withdrawal, and carry the
 * Art. 13 statements (Art. 13(2)(e), a separate Art. 21 section). The English privacy policy
 * section is pinned by a snapshot.
 */
import { SiteSettings, validateSiteArgs } from "../../components/config/config";
import {
    ComplianceMeasure,
    DocumentInput,
    DocumentInputError,
    documentPlaceholders,
    placeholdersFor,
    hetznerDpa,
    mailerHostFromDsn,
    mauticDeviceStorage,
    renderComplianceDocuments,
    RenderedDocument,
} from "../../components/compliance/documents";
import { consentForgetPath, mauticHostCookieNames } from "../../components/edge/caddyfile";
import { doiNames } from "../../components/doi/doiBlueprint";
import { renderPrivacyMaintenanceFiles, privacyMaintenancePaths } from "../../components/host/privacyMaintenance";
import { consentStorageKey } from "../../components/edge/tracking";

const baseRaw = {
    domain: "marketing.client-a.de",
    website: "https://www.client-a.de",
    adminEmail: "ops@client-a.de",
    adminCidrs: ["203.0.113.0/24"],
};

function settings(extra: Record<string, unknown> = {}, opts: { mailerDsnProvided?: boolean } = {}): SiteSettings {
    const sender = opts.mailerDsnProvided || "mailerDsn" in extra ? { mailerFromEmail: "news@client-a.de", mailerFromName: "Client A" } : {};
    return validateSiteArgs({ ...baseRaw, ...sender, ...extra }, opts).settings;
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
    runbookEn: "docs/en/breach-runbook.md",
    runbookDe: "docs/de/ablaufplan-datenpanne.md",
    registerEn: "docs/en/breach-register.md",
    registerDe: "docs/de/verzeichnis-datenpannen.md",
};
const en = (docs: RenderedDocument[]) =>
    docs
        .filter((d) => d.path.startsWith("docs/en/"))
        .map((d) => d.content)
        .join("\n");
const de = (docs: RenderedDocument[]) =>
    docs
        .filter((d) => d.path.startsWith("docs/de/"))
        .map((d) => d.content)
        .join("\n");
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
                        const gravatar = offsite === undefined;
                        const extra = { backups, gravatar, ...(offsite ? { backupOffsiteRepository: offsite } : {}) };
                        out.push(
                            renderComplianceDocuments({
                                settings: settings(extra),
                                measures,
                                mailerHost,
                                generatedAt: "2026-05-01",
                                consentMechanism,
                                doubleOptIn,
                            }),
                        );
                    }
    return out;
}

describe("renderComplianceDocuments: the six documents", () => {
    const docs = render();

    it("renders the privacy section, the Art. 30 record and the DPA checklist in English and German, in a fixed order", () => {
        expect(docs.map((d) => d.path)).toEqual([
            P.privacyEn,
            P.privacyDe,
            P.art30En,
            P.art30De,
            P.dpaEn,
            P.dpaDe,
            P.runbookEn,
            P.runbookDe,
            P.registerEn,
            P.registerDe,
        ]);
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

    it("keeps English and German equivalent: the same headings, table rows, list items, bold paragraphs and markers, in every variant", () => {
        const shape = (text: string) => {
            const lines = text.split("\n");
            return {
                headings: lines.filter((l) => l.startsWith("#")).map((l) => l.replace(/[^#].*/, "")),
                rows: lines.filter((l) => l.startsWith("|")).length,
                items: lines.filter((l) => /^\s*- /.test(l)).length,
                checkboxes: lines.filter((l) => l.startsWith("- [ ]")).length,
                bold: lines.filter((l) => l.startsWith("**")).length,
                markers: [...text.matchAll(/\[\[[A-Z0-9_]+\]\]/g)].map((m) => m[0]),
            };
        };
        const pairs = [
            [P.privacyEn, P.privacyDe],
            [P.art30En, P.art30De],
            [P.dpaEn, P.dpaDe],
            [P.runbookEn, P.runbookDe],
            [P.registerEn, P.registerDe],
        ];
        for (const docs of variantDocs()) {
            for (const [enPath, dePath] of pairs) {
                expect({ dePath, ...shape(byPath(docs, dePath)) }).toEqual({ dePath, ...shape(byPath(docs, enPath)) });
            }
        }
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
        for (const s of ["Art. 6(1)(a) GDPR", "\u00a7 25(1) TDDDG", "Art. 7(1) GDPR", "Art. 6(1)(f) GDPR", "\u00a7 25(2) no. 2 TDDDG"])
            expect(pEn).toContain(s);
        for (const s of [
            "Art. 6 Abs. 1 lit. a DSGVO",
            "\u00a7 25 Abs. 1 TDDDG",
            "Art. 7 Abs. 1 DSGVO",
            "Art. 6 Abs. 1 lit. f DSGVO",
            "\u00a7 25 Abs. 2 Nr. 2 TDDDG",
        ])
            expect(pDe).toContain(s);
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
        expect(byPath(seven, P.art30En)).toMatch(
            /\| Sign-ups that were not confirmed \| after 7 days \| the host job `mautic-privacy-maintenance`, every 30 minutes, deletes a contact only when the DOI endpoint created it for a sign-up/,
        );
        expect(byPath(seven, P.art30En)).toContain("none of its sign-ups is confirmed and each is older than 7 days");
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
        expect(byPath(d, P.art30En)).not.toContain("every 5 minutes"); // the campaign trigger is no longer part of the DOI texts
        expect(byPath(d, P.art30De)).toContain("t\u00e4glich um 03:40 Uhr (UTC)");
    });
});

describe("backups", () => {
    it("on: Hetzner server backups with 7 daily slots are named as a service and in the retention", () => {
        const d = render({}, { backups: true });
        expect(section(byPath(d, P.privacyEn))).toContain("keeps 7 daily copies of the server's system disk");
        expect(section(byPath(d, P.privacyDe))).toContain("7 t\u00e4gliche Kopien der Systemplatte");
        expect(byPath(d, P.art30En)).toContain("| 7 daily slots, the oldest replaced every day; deleted with the server |");
        expect(byPath(d, P.dpaEn)).toContain(
            "## 1. Hetzner: server, data volume, firewall and daily backups of the server's system disk in Nuremberg, Germany",
        );
    });

    it("off: the backup paragraph and rows say so", () => {
        const d = render({}, { backups: false, offsiteBackup: "none" });
        const pEn = section(byPath(d, P.privacyEn));
        expect(pEn).not.toContain("daily copies");
        expect(pEn).toContain("Data deleted in Mautic normally disappears from the nightly backups after 14 days. If you unsubscribe");
        expect(section(byPath(d, P.privacyDe))).not.toContain("t\u00e4gliche Kopien");
        expect(byPath(d, P.art30En)).toContain("| Hetzner server backups | switched off (`backups = false`) | none |");
        expect(byPath(d, P.art30De)).toContain("| Server-Backups von Hetzner | ausgeschaltet (`backups = false`) | keine |");
        expect(byPath(d, P.dpaEn)).toContain("## 1. Hetzner: server, data volume and firewall in Nuremberg, Germany");
    });

    it("the kit's Storage Box (the default) names Hetzner's Storage Box domain as a processor and in the retention; none without off-site", () => {
        const d = render({}, {});
        expect(section(byPath(d, P.privacyEn))).toContain("- Operator of `your-storagebox.de`: storage of an encrypted copy of the nightly backups");
        expect(byPath(d, P.art30En)).toContain("| Off-site copy of the backup sets at `your-storagebox.de` (restic, encrypted) | after 14 days");
        expect(byPath(d, P.dpaEn)).toContain("Hetzner Storage Box `your-storagebox.de`");
        const none = render({}, { offsiteBackup: "none" });
        expect(byPath(none, P.privacyEn)).not.toContain("your-storagebox.de");
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
        // The breach runbook and register name no processor by host.
        for (const p of [P.privacyEn, P.privacyDe, P.art30En, P.art30De, P.dpaEn, P.dpaDe]) expect(byPath(d, p)).toContain("`smtp.mailbox.org`");
        expect(section(byPath(d, P.privacyEn))).toContain(
            "- [[MAIL_PROVIDER_NAME]]: sending of our emails through the mail server `smtp.mailbox.org`, as our processor under Art. 28 GDPR.",
        );
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
        [
            "no mailer, backups off, cmp, no DOI",
            renderComplianceDocuments({
                settings: settings({ backups: false }),
                measures,
                generatedAt: "2026-05-01",
                consentMechanism: "cmp",
                doubleOptIn: false,
            }),
        ],
        ["off-site backups", render({}, { backupOffsiteRepository: "sftp://u1@u1.your-storagebox.de:23/m" })],
        ["gravatar on", render({}, { gravatar: true })],
    ];
    const gravatarOf = (docs: RenderedDocument[]) => ({ gravatar: docs.some((d) => d.content.includes("Gravatar, `gravatar.com`")) });

    it("in every combination of the variant switches, the markers are exactly placeholdersFor(settings); together, exactly documentPlaceholders", () => {
        const all = new Set<string>();
        for (const docs of variantDocs()) {
            const text = docs.map((d) => d.content).join("\n");
            const used = markersIn(text);
            used.forEach((m) => all.add(m));
            const gravatar = text.includes("(Gravatar, `gravatar.com`)");
            expect([...used].sort()).toEqual(
                placeholdersFor({ gravatar })
                    .map((p) => p.marker)
                    .sort(),
            );
        }
        expect([...all].sort()).toEqual(documentPlaceholders.map((p) => p.marker).sort());
    });

    it.each(variants)("%s: every marker in the documents is listed in placeholdersFor(settings), and every listed one is used", (_name, docs) => {
        const used = markersIn(docs.map((d) => d.content).join("\n"));
        expect([...used].sort()).toEqual(
            placeholdersFor(gravatarOf(docs))
                .map((p) => p.marker)
                .sort(),
        );
    });

    it("each language's documents use every marker the client must fill (gravatar off and on)", () => {
        for (const [docs, gravatar] of [
            [render(), false],
            [render({}, { gravatar: true }), true],
        ] as const) {
            expect([...markersIn(en(docs))].sort()).toEqual(
                placeholdersFor({ gravatar })
                    .map((p) => p.marker)
                    .sort(),
            );
            expect([...markersIn(de(docs))].sort()).toEqual(
                placeholdersFor({ gravatar })
                    .map((p) => p.marker)
                    .sort(),
            );
        }
        expect(placeholdersFor({ gravatar: false }).map((p) => p.marker)).not.toContain("[[GRAVATAR_TRANSFER_BASIS]]");
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
        for (const h of [
            "## Purposes and legal bases",
            "## Categories of data subjects",
            "## Categories of personal data",
            "## Recipients",
            "## Transfers to third countries",
            "## Time limits for erasure",
            "## Technical and organisational measures (Art. 32 GDPR) deployed by the stack",
        ]) {
            expect(a).toContain(h);
        }
        for (const h of [
            "## Zwecke und Rechtsgrundlagen",
            "## Kategorien betroffener Personen",
            "## Empf\u00e4nger",
            "## \u00dcbermittlungen in Drittl\u00e4nder",
            "## L\u00f6schfristen",
        ])
            expect(ad).toContain(h);
        expect(a).toContain("| Concluded on [[HETZNER_DPA_DATE]]");
    });

    it("says where each period is enforced: cron cleanup, DOI safety net, consent ledger, GDPR purge, log retention, backup retention", () => {
        expect(a).toContain("`mautic:maintenance:cleanup --days-old=21 --no-interaction` in the container `mautic_cron`, daily at 03:40 (Europe/Berlin)");
        expect(a).toContain(
            "| Sign-ups that were not confirmed | after 3 days | the host job `mautic-privacy-maintenance`, every 30 minutes, deletes a contact only when the DOI endpoint created it for a sign-up (ledger `contact_created = 1`, the contact added within 10 minutes of that sign-up), none of its sign-ups is confirmed and each is older than 3 days, `consent_date` is empty and it carries neither `doi-confirmed` nor `doi-keep`; a contact that existed before its sign-up is never deleted by it;",
        );
        expect(ad).toContain(
            "der Host-Auftrag `mautic-privacy-maintenance`, alle 30 Minuten, löscht einen Kontakt nur, wenn der DOI-Endpunkt ihn für eine Anmeldung angelegt hat",
        );
        expect(a).toContain(
            "| Consent-proof ledger (purpose 3): `kit_consent_ledger` rows; archived texts in `kit_consent_texts` | each row on 1 January, 3 full calendar years after the end of the year of its last mailing or withdrawal",
        );
        expect(ad).toContain(
            "| Nachweisprotokoll (Zweck 3): Zeilen in `kit_consent_ledger`; archivierte Texte in `kit_consent_texts` | jede Zeile am 1. Januar nach Ablauf von 3 vollen Kalenderjahren nach dem Ende des Jahres ihrer letzten Aussendung oder ihres Widerrufs",
        );
        for (const doc of [a, ad]) expect(doc).not.toMatch(/DOI: delete unconfirmed contacts|campaigns:trigger/);
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
        expect(byPath(d, P.art30En)).not.toContain(doiNames.email("en"));
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

describe("the stack's privacy facts, in both languages", () => {
    const docs = render();
    const pEn = section(byPath(docs, P.privacyEn));
    const pDe = section(byPath(docs, P.privacyDe));
    const fullEn = byPath(docs, P.privacyEn);
    const fullDe = byPath(docs, P.privacyDe);
    const a = byPath(docs, P.art30En);
    const ad = byPath(docs, P.art30De);

    it("IP addresses: anonymised in contact records, anonymised in the audit log by the host job every 30 minutes, within the bound its timer gives", () => {
        expect(pEn).toContain("Mautic stores IP addresses in contact records only in anonymised form and does not use them to recognise you.");
        expect(pDe).toContain("IP-Adressen speichert Mautic in Kontaktdatensätzen nur anonymisiert und nutzt sie nicht, um Sie wiederzuerkennen.");
        // Never the old absolute claim.
        expect(pEn).not.toContain("Mautic stores IP addresses only in anonymised form");
        expect(pDe).not.toContain("IP-Adressen speichert Mautic nur anonymisiert");
        // The real timer: OnCalendar=hourly; the bound follows RandomizedDelaySec/AccuracySec (see the drift-guard tests).
        const boundEn =
            /Mautic's audit log, which records changes to contacts such as form submissions and tag changes, first receives the full IP address; our server anonymises it there (within one hour|within (\d+) minutes)\./.exec(
                pEn,
            );
        const boundDe =
            /Das Audit-Log von Mautic, das Änderungen an Kontakten wie Formulareingaben und Änderungen von Tags festhält, erhält die IP-Adresse zunächst vollständig; unser Server anonymisiert sie dort (innerhalb einer Stunde|innerhalb von (\d+) Minuten)\./.exec(
                pDe,
            );
        expect(boundEn).not.toBeNull();
        expect(boundDe).not.toBeNull();
        expect(boundDe![2]).toBe(boundEn![2]);
        expect(pEn).toMatch(
            /\| Full IP addresses in Mautic's audit log [^|]*\| anonymised within [^|]*; the audit-log entries themselves after 21 days \| automatic job on our server, every 30 minutes; automatic clean-up in Mautic \|/,
        );
        expect(pDe).toMatch(
            /\| Vollständige IP-Adressen im Audit-Log von Mautic [^|]*\| innerhalb [^|]* anonymisiert; die Einträge im Audit-Log selbst nach 21 Tagen \| automatischer Auftrag auf unserem Server, alle 30 Minuten; automatische Bereinigung in Mautic \|/,
        );
        expect(a).toMatch(
            /\| IP addresses in Mautic's audit log \(`audit_log\.ip_address`[^|]*\| anonymised within [^|]*\| host job `mautic-privacy-maintenance` \(systemd timer `mautic-privacy-maintenance\.timer`, every 30 minutes\) \|/,
        );
        expect(ad).toMatch(
            /\| IP-Adressen im Audit-Log von Mautic \(`audit_log\.ip_address`[^|]*\| innerhalb [^|]* anonymisiert[^|]*\| Host-Auftrag `mautic-privacy-maintenance` \(systemd-Timer `mautic-privacy-maintenance\.timer`, alle 30 Minuten\) \|/,
        );
        expect(
            renderPrivacyMaintenanceFiles({ dataDir: "/srv", dbContainer: "db", database: "m" }).find((f) => f.path === privacyMaintenancePaths.timer)!.content,
        ).toMatch(/^OnCalendar=\*:0\/30$/m);
    });

    it("logs: no access log inside the Mautic web container, the edge's masked log by days, container logs bounded by size (5 x 10 MB), not by age", () => {
        expect(pEn).toContain("The web server inside Mautic keeps no access log of its own.");
        expect(pDe).toContain("Der Webserver innerhalb von Mautic führt kein eigenes Zugriffsprotokoll.");
        expect(pEn).toContain(
            "| not after a fixed period: each program keeps at most 5 files of 10 MB, and the oldest file is deleted when the limit is reached | automatic log rotation by size |",
        );
        expect(pDe).toContain(
            "| nicht nach fester Frist: jedes Programm behält höchstens 5 Dateien zu je 10 MB, bei Erreichen der Grenze wird die älteste Datei gelöscht | automatische Log-Rotation nach Größe |",
        );
        expect(a).toContain(
            "| Access log of the web edge (the only request log: Apache's access log in the Mautic web container is switched off) | after 7 days |",
        );
        expect(ad).toContain(
            "| Zugriffsprotokoll des Webservers (das einzige Anfrageprotokoll: das Zugriffsprotokoll von Apache im Web-Container von Mautic ist abgeschaltet) | nach 7 Tagen |",
        );
        expect(a).toContain(
            "| Container output (Mautic application errors, cron and worker output, database, edge) | bounded by size, not by age: at most 5 files of 10 MB per container; the oldest file is deleted when the limit is reached |",
        );
        expect(ad).toContain(
            "| Ausgaben der Container (Anwendungsfehler von Mautic, Ausgaben von Cronjobs und Workern, Datenbank, Webserver) | nach Größe begrenzt, nicht nach Alter: höchstens 5 Dateien zu je 10 MB je Container; bei Erreichen der Grenze wird die älteste Datei gelöscht |",
        );
    });

    it("system journal: N days, held by MaxRetentionSec with MaxFileSec=1day", () => {
        const d = render({}, { accessLogRetentionDays: 5 });
        expect(byPath(d, P.art30En)).toContain(
            "| System journal of the server (includes administrators' SSH logins) | after 5 days | journald `MaxRetentionSec` with `MaxFileSec=1day` (one journal file per day) |",
        );
        expect(byPath(d, P.art30De)).toContain(
            "| System-Journal des Servers (enthält die SSH-Anmeldungen der Administratoren) | nach 5 Tagen | journald `MaxRetentionSec` mit `MaxFileSec=1day` (eine Journal-Datei je Tag) |",
        );
    });

    it("remains of deleted contacts (form results, page hits, email statistics, audit log): deleted by the host job within the stated bound", () => {
        expect(pEn).toContain(
            "| What Mautic keeps of a deleted contact: results of submitted forms, page visits, records of emails sent (they hold the email address), entries in Mautic's audit log | within 2 hours after the contact is deleted | automatic job on our server, every 30 minutes |",
        );
        expect(pDe).toContain(
            "| Was Mautic von einem gelöschten Kontakt behält: Ergebnisse abgeschickter Formulare, Seitenaufrufe, Protokolle versandter E-Mails (sie enthalten die E-Mail-Adresse), Einträge im Audit-Log von Mautic | innerhalb von 2 Stunden nach dem Löschen des Kontakts | automatischer Auftrag auf unserem Server, alle 30 Minuten |",
        );
        expect(a).toContain(
            "and the contact's entries in Mautic's audit log | within 2 hours after the contact is deleted (rows younger than one hour wait for the next run) | the same host job, every 30 minutes |",
        );
        expect(ad).toContain("und die Einträge des Kontakts im Audit-Log von Mautic | innerhalb von 2 Stunden nach dem Löschen des Kontakts");
        // The old "known limit" is gone: nothing claims the form results stay.
        for (const t of [fullEn, fullDe, a, ad])
            expect(t).not.toMatch(/Known limit|Bekannte Grenze|not enforced by the stack:\*\* they remain|until we delete them in Mautic/);
    });

    it("unsubscribed contacts: minimised after unsubscribedMinimiseDays, a hashed suppression record with its legal basis", () => {
        expect(pEn).toContain(
            "| Your contact record after you unsubscribe from our emails | 30 days after you unsubscribe; then only a suppression record remains (see below) |",
        );
        expect(pEn).toContain(
            "30 days after your unsubscribe your contact record is deleted and only this entry (hash value, date of the unsubscribe) remains",
        );
        expect(pEn).toContain("(Art. 6(1)(f) GDPR in conjunction with Art. 21(3) GDPR)");
        expect(pDe).toContain("(Art. 6 Abs. 1 lit. f DSGVO in Verbindung mit Art. 21 Abs. 3 DSGVO)");
        expect(a).toMatch(/\| 7 \| Suppression list: .*`kit_suppression`.* \| Art\. 6\(1\)\(f\) GDPR/);
        expect(ad).toMatch(/\| 7 \| Sperrliste: .*`kit_suppression`.* \| Art\. 6 Abs\. 1 lit\. f DSGVO/);
        const d = render({}, { unsubscribedMinimiseDays: 90 });
        expect(section(byPath(d, P.privacyEn))).toContain("90 days after your unsubscribe your contact record is deleted");
        expect(section(byPath(d, P.privacyEn))).toContain("| 90 days after you unsubscribe;");
        expect(byPath(d, P.art30De)).toContain("| 90 Tagen nach der Abmeldung gelöscht;");
    });

    it("the two suppression lists: one paragraph each in the privacy policy and the record, saying which list holds what, why both, and the legal bases", () => {
        for (const [t, pieces] of [
            [
                pEn,
                [
                    "**Suppression lists.**",
                    "(1) The suppression list in Mautic's database, for everyone who unsubscribed from our emails",
                    "(2) The erasure journal on our server, outside Mautic's database, for every erasure on request: hash value, date, and whether you objected to direct marketing",
                    "There are two lists because",
                    "(Art. 6(1)(f) GDPR in conjunction with Art. 21(3) GDPR)",
                    "(Art. 6(1)(c) GDPR in conjunction with Art. 17(1) GDPR)",
                    "are needed only until the backups made before the erasure have been deleted (14 days)",
                    'If you objected to direct marketing, the entry in the erasure journal remains too (see "Suppression lists" above)',
                ],
            ],
            [
                pDe,
                [
                    "**Sperrlisten.**",
                    "(1) Die Sperrliste in der Datenbank von Mautic, für alle, die sich von unseren E-Mails abgemeldet haben",
                    "(2) Das Löschprotokoll auf unserem Server, außerhalb der Datenbank von Mautic, für jede Löschung auf Antrag: Hashwert, Datum und ob Sie der Direktwerbung widersprochen haben",
                    "Es gibt zwei Listen, weil",
                    "(Art. 6 Abs. 1 lit. f DSGVO in Verbindung mit Art. 21 Abs. 3 DSGVO)",
                    "(Art. 6 Abs. 1 lit. c DSGVO in Verbindung mit Art. 17 Abs. 1 DSGVO)",
                    "bis die vor der Löschung erstellten Sicherungen gelöscht sind (14 Tage",
                    "bleibt auch der Eintrag im Löschprotokoll (siehe „Sperrlisten“ oben)",
                ],
            ],
            [
                a,
                [
                    "Two suppression lists, both holding only the SHA-256 hash of an address and a date: the suppression list (purpose 7, table `kit_suppression`",
                    "The erasure journal (purpose 8, a file outside the database)",
                    "Both are needed because",
                ],
            ],
            [
                ad,
                [
                    "Zwei Sperrlisten, beide nur mit dem SHA-256-Hashwert einer Adresse und einem Datum: Die Sperrliste (Zweck 7, Tabelle `kit_suppression`",
                    "Das Löschprotokoll (Zweck 8, eine Datei außerhalb der Datenbank)",
                    "Beide sind nötig, weil",
                ],
            ],
        ] as const)
            for (const piece of pieces) expect(t).toContain(piece);
        expect(a).toMatch(/^\| 8 \| Erasure journal: .*`\/srv\/mautic\/dsr\/journal`/m);
        expect(ad).toMatch(/^\| 8 \| Löschprotokoll: .*`\/srv\/mautic\/dsr\/journal`/m);
        expect(a).toContain("the suppression record (purpose 7)");
        expect(ad).toContain("der Sperreintrag (Zweck 7)");
        // The old single-list wording is gone.
        expect(pEn).not.toContain("we keep only a one-way hash (SHA-256) of your email address and the date, so that you are never added again");
    });

    it("the consent cookie tracking_consent on the Mautic host: in the storage table, the record's purpose 6 and its time limits", () => {
        expect(pEn).toContain(
            "| `tracking_consent` | cookie of `marketing.client-a.de` | records that you accepted tracking, so that the web server lets Mautic's cookies through; value 1, no identifier | 1 year, or until you withdraw your consent |",
        );
        expect(pDe).toContain(
            "| `tracking_consent` | Cookie von `marketing.client-a.de` | hält fest, dass Sie dem Tracking zugestimmt haben, damit der Webserver Mautics Cookies durchlässt; Wert 1, keine Kennung |",
        );
        expect(pEn).toContain("the web server in front of Mautic passes Mautic's cookies only to a browser that carries it");
        expect(pDe).toContain("der Webserver vor Mautic gibt Mautics Cookies nur an einen Browser weiter, der es mitsendet");
        expect(a).toMatch(
            /^\| 6 \| Record of the visitor's choice in the consent banner, and the consent cookie `tracking_consent` on `marketing\.client-a\.de` \(value 1, no identifier; set by the web edge on `POST \/consent\/grant`/m,
        );
        expect(ad).toMatch(/^\| 6 \| .*Einwilligungs-Cookie `tracking_consent`/m);
        expect(a).toContain(
            "| The consent cookie `tracking_consent` on `marketing.client-a.de` in the visitor's browser | after 1 year, or at once when the visitor withdraws consent on the website | the edge sets it on `POST /consent/grant` (from the website only) and expires it on `POST /consent/forget` |",
        );
        expect(byPath(render({ consentMaxAgeDays: 180 }), P.art30En)).toContain("| after 180 days, or at once when the visitor withdraws consent");
        // The cmp variant lists it too (the edge sets it whatever asks for the consent).
        expect(section(byPath(render({ consentMechanism: "cmp" }), P.privacyEn))).toContain("| `tracking_consent` | cookie of `marketing.client-a.de` |");
    });

    it("consent_date: the endpoint writes it in UTC, and the documents say so (no local-time caveat any more)", () => {
        expect(a).toContain("in the contact record `consent_date` (UTC), `consent_text_version`, the language and the tags `doi-pending` / `doi-confirmed`");
        expect(ad).toContain("im Kontaktdatensatz `consent_date` (UTC), `consent_text_version`, die Sprache und die Tags `doi-pending` / `doi-confirmed`");
        expect(pEn).toContain("Mautic then records in your contact record the time of your confirmation (UTC)");
        expect(pDe).toContain("Mautic speichert dann in Ihrem Kontaktdatensatz den Zeitpunkt Ihrer Bestätigung (UTC)");
        for (const doc of [a, pEn]) expect(doc).not.toMatch(/local time of the time zone/);
        for (const doc of [ad, pDe]) expect(doc).not.toMatch(/Ortszeit der Zeitzone/);
    });

    it("names the other places that hold personal data: queue, Mautic's logs, fail2ban, session cookie, mail provider, no open pixel, backups", () => {
        const other = a.slice(a.indexOf("## Other places that hold personal data"), a.indexOf("## Technical and organisational measures"));
        for (const w of [
            "`messenger_messages`",
            "`var/logs`",
            "fail2ban",
            "session cookie",
            "open and click tracking must be switched off",
            "No tracking pixel in emails: the stack pins Mautic's `mailer_append_tracking_pixel` to false",
            "Backups",
        ])
            expect(other).toContain(w);
        expect(other).not.toContain("Mautic measures openings");
        const otherDe = ad.slice(ad.indexOf("## Weitere Orte mit personenbezogenen Daten"), ad.indexOf("## Technische"));
        for (const w of [
            "`messenger_messages`",
            "`var/logs`",
            "fail2ban",
            "Session-Cookie",
            "Klick-Tracking ist abzuschalten",
            "Kein Zählpixel in E-Mails: Der Stack setzt Mautics `mailer_append_tracking_pixel` fest auf false",
            "Sicherungen",
        ])
            expect(otherDe).toContain(w);
        expect(otherDe).not.toContain("Mautic misst Öffnungen");
    });

    it("Gravatar off (the default): no recipient, no legal basis, no transfer, no marker; the texts say the edge blocks it", () => {
        const all = docs.map((d) => d.content).join("\n");
        expect(all).not.toMatch(
            /Automattic Inc\., USA \(Gravatar|GRAVATAR_TRANSFER_BASIS|Decide on Gravatar|Über Gravatar entscheiden|reaches Gravatar|erreicht Gravatar/,
        );
        expect(pEn).toContain(
            "our web server does not let its administration interface load profile pictures of contacts from outside services (such as Gravatar).",
        );
        expect(pDe).toContain("unser Webserver lässt seine Verwaltungsoberfläche keine Profilbilder von Kontakten bei fremden Diensten (etwa Gravatar) laden.");
        expect(pEn).toContain("namely the security logs, the consent log after you unsubscribe or ask for erasure, you have the right to object");
        expect(pDe).toContain("nämlich die Sicherheitsprotokolle, das Nachweisprotokoll nach Ihrer Abmeldung oder Löschung, haben Sie das Recht");
        expect(a).not.toMatch(/^\| 10 \|/m);
        expect(a).toContain(
            "Gravatar: none; the web edge's Content-Security-Policy stops Mautic's admin interface from loading profile pictures from `gravatar.com` (stack setting `gravatar: false`).",
        );
        expect(ad).toContain(
            "Gravatar: keine; die Content-Security-Policy des Web-Edge hindert die Verwaltungsoberfläche von Mautic daran, Profilbilder von `gravatar.com` zu laden (Stack-Einstellung `gravatar: false`).",
        );
        expect(byPath(docs, P.dpaEn)).toMatch(/^- Gravatar: not used\. .*stack setting `gravatar: false`, the default/m);
        expect(byPath(docs, P.dpaDe)).toMatch(/^- Gravatar: nicht genutzt\. .*Stack-Einstellung `gravatar: false`, die Voreinstellung/m);
    });

    it("Gravatar on: a recipient and third-country transfer (USA) with the client's checked basis, a legal basis (purpose 10), and a DPA-checklist decision", () => {
        const docs = render({}, { gravatar: true });
        const pEn = section(byPath(docs, P.privacyEn));
        const pDe = section(byPath(docs, P.privacyDe));
        const a = byPath(docs, P.art30En);
        const ad = byPath(docs, P.art30De);
        expect(a).toMatch(/^\| 10 \| Profile pictures of contacts in Mautic's admin interface from Gravatar/m);
        expect(ad).toMatch(/^\| 10 \| Profilbilder von Kontakten/m);
        expect(pEn).toContain(
            "Art. 6(1)(f) GDPR), namely the security logs, the consent log after you unsubscribe or ask for erasure and the loading of profile pictures from Gravatar",
        );
        expect(documentPlaceholders.map((p) => p.marker)).toContain("[[GRAVATAR_TRANSFER_BASIS]]");
        const ph = documentPlaceholders.find((p) => p.marker === "[[GRAVATAR_TRANSFER_BASIS]]")!;
        expect(ph.en).toContain("10 July 2023");
        expect(ph.de).toContain("10. Juli 2023");
        expect(pEn).toContain(
            "- Automattic Inc., USA (Gravatar): when one of our staff opens your contact record in Mautic, Mautic's administration interface loads a profile picture from `gravatar.com`. For this, the staff member's browser sends Automattic a hash value calculated from your email address, together with the browser's IP address.",
        );
        expect(pEn).toContain("Automattic is located in the USA, a third country; the transfer is based on [[GRAVATAR_TRANSFER_BASIS]].");
        expect(pDe).toContain(
            "- Automattic Inc., USA (Gravatar): Öffnet eine Mitarbeiterin oder ein Mitarbeiter von uns Ihren Kontaktdatensatz in Mautic, lädt die Verwaltungsoberfläche von Mautic ein Profilbild von `gravatar.com`. Dazu sendet der Browser der Person an Automattic einen aus Ihrer E-Mail-Adresse berechneten Hashwert, zusammen mit der IP-Adresse des Browsers.",
        );
        expect(pDe).toContain("Automattic hat seinen Sitz in den USA, einem Drittland; die Übermittlung stützt sich auf [[GRAVATAR_TRANSFER_BASIS]].");
        expect(pEn).toContain(
            '- Loading profile pictures from Gravatar in Mautic\'s administration interface (see "Recipients"): our legitimate interest in recognising contacts at a glance, Art. 6(1)(f) GDPR.',
        );
        expect(pDe).toContain(
            "- Laden von Profilbildern von Gravatar in der Verwaltungsoberfläche von Mautic (siehe „Empfänger“): unser berechtigtes Interesse, Kontakte auf einen Blick wiederzuerkennen, Art. 6 Abs. 1 lit. f DSGVO.",
        );
        expect(a).toContain(
            "| Automattic Inc., USA (Gravatar, `gravatar.com`) | Third party, not a processor: delivers the profile pictures shown in Mautic's admin interface | Hash of the contact's email address; IP address and browser data of the Mautic user's device | USA | None (it does not process on the controller's behalf); transfer basis: [[GRAVATAR_TRANSFER_BASIS]] |",
        );
        expect(ad).toContain(
            "| Automattic Inc., USA (Gravatar, `gravatar.com`) | Dritter, kein Auftragsverarbeiter: liefert die Profilbilder in der Verwaltungsoberfläche von Mautic | Hashwert der E-Mail-Adresse des Kontakts; IP-Adresse und Browserdaten des Geräts des Mautic-Benutzers | USA | Keiner (keine Verarbeitung im Auftrag des Verantwortlichen); Grundlage der Übermittlung: [[GRAVATAR_TRANSFER_BASIS]] |",
        );
        const transfersEn = a.slice(a.indexOf("## Transfers to third countries"), a.indexOf("## Time limits for erasure"));
        const transfersDe = ad.slice(ad.indexOf("## Übermittlungen in Drittländer"), ad.indexOf("## Löschfristen"));
        expect(transfersEn).toContain(
            "Gravatar: Mautic's admin interface transfers a hash of a contact's email address and the IP address of the Mautic user's device to Automattic Inc., USA, whenever a user views a contact; transfer basis: [[GRAVATAR_TRANSFER_BASIS]]",
        );
        expect(transfersDe).toContain(
            "Gravatar: Die Verwaltungsoberfläche von Mautic übermittelt einen Hashwert der E-Mail-Adresse eines Kontakts und die IP-Adresse des Geräts des Mautic-Benutzers an Automattic Inc., USA, sobald ein Benutzer einen Kontakt ansieht; Grundlage der Übermittlung: [[GRAVATAR_TRANSFER_BASIS]]",
        );
        expect(transfersEn).not.toContain("None by the stack");
        const dpaEn = byPath(docs, P.dpaEn);
        const dpaDe = byPath(docs, P.dpaDe);
        expect(dpaEn).toMatch(
            /^- \[ \] Decide on Gravatar: .*https:\/\/www\.dataprivacyframework\.gov\/list.*adequacy decision of 10 July 2023 covers the transfer.*\[\[GRAVATAR_TRANSFER_BASIS\]\]/m,
        );
        expect(dpaDe).toMatch(
            /^- \[ \] Über Gravatar entscheiden: .*https:\/\/www\.dataprivacyframework\.gov\/list.*Angemessenheitsbeschluss der Europäischen Kommission vom 10\. Juli 2023 die Übermittlung.*\[\[GRAVATAR_TRANSFER_BASIS\]\]/m,
        );
    });

    it("Art. 13(2)(e): providing the email address is neither statutory nor contractual; without it, no newsletter", () => {
        expect(pEn).toContain(
            "Providing your email address is neither a statutory nor a contractual requirement; without it, however, we cannot send you our newsletter.",
        );
        expect(pDe).toContain(
            "Die Angabe Ihrer E-Mail-Adresse ist weder gesetzlich noch vertraglich vorgeschrieben; ohne sie können wir Ihnen unseren Newsletter jedoch nicht senden.",
        );
    });

    it("Art. 21: a separate, bold section before the recipients; Art. 21(1) with the compelling-grounds test, Art. 21(2)/(3) stops direct marketing", () => {
        for (const [t, heading, next, objectF, consequence, marketing, stop] of [
            [
                pEn,
                "### Your right to object (Art. 21 GDPR)",
                "### Recipients",
                "(Art. 21(1) GDPR)",
                "We then examine whether compelling legitimate grounds for the processing exist that override your interests, rights and freedoms, or whether the processing serves the establishment, exercise or defence of legal claims",
                "(Art. 21(2) GDPR)",
                "We then no longer process your data for direct marketing (Art. 21(3) GDPR).**",
            ],
            [
                pDe,
                "### Ihr Widerspruchsrecht (Art. 21 DSGVO)",
                "### Empfänger",
                "(Art. 21 Abs. 1 DSGVO)",
                "Wir prüfen dann, ob zwingende schutzwürdige Gründe für die Verarbeitung vorliegen, die Ihre Interessen, Rechte und Freiheiten überwiegen, oder ob die Verarbeitung der Geltendmachung, Ausübung oder Verteidigung von Rechtsansprüchen dient",
                "(Art. 21 Abs. 2 DSGVO)",
                "Wir verarbeiten Ihre Daten dann nicht mehr für Direktwerbung (Art. 21 Abs. 3 DSGVO).**",
            ],
        ]) {
            const start = t.indexOf(heading);
            expect(start).toBeGreaterThan(0);
            const body = t.slice(start, t.indexOf(next));
            expect(body.length).toBeGreaterThan(heading.length);
            for (const piece of [objectF, consequence, marketing, stop]) expect(body).toContain(piece);
            // Both objection paragraphs are bold, so they stand out (Art. 21(4)).
            expect(body.split("\n").filter((l) => l.startsWith("**") && l.endsWith("**")).length).toBe(2);
            expect(body).toContain("[[PRIVACY_CONTACT_EMAIL]]");
        }
        // The old wording (objection -> "we then stop it" for every processing) is gone.
        expect(pEn).not.toContain("we then stop it");
        expect(pDe).not.toContain("wir beenden sie dann");
        // Withdrawal of consent stays, separately.
        expect(pEn).toContain("You can withdraw your consent at any time with effect for the future (Art. 7(3) GDPR)");
        expect(pDe).toContain("Ihre Einwilligung können Sie jederzeit mit Wirkung für die Zukunft widerrufen (Art. 7 Abs. 3 DSGVO)");
    });

    it("double opt-in through the endpoint: ledger entry first, a contact only for a new address, a link only the mailbox has, confirmed only by the button, opening the link not recorded, created contacts deleted after unconfirmedContactDays", () => {
        for (const piece of [
            'When you submit one of our sign-up forms, our server at `marketing.client-a.de` first enters the sign-up in our consent log (see "Proof of your consent" below).',
            "for a new address it creates a contact record with your email address, marked as not yet confirmed (`doi-pending`); a contact record that already exists is not changed.",
            "You receive an email with a personal confirmation link within a few minutes; the link carries a code that our server computes from your sign-up with a secret key, so only the recipient of that email can use it.",
            // The label is the real button's (templates/doiBlueprint/en/strings.json); only its POST confirms.
            'Your sign-up is confirmed only when you press "Confirm subscription" on the page the link opens; opening the link alone confirms nothing and is not recorded.',
            "If you do not confirm within 3 days, the link expires and a contact record created for this sign-up is deleted automatically; a contact record that existed before your sign-up is never deleted because of it.",
        ])
            expect(pEn).toContain(piece);
        for (const piece of [
            "Wenn Sie eines unserer Anmeldeformulare absenden, trägt unser Server unter `marketing.client-a.de` die Anmeldung zuerst in unser Nachweisprotokoll ein (siehe „Nachweis Ihrer Einwilligung“ unten).",
            "Für eine neue Adresse legt er einen Kontaktdatensatz mit Ihrer E-Mail-Adresse an und markiert ihn als noch nicht bestätigt (`doi-pending`); einen bereits vorhandenen Kontaktdatensatz ändert er nicht.",
            "Sie erhalten innerhalb weniger Minuten eine E-Mail mit einem persönlichen Bestätigungslink",
            "Ihre Anmeldung ist erst bestätigt, wenn Sie auf der Seite, die der Link öffnet, „Anmeldung bestätigen“ drücken; das Öffnen des Links allein bestätigt nichts und wird nicht erfasst.",
            "Bestätigen Sie nicht innerhalb von 3 Tagen, wird der Link ungültig, und ein für diese Anmeldung angelegter Kontaktdatensatz wird automatisch gelöscht",
        ])
            expect(pDe).toContain(piece);
        // The earlier flow's claims are gone: the recorded link click, the campaign's timing, the pending-address rule.
        for (const old of [
            "confirmed only when you click that link",
            "when you open that link and then press",
            "this shows that our email reached you",
            "within about",
            "while your confirmation is still pending",
        ])
            expect(pEn).not.toContain(old);
        for (const old of [
            "wenn Sie diesen Link öffnen und danach",
            "beim Bestätigungslink zeigt das",
            "innerhalb von etwa",
            "solange Ihre Bestätigung noch aussteht",
        ])
            expect(pDe).not.toContain(old);
        expect(a).toContain(
            "| 2 | Newsletter sign-up with double opt-in through the kit's endpoint at `https://marketing.client-a.de/kit/doi/` (sign-up by POST; a contact tagged `doi-pending` created only for an address Mautic does not know, a known contact left unchanged; confirmation email within a few minutes with a per-sign-up link whose token is an HMAC with the stack's secret; confirmed only by the POST of \"Confirm subscription\" on the page the link opens",
        );
        expect(a).toContain(
            "opening the link confirms nothing and is not recorded; a contact the endpoint created for a sign-up not confirmed within 3 days is deleted)",
        );
        expect(ad).toContain("| 2 | Newsletter-Anmeldung mit Double-Opt-In über den Endpunkt des Kits unter `https://marketing.client-a.de/kit/doi/`");
        expect(ad).toContain("das Öffnen des Links bestätigt nichts und wird nicht erfasst");
    });

    it("the consent-proof ledger: a section of the privacy policy, purpose 3 of the record, its categories, retention, restriction and the DSR tools (both languages)", () => {
        for (const piece of [
            "**Proof of your consent.** For every sign-up we keep an entry in a consent log, separate from the contact records: a hash of your email address computed with a secret key of our server (not the address itself)",
            "the time of the sign-up, of the confirmation email and of your confirmation (UTC), how you confirmed (the button), and checksums (SHA-256) of the texts you were shown",
            "and restrict it from any other use (Art. 18 GDPR): unsubscribing, the deletion of your contact record and an erasure on request leave it in place (Art. 17(3)(b) and (e) GDPR).",
            "Each entry is deleted 3 full calendar years after the end of the year in which we last sent you an email or you withdrew your consent.",
            "- The consent log and the consent details in your contact record (time of sign-up and confirmation, version of the consent text): Art. 7(1) GDPR, under which we must be able to demonstrate your consent, in conjunction with Art. 6(1)(c) GDPR; keeping the log after you unsubscribe or ask for erasure, to defend against claims: our legitimate interest, Art. 6(1)(f) GDPR, and Art. 17(3)(b) and (e) GDPR.",
            '| Consent log (see "Proof of your consent"): hash of the address, times, text checksums, form, language | 3 full calendar years after the end of the year of the last email to you or of your withdrawal;',
            "and your entries in the consent log with the texts they name, your entries in the suppression lists",
            "and the information on the purposes, recipients, storage periods and source of the data and on your rights (Art. 15(1) GDPR).",
            "Your entries in the consent log are not deleted but kept restricted",
            // Issue 20 item 7: exactly what remains after an erasure; the hash is not called irreversible.
            "After an erasure exactly this remains: your entries in the consent log (restricted); your entries in the suppression lists (hash values and dates); the backups made before the erasure, until they are deleted after 14 days;",
            "and what our email provider keeps of the emails it delivered to you, under its own retention periods.",
            "but anyone who already knows an address can calculate the same value from it and so recognise it",
            // Issue 20 item 5: withdrawal as easy as consent.
            'every newsletter email from us carries, next to the unsubscribe link, the link "Withdraw consent to the interest profile (stay subscribed)"',
            "with the link next to it (it withdraws only your consent to the interest profile, see point 4, and you stay subscribed)",
        ])
            expect(pEn).toContain(piece);
        for (const piece of [
            "**Nachweis Ihrer Einwilligung.** Zu jeder Anmeldung führen wir einen Eintrag in einem Nachweisprotokoll",
            "und sperren es für jede andere Verwendung (Art. 18 DSGVO)",
            "Jede Newsletter-E-Mail von uns enthält neben dem Abmeldelink den Link „Einwilligung ins Interessenprofil widerrufen (Newsletter bleibt)“",
            "Nach einer Löschung bleibt genau dies: Ihre Einträge im Nachweisprotokoll (gesperrt)",
            "wer eine Adresse aber schon kennt, kann aus ihr denselben Wert berechnen",
            "Jeder Eintrag wird nach Ablauf von 3 vollen Kalenderjahren nach dem Ende des Jahres gelöscht, in dem wir Ihnen zuletzt eine E-Mail gesandt oder Sie Ihre Einwilligung widerrufen haben.",
            "Art. 6 Abs. 1 lit. f DSGVO, und Art. 17 Abs. 3 lit. b und e DSGVO.",
        ])
            expect(pDe).toContain(piece);
        expect(a).toMatch(
            /^\| 3 \| Consent-proof ledger \(tables `kit_consent_ledger` and `kit_consent_texts` in Mautic's database, written by the endpoint\): per sign-up a keyed hash of the address \(HMAC-SHA256 of the lower-case address with the stack's secret, not the address\).*deleted on 1 January, 3 full calendar years after the end of the year of the last mailing or withdrawal \| Demonstrate consent \(Art\. 7\(1\) GDPR\); establish and defend legal claims \| Art\. 6\(1\)\(c\) GDPR in conjunction with Art\. 7\(1\) GDPR; after withdrawal or erasure Art\. 6\(1\)\(f\) GDPR \(defence of claims\), Art\. 17\(3\)\(b\) and \(e\) GDPR \|$/m,
        );
        expect(ad).toMatch(/^\| 3 \| Nachweisprotokoll der Einwilligungen .*Gesperrt aufbewahrt \(Art\. 18 DSGVO\).*Art\. 17 Abs\. 3 lit\. b und e DSGVO \|$/m);
        expect(a).toContain(
            "- Consent-proof ledger (purpose 3): keyed hash of the address, contact id, times of sign-up, confirmation email and confirmation (UTC), SHA-256 of the texts shown and the archived texts, form, language, confirmation event",
        );
        expect(a).toContain(
            "`npm run dsr -- export` (includes the person's consent-ledger rows and the texts they name, the suppression-list entry and erasure-journal lines, and the Art. 15(1) information), `rectify`, `restrict`",
        );
        expect(a).toContain("and `npm run dsr -- erase` (keeps the consent ledger, restricted)");
        expect(ad).toContain(
            "`npm run dsr -- export` (mit den Zeilen der Person im Nachweisprotokoll und den Texten, die sie nennen, dem Eintrag in der Sperrliste",
        );
        // consentProofYears is the stack's setting, in both languages.
        const five = render({}, { consentProofYears: 5 });
        expect(section(byPath(five, P.privacyEn))).toContain("Each entry is deleted 5 full calendar years after the end of the year");
        expect(section(byPath(five, P.privacyDe))).toContain("Jeder Eintrag wird nach Ablauf von 5 vollen Kalenderjahren nach dem Ende des Jahres gelöscht");
        expect(byPath(five, P.art30En)).toContain("each row on 1 January, 5 full calendar years after the end of the year of its last mailing or withdrawal");
        expect(section(byPath(render({}, { consentProofYears: 1 }), P.privacyDe))).toContain(
            "Jeder Eintrag wird nach Ablauf von einem vollen Kalenderjahr nach dem Ende des Jahres gelöscht",
        );
        expect(section(byPath(render({}, { consentProofYears: 1 }), P.privacyEn))).toContain(
            "Each entry is deleted 1 full calendar year after the end of the year",
        );
    });

    it("the newsletter consent covers the newsletter only; no opens and no clicks measured for anyone; the profile needs the separate consent; no cookie is set by the confirmation link", () => {
        expect(pEn).toContain(
            '- Newsletter (point 2): your consent, Art. 6(1)(a) GDPR, which you give by submitting our sign-up form and confirm by pressing "Confirm subscription" on the page the link in the confirmation email opens. Until you confirm, we send you only that confirmation email; if you do not confirm, we delete your entries after 3 days. This consent covers our newsletter and marketing emails only.',
        );
        expect(pEn).toContain(
            "- The interest profile from your visits to our website and to pages served by Mautic at `marketing.client-a.de` (segments, points; point 4): your separate, optional consent, Art. 6(1)(a) GDPR, which you give by ticking the second box of our sign-up form and which takes effect when you confirm your sign-up.",
        );
        expect(pDe).toContain(
            "- Newsletter (Punkt 2): Ihre Einwilligung, Art. 6 Abs. 1 lit. a DSGVO, die Sie mit dem Absenden unseres Anmeldeformulars erteilen und bestätigen, indem Sie auf der Seite, die der Link in der Bestätigungs-E-Mail öffnet, „Anmeldung bestätigen“ drücken.",
        );
        expect(pDe).toContain(
            "- Das Interessenprofil aus Ihren Besuchen unserer Website und der von Mautic unter `marketing.client-a.de` ausgelieferten Seiten (Segmente, Punkte; Punkt 4): Ihre gesonderte, freiwillige Einwilligung, Art. 6 Abs. 1 lit. a DSGVO",
        );
        // Point 3 (issue 19 item 6): what Mautic records per e-mail; no pixel, no tracked links (disable_trackable_urls, branch i20).
        expect(pEn).toContain("**3. Emails we send you.** For every email it sends you, Mautic records which email it was, to which address, when it was sent");
        expect(pEn).toContain(
            "Our emails contain no tracking pixel and their links are not tracked redirects: we do not measure whether or when you open an email or which link you click.",
        );
        expect(pEn).toContain("opening that link changes nothing until you press the button on the page it shows");
        // What Mautic 5.2.1 stored behind the edge (docs/evidence/2026-12-07-pins-on-real-mautic.md, section 4).
        expect(a).toContain(
            '- Email interaction: sent (email, address, time, campaign or segment, the personalised token values, a stored copy of the content), failed deliveries, web version opened (time; `*.*.*.*` instead of the IP address; a device record with a random id and no device data), unsubscribed ("do not contact", time; likewise a device record without device data); openings in mail clients and clicks are not measured',
        );
        expect(ad).toContain("Web-Version geöffnet (Zeitpunkt; statt der IP-Adresse `*.*.*.*`; ein Gerätedatensatz mit einer Zufallskennung ohne Gerätedaten)");
        expect(pEn).toContain(
            "Mautic notes that the email was read and when, without your IP address and without details of your device or browser (only a device record with a random id).",
        );
        expect(pDe).toContain(
            "vermerkt Mautic, dass und wann die E-Mail gelesen wurde, ohne Ihre IP-Adresse und ohne Angaben zu Ihrem Gerät oder Browser (nur einen Gerätedatensatz mit einer Zufallskennung).",
        );
        expect(pDe).toContain(
            "Unsere E-Mails enthalten kein Zählpixel, und ihre Links sind keine Tracking-Weiterleitungen: Wir messen nicht, ob und wann Sie eine E-Mail öffnen oder welchen Link Sie anklicken.",
        );
        expect(pEn).toContain(
            "We evaluate them to tailor our marketing to your interests (profiling) only if you ticked the separate, optional box for it when signing up (it is not ticked in advance).",
        );
        // No text claims a click is recorded, for the DOI link or any other.
        for (const old of [
            "where Mautic records which link you clicked",
            "this shows that our email reached you",
            "clicks in our emails (only with your separate consent",
            "Measuring your clicks",
            "click measurement",
            "Mautic measures clicks itself",
        ])
            expect(fullEn).not.toContain(old);
        for (const old of [
            "wo Mautic erfasst, welchen Link Sie wann angeklickt haben",
            "Klicks in unseren E-Mails (nur mit",
            "Messung Ihrer Klicks",
            "Klickmessung",
            "Mautic misst Klicks selbst",
        ])
            expect(byPath(docs, P.privacyDe)).not.toContain(old);
        for (const old of ["measurement of clicks", "clicked,", "Clicks on links in emails are recorded"]) expect(a).not.toContain(old);
        for (const old of ["Messung von Klicks", "geklickt,", "Klicks auf Links in E-Mails erfasst Mautic"]) expect(ad).not.toContain(old);
        expect(a).toContain(
            "newsletter and marketing emails without open or click measurement for anyone (no tracking pixel, no tracked links); profiling from visits to the website and to pages served by Mautic (points, segments) only with the separate, optional consent (`tracking_consent`); no cookies (the web edge passes Mautic's cookies only with the consent cookie of purpose 6) | Direct marketing by email | Art. 6(1)(a) GDPR (newsletter consent; for profiling the separate consent) |",
        );
        expect(ad).toContain(
            "Newsletter und Werbe-E-Mails ohne Öffnungs- und Klickmessung für alle (kein Zählpixel, keine Tracking-Links); Profiling aus Besuchen der Website und der von Mautic ausgelieferten Seiten (Punkte, Segmente) nur mit der gesonderten, freiwilligen Einwilligung (`tracking_consent`)",
        );
        // The 'before you publish' list: the label's placeholders, the endpoint, the profile only with tracking_consent.
        expect(fullEn).toContain(
            "- [ ] Name the controller's legal name and what the newsletter advertises in the consent label of the sign-up form (stack settings `controllerName` and `newsletterTopics`; until both are set the label shows placeholders and the compliance report warns), point every sign-up of the website at `https://marketing.client-a.de/kit/doi/signup`",
        );
        expect(fullEn).toContain(
            "send newsletters only to the segment `doi-confirmed`, and use the profile (points, segments) only of contacts whose field `tracking_consent` is set (the separate consent of point 4).",
        );
        // The cookie table no longer claims everything waits for the banner's consent.
        expect(pEn).not.toContain("Everything in this table is stored only after your consent");
        expect(pDe).not.toContain("Alles in dieser Tabelle wird nur nach Ihrer Einwilligung gespeichert");
        // Mautic's cookies only with the consent on the website (the edge enforces it), not by the confirmation link.
        expect(pEn).toContain(
            "The cookies of `marketing.client-a.de` are stored only after that consent too: when you accept, our website has `marketing.client-a.de` set the cookie `tracking_consent` (value 1, no identifier)",
        );
        expect(pEn).toContain(
            "also on the pages Mautic serves itself (confirmation and unsubscribe pages, web versions of emails, links in our emails, forms)",
        );
        expect(pDe).toContain(
            "Auch die Cookies von `marketing.client-a.de` werden erst nach dieser Einwilligung gespeichert: Stimmen Sie zu, lässt unsere Website `marketing.client-a.de` das Cookie `tracking_consent` setzen (Wert 1, keine Kennung)",
        );
        for (const doc of [pEn, a]) expect(doc).not.toMatch(/set when (you open )?the confirmation link/);
        for (const doc of [pDe, ad]) expect(doc).not.toContain("beim Öffnen des Bestätigungslinks gesetzt");
    });

    it("without the stack's DOI setup, the 'before you publish' list asks the client to build the flow as described (both languages)", () => {
        const d = render({ doubleOptIn: false });
        expect(byPath(d, P.privacyEn)).toContain(
            '- [ ] This stack does not create the double opt-in endpoint (`doubleOptIn = false`). Set up a double opt-in that does what point 2 and "Proof of your consent" describe',
        );
        expect(byPath(d, P.privacyDe)).toContain(
            "- [ ] Dieser Stack legt den Double-Opt-In-Endpunkt nicht an (`doubleOptIn = false`). Ein Double-Opt-In einrichten, das tut, was Punkt 2 und „Nachweis Ihrer Einwilligung“ beschreiben",
        );
        expect(fullEn).not.toContain("This stack does not create the double opt-in endpoint");
        expect(byPath(d, P.privacyEn)).not.toContain("Send newsletters only to the segment");
    });

    it("withdrawal on the website has the edge expire Mautic's cookies on its host at once (banner and consent manager); nothing says they 'expire as listed'", () => {
        for (const consentMechanism of ["banner", "cmp"] as const) {
            const d = render({ consentMechanism });
            expect(section(byPath(d, P.privacyEn))).toContain(
                "and has `marketing.client-a.de` delete Mautic's cookies and the cookie `tracking_consent` on that host at once. You can also delete all of these entries in your browser's settings at any time.",
            );
            expect(section(byPath(d, P.privacyDe))).toContain(
                "und lässt `marketing.client-a.de` Mautics Cookies und das Cookie `tracking_consent` auf diesem Host sofort löschen. Sie können alle diese Einträge außerdem jederzeit in den Einstellungen Ihres Browsers löschen.",
            );
            expect(en(d)).not.toMatch(/expire as listed/);
            expect(de(d)).not.toMatch(/wie oben angegeben ab/);
        }
        const names = mauticHostCookieNames.map((n) => `\`${n}\``).join(", ");
        expect(a).toContain(
            `| Mautic's cookies on \`marketing.client-a.de\` (${names}) in the visitor's browser | at once when the visitor withdraws consent on the website; otherwise when they expire or the visitor deletes them | the edge answers the snippet's \`POST ${consentForgetPath}\` by expiring them |`,
        );
        expect(ad).toContain(
            `| Mautics Cookies auf \`marketing.client-a.de\` (${names}) im Browser des Besuchers | sofort, wenn der Besucher seine Einwilligung auf der Website widerruft;`,
        );
        // Every Mautic-host cookie in the table is one the route expires.
        for (const e of mauticDeviceStorage.filter((x) => x.origin === "mautic")) for (const n of e.names) expect(mauticHostCookieNames).toContain(n);
    });

    it("takes privacyPolicyUrl and consentMechanism from the stack settings unless the input overrides them", () => {
        const s = settings({ privacyPolicyUrl: "https://www.client-a.de/rechtliches/datenschutz", consentMechanism: "cmp" });
        const d = renderComplianceDocuments({ settings: s, measures, generatedAt: "2026-05-01" });
        expect(byPath(d, P.privacyEn)).toContain("privacy policy at https://www.client-a.de/rechtliches/datenschutz,");
        expect(byPath(d, P.privacyDe)).toContain("unter https://www.client-a.de/rechtliches/datenschutz übernehmen");
        expect(section(byPath(d, P.privacyEn))).toContain("consent settings of our website");
        expect(section(byPath(d, P.privacyEn))).not.toContain(consentStorageKey);
        const over = renderComplianceDocuments({ settings: s, measures, generatedAt: "2026-05-01", consentMechanism: "banner", privacyPolicyUrl: "/privacy" });
        expect(section(byPath(over, P.privacyEn))).toContain(consentStorageKey);
        expect(byPath(over, P.privacyEn)).toContain("privacy policy at https://www.client-a.de/privacy,");
    });

    it("links the privacy policy page from privacyPolicyUrl: default <website>/datenschutz, a path or an https URL", () => {
        expect(fullEn).toContain("into the website's privacy policy at https://www.client-a.de/datenschutz,");
        expect(fullDe).toContain("in die Datenschutzerklärung der Website unter https://www.client-a.de/datenschutz übernehmen");
        expect(byPath(render({ privacyPolicyUrl: "/privacy" }), P.privacyEn)).toContain("privacy policy at https://www.client-a.de/privacy,");
        expect(byPath(render({ privacyPolicyUrl: "https://legal.client-a.de/datenschutz" }), P.privacyDe)).toContain(
            "unter https://legal.client-a.de/datenschutz übernehmen",
        );
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
        expect(section(byPath(hourlyJitter, P.privacyEn))).toContain("our server anonymises it there within 66 minutes.");
        expect(section(byPath(hourlyJitter, P.privacyDe))).toContain("unser Server anonymisiert sie dort innerhalb von 66 Minuten.");
        const exact = withMaintenance({ timer: () => timer("OnCalendar=hourly\nAccuracySec=1s") })();
        expect(section(byPath(exact, P.privacyEn))).toContain("our server anonymises it there within one hour.");
        expect(section(byPath(exact, P.privacyDe))).toContain("unser Server anonymisiert sie dort innerhalb einer Stunde.");
        expect(byPath(exact, P.art30En)).toContain("(systemd timer `mautic-privacy-maintenance.timer`, every hour)");
        const halfHourly = withMaintenance({ timer: () => timer("OnCalendar=*:0/30\nRandomizedDelaySec=5min") })();
        expect(section(byPath(halfHourly, P.privacyEn))).toContain("our server anonymises it there within one hour.");
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
