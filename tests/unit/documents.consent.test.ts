/**
 * The generated privacy texts (see documents.test.ts) state, in both languages, the double opt-in
 * through the endpoint, the consent-proof ledger, what the newsletter consent covers, withdrawal
 * on the website, and the privacy-policy link and consent mechanism from the settings.
 */
import { mauticDeviceStorage, renderComplianceDocuments } from "../../components/compliance/documents";
import { consentForgetPath, mauticHostCookieNames } from "../../components/edge/caddyfile";
import { consentStorageKey } from "../../components/edge/tracking";
import { P, byPath, de, en, measures, render, section, settings } from "../support/document-fixtures";

describe("the stack's privacy facts, in both languages: consent", () => {
    const docs = render();
    const pEn = section(byPath(docs, P.privacyEn));
    const pDe = section(byPath(docs, P.privacyDe));
    const fullEn = byPath(docs, P.privacyEn);
    const fullDe = byPath(docs, P.privacyDe);
    const a = byPath(docs, P.art30En);
    const ad = byPath(docs, P.art30De);

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
            "Without the key, an entry cannot be linked to an address; with the key, anyone who knows an address can calculate the same value and so check whether it is on a list",
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
            "mit dem Schlüssel kann jeder, der eine Adresse kennt, denselben Wert berechnen und so prüfen, ob sie auf einer Liste steht",
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
