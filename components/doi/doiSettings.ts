/**
 * The double-opt-in settings: input, defaults, validation (every problem names the field and
 * the fix) and the Mautic release lines. Split from doiBlueprint.ts by concern.
 */
import { hostName } from "../shared/hostName";
/** A JSON value as sent to or received from Mautic. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Languages the kit ships texts for (`templates/doiBlueprint/<language>/`). */
export const doiLanguages = ["de", "en"] as const;
export type DoiLanguage = (typeof doiLanguages)[number];

export interface DoiBlueprintInput {
    /** Mautic's public origin, e.g. "https://marketing.client-a.de". Required. */
    mauticUrl: string;
    /** The ONE website this Mautic serves, e.g. "https://www.client-a.de". Required. */
    website: string;
    /** A confirmation link stays valid, and an unconfirmed sign-up's new contact is kept, this many days. Default 3; 1 to 30. */
    unconfirmedContactDays: number;
    /**
     * Version label of the consent text, stored with every confirmation (`consent_text_version`,
     * `tracking_consent`). Bump it whenever the consent wording changes. Default "v1".
     */
    consentTextVersion?: string;
    /** Languages to create a confirmation e-mail for (and the endpoint's pages). Default ["de", "en"]. */
    languages?: DoiLanguage[];
    /** Privacy policy linked from the e-mail (and the endpoint's pages). Default `<website>/datenschutz`. */
    privacyPolicyUrl?: string;
    /** Mautic release line ("5.2", "6.0" or "7.2"); recorded in the blueprint (the payloads are the same on every line). Default "6.0". */
    mauticLine?: MauticLine;
}

/** The validated, defaulted settings the blueprint is built from. */
export interface DoiSettings {
    mauticUrl: string;
    mauticHost: string;
    website: string;
    websiteHost: string;
    unconfirmedContactDays: number;
    consentTextVersion: string;
    languages: DoiLanguage[];
    privacyPolicyUrl: string;
    mauticLine: MauticLine;
}

/** Defaults of `DoiBlueprintInput`. */
export const doiDefaults = {
    unconfirmedContactDays: 3,
    consentTextVersion: "v1",
    languages: [...doiLanguages] as DoiLanguage[],
    privacyPolicyPath: "/datenschutz",
    mauticLine: "6.0" as MauticLine,
} as const;

/**
 * The Mautic release lines the kit supports. The DOI endpoint uses only REST calls that are the
 * same on all three (contacts search/new/edit, emails list and send, do-not-contact remove), so
 * the blueprint's objects do not differ by line; the line is recorded in the settings. (The
 * retired form-and-campaign flow needed `formType: "campaign"` up to 7.0.)
 */
export const mauticLines = ["5.2", "6.0", "7.2"] as const;
export type MauticLine = (typeof mauticLines)[number];

/** The release line of an image tag such as "6.0.6-apache"; undefined for a line the kit does not support. */
export function mauticLineOf(version: string): MauticLine | undefined {
    const m = /^(\d+)\.(\d+)/.exec(version.trim());
    if (!m) return undefined;
    const line = `${m[1]}.${m[2]}`;
    return (mauticLines as readonly string[]).includes(line) ? (line as MauticLine) : undefined;
}

/** The line for any image tag: its own when supported, else the nearest (5.x -> 5.2; 6.x and 7.0 -> 6.0; 7.1 and later -> 7.2). */
export function doiLineFor(version: string): MauticLine {
    const exact = mauticLineOf(version);
    if (exact) return exact;
    const m = /^(\d+)\.(\d+)/.exec(version.trim());
    const major = m ? Number(m[1]) : 6;
    const minor = m ? Number(m[2]) : 0;
    if (major <= 5) return "5.2";
    if (major === 6 || (major === 7 && minor === 0)) return "6.0";
    return "7.2";
}

