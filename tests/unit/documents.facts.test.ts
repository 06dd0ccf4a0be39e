/**
 * The generated privacy texts (see documents.test.ts) state, in both languages, what the stack
 * does: the audit log's IPs, logs, remains of deleted contacts, unsubscribed contacts and the
 * suppression lists, cookies and storage, other places holding personal data, Gravatar, and the
 * Art. 13(2)(e) and Art. 21 statements. The double opt-in and consent facts:
 * documents.consent.test.ts.
 */
import { documentPlaceholders } from "../../components/compliance/documents";
import { renderPrivacyMaintenanceFiles, privacyMaintenancePaths } from "../../components/host/privacyMaintenance";
import { P, byPath, render, section } from "../support/document-fixtures";

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
            /Mautic's audit log, which records changes to contacts such as form submissions and tag changes, receives `\*\.\*\.\*\.\*` instead of the IP address because IP anonymisation is switched on; should a full IP address ever be found there \(for example in entries imported from an older installation\), our server overwrites it (within one hour|within (\d+) minutes)\./.exec(
                pEn,
            );
        const boundDe =
            /Das Audit-Log von Mautic, das Änderungen an Kontakten wie Formulareingaben und Änderungen von Tags festhält, erhält statt der IP-Adresse `\*\.\*\.\*\.\*`, weil die IP-Anonymisierung eingeschaltet ist; sollte dort doch eine vollständige IP-Adresse stehen \(etwa in Einträgen, die aus einer älteren Installation übernommen wurden\), überschreibt unser Server sie (innerhalb einer Stunde|innerhalb von (\d+) Minuten)\./.exec(
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
            /\| Full IP addresses in Mautic's audit log \(`audit_log\.ip_address`[^|]*\| anonymised within [^|]*\| host job `mautic-privacy-maintenance` \(systemd timer `mautic-privacy-maintenance\.timer`, every 30 minutes\) \|/,
        );
        expect(ad).toMatch(
            /\| Vollständige IP-Adressen im Audit-Log von Mautic \(`audit_log\.ip_address`[^|]*\| innerhalb [^|]* anonymisiert[^|]*\| Host-Auftrag `mautic-privacy-maintenance` \(systemd-Timer `mautic-privacy-maintenance\.timer`, alle 30 Minuten\) \|/,
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
                    "Two suppression lists, both holding only a keyed hash of an address (HMAC-SHA256 with a per-stack key held only on the server: without the key an entry cannot be linked to an address; with it, anyone who knows an address can check whether it is listed) and a date: the suppression list (purpose 7, table `kit_suppression`",
                    "The erasure journal (purpose 8, a file outside the database)",
                    "Both are needed because",
                ],
            ],
            [
                ad,
                [
                    "Zwei Sperrlisten, beide nur mit einem Hashwert einer Adresse mit geheimem Schlüssel (HMAC-SHA256 mit einem Schlüssel je Stack, nur auf dem Server: ohne den Schlüssel lässt sich ein Eintrag keiner Adresse zuordnen; mit ihm kann jeder, der eine Adresse kennt, prüfen, ob sie auf der Liste steht) und einem Datum: Die Sperrliste (Zweck 7, Tabelle `kit_suppression`",
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
        // Issue 20 item 7: a keyed hash; without the key no link to an address, with it anyone who knows an address can check it.
        expect(pEn).toContain("each holds only a keyed hash value calculated from it (HMAC-SHA256 with a secret key that only our server holds) and a date");
        expect(pEn).toContain(
            "Without the key, an entry cannot be linked to an address; with the key, anyone who knows an address can calculate the same value",
        );
        expect(pDe).toContain("mit einem geheimen Schlüssel berechneten Hashwert (HMAC-SHA256; den Schlüssel hat nur unser Server)");
        expect(pDe).toContain("Ohne den Schlüssel lässt sich ein Eintrag keiner Adresse zuordnen; mit dem Schlüssel kann jeder, der eine Adresse kennt");
        for (const t of [pEn, a]) expect(t).not.toMatch(/cannot be (read|turned) back/);
        expect(pDe).not.toContain("lässt sich Ihre Adresse nicht ablesen");
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
});
