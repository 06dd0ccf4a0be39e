/**
 * The tracking snippet's input: its fields with their defaults, and the validation that turns it
 * into the settings both renderers (tracking.ts) work from, listing every problem with its fix.
 */
import { BannerTexts, consentRevisionHash, defaultBannerTexts, textKeys } from "./trackingTexts";
import { checkOrigin, isLoopbackHost, unsafeChars } from "./trackingOrigin";

export interface TrackingSnippetInput {
    /**
     * Origin of the Mautic host, e.g. "https://marketing.client-a.de". https only; no path,
     * query, fragment or credentials; a trailing "/" is dropped. Must differ from `website`.
     */
    mauticUrl: string;
    /** The one website origin this Mautic serves, e.g. "https://www.client-a.de". The snippet stays inert on any other origin. */
    website: string;
    /** Consent-manager category that enables Mautic in the CMP variant. Default "marketing". Letters, digits, "_", ".", "-". */
    cmpCategory?: string;
    /** Privacy policy linked from the banner: an https URL or a path on the website ("/datenschutz"). Default: no link. */
    privacyPolicyUrl?: string;
    /** Imprint (Impressum, §5 DDG) linked from the banner: an https URL or a path on the website ("/impressum"). Default: no link. */
    imprintUrl?: string;
    /** Days a stored choice (accept or reject) is honoured before the banner asks again. Default 365; 1 to 395 (13 months). */
    consentMaxAgeDays?: number;
    /**
     * Bump when what Mautic does changes materially without any text changing: every stored choice
     * becomes void and the banner asks again. Default 1. The revision stored with a choice is a hash
     * of this number, the banner texts, the linked URLs, `consentMaxAgeDays` and the Mautic host
     * (`consentRevisionHash`), so changing any text re-asks by itself.
     */
    consentRevision?: number;
    /**
     * Show a small fixed "Privacy settings" button once a choice is stored. Default true. Set
     * false only if every page links to the settings itself (`data-mautic-consent-open`).
     */
    settingsButton?: boolean;
    /** Replaces banner texts per language; plain text, no HTML. `{host}` in `text` becomes the Mautic host name. */
    texts?: { en?: Partial<BannerTexts>; de?: Partial<BannerTexts> };
    /**
     * Path on the Mautic host that the kit's edge proxy answers by expiring Mautic's own cookies
     * there (`mtc_id`, `mtc_sid`, `mautic_device_id`, `mautic_referer_id`), e.g. "/consent/forget".
     * When set, withdrawing consent sends exactly one credentialed POST to it (never on a first
     * rejection, never before consent). Default: unset, and those Mautic-host cookies stay until
     * they expire (they are never sent again, because nothing requests the Mautic host any more).
     */
    mauticForgetPath?: string;
    /**
     * Path on the Mautic host that the kit's edge proxy answers by setting the visitor's consent
     * cookie there (`consentGrantPath`, "/consent/grant"); without it the edge lets none of Mautic's
     * tracking cookies through. When set, accepting sends one credentialed POST to it and loads
     * Mautic only after its answer. Default: unset (no request; for a Mautic without the kit's edge).
     */
    mauticGrantPath?: string;
    /**
     * Tests only: also accept `http://` origins on loopback hosts (localhost, 127.0.0.0/8, [::1]).
     * Default false: production origins must be https (C11).
     */
    allowLoopbackHttp?: boolean;
}

/** localStorage key of the standalone variant's stored choice (the only thing it stores on its own). */
export const consentStorageKey = "consent.mautic";

export const defaultCmpCategory = "marketing";
export const defaultConsentMaxAgeDays = 365;

