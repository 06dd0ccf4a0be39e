/**
 * The generated privacy texts (see documents.test.ts): no secret ever reaches them, the markers
 * are exactly the placeholders the settings need, the C02 Art. 30 record and the C03 DPA checklist.
 */
import { SiteSettings } from "../../components/config/config";
import {
    DocumentInputError,
    documentPlaceholders,
    placeholdersFor,
    hetznerDpa,
    mailerHostFromDsn,
    renderComplianceDocuments,
    RenderedDocument,
} from "../../components/compliance/documents";
import { doiNames } from "../../components/doi/doiBlueprint";
import { P, byPath, de, en, markersIn, measures, render, settings, variantDocs } from "../support/document-fixtures";

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
