/**
 * The kit's double-opt-in endpoint (pure renderer): the PHP files under templates/doiEndpoint/
 * that the Mautic web container serves at `/kit/doi/*` (its own Apache, an `Alias` in
 * apache-vhost.conf), and their configuration (secrets included, so the caller keeps it a
 * Pulumi secret and uploads it root-owned, readable by the web server's group only).
 * Why an endpoint and not Mautic's forms and campaigns: docs/guide/doi.md.
 */
import type { SiteSettings } from "../config/config";
import { readTemplate, renderTemplate } from "../shared/template";
import { consentLabelMarkers, DoiLanguage, doiDefaults, doiFields, doiLanguages, doiNames, doiTags, withdrawalContactPlaceholder } from "./doiBlueprint";
import { profilingConfig } from "./doiNames";

/** Where the endpoint lives in the Mautic web container. */
export const doiEndpointPaths = {
    dir: "/var/www/kit-doi",
    config: "/etc/mautic-kit/doi-config.json",
    /** The URL path prefix Apache maps to the front controller. */
    urlPrefix: "/kit/doi",
} as const;

/** The endpoint's files (PHP, schema): not secret, 0644. */
export const doiEndpointFileNames = ["doi.php", "lib.php", "flow.php", "pages.php", "profiling.php", "schema.sql"] as const;

export function doiEndpointFiles(): { path: string; content: string }[] {
    return doiEndpointFileNames.map((f) => ({ path: `${doiEndpointPaths.dir}/${f}`, content: readTemplate(`doiEndpoint/${f}`) }));
}

export { doiConfirmToken } from "./doiBlueprint";