/** Invalid input: every problem found, one per line, each naming the field, the value and the fix. */
export class TrackingSnippetError extends Error {
    constructor(public readonly problems: string[]) {
        super(`invalid tracking snippet input (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` + problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "TrackingSnippetError";
    }
}

/** The validated, defaulted input both renderers work from. */
export interface TrackingSnippetSettings {
    mauticUrl: string;
    mauticHost: string;
    website: string;
    cmpCategory: string;
    privacyPolicyUrl: string | null;
    imprintUrl: string | null;
    consentMaxAgeDays: number;
    consentRevision: number;
    /** What a stored choice records as its revision: see `consentRevisionHash`. */
    revisionHash: string;
    settingsButton: boolean;
    texts: { en: BannerTexts; de: BannerTexts };
    mauticForgetPath: string | null;
    mauticGrantPath: string | null;
}

const inputKeys: (keyof TrackingSnippetInput)[] = [
    "mauticUrl",
    "website",
    "cmpCategory",
    "privacyPolicyUrl",
    "imprintUrl",
    "consentMaxAgeDays",
    "consentRevision",
    "settingsButton",
    "texts",
    "mauticForgetPath",
    "mauticGrantPath",
    "allowLoopbackHttp",
];

const fixes: Record<string, string> = {
    mauticUrl: "give the Mautic host's https origin only, e.g. https://marketing.client-a.de",
    website: "give the one website's https origin only, e.g. https://www.client-a.de",
    cmpCategory: `use the consent manager's category name, e.g. "${defaultCmpCategory}" (letters, digits, '_', '.', '-'; at most 64)`,
    privacyPolicyUrl: 'give an https URL or a path on the website, e.g. "/datenschutz"',
    imprintUrl: 'give an https URL or a path on the website, e.g. "/impressum"',
    consentMaxAgeDays: `give whole days from 1 to 395, e.g. ${defaultConsentMaxAgeDays}`,
    consentRevision: "give a whole number from 1 to 1000000 and increase it when the processing changes",
    settingsButton: "give true or false",
    texts: `give { en?: {...}, de?: {...} } with plain-text values for ${textKeys.join(", ")}`,
    mauticForgetPath: 'give an absolute path served by the edge proxy, e.g. "/consent/forget"',
    mauticGrantPath: 'give an absolute path served by the edge proxy, e.g. "/consent/grant"',
    allowLoopbackHttp: "give true or false (tests only)",
};

const show = (v: unknown): string => {
    const s = typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
    return s.length > 120 ? `${s.slice(0, 117)}...` : s;
};

/** Validates and defaults the input. Throws `TrackingSnippetError` listing every problem. */
export function validateTrackingSnippetInput(input: TrackingSnippetInput): TrackingSnippetSettings {
    const problems: string[] = [];
    const problem = (key: string, value: unknown, why: string) => {
        const fix = fixes[key.replace(/[.[].*$/, "")];
        problems.push(`${key} = ${show(value)} ${why}.${fix ? ` Fix: ${fix}.` : ""}`);
    };
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
        throw new TrackingSnippetError([`the input ${show(input)} is not an object. Fix: pass { mauticUrl, website }.`]);
    }
    const raw = input as unknown as Record<string, unknown>;
    for (const k of Object.keys(raw)) {
        if (!(inputKeys as string[]).includes(k))
            problems.push(`${k} is not a tracking snippet setting. Fix: remove it or use one of: ${inputKeys.join(", ")}.`);
    }

    const allowLoopbackHttp = raw.allowLoopbackHttp ?? false;
    if (typeof allowLoopbackHttp !== "boolean") problem("allowLoopbackHttp", allowLoopbackHttp, "is not a boolean");
    const loopbackOk = allowLoopbackHttp === true;

    const m = checkOrigin(raw.mauticUrl, loopbackOk);
    if ("why" in m) problem("mauticUrl", raw.mauticUrl, raw.mauticUrl === undefined ? "is missing: it is required" : m.why);
    const w = checkOrigin(raw.website, loopbackOk);
    if ("why" in w) problem("website", raw.website, raw.website === undefined ? "is missing: it is required" : w.why);
    if ("origin" in m && "origin" in w) {
        if (m.origin === w.origin) problem("mauticUrl", raw.mauticUrl, "is the website's own origin; Mautic needs its own host, e.g. marketing.<your domain>");
        else if (new URL(m.origin).hostname === new URL(w.origin).hostname && !loopbackOk) {
            problem("mauticUrl", raw.mauticUrl, "has the website's host name; Mautic needs its own host, e.g. marketing.<your domain>");
        }
    }

    const cmpCategory = raw.cmpCategory ?? defaultCmpCategory;
    if (typeof cmpCategory !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(cmpCategory)) {
        problem("cmpCategory", cmpCategory, "is not a plain category name");
    }

    const link = (key: "privacyPolicyUrl" | "imprintUrl"): string | null => {
        const p = raw[key];
        if (p === undefined) return null;
        if (typeof p !== "string" || p === "" || p.length > 2048) problem(key, p, "is not a non-empty string of at most 2048 characters");
        else if (unsafeChars.test(p) || /[^\x21-\x7e]/.test(p))
            problem(key, p, "contains whitespace, quotes, angle brackets, backslashes, control or non-ASCII characters (percent-encode them)");
        else if (p.startsWith("/") && !p.startsWith("//")) return p;
        else {
            let url: URL | undefined;
            try {
                url = new URL(p);
            } catch {
                problem(key, p, "is neither a path starting with '/' nor an absolute URL");
            }
            if (url) {
                if (url.protocol !== "https:" && !(url.protocol === "http:" && loopbackOk && isLoopbackHost(url.hostname))) {
                    problem(key, p, `uses the ${url.protocol} scheme; only https is allowed`);
                } else if (url.username || url.password) problem(key, p, "contains credentials");
                else return url.href;
            }
        }
        return null;
    };
    const privacyPolicyUrl = link("privacyPolicyUrl");
    const imprintUrl = link("imprintUrl");

    const intIn = (key: "consentMaxAgeDays" | "consentRevision", def: number, min: number, max: number): number => {
        const v = raw[key] ?? def;
        if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
            problem(key, v, `is not a whole number from ${min} to ${max}`);
            return def;
        }
        return v;
    };
    const consentMaxAgeDays = intIn("consentMaxAgeDays", defaultConsentMaxAgeDays, 1, 395);
    const consentRevision = intIn("consentRevision", 1, 1, 1_000_000);

