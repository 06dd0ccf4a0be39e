/**
 * The input of the generated documents and its validation: every problem is collected and
 * reported at once, naming the field and the fix, never echoing a value that may hold a secret.
 */
import { SiteSettings } from "../config/config";
import { germanLocations } from "../config/defaults";
import { intRange } from "../config/schema";
import { doiDefaults } from "../doi/doiBlueprint";
import { defaultConsentMaxAgeDays } from "../edge/tracking";
import { ComplianceMeasure } from "./documentFacts";
import { langs } from "./documentWords";
import { isFqdn } from "../shared/hostName";

export interface DocumentInput {
    /** The validated site settings. Only the fields named in the documents are read. */
    settings: SiteSettings;
    /** The measures listed in the Art. 30 record (Art. 32 GDPR). At least one; ids unique. */
    measures: ComplianceMeasure[];
    /**
     * Host of the SMTP server from the mailer DSN (see `mailerHostFromDsn`), listed as a
     * processor. A host name or IPv4 address only: anything that looks like a DSN, a URL or
     * credentials is rejected without being echoed. Default: unknown, and the documents say that
     * the mail provider must be added.
     */
    mailerHost?: string;
    /** Generation date, ISO 8601 (`2026-05-01` or a full timestamp); its date part is printed. */
    generatedAt: string;
    /** Whether the stack creates the double opt-in flow and its deletion campaign (`DoiSetup`). Default true. */
    doubleOptIn?: boolean;
    /**
     * How the website asks for consent: the kit's own banner (`renderConsentSnippet`, choice in
     * localStorage under `consentStorageKey`) or a consent manager (`renderCmpSnippet`).
     * Default `settings.consentMechanism`, else "banner".
     */
    consentMechanism?: "banner" | "cmp";
    /** The banner's `consentMaxAgeDays`. Default `defaultConsentMaxAgeDays` (365). 1 to 395. */
    consentMaxAgeDays?: number;
    /**
     * The website's privacy policy, where the client publishes the C01 section: an https URL, or
     * a path on the website ("/datenschutz"). Default `settings.privacyPolicyUrl` (the stack
     * setting the banner and the double opt-in texts link to), else `<website>/datenschutz`.
     */
    privacyPolicyUrl?: string;
}

