/**
 * The generated privacy texts (C01 privacy policy section, C02 Art. 30 record entry, C03 DPA
 * checklist; English and German): that they are built from the stack's real values (a changed
 * setting changes the text in both languages), carry the not-legal-advice notice, list exactly
 * the placeholders `documentPlaceholders` names, never show a secret, and are well-formed
 * Markdown; that they state, in both languages, what the stack does about the audit log's IPs,
 * logs, data of deleted contacts, Gravatar, the double opt-in and cookie withdrawal, and carry the
 * Art. 13 statements (Art. 13(2)(e), a separate Art. 21 section). The English privacy policy
 * section is pinned by a snapshot.
 *
 * This file: the six documents, C01, the numbers, backups, the mail processor. The others:
 * documents.records.test.ts (secrets, placeholders, C02, C03), documents.facts.test.ts and
 * documents.consent.test.ts (the stack's privacy facts), documents.validation.test.ts (input
 * validation, drift guard, templates); shared fixtures: tests/support/document-fixtures.ts.
 */
import { mailerHostFromDsn, mauticDeviceStorage, renderComplianceDocuments } from "../../components/compliance/documents";
import { consentStorageKey } from "../../components/edge/tracking";
import { P, byPath, de, en, measures, render, section, settings, variantDocs } from "../support/document-fixtures";

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
