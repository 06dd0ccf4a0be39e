/**
 * The site's configuration: one schema validates both the Pulumi stack config (`index.ts`) and
 * the `MauticSiteArgs` of library users, so every entry point rejects the same bad values with
 * the same messages. Each message names the key, the bad value (never a secret's) and the fix.
 * The keys, their types, defaults, fixes and docs are one table (`fields.ts`); this file holds
 * the checks a schema cannot express and validates once: settings it returned are frozen and
 * remembered, so `MauticSite` takes them as they are instead of validating again.
 */
import { doiLineFor, mauticLineOf, mauticLines } from "../doi/doiBlueprint";
import { z } from "zod";
import { validateBackupInput } from "../host/backup";
import { checkOffsiteAndDns } from "./offsiteDns";
import { containerNames, dataMountPoint, defaults, germanLocations, nonGermanLocations, supportedImages } from "./defaults";
import { fields } from "./fields";
import { mailerDsnTlsProblem } from "./mailerDsn";
import { ConfigKey, configKeys, fieldKind, rawSchema, secretKeys, SiteSettings } from "./schema";
import { emailRe, fqdnProblem, levenshtein, mailerDsnRe, mauticVersionProblem, parseCidr, serverTypeProblem, show, sshKeyRe, timezones } from "./checks";

export type { ConfigKey, MauticSiteSettingsInput, SiteSettings } from "./schema";
export { configKeys } from "./schema";
export { compareMauticVersions } from "./checks";

/** A validation failure: every problem found, one per line, each naming key, value and fix. */
export class SiteConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(
            `invalid Mautic site configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` + problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "SiteConfigError";
    }
}

/** The backup settings every site uses, from its retention. */
export function backupDefaultsFor(retentionDays: number) {
    return { retentionDays, dataDir: dataMountPoint, dbContainer: containerNames.db, database: "mautic" };
}

export interface ValidatedSite {
    settings: SiteSettings;
    /** Accepted values that weaken a checklist item; the compliance report repeats them. */
    warnings: string[];
    /** The mailer DSN, kept apart from `settings` so it can only travel as a secret. */
    mailerDsn?: string;
    /** The MaxMind licence key, kept apart from `settings` likewise. */
    maxmindLicenseKey?: string;
}

/** Settings returned by `validateSiteArgs` -> that run's warnings. Frozen, so they stay valid. */
const validatedRuns = new WeakMap<SiteSettings, readonly string[]>();

function registered(v: ValidatedSite): ValidatedSite {
    for (const value of Object.values(v.settings)) if (Array.isArray(value)) Object.freeze(value);
    Object.freeze(v.settings);
    validatedRuns.set(v.settings, Object.freeze([...v.warnings]));
    return v;
}

/**
 * The warnings of the validation that produced `settings`, or undefined when `settings` is not
 * (the very object) `validateSiteArgs` returned. Lets a component take settings validated once
 * upstream without validating them again.
 */
export function validatedWarnings(settings: SiteSettings): readonly string[] | undefined {
    return validatedRuns.get(settings);
}

/**
 * Validated settings with the server type `serverType auto` resolved to: checked like a
 * configured type (`SiteConfigError` naming serverType), frozen and remembered like them.
 */
export function withChosenServerType(settings: SiteSettings, serverType: string): SiteSettings {
    const warnings = validatedWarnings(settings);
    if (warnings === undefined) throw new Error("withChosenServerType: settings must come from validateSiteArgs");
    if (serverType === settings.serverType) return settings;
    const why = serverTypeProblem(serverType);
    if (why) throw new SiteConfigError([`serverType = ${show(serverType)} ${why}. Fix: ${fields.serverType.fix}.`]);
    return registered({ settings: { ...settings, serverType }, warnings: [...warnings] }).settings;
}

/**
 * Validates and defaults the site's settings. Throws `SiteConfigError` listing every problem.
 * `mailerDsn` is checked for form only and never echoed.
 */