/** Invalid input: every problem, one per line, naming the field and the fix (never a secret). */
export class DocumentInputError extends Error {
    constructor(public readonly problems: string[]) {
        super(
            `invalid input for the generated documents (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
        );
        this.name = "DocumentInputError";
    }
}

const isIpv4 = (v: string) => /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(v) && v.split(".").every((o) => Number(o) <= 255);

/**
 * The SMTP host of a Symfony mailer DSN, for the documents; `undefined` when the DSN names no
 * host the documents can show (a provider's `default`, `localhost`, `failover(...)`, garbage).
 * Never throws and never returns user, password or port.
 */
export function mailerHostFromDsn(dsn: string | undefined): string | undefined {
    if (typeof dsn !== "string") return undefined;
    let host: string;
    try {
        host = new URL(dsn.trim()).hostname.toLowerCase();
    } catch {
        return undefined;
    }
    return isFqdn(host) || isIpv4(host) ? host : undefined;
}

/** Hetzner's Storage Box domain (every box is u<id>.your-storagebox.de). */
export const storageBoxDomain = "your-storagebox.de";

/** The host of the off-site restic repository (`sftp://user@host:23/path` or `sftp:user@host:/path`). */
function offsiteHostOf(repository: string | undefined): string | undefined {
    if (!repository) return undefined;
    const m = /^sftp:(?:\/\/)?(?:[^@/\s]+@)?([A-Za-z0-9.-]+)/.exec(repository.trim());
    const host = m?.[1].toLowerCase();
    return host && (isFqdn(host) || isIpv4(host)) ? host : undefined;
}

/** `YYYY-MM-DD` of the ISO date, and the same day one year later (29 Feb -> 28 Feb). */
function datesOf(generatedAt: string): { generated: string; review: string } | undefined {
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(generatedAt);
    if (!m) return undefined;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const check = new Date(Date.UTC(y, mo - 1, d));
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined;
    const next = new Date(Date.UTC(y + 1, mo - 1, d));
    if (next.getUTCMonth() !== mo - 1) next.setUTCDate(0);
    return { generated: `${m[1]}-${m[2]}-${m[3]}`, review: next.toISOString().slice(0, 10) };
}

const measureId = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// One line of plain text: no control characters, no markers, no template braces, no HTML.
const unsafeText = /[\p{Cc}\u2028\u2029<>]|\[\[|\]\]|\{\{|\}\}/u;

export interface Resolved {
    s: SiteSettings;
    dates: { generated: string; review: string };
    mailerHost?: string;
    offsiteHost?: string;
    doubleOptIn: boolean;
    consent: "banner" | "cmp";
    consentMaxAgeDays: number;
    privacyPolicyUrl: string;
    measures: ComplianceMeasure[];
}

export function validate(input: DocumentInput): Resolved {
    const problems: string[] = [];
    const s = input?.settings;
    if (!s || typeof s !== "object") throw new DocumentInputError(["settings is missing: pass the validated SiteSettings (validateSiteArgs(...).settings)"]);
    const show = (v: unknown) => JSON.stringify(v) ?? String(v);

    if (typeof s.domain !== "string" || !isFqdn(s.domain))
        problems.push(`settings.domain = ${show(s.domain)} is not a lower-case host name such as marketing.client-a.de`);
    let websiteOk: boolean;
    try {
        const u = new URL(s.website);
        websiteOk = u.protocol === "https:" && u.origin === s.website && u.hostname === s.websiteHost && isFqdn(u.hostname) && u.hostname !== s.domain;
    } catch {
        websiteOk = false;
    }
    if (!websiteOk)
        problems.push(
            `settings.website = ${show(s.website)} / websiteHost = ${show(s.websiteHost)} are not one https origin and its host, different from the Mautic host`,
        );
    if (!(s.location in germanLocations))
        problems.push(`settings.location = ${show(s.location)} is not one of the German locations ${Object.keys(germanLocations).join(", ")}`);
    // The ranges come from the field table (components/config/fields.ts).
    const ints = (
        [
            "cleanupDaysOld",
            "unconfirmedContactDays",
            "gdprPurgeDays",
            "backupRetentionDays",
            "accessLogRetentionDays",
            "unsubscribedMinimiseDays",
            "consentProofYears",
            "staffAccessLogDays",
        ] as const
    ).map((k) => [k, ...intRange(k)] as const);
    for (const [k, min, max] of ints) {
        const v = s[k];
        if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
            problems.push(`settings.${k} = ${show(v)} is not a whole number from ${min} to ${max}`);
    }
    if (typeof s.backups !== "boolean") problems.push(`settings.backups = ${show(s.backups)} is not true or false`);
    const g = (s as Partial<SiteSettings>).gravatar;
    if (g !== undefined && typeof g !== "boolean") problems.push(`settings.gravatar = ${show(g)} is not true or false`);
    if (typeof s.timezone !== "string" || !/^[A-Za-z0-9_+\-/]{1,64}$/.test(s.timezone))
        problems.push(`settings.timezone = ${show(s.timezone)} is not an IANA time zone name`);
    if (typeof s.mauticVersion !== "string" || !/^\d+\.\d+\.\d+(-apache)?$/.test(s.mauticVersion))
        problems.push(`settings.mauticVersion = ${show(s.mauticVersion)} is not an exact Mautic release such as 6.0.6-apache`);
    if (typeof s.serverType !== "string" || !/^[a-z0-9]{2,16}$/.test(s.serverType))
        problems.push(`settings.serverType = ${show(s.serverType)} is not a Hetzner server type name`);

    const dates = typeof input.generatedAt === "string" ? datesOf(input.generatedAt) : undefined;
    if (!dates) problems.push(`generatedAt = ${show(input.generatedAt)} is not an ISO 8601 date such as 2026-05-01 or 2026-05-01T12:00:00Z`);

    let mailerHost: string | undefined;
    if (input.mailerHost !== undefined) {
        const h = typeof input.mailerHost === "string" ? input.mailerHost.trim().toLowerCase() : "";
        if (isFqdn(h) || isIpv4(h)) mailerHost = h;
        // Never echo the value: a DSN passed here by mistake carries the SMTP password.
        else
            problems.push(
                "mailerHost is not a host name such as smtp.example.de or an IPv4 address (the value is not shown: it may hold credentials). Pass only the host, e.g. mailerHostFromDsn(mailerDsn)",
            );
    }

    const repo = (s as SiteSettings & { backupOffsiteRepository?: string }).backupOffsiteRepository;
    // The kit's own Storage Box (the default) is named by Hetzner's Storage Box domain: its
    // u<id> host is only known after the deploy.
    const kitBox = repo === undefined && (s as Partial<SiteSettings>).offsiteBackup === "storagebox";
    const offsiteHost = kitBox ? storageBoxDomain : offsiteHostOf(repo);
    if (repo !== undefined && offsiteHost === undefined)
        problems.push("settings.backupOffsiteRepository names no host the documents can show (expected sftp://user@host:port/path or sftp:user@host:/path)");

    if (input.doubleOptIn !== undefined && typeof input.doubleOptIn !== "boolean")
        problems.push(`doubleOptIn = ${show(input.doubleOptIn)} is not true or false`);
    const consent = input.consentMechanism ?? (s as Partial<SiteSettings>).consentMechanism ?? "banner";
    if (consent !== "banner" && consent !== "cmp") problems.push(`consentMechanism = ${show(consent)} is not "banner" or "cmp"`);
    const maxAge = input.consentMaxAgeDays ?? defaultConsentMaxAgeDays;
    if (!Number.isInteger(maxAge) || maxAge < 1 || maxAge > 395)
        problems.push(`consentMaxAgeDays = ${show(input.consentMaxAgeDays)} is not a whole number of days from 1 to 395`);

    // The privacy policy the client publishes the section in (a path resolves against the website).
    let privacyPolicyUrl: string | undefined;
    const pp: unknown = input.privacyPolicyUrl ?? (s as Partial<SiteSettings>).privacyPolicyUrl ?? doiDefaults.privacyPolicyPath;
    const isPath = typeof pp === "string" && pp.startsWith("/") && !pp.startsWith("//");
    if (typeof pp === "string" && pp.length <= 2048 && !unsafeText.test(pp) && !/[\s"'`\\]/.test(pp) && (!isPath || websiteOk)) {
        try {
            const u = isPath ? new URL(pp, s.website) : new URL(pp);
            if (u.protocol === "https:" && !u.username && !u.password && isFqdn(u.hostname)) privacyPolicyUrl = u.href;
        } catch {
            privacyPolicyUrl = undefined;
        }
    }
    // A path on an invalid website is reported once, as the website's problem.
    if (privacyPolicyUrl === undefined && !(isPath && !websiteOk)) {
        problems.push(
            `privacyPolicyUrl = ${show(input.privacyPolicyUrl)} is not an https URL (no credentials) or a path on the website such as ${doiDefaults.privacyPolicyPath}`,
        );
    }

    const measures = Array.isArray(input.measures) ? input.measures : [];
    if (!Array.isArray(input.measures) || measures.length === 0) {
        problems.push(
            "measures is empty: the Art. 30 record must list the technical and organisational measures the stack deploys (pass deployedMeasures(settings))",
        );
    }
    const seen = new Set<string>();
    measures.forEach((m, i) => {
        if (!m || typeof m.id !== "string" || !measureId.test(m.id))
            problems.push(`measures[${i}].id = ${show(m?.id)} is not an id of letters, digits, '.', '_', '-'`);
        else if (seen.has(m.id)) problems.push(`measures[${i}].id = ${show(m.id)} is used twice`);
        else seen.add(m.id);
        for (const lang of langs) {
            const t = m?.[lang];
            if (typeof t !== "string" || t.trim() === "" || t.length > 600 || unsafeText.test(t)) {
                problems.push(
                    `measures[${i}].${lang} must be one line of plain text (1 to 600 characters, no '<', '>', '[[', ']]', '{{', '}}' or line breaks)`,
                );
            }
        }
    });

    if (problems.length > 0) throw new DocumentInputError(problems);
    return {
        s,
        dates: dates!,
        mailerHost,
        offsiteHost,
        doubleOptIn: input.doubleOptIn ?? true,
        consent,
        consentMaxAgeDays: maxAge,
        privacyPolicyUrl: privacyPolicyUrl!,
        measures: measures.map((m) => ({ id: m.id, en: m.en.trim().replace(/\s+/g, " "), de: m.de.trim().replace(/\s+/g, " ") })),
    };
}