/** Invalid DOI settings: every problem, one per line, each naming the field and the fix. */
export class DoiBlueprintError extends Error {
    constructor(public readonly problems: string[]) {
        super(`invalid double opt-in settings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "DoiBlueprintError";
    }
}

function httpsOrigin(field: string, value: unknown, problems: string[], example: string): { origin: string; host: string } | undefined {
    if (typeof value !== "string" || value.trim() === "") {
        problems.push(`${field} is missing. Fix: give an https origin, e.g. "${example}".`);
        return undefined;
    }
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        problems.push(`${field} = ${JSON.stringify(value)} is not an absolute URL. Fix: give an https origin, e.g. "${example}".`);
        return undefined;
    }
    if (url.protocol !== "https:") {
        problems.push(`${field} = ${JSON.stringify(value)} is not https (C11). Fix: use "https://${url.host || "host"}".`);
        return undefined;
    }
    if (url.username || url.password) {
        problems.push(`${field} = [redacted] contains credentials. Fix: give the origin only, e.g. "${example}".`);
        return undefined;
    }
    if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || /^https:\/\/[^/]+\/./.test(value)) {
        problems.push(`${field} = ${JSON.stringify(value)} has a path, query or fragment. Fix: give the origin only, e.g. "${example}".`);
        return undefined;
    }
    if (!hostName.test(url.hostname)) {
        problems.push(`${field} = ${JSON.stringify(value)} has no valid fully qualified host name. Fix: e.g. "${example}".`);
        return undefined;
    }
    return { origin: url.origin, host: url.host };
}

/** Validates and defaults the input. Throws `DoiBlueprintError` listing every problem. */
export function resolveDoiSettings(input: DoiBlueprintInput): DoiSettings {
    const problems: string[] = [];
    const raw = (input ?? {}) as unknown as Record<string, unknown>;
    const known = new Set(["mauticUrl", "website", "unconfirmedContactDays", "consentTextVersion", "languages", "privacyPolicyUrl", "mauticLine"]);
    for (const k of Object.keys(raw)) {
        if (!known.has(k)) problems.push(`${k} is not a DOI setting. Fix: remove it; known settings: ${[...known].join(", ")}.`);
    }

    const mautic = httpsOrigin("mauticUrl", raw.mauticUrl, problems, "https://marketing.client-a.de");
    const website = httpsOrigin("website", raw.website, problems, "https://www.client-a.de");
    if (mautic && website && mautic.origin === website.origin) {
        problems.push(`mauticUrl and website are both ${mautic.origin}. Fix: Mautic runs on its own host name, e.g. "https://marketing.<domain>".`);
    }

    const days = raw.unconfirmedContactDays ?? doiDefaults.unconfirmedContactDays;
    if (typeof days !== "number" || !Number.isInteger(days) || days < 1 || days > 30) {
        problems.push(`unconfirmedContactDays = ${JSON.stringify(days)} must be a whole number from 1 to 30 (C06: "within a few days"). Fix: e.g. 3.`);
    }

    const version = raw.consentTextVersion ?? doiDefaults.consentTextVersion;
    if (typeof version !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/.test(version)) {
        problems.push(`consentTextVersion = ${JSON.stringify(version)} must be 1-32 characters of A-Z, a-z, 0-9, '.', '_', '-'. Fix: e.g. "v1" or "2026-01".`);
    }

    const langs = raw.languages ?? doiDefaults.languages;
    if (!Array.isArray(langs) || langs.length === 0 || langs.some((l) => !(doiLanguages as readonly string[]).includes(l as string))) {
        problems.push(`languages = ${JSON.stringify(langs)} must be a non-empty list of ${doiLanguages.map((l) => `"${l}"`).join(", ")}. Fix: e.g. ["de"].`);
    } else if (new Set(langs).size !== langs.length) {
        problems.push(`languages = ${JSON.stringify(langs)} lists a language twice. Fix: list each once.`);
    }

    let privacyPolicyUrl = "";
    if (raw.privacyPolicyUrl !== undefined) {
        const p = raw.privacyPolicyUrl;
        let ok = false;
        if (typeof p === "string") {
            try {
                const u = new URL(p);
                ok = u.protocol === "https:" && !u.username && !u.password && /^[^"'<>\s]+$/.test(p);
            } catch {
                ok = false;
            }
        }
        if (!ok) problems.push(`privacyPolicyUrl = ${JSON.stringify(p)} must be an https URL without quotes or spaces. Fix: e.g. "https://www.client-a.de/datenschutz".`);
        else privacyPolicyUrl = p as string;
    } else if (website) {
        privacyPolicyUrl = `${website.origin}${doiDefaults.privacyPolicyPath}`;
    }

    const line = raw.mauticLine ?? doiDefaults.mauticLine;
    if (typeof line !== "string" || !(mauticLines as readonly string[]).includes(line)) {
        problems.push(`mauticLine = ${JSON.stringify(line)} is not a supported Mautic line. Fix: one of ${mauticLines.map((l) => `"${l}"`).join(", ")} (derived from mauticVersion).`);
    }

    if (problems.length > 0) throw new DoiBlueprintError(problems);
    return {
        mauticUrl: mautic!.origin,
        mauticHost: mautic!.host,
        website: website!.origin,
        websiteHost: website!.host,
        unconfirmedContactDays: days as number,
        consentTextVersion: version as string,
        // Fixed order, whatever order was given, so the hash does not depend on it.
        languages: doiLanguages.filter((l) => (langs as string[]).includes(l)),
        privacyPolicyUrl,
        mauticLine: line as MauticLine,
    };
}