export function validateSiteArgs(raw: Record<string, unknown>, opts: { mailerDsnProvided?: boolean; maxmindLicenseKeyProvided?: boolean } = {}): ValidatedSite {
    const problems: string[] = [];
    const problem = (key: ConfigKey | string, value: unknown, why: string) => {
        const shown = (secretKeys as readonly string[]).includes(key) ? "[secret]" : show(value);
        const fix = Object.hasOwn(fields, key) ? fields[key as ConfigKey].fix : undefined;
        problems.push(`${key} = ${shown} ${why}.${fix ? ` Fix: ${fix}.` : ""}`);
    };

    // Shape and types first, field by field, so that one bad field does not hide the semantic
    // problems of the others: every problem is reported at once.
    const bad = new Set<string>();
    const ok = (key: string) => !bad.has(key);
    const parsed = rawSchema.safeParse(raw);
    if (!parsed.success) {
        for (const issue of parsed.error.issues) {
            if (issue.code === "unrecognized_keys") {
                for (const k of issue.keys) {
                    const near = configKeys.find((c) => c.toLowerCase() === k.toLowerCase() || levenshtein(c, k) <= 2);
                    problems.push(
                        `${k} is not a setting of this kit${near ? `; did you mean '${near}'?` : ""}. Fix: remove it or use one of: ${configKeys.join(", ")}.`,
                    );
                }
                continue;
            }
            const key = String(issue.path[0]);
            if (bad.has(key)) continue;
            bad.add(key);
            const value = raw[key];
            let why = issue.message;
            if (value === undefined) why = "is missing: it is required";
            else if (why.startsWith("Invalid input")) why = `has the wrong type (expected ${"expected" in issue ? issue.expected : "another type"})`;
            problem(key, value, why);
        }
    }
    const s = (
        parsed.success
            ? parsed.data
            : Object.fromEntries(
                  Object.entries(rawSchema.shape).map(([k, schema]) => {
                      const r = (schema as z.ZodType).safeParse(raw[k]);
                      return [k, r.success ? r.data : undefined];
                  }),
              )
    ) as z.output<typeof rawSchema>;
    const warnings: string[] = [];

    const fqdn = ok("domain") ? fqdnProblem(s.domain) : undefined;
    if (fqdn) problem("domain", s.domain, `is not a valid fully qualified domain name: it ${fqdn}`);

    let websiteHost = "";
    const w = s.website;
    if (!ok("website")) {
        // reported above
    } else if (/[,;\s]/.test(w.trim()) || w.trim().split(/\s+/).length > 1) {
        problem("website", w, "lists more than one website; exactly one website per Mautic");
    } else if (w.includes("*")) {
        problem("website", w, "is a wildcard; exactly one website per Mautic");
    } else {
        let url: URL | undefined;
        try {
            url = new URL(w);
        } catch {
            problem("website", w, "is not an absolute URL");
        }
        if (url) {
            if (url.protocol !== "https:") problem("website", w, "is not https (C11 and C14: the website must be served over HTTPS)");
            else if (url.username || url.password) problem("website", w, "contains credentials");
            else if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || /\/.+/.test(w.replace(/^https:\/\//, "")))
                problem("website", w, "has a path, query or fragment; give the origin only");
            else {
                const hp = fqdnProblem(url.hostname);
                if (hp) problem("website", w, `has an invalid host: it ${hp}`);
                else if (url.hostname === s.domain)
                    problem("website", w, "has the same host as `domain`; Mautic needs its own host name, e.g. marketing.<your domain>");
                else websiteHost = url.hostname;
            }
        }
    }

    if (ok("location") && !(s.location in germanLocations)) {
        const where = nonGermanLocations[s.location];
        problem("location", s.location, where ? `is in ${where}, not in Germany` : "is not a Hetzner location in Germany");
    }

    const st = ok("serverType") ? serverTypeProblem(s.serverType) : undefined;
    if (st) problem("serverType", s.serverType, st);

    if (ok("image") && !(supportedImages as readonly string[]).includes(s.image)) {
        problem("image", s.image, "is not a Debian or Ubuntu LTS image the hardening is written for");
    }

    if (ok("adminEmail") && !emailRe.test(s.adminEmail)) problem("adminEmail", s.adminEmail, "is not an email address");
    if (ok("acmeEmail") && s.acmeEmail !== undefined && !emailRe.test(s.acmeEmail)) problem("acmeEmail", s.acmeEmail, "is not an email address");

    if (ok("adminCidrs")) checkCidrList("adminCidrs", s.adminCidrs, true);
    if (ok("adminUiCidrs")) checkCidrList("adminUiCidrs", s.adminUiCidrs, false);

    (ok("sshPublicKeys") ? s.sshPublicKeys : []).forEach((k, i) => {
        if (/PRIVATE KEY/.test(k)) {
            problems.push(
                `sshPublicKeys[${i}] = [redacted] is a PRIVATE key. Fix: ${fields.sshPublicKeys.fix}; remove the private key from your config and rotate it.`,
            );
        } else if (!sshKeyRe.test(k.trim())) {
            problem(`sshPublicKeys[${i}]`, k.length > 40 ? `${k.slice(0, 40)}...` : k, `is not an OpenSSH public key line. Fix: ${fields.sshPublicKeys.fix}`);
        }
    });

    const mv = ok("mauticVersion") ? mauticVersionProblem(s.mauticVersion) : undefined;
    if (mv) problem("mauticVersion", s.mauticVersion, mv);

    if (ok("timezone") && !timezones().has(s.timezone)) problem("timezone", s.timezone, "is not an IANA time zone name");

    if (ok("backupOffsiteRepository") && s.backupOffsiteRepository !== undefined) {
        const repo = s.backupOffsiteRepository;
        if (/\/\/[^/@]*:[^/@]*@/.test(repo))
            problem("backupOffsiteRepository", "[redacted: contains credentials]", "contains a password; never put credentials in the stack config");
        else if (
            validateBackupInput({ ...backupDefaultsFor(fields.backupRetentionDays.default), offsite: { kind: "restic-sftp", repository: repo } }).length > 0
        ) {
            problem("backupOffsiteRepository", repo, "is not a restic SFTP repository (sftp://user@host:port/path or sftp:user@host:/path)");
        }
    }

    warnings.push(
        ...checkOffsiteAndDns(
            {
                location: ok("location") ? s.location : undefined,
                domain: ok("domain") && !fqdn ? s.domain : undefined,
                offsiteBackup: ok("offsiteBackup") ? s.offsiteBackup : undefined,
                backupOffsiteRepository: ok("backupOffsiteRepository") ? s.backupOffsiteRepository : undefined,
                storageBoxId: ok("storageBoxId") ? s.storageBoxId : undefined,
                storageBoxLocation: ok("storageBoxLocation") ? s.storageBoxLocation : undefined,
                storageBoxHostKey: ok("storageBoxHostKey") ? s.storageBoxHostKey : undefined,
                dnsZone: ok("dnsZone") ? s.dnsZone : undefined,
            },
            problem,
            fqdnProblem,
        ),
    );

    for (const key of ["privacyPolicyUrl", "imprintUrl"] as const) {
        const value = s[key];
        if (!ok(key) || value === undefined) continue;
        let u: URL | undefined;
        try {
            u = new URL(value);
        } catch {
            problem(key, value, "is not an absolute URL");
        }
        if (u && (u.protocol !== "https:" || u.username || u.password || /["'<>\s`]/.test(value))) {
            problem(key, value, "must be a plain https URL");
        }
    }

    if (ok("alertUrl") && s.alertUrl !== undefined) {
        let u: URL | undefined;
        try {
            u = new URL(s.alertUrl);
        } catch {
            problem("alertUrl", s.alertUrl, "is not an absolute URL");
        }
        if (u && (u.protocol !== "https:" || u.username || u.password || /["'<>\s`\\$]/.test(s.alertUrl))) {
            problem("alertUrl", u.username || u.password ? "[redacted: contains credentials]" : s.alertUrl, "must be a plain https URL without credentials");
        }
    }

    if (ok("mailerDsn") && s.mailerDsn !== undefined) {
        const tls =
            mailerDsnRe.test(s.mailerDsn) || /^\s*(failover|roundrobin)\(/i.test(s.mailerDsn)
                ? mailerDsnTlsProblem(s.mailerDsn)
                : "is not a mailer DSN of the form scheme://...";
        if (tls) problem("mailerDsn", s.mailerDsn, tls);
    }

    // A mailer needs a real sender: Mautic's own default is the placeholder email@yoursite.com.
    const mailer = s.mailerDsn !== undefined || opts.mailerDsnProvided === true;
    if (ok("mailerFromEmail") && s.mailerFromEmail !== undefined) {
        if (!emailRe.test(s.mailerFromEmail)) problem("mailerFromEmail", s.mailerFromEmail, "is not an email address");
        else if (s.mailerFromEmail.toLowerCase() === "email@yoursite.com")
            problem("mailerFromEmail", s.mailerFromEmail, "is Mautic's placeholder sender; give the client's real sender address");
    } else if (ok("mailerFromEmail") && mailer) {
        problem("mailerFromEmail", undefined, "is missing: it is required whenever mailerDsn is set (otherwise Mautic sends From email@yoursite.com)");
    }
    if (ok("mailerFromName") && mailer && (s.mailerFromName === undefined || s.mailerFromName.trim() === "")) {
        problem("mailerFromName", s.mailerFromName, "is missing: it is required whenever mailerDsn is set");
    }
    if (ok("maxmindLicenseKey") && s.maxmindLicenseKey !== undefined && !/^[A-Za-z0-9_]{6,64}$/.test(s.maxmindLicenseKey)) {
        problem("maxmindLicenseKey", s.maxmindLicenseKey, "is not a MaxMind licence key (letters, digits, '_')");
    }

    if (problems.length > 0) throw new SiteConfigError(problems);
    const mauticVersion = s.mauticVersion.endsWith("-apache") ? s.mauticVersion : `${s.mauticVersion}-apache`;

    if (!s.backups) warnings.push("backups = false: Hetzner server backups are off (C12: only the nightly dumps on the volume remain).");
    if (s.mailerDsn === undefined && !opts.mailerDsnProvided)
        warnings.push("mailerDsn is not set: Mautic cannot send double opt-in confirmations (C04) until it is.");
    if (mauticLineOf(mauticVersion) === undefined) {
        // The DOI payloads are built per line (5.2, 6.0, 7.2; 7.1+ ignores formType): other lines get the nearest one.
        warnings.push(
            `mauticVersion = ${mauticVersion}: the double-opt-in payloads are built for the Mautic lines ${mauticLines.join(", ")}; this line gets the ${doiLineFor(mauticVersion)} payloads. Run \`npm run conformance\` against a staging copy before going live (docs/evidence/conformance.md).`,
        );
    }
    if (s.alertUrl === undefined && s.mailerDsn === undefined && !opts.mailerDsnProvided) {
        warnings.push(
            "neither alertUrl nor mailerDsn is set: nobody is told when a backup fails, the disk fills or the certificate expires (C12). Set alertUrl or mailerDsn.",
        );
    }
    if (s.gravatar)
        warnings.push(
            "gravatar = true: Mautic's admin UI sends a hash of every viewed contact's e-mail address and the user's IP address to Automattic (Gravatar, USA); enter the transfer basis the DPA checklist (section 3) asks for, or set gravatar to false.",
        );
    if (!s.deletionProtection) warnings.push("deletionProtection = false: the server and the data volume can be deleted by an API call.");

    const { mailerDsn, maxmindLicenseKey, ...rest } = s;
    const port = new URL(s.website).port;
    return registered({
        settings: {
            ...rest,
            location: s.location as SiteSettings["location"],
            image: s.image as SiteSettings["image"],
            mauticVersion,
            websiteHost,
            website: `https://${websiteHost}${port ? `:${port}` : ""}`,
            privacyPolicyUrl: s.privacyPolicyUrl ?? `https://${websiteHost}${port ? `:${port}` : ""}/datenschutz`,
            imprintUrl: s.imprintUrl ?? `https://${websiteHost}${port ? `:${port}` : ""}${defaults.imprintPath}`,
            mailerConfigured: mailerDsn !== undefined || opts.mailerDsnProvided === true,
            mailerFromEmail: s.mailerFromEmail,
            mailerFromName: s.mailerFromName?.trim(),
            ipLookupConfigured: maxmindLicenseKey !== undefined || opts.maxmindLicenseKeyProvided === true,
        },
        mailerDsn,
        maxmindLicenseKey,
        warnings,
    });

    function checkCidrList(key: "adminCidrs" | "adminUiCidrs", list: string[], required: boolean) {
        if (required && list.length === 0) {
            problem(key, list, "is empty: at least one network must be allowed to reach SSH");
            return;
        }
        list.forEach((c, i) => {
            const r = parseCidr(c);
            if (!r.ok) problem(`${key}[${i}]`, c, `${r.why}. Fix: ${fields[key].fix}`);
            else if (r.open) {
                warnings.push(
                    `${key} contains ${c}: ${key === "adminCidrs" ? "SSH" : "the admin UI"} is reachable from the whole internet (C12 weakened; accepted because it was given explicitly).`,
                );
            }
        });
    }
}

/** A source of raw string config values (Pulumi's config, or a parsed stack file in the plan). */
export type ConfigReader = (key: ConfigKey) => string | undefined;

/**
 * Turns Pulumi's string config values into typed raw settings. Pulumi stores lists as JSON and
 * numbers/booleans as strings; a value of the wrong shape is passed on unchanged so that the
 * validator reports it with the key's own message.
 */
export function readRawSettings(read: ConfigReader, presentKeys: string[] = []): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const key of configKeys) {
        const v = read(key);
        if (v === undefined) continue;
        const kind = fieldKind(key);
        if (kind === "list") {
            try {
                const parsed = JSON.parse(v);
                raw[key] = parsed;
            } catch {
                raw[key] = v; // a bare string: the schema reports "must be a list"
            }
        } else if (kind === "number") {
            raw[key] = /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
        } else if (kind === "boolean") {
            raw[key] = v === "true" ? true : v === "false" ? false : v;
        } else {
            raw[key] = v;
        }
    }
    for (const k of presentKeys) {
        if (!(configKeys as readonly string[]).includes(k)) raw[k] = "(set)";
    }
    return raw;
}