export interface DoiEndpointInput {
    /** Mautic's host name (site_url host), e.g. "marketing.client-a.de". */
    host: string;
    /** The website origin, e.g. "https://www.client-a.de" (links, allowed return URLs, framing). */
    website: string;
    /** Privacy policy URL. Default `<website>/datenschutz`. */
    privacyPolicyUrl?: string;
    /** The address for withdrawals named in the processing notice. Default: the placeholder the kit warns about. */
    withdrawalContact?: string;
    /** Days a confirmation link stays valid and an unconfirmed sign-up is kept (`unconfirmedContactDays`). Default 3. */
    unconfirmedContactDays?: number;
    /** The controller's legal name, named in the consent label (`controllerName`). Default: a marker the compliance report warns about (C05). */
    controllerName?: string;
    /** What the newsletter advertises, named in the consent label (`newsletterTopics`). Default: a marker the compliance report warns about (C05). */
    newsletterTopics?: string;
    /** Version label of the consent text. Default "v1". */
    consentTextVersion?: string;
    /** Languages of the hosted form and the pages. Default ["de", "en"]. */
    languages?: DoiLanguage[];
    /** HMAC key of the ledger and the confirmation tokens (secret, at least 32 characters). */
    secret: string;
    /** Mautic API user and password (secret) the endpoint uses. */
    apiUser: string;
    apiPassword: string;
    /** Where the endpoint reaches Mautic's API. Default "http://127.0.0.1" (the container's own Apache). */
    apiBase?: string;
    /** Minutes within which a second sign-up of the same address sends no second mail. Default 10. */
    resendMinutes?: number;
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

/** The texts of one language, filled: exactly what the hosted form and pages show (and the ledger archives). */
export function doiEndpointTexts(
    lang: DoiLanguage,
    v: {
        websiteHost: string;
        mauticHost: string;
        privacyPolicyUrl: string;
        withdrawalContact: string;
        days: number;
        /** Unset: the label keeps the marker (consentLabelMarkers). */
        controllerName?: string;
        newsletterTopics?: string;
    },
) {
    const strings = JSON.parse(readTemplate(`doiBlueprint/${lang}/strings.json`)) as Record<string, unknown>;
    return {
        consent: oneLine(
            renderTemplate(`doiBlueprint/${lang}/consent-label.txt`, {
                websiteHost: v.websiteHost,
                controllerName: v.controllerName ?? consentLabelMarkers[lang].controllerName,
                newsletterTopics: v.newsletterTopics ?? consentLabelMarkers[lang].newsletterTopics,
            }),
        ),
        tracking: oneLine(renderTemplate(`doiBlueprint/${lang}/tracking-consent-label.txt`, { websiteHost: v.websiteHost })),
        notice: renderTemplate(`doiBlueprint/${lang}/processing-notice.html`, {
            websiteHost: v.websiteHost,
            mauticHost: v.mauticHost,
            privacyPolicyUrl: v.privacyPolicyUrl,
            unconfirmedContactDays: v.days,
            withdrawalContact: v.withdrawalContact,
        }).trim(),
        pending: oneLine(renderTemplate(`doiBlueprint/${lang}/form-success.txt`, { unconfirmedContactDays: v.days })),
        confirmed: oneLine(renderTemplate(`doiBlueprint/${lang}/confirm-success.txt`, { websiteHost: v.websiteHost })),
        confirmIntro: renderTemplate(`doiBlueprint/${lang}/confirm-intro.html`, { websiteHost: v.websiteHost, unconfirmedContactDays: v.days }).trim(),
        strings,
        messages: strings.messages,
    };
}

/**
 * The endpoint's input for a stack, from its validated settings and its secrets: the one place
 * the site (mauticSite.ts) and the local harness (scripts/local-mautic/render.ts) build it.
 * The API user is the kit's admin; withdrawals go to the sender address, else the admin's.
 */
export function siteDoiEndpointInput(
    s: Pick<
        SiteSettings,
        | "domain"
        | "website"
        | "privacyPolicyUrl"
        | "mailerFromEmail"
        | "adminEmail"
        | "unconfirmedContactDays"
        | "consentTextVersion"
        | "adminUsername"
        | "controllerName"
        | "newsletterTopics"
    >,
    secrets: { doiSecret: string; adminPassword: string },
): DoiEndpointInput {
    return {
        host: s.domain,
        website: s.website,
        privacyPolicyUrl: s.privacyPolicyUrl,
        withdrawalContact: s.mailerFromEmail ?? s.adminEmail,
        unconfirmedContactDays: s.unconfirmedContactDays,
        consentTextVersion: s.consentTextVersion,
        controllerName: s.controllerName,
        newsletterTopics: s.newsletterTopics,
        secret: secrets.doiSecret,
        apiUser: s.adminUsername,
        apiPassword: secrets.adminPassword,
    };
}

/** The endpoint's configuration file (JSON). Contains the secret and the API password. */
export function renderDoiEndpointConfig(input: DoiEndpointInput): string {
    const problems: string[] = [];
    if (!/^[a-z0-9.-]+(:\d+)?$/i.test(input.host ?? "")) problems.push(`host = ${JSON.stringify(input.host)} is not a host name`);
    let website: URL | undefined;
    try {
        website = new URL(input.website);
    } catch {
        problems.push(`website = ${JSON.stringify(input.website)} is not a URL`);
    }
    if (typeof input.secret !== "string" || input.secret.length < 32) problems.push("secret must be at least 32 characters (a RandomPassword)");
    if (!input.apiUser || !input.apiPassword) problems.push("apiUser and apiPassword are required");
    const days = input.unconfirmedContactDays ?? doiDefaults.unconfirmedContactDays;
    if (!Number.isInteger(days) || days < 1 || days > 30) problems.push(`unconfirmedContactDays = ${JSON.stringify(days)} must be a whole number from 1 to 30`);
    const resend = input.resendMinutes ?? 10;
    if (!Number.isInteger(resend) || resend < 0 || resend > 1440)
        problems.push(`resendMinutes = ${JSON.stringify(resend)} must be a whole number from 0 to 1440`);
    const languages = doiLanguages.filter((l) => (input.languages ?? doiDefaults.languages).includes(l));
    if (languages.length === 0) problems.push(`languages = ${JSON.stringify(input.languages)} names none of ${doiLanguages.join(", ")}`);
    if (problems.length > 0) throw new Error(`DOI endpoint: ${problems.join("; ")}`);
    const origin = website!.origin;
    const privacyPolicyUrl = input.privacyPolicyUrl ?? `${origin}${doiDefaults.privacyPolicyPath}`;
    const texts = Object.fromEntries(
        languages.map((l) => [
            l,
            doiEndpointTexts(l, {
                websiteHost: website!.host,
                mauticHost: input.host,
                privacyPolicyUrl,
                withdrawalContact: input.withdrawalContact ?? withdrawalContactPlaceholder[l],
                days,
                controllerName: input.controllerName,
                newsletterTopics: input.newsletterTopics,
            }),
        ]),
    );
    return `${JSON.stringify(
        {
            host: input.host,
            website: origin,
            privacy_policy_url: privacyPolicyUrl,
            api_base: input.apiBase ?? "http://127.0.0.1",
            api_user: input.apiUser,
            api_password: input.apiPassword,
            secret: input.secret,
            days,
            version: input.consentTextVersion ?? doiDefaults.consentTextVersion,
            languages,
            resend_minutes: resend,
            email_names: Object.fromEntries(languages.map((l) => [l, doiNames.email(l)])),
            tags: doiTags,
            fields: doiFields,
            profiling: profilingConfig(),
            texts,
        },
        null,
        2,
    )}\n`;
}
