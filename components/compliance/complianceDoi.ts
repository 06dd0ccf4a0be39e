/**
 * The compliance report's double opt-in items (C04 double opt-in, C05 the sign-up form's notice
 * and boxes, C06 deletion of unconfirmed sign-ups), read from what the stack renders: the Mautic
 * web container's Apache vhost (the endpoint's route), the endpoint's texts as the hosted form
 * shows them, the pinned Mautic parameters and the privacy maintenance job (safety net, consent
 * ledger retention). The flow itself: docs/guide/doi.md.
 */
import { SiteSettings } from "../config/config";
import { renderApacheVhost } from "../app/mautic";
import { consentLabelMarkers, DoiLanguage, doiLanguages, doiTags, withdrawalContactPlaceholder } from "../doi/doiBlueprint";
import { doiEndpointPaths, doiEndpointTexts } from "../doi/doiEndpoint";
import { renderConsentLedgerSql, renderDoiUnconfirmedSql } from "../host/privacyMaintenance";

type Status = "enforced" | "prepared" | "manual" | "warning";
type Add = (id: string, status: Status, evidence: string[], actions?: string[]) => void;

/** The consent label's markers (per language, both of them) while `controllerName` / `newsletterTopics` are unset. */
export const consentLabelPlaceholders: Record<DoiLanguage, string[]> = {
    de: Object.values(consentLabelMarkers.de),
    en: Object.values(consentLabelMarkers.en),
};

/** The consent label and the processing notice the hosted form shows, per language. */
export type DoiFormTexts = Record<DoiLanguage, { consent: string; notice: string }>;

/** The form texts as the endpoint renders them for these settings (as components/site/mauticSite.ts configures it). */
export function doiFormTexts(
    s: Pick<
        SiteSettings,
        "websiteHost" | "domain" | "privacyPolicyUrl" | "unconfirmedContactDays" | "mailerFromEmail" | "adminEmail" | "controllerName" | "newsletterTopics"
    >,
): DoiFormTexts {
    const of = (lang: DoiLanguage) =>
        doiEndpointTexts(lang, {
            websiteHost: s.websiteHost,
            mauticHost: s.domain,
            privacyPolicyUrl: s.privacyPolicyUrl ?? "",
            withdrawalContact: s.mailerFromEmail ?? s.adminEmail,
            days: s.unconfirmedContactDays,
            controllerName: s.controllerName,
            newsletterTopics: s.newsletterTopics,
        });
    return { de: of("de"), en: of("en") };
}

/** The markers still present in the texts the hosted form shows, e.g. "de: consent label [...]". */
export function doiTextPlaceholdersLeft(texts: DoiFormTexts): string[] {
    const left: string[] = [];
    for (const lang of doiLanguages) {
        const t = texts[lang];
        for (const m of consentLabelPlaceholders[lang]) if (t.consent.includes(m)) left.push(`${lang}: consent label ${m}`);
        if (t.notice.includes(withdrawalContactPlaceholder[lang])) left.push(`${lang}: processing notice ${withdrawalContactPlaceholder[lang]}`);
    }
    return left;
}

export interface DoiItemsInput {
    settings: SiteSettings;
    mauticParameters: Record<string, unknown>;
    /** The rendered privacy maintenance script (mautic-privacy-maintenance). */
    privacyScript: string;
    /** Whether the stack renders the DOI endpoint and creates its Mautic objects. */
    doiSetup: boolean;
    /** The texts the hosted form shows. Default: rendered from the settings (`doiFormTexts`). */
    formTexts?: DoiFormTexts;
}

