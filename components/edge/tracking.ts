/**
 * The website-side Mautic tracking snippet, gated by consent (checklist item C08, TDDDG §25).
 *
 * Two variants, both pure functions of validated input, written by the plan to
 * `tracking/consent-snippet.html` and `tracking/consent-snippet-cmp.html` per stack:
 * - `renderConsentSnippet`: a tiny accessible banner (German/English, reject as easy as accept)
 *   plus the loader; the choice is kept in localStorage under `consentStorageKey`.
 * - `renderCmpSnippet`: two inert `type="text/plain"` scripts for consent managers that enable
 *   scripts by category (`data-category`, vanilla-cookieconsent and compatibles) or by service
 *   (`data-name="mautic"`, Klaro); the second runs on withdrawal (`data-category="!<category>"`).
 *
 * Before consent neither variant requests anything from the Mautic host nor stores anything. The
 * one exception is a withdrawal: a page of the banner variant that finds a stored accept that
 * expired or belongs to an older revision sends the forget request (`mauticForgetPath`) at once.
 * After consent `<mauticUrl>/mtc.js` loads once per page and sends one pageview. Revoking stops
 * tracking on the page without a reload and deletes Mautic's cookies and storage on the website.
 * The JavaScript lives in `templates/tracking/`; see docs/guide/tracking.md.
 */
import { createHash } from "crypto";
import { fill, readTemplate, renderTemplate } from "../shared/template";
import { TrackingSnippetInput, TrackingSnippetSettings, consentStorageKey, validateTrackingSnippetInput } from "./trackingInput";

export type { BannerTexts } from "./trackingTexts";
export { consentRevisionHash, defaultBannerTexts } from "./trackingTexts";
// Split by concern (issue 17); re-exported so that importers keep this one path.
export { TrackingSnippetError, consentStorageKey, defaultCmpCategory, defaultConsentMaxAgeDays, validateTrackingSnippetInput } from "./trackingInput";
export type { TrackingSnippetInput, TrackingSnippetSettings } from "./trackingInput";

/**
 * A JavaScript literal of `value` that is safe inside an HTML `<script>` element: no `<`, `>`
 * or `&` (so no `</script>` or `<!--`), no U+2028/2029, and ASCII only (so the snippet works on
 * pages in any charset).
 */
export function scriptLiteral(value: unknown): string {
    return JSON.stringify(value).replace(/[<>&\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The CSP source expression (`'sha256-...'`) that allows an inline element with exactly this text. */
export function cspHash(text: string): string {
    return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/** Content-Security-Policy sources a website needs for one variant of the snippet. */
export interface TrackingSnippetCsp {
    "script-src": string[];
    "style-src": string[];
    "connect-src": string[];
    "img-src": string[];
}

interface Rendered {
    html: string;
    csp: TrackingSnippetCsp;
}

/** Whole-line `//` comments document the templates; the shipped snippet leaves them out. */
const stripLineComments = (js: string) => js.replace(/^[ \t]*\/\/.*\n/gm, "");

function scriptBody(template: string, config: Record<string, unknown>): string {
    const core = stripLineComments(readTemplate("tracking/core.js")).replace(/\n$/, "");
    return `\n${fill(stripLineComments(readTemplate(template)), { core, config: scriptLiteral(config) }, template)}`;
}

function buildConsent(v: TrackingSnippetSettings): Rendered {
    const script = scriptBody("tracking/consent.js", {
        mauticUrl: v.mauticUrl,
        website: v.website,
        storageKey: consentStorageKey,
        maxAgeDays: v.consentMaxAgeDays,
        revision: v.revisionHash,
        settingsButton: v.settingsButton,
        privacyPolicyUrl: v.privacyPolicyUrl,
        imprintUrl: v.imprintUrl,
        texts: v.texts,
        forgetPath: v.mauticForgetPath,
        grantPath: v.mauticGrantPath,
    });
    const style = `\n${readTemplate("tracking/consent.css")}`;
    const scriptHash = cspHash(script);
    const styleHash = cspHash(style);
    const html = renderTemplate("tracking/consent-snippet.html", {
        website: v.website,
        mauticUrl: v.mauticUrl,
        storageKey: consentStorageKey,
        revision: v.revisionHash,
        maxAgeDays: v.consentMaxAgeDays,
        scriptHash,
        styleHash,
        style,
        script,
    });
    return { html, csp: { "script-src": [scriptHash, v.mauticUrl], "style-src": [styleHash], "connect-src": [v.mauticUrl], "img-src": [v.mauticUrl] } };
}

function buildCmp(v: TrackingSnippetSettings): Rendered {
    const config = { mauticUrl: v.mauticUrl, website: v.website, forgetPath: v.mauticForgetPath, grantPath: v.mauticGrantPath };
    const loader = scriptBody("tracking/cmp-loader.js", config);
    const revoke = scriptBody("tracking/cmp-revoke.js", config);
    const loaderHash = cspHash(loader);
    const revokeHash = cspHash(revoke);
    const html = renderTemplate("tracking/consent-snippet-cmp.html", {
        website: v.website,
        mauticUrl: v.mauticUrl,
        category: v.cmpCategory,
        loaderHash,
        revokeHash,
        loader,
        revoke,
    });
    return { html, csp: { "script-src": [loaderHash, revokeHash, v.mauticUrl], "style-src": [], "connect-src": [v.mauticUrl], "img-src": [v.mauticUrl] } };
}

/** Standalone snippet: a tiny consent banner plus the gated loader. */
export function renderConsentSnippet(input: TrackingSnippetInput): string {
    return buildConsent(validateTrackingSnippetInput(input)).html;
}

/** Consent-manager snippet: inert `type="text/plain"` scripts the consent manager enables. */
export function renderCmpSnippet(input: TrackingSnippetInput): string {
    return buildCmp(validateTrackingSnippetInput(input)).html;
}

/** The CSP sources the website needs for a variant (also written into the snippet's leading comment). */
export function trackingSnippetCsp(input: TrackingSnippetInput, variant: "banner" | "cmp"): TrackingSnippetCsp {
    const v = validateTrackingSnippetInput(input);
    return (variant === "cmp" ? buildCmp(v) : buildConsent(v)).csp;
}