    const settingsButton = raw.settingsButton ?? true;
    if (typeof settingsButton !== "boolean") problem("settingsButton", settingsButton, "is not a boolean");

    const edgePath = (key: "mauticForgetPath" | "mauticGrantPath"): string | null => {
        const v = raw[key];
        if (v === undefined) return null;
        if (typeof v !== "string" || !/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(v) || /(^|\/)\.{1,2}(\/|$)/.test(v) || v.length > 128) {
            problem(key, v, "is not an absolute path of letters, digits and '.', '_', '~', '-' segments (at most 128 characters)");
            return null;
        }
        return v;
    };
    const forget = edgePath("mauticForgetPath");
    const grant = edgePath("mauticGrantPath");
    if (forget !== null && grant !== null && forget === grant) problem("mauticGrantPath", grant, "is the same path as mauticForgetPath");

    const host = "origin" in m ? new URL(m.origin).hostname : "";
    const texts = { en: { ...defaultBannerTexts.en }, de: { ...defaultBannerTexts.de } };
    if (raw.texts !== undefined) {
        const t = raw.texts as Record<string, unknown>;
        if (t === null || typeof t !== "object" || Array.isArray(t)) problem("texts", t, "is not an object");
        else {
            for (const lang of Object.keys(t)) {
                if (lang !== "en" && lang !== "de") {
                    problems.push(`texts.${lang} is not a banner language. Fix: use "en" or "de" (other page languages get English).`);
                    continue;
                }
                const set = t[lang] as Record<string, unknown>;
                if (set === null || typeof set !== "object" || Array.isArray(set)) {
                    problem(`texts.${lang}`, set, "is not an object");
                    continue;
                }
                for (const [k, v] of Object.entries(set)) {
                    if (!(textKeys as string[]).includes(k)) problems.push(`texts.${lang}.${k} is not a banner text. Fix: use one of: ${textKeys.join(", ")}.`);
                    else if (typeof v !== "string" || v.trim() === "" || v.length > 2000)
                        problem(`texts.${lang}.${k}`, v, "is not a non-empty string of at most 2000 characters");
                    else if (/[\p{Cc}\u2028\u2029]/u.test(v)) problem(`texts.${lang}.${k}`, v, "contains control characters or line breaks");
                    else texts[lang][k as keyof BannerTexts] = v;
                }
            }
        }
    }
    for (const lang of ["en", "de"] as const) {
        for (const k of ["text", "storage"] as const)
            texts[lang][k] = texts[lang][k].split("{host}").join(host).split("{days}").join(String(consentMaxAgeDays));
    }

    if (problems.length > 0) throw new TrackingSnippetError(problems);
    const mauticUrl = (m as { origin: string }).origin;
    return {
        mauticUrl,
        mauticHost: host,
        website: (w as { origin: string }).origin,
        cmpCategory: cmpCategory as string,
        privacyPolicyUrl,
        imprintUrl,
        consentMaxAgeDays,
        consentRevision,
        revisionHash: consentRevisionHash({ consentRevision, texts, privacyPolicyUrl, imprintUrl, consentMaxAgeDays, mauticUrl }),
        settingsButton: settingsButton as boolean,
        texts,
        mauticForgetPath: forget,
        mauticGrantPath: grant,
    };
}