export function addDoiItems(input: DoiItemsInput, add: Add): void {
    const s = input.settings;
    const p = input.mauticParameters;
    if (!input.doiSetup) {
        for (const id of ["C04", "C05", "C06"])
            add(
                id,
                "manual",
                ["the double opt-in endpoint is not part of this stack (doubleOptIn = false)"],
                ["Set up double opt-in by hand (docs/guide/doi.md)."],
            );
        return;
    }
    const route = /^\s*AliasMatch "\^\/kit\/doi\(\/\.\*\)\?\$" "\/var\/www\/kit-doi\/doi\.php"\s*$/m.test(renderApacheVhost());
    const c04Problems = [
        ...(s.mailerConfigured ? [] : ["mailerDsn is not set: confirmation emails cannot be sent. Set it: pulumi config set --secret mailerDsn ..."]),
        ...(route ? [] : ["the Mautic web container's Apache vhost no longer routes /kit/doi to the endpoint (templates/mautic/apache-vhost.conf)"]),
    ];
    // Prepared, not enforced: the endpoint enforces double opt-in for every sign-up it takes, but
    // Mautic's own forms and imports can still add addresses without it.
    add(
        "C04",
        c04Problems.length === 0 ? "prepared" : "warning",
        [
            `the kit's DOI endpoint (${doiEndpointPaths.dir}, served by the Mautic web container's Apache at ${doiEndpointPaths.urlPrefix}/*${route ? "" : ": route MISSING"}): a sign-up is a POST to ${doiEndpointPaths.urlPrefix}/signup (the hosted form at ${doiEndpointPaths.urlPrefix}/form or the website's own form) with the required consent box; it writes a consent-ledger row first, creates a contact tagged ${doiTags.pending} only for an unknown address and changes nothing on a known one`,
            "the confirmation e-mail is sent through Mautic's API (queued, sent by the worker) with a per-sign-up link: the token is the sign-up id (128 random bits) and an HMAC-SHA256 with the stack's doiSecret over it and the address key, so only the mailbox has it",
            `only a POST of the button on ${doiEndpointPaths.urlPrefix}/confirm with that token confirms (a GET shows the button and changes nothing; a wrong token gets 403, an expired sign-up 410): it tags ${doiTags.confirmed}, sets consent_date (UTC), consent_text_version, consent_language and, if ticked, tracking_consent through the API (no queue, works with the worker stopped), and records the confirmation in the ledger`,
            "consent-proof ledger kit_consent_ledger / kit_consent_texts: keyed hash of the address (HMAC-SHA256, not the address), contact id, form, language, SHA-256 of the consent text, notice and optional text (each text archived once), sign-up, mail and confirmation times (UTC), the confirmation event; untouched by unsubscribe minimisation, cleanup, contact deletion and `npm run dsr -- erase` (restricted, Art. 17(3)(b),(e), Art. 18); included in `npm run dsr -- export`",
            "not enforced: Mautic's own forms, imports and the API can add addresses without double opt-in",
            s.mailerConfigured
                ? `mailer_dsn, mailer_from_email=${String(p.mailer_from_email ?? "MISSING")}, mailer_from_name pinned in config/parameters_local.php; messenger_dsn_email pinned, so the worker sends the queued confirmation e-mail`
                : "MISSING: mailer_dsn",
        ],
        [
            ...c04Problems,
            "Point every sign-up of the website at POST /kit/doi/signup (or link /kit/doi/form); collect no addresses with Mautic's own forms; verify live with `npm run conformance`.",
        ],
    );

    const noPixel = p.mailer_append_tracking_pixel === false;
    const noTrackedLinks = p.disable_trackable_urls === true;
    const left = doiTextPlaceholdersLeft(input.formTexts ?? doiFormTexts(s));
    add(
        "C05",
        noPixel && noTrackedLinks && left.length === 0 ? "prepared" : "warning",
        [
            "the endpoint's hosted form and every sign-up POST: a required, unticked consent box for the newsletter (naming the controller and what is advertised), the processing notice, and a separate, optional, unticked box for the interest profile (stored as tracking_consent only on confirmation); a sign-up without consent=1 is refused (400)",
            "each text shown is archived by its SHA-256 in kit_consent_texts and named by the sign-up's ledger row",
            left.length === 0 ? "consent label and notice: no placeholder left" : `placeholders left in the texts the form shows: ${left.join("; ")}`,
            noPixel
                ? "config/parameters_local.php: mailer_append_tracking_pixel=false, no open pixel in any mail (opens are measured for nobody)"
                : `MISSING: mailer_append_tracking_pixel is ${JSON.stringify(p.mailer_append_tracking_pixel)}: Mautic appends an open pixel to every mail, which the texts do not cover`,
            noTrackedLinks
                ? "config/parameters_local.php: disable_trackable_urls=true, no link is a tracked redirect (clicks are measured for nobody)"
                : `MISSING: disable_trackable_urls is ${JSON.stringify(p.disable_trackable_urls)}: every link in a mail is a per-recipient tracked redirect, while the texts say clicks are measured for nobody`,
        ],
        [
            ...(left.length === 0
                ? []
                : [
                      "Set the stack's `pulumi config set controllerName 'Client A GmbH'` and `pulumi config set newsletterTopics '...'` (the consent label must name who advertises what, BGH I ZR 169/10), then deploy (the new texts are archived by hash).",
                  ]),
            ...(noPixel ? [] : ["Pin mailer_append_tracking_pixel to false in config/parameters_local.php (mauticParameters)."]),
            ...(noTrackedLinks ? [] : ["Pin disable_trackable_urls to true in config/parameters_local.php (mauticParameters)."]),
            "Send newsletters only to the segment doi-confirmed; use the profile (points, segments) only for contacts with tracking_consent set.",
        ],
    );

    const safetyNet =
        input.privacyScript.includes(renderDoiUnconfirmedSql(s.unconfirmedContactDays)) &&
        /DELETE FROM leads WHERE id IN \(SELECT id FROM kit_doi_expired\)/.test(input.privacyScript);
    const ledgerYears = /DELETE FROM kit_consent_ledger WHERE UTC_DATE\(\) >= MAKEDATE\(YEAR\(last_activity_at\) \+ 1 \+ (\d+), 1\)/.exec(
        input.privacyScript,
    )?.[1];
    const ledgerKept = input.privacyScript.includes(renderConsentLedgerSql(s.consentProofYears));
    add(
        "C06",
        safetyNet && ledgerKept ? "enforced" : "warning",
        [
            safetyNet
                ? `mautic-privacy-maintenance (every 30 minutes) deletes a contact only when the endpoint created it for a sign-up (ledger contact_created = 1, the contact added within 10 minutes of that sign-up), none of its sign-ups is confirmed and every one is older than ${s.unconfirmedContactDays} days, consent_date is empty, and it carries neither ${doiTags.confirmed} nor ${doiTags.keep} (templates/privacyMaintenance/doi-unconfirmed.sql); a contact that existed before its sign-up is never deleted by it`
                : `MISSING: the host job that deletes contacts the endpoint created for sign-ups unconfirmed after ${s.unconfirmedContactDays} days`,
            ledgerKept
                ? `the ledger rows stay (the proof that only the confirmation mail was sent); each row is deleted on 1 January after ${ledgerYears} full years after the year of its last mailing or withdrawal (consentProofYears; the job moves that date while the contact exists)`
                : `MISSING: the consent ledger's retention for consentProofYears = ${s.consentProofYears} in the privacy maintenance job`,
            "scope: sign-ups through the endpoint; addresses Mautic's own forms or imports add never enter double opt-in (C04)",
        ],
        safetyNet && ledgerKept ? [] : ["Install the privacy-maintenance job (HostFiles)."],
    );
}
