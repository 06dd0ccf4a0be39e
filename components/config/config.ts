/**
 * The site's configuration: one schema validates both the Pulumi stack config (`index.ts`) and
 * the `MauticSiteArgs` of library users, so every entry point rejects the same bad values with
 * the same messages. Each message names the key, the bad value (never a secret's) and the fix.
 */
import { doiLineFor, mauticLineOf, mauticLines } from "../doi/doiBlueprint";
import * as ipaddr from "ipaddr.js";
import { z } from "zod";
import { hostLabel } from "../shared/hostName";
import { validateBackupInput } from "../host/backup";
import { checkOffsiteAndDns } from "./offsiteDns";
import {
    containerNames,
    dataMountPoint,
    defaults,
    germanLocations,
    minimumMauticVersion,
    nonGermanLocations,
    serverTypes,
    supportedImages,
    withdrawnServerTypes,
} from "./defaults";
import { mailerDsnTlsProblem } from "./mailerDsn";

/** The validated, defaulted site settings every component and renderer works from. */
export interface SiteSettings {
    domain: string;
    website: string;
    websiteHost: string;
    location: keyof typeof germanLocations;
    serverType: string;
    image: (typeof supportedImages)[number];
    adminEmail: string;
    adminCidrs: string[];
    adminUiCidrs: string[];
    sshPublicKeys: string[];
    mauticVersion: string;
    timezone: string;
    cleanupDaysOld: number;
    unconfirmedContactDays: number;
    gdprPurgeDays: number;
    backups: boolean;
    backupRetentionDays: number;
    /** Optional restic SFTP repository set up by hand for the off-site copies (no Storage Box is ordered then). */
    backupOffsiteRepository?: string;
    /** "storagebox" (default: a Storage Box per stack, or a subaccount of `storageBoxId`) or "none". */
    offsiteBackup: "storagebox" | "none";
    /** An agency-wide Storage Box: each site gets a subaccount on it. Default: none (a box per stack). */
    storageBoxId?: number;
    /** Location of the stack's Storage Box. Default: the other German location than the server's. */
    storageBoxLocation?: string;
    /** The Storage Box's SSH host key ("ssh-ed25519 AAAA..."). Default: pinned on first use (see docs). */
    storageBoxHostKey?: string;
    /** A DNS zone at Hetzner that holds `domain`: the kit creates A, AAAA and CAA there. Default: none. */
    dnsZone?: string;
    accessLogRetentionDays: number;
    volumeSizeGb: number;
    deletionProtection: boolean;
    adminUsername: string;
    adminFirstName: string;
    adminLastName: string;
    /** Whether a mailer DSN was configured (the value itself stays a secret elsewhere). */
    mailerConfigured: boolean;
    /** The website's privacy policy (linked from the banner, the DOI texts and the documents). */
    privacyPolicyUrl: string;
    /** The website's imprint (Impressum), linked from the consent banner. Default <website>/impressum. */
    imprintUrl: string;
    /** Version of the consent text, stored with every sign-up (raise it when the text changes). */
    consentTextVersion: string;
    /** How the website asks for tracking consent: the kit's banner or a consent manager. */
    consentMechanism: "banner" | "cmp";
    /** Sender address of Mautic's e-mails (required with a mailer DSN). */
    mailerFromEmail?: string;
    /** Sender name of Mautic's e-mails (required with a mailer DSN). */
    mailerFromName?: string;
    /** Whether a MaxMind licence key was configured (the key itself stays a secret elsewhere). */
    ipLookupConfigured: boolean;
    /** Days after an unsubscribe until the contact is reduced to a hashed suppression record. */
    unsubscribedMinimiseDays: number;
    /** Full years after the end of the year of a contact's last mailing or withdrawal that its double-opt-in consent proof (the ledger) is kept. Default 3 (1 to 10). */
    consentProofYears: number;
    /** Whether Mautic's admin UI may load contacts' avatars from Gravatar (Automattic, USA). Default false: the edge's admin CSP blocks it. */
    gravatar: boolean;
    /** Where Docker Engine comes from: Docker's apt repository or Debian/Ubuntu's docker.io. */
    dockerSource: "docker" | "debian";
    /** Healthchecks-style ping URL for alerts (pinged on success, URL + "/fail" on failure). Default: none. */
    alertUrl?: string;
    /** ACME account e-mail for the CA's expiry notices. Default: none (no address goes to the CA). */
    acmeEmail?: string;
}

/** A validation failure: every problem found, one per line, each naming key, value and fix. */
export class SiteConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(
            `invalid Mautic site configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "SiteConfigError";
    }
}

/** The config keys the kit reads, in the stack's project namespace. */
export const configKeys = [
    "domain", "website", "location", "serverType", "image", "adminEmail", "adminCidrs",
    "adminUiCidrs", "sshPublicKeys", "mauticVersion", "timezone", "cleanupDaysOld",
    "unconfirmedContactDays", "gdprPurgeDays", "backups", "backupRetentionDays",
    "backupOffsiteRepository", "accessLogRetentionDays", "volumeSizeGb", "deletionProtection", "adminUsername",
    "adminFirstName", "adminLastName", "mailerDsn", "privacyPolicyUrl", "consentTextVersion",
    "consentMechanism", "mailerFromEmail", "mailerFromName", "maxmindLicenseKey",
    "unsubscribedMinimiseDays", "consentProofYears", "imprintUrl", "gravatar",
    "dockerSource",
    "alertUrl", "acmeEmail",
    "offsiteBackup", "storageBoxId", "storageBoxLocation", "storageBoxHostKey", "dnsZone",
] as const;
export type ConfigKey = (typeof configKeys)[number];

const secretKeys = new Set<ConfigKey>(["mailerDsn", "maxmindLicenseKey"]);

const show = (v: unknown): string => (typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v));

const setCmd = (key: string, example: string) => `pulumi config set ${key} ${example}`;

function fqdnProblem(v: string): string | undefined {
    if (v !== v.trim() || /\s/.test(v)) return "contains whitespace";
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return "is a URL, not a host name";
    if (v.includes("/")) return "contains a path";
    if (v.includes("*")) return "is a wildcard";
    if (v.includes(",")) return "is a list; one host name only";
    if (v.includes(":")) return "contains a port or is an IP address";
    if (v.endsWith(".")) return "ends with a dot";
    if (v !== v.toLowerCase()) return "has upper-case letters";
    if (v.length > 253) return "is longer than 253 characters";
    const labels = v.split(".");
    if (labels.length < 2) return "has no parent domain (a fully qualified name has at least two labels)";
    if (labels.some((l) => !hostLabel.test(l))) {
        return "has a label that is empty, longer than 63 characters, starts or ends with '-' or holds characters other than a-z, 0-9, '-'";
    }
    if (!/^[a-z]{2,63}$/.test(labels[labels.length - 1]) && !/^xn--[a-z0-9-]+$/.test(labels[labels.length - 1])) {
        return "has a top-level domain that is not alphabetic";
    }
    if (ipaddr.isValid(v)) return "is an IP address";
    return undefined;
}

function parseCidr(v: string): { ok: true; open: boolean } | { ok: false; why: string } {
    if (!v.includes("/")) return { ok: false, why: "has no prefix length; write a single address as a.b.c.d/32 or x::y/128" };
    let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
        parsed = ipaddr.parseCIDR(v);
    } catch {
        return { ok: false, why: "is not a CIDR block" };
    }
    const [addr, len] = parsed;
    const kind = addr.kind();
    const network = kind === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(v) : ipaddr.IPv6.networkAddressFromCIDR(v);
    if (network.toString() !== addr.toString()) {
        return { ok: false, why: `has host bits set; the network is ${network.toString()}/${len}` };
    }
    if (len === 0) return { ok: true, open: true };
    const range = addr.range();
    if (["loopback", "unspecified", "multicast", "linkLocal"].includes(range)) {
        return { ok: false, why: `is a ${range} range that can never reach a public server` };
    }
    return { ok: true, open: false };
}

/** Compares two Mautic versions (major.minor.patch, any -variant ignored): <0, 0, >0. */
export function compareMauticVersions(a: string, b: string): number {
    const parts = (v: string) => v.split("-")[0].split(".").map(Number);
    const [x, y] = [parts(a), parts(b)];
    for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
}

/** The backup settings every site uses, from its retention. */
export function backupDefaultsFor(retentionDays: number) {
    return { retentionDays, dataDir: dataMountPoint, dbContainer: containerNames.db, database: "mautic" };
}

function mauticVersionProblem(v: string): string | undefined {
    if (v === "latest" || v.startsWith("latest")) return "is a moving tag; pin an exact release";
    const m = /^(\d+)\.(\d+)\.(\d+)(?:-(apache|fpm))?$/.exec(v);
    if (!m) return "is not an exact release tag like 6.0.6-apache (major.minor.patch, optionally -apache)";
    if (m[4] === "fpm") return "is the -fpm variant, whose example nginx config carries a security warning (docker-mautic #317); use -apache";
    if (compareMauticVersions(v, minimumMauticVersion) < 0) return `is older than ${minimumMauticVersion}, the oldest line whose privacy settings and cron commands the kit pins`;
    return undefined;
}

const emailRe = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[a-z]{2,63}$/i;
const sshKeyRe = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\n\r]*)?$/;
const mailerDsnRe = /^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/;

function timezones(): Set<string> {
    const zones = new Set<string>((Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf("timeZone"));
    zones.add("UTC");
    return zones;
}

function intIn(min: number, max: number) {
    return z.number({ error: `must be a whole number from ${min} to ${max}` }).int(`must be a whole number from ${min} to ${max}`).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
}

/** Shape and type of the raw settings; semantic checks follow in `validateSiteArgs`. */
const rawSchema = z
    .object({
        domain: z.string(),
        website: z.string(),
        location: z.string().default(defaults.location),
        serverType: z.string().default(defaults.serverType),
        image: z.string().default(defaults.image),
        adminEmail: z.string(),
        adminCidrs: z.array(z.string(), { error: "must be a list of CIDR blocks" }),
        adminUiCidrs: z.array(z.string(), { error: "must be a list of CIDR blocks" }).default([...defaults.adminUiCidrs]),
        sshPublicKeys: z.array(z.string(), { error: "must be a list of OpenSSH public keys" }).default([...defaults.sshPublicKeys]),
        mauticVersion: z.string().default(defaults.mauticVersion),
        timezone: z.string().default(defaults.timezone),
        cleanupDaysOld: intIn(1, 365).default(defaults.cleanupDaysOld),
        unconfirmedContactDays: intIn(1, 30).default(defaults.unconfirmedContactDays),
        gdprPurgeDays: intIn(30, 3650).default(defaults.gdprPurgeDays),
        backups: z.boolean({ error: "must be true or false" }).default(defaults.backups),
        backupRetentionDays: intIn(1, 90).default(defaults.backupRetentionDays),
        backupOffsiteRepository: z.string().optional(),
        accessLogRetentionDays: intIn(1, 90).default(defaults.accessLogRetentionDays),
        volumeSizeGb: intIn(10, 10240).default(defaults.volumeSizeGb),
        deletionProtection: z.boolean({ error: "must be true or false" }).default(defaults.deletionProtection),
        adminUsername: z.string().regex(/^[a-z][a-z0-9._-]{2,31}$/, "must be 3-32 characters: a-z, 0-9, '.', '_', '-', starting with a letter").default(defaults.adminUsername),
        adminFirstName: z.string().min(1, "must not be empty").max(64, "must be at most 64 characters").regex(/^[^'"\\$`\n]+$/, "must not contain quotes, '$', '`', '\\' or newlines").default(defaults.adminFirstName),
        adminLastName: z.string().min(1, "must not be empty").max(64, "must be at most 64 characters").regex(/^[^'"\\$`\n]+$/, "must not contain quotes, '$', '`', '\\' or newlines").default(defaults.adminLastName),
        mailerDsn: z.string().optional(),
        privacyPolicyUrl: z.string().optional(),
        imprintUrl: z.string().optional(),
        consentTextVersion: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, "must be 1-32 characters: letters, digits, '.', '_', '-'").default(defaults.consentTextVersion),
        consentMechanism: z.enum(["banner", "cmp"], { error: 'must be "banner" (the kit\'s consent banner) or "cmp" (a consent manager)' }).default(defaults.consentMechanism),
        mailerFromEmail: z.string().optional(),
        mailerFromName: z.string().max(100, "must be at most 100 characters").regex(/^[^\n\r<>"]+$/, "must be one line without '<', '>' or '\"'").optional(),
        maxmindLicenseKey: z.string().optional(),
        unsubscribedMinimiseDays: intIn(1, 3650).default(defaults.unsubscribedMinimiseDays),
        consentProofYears: intIn(1, 10).default(defaults.consentProofYears),
        gravatar: z.boolean({ error: "must be true or false" }).default(defaults.gravatar),
        dockerSource: z.enum(["docker", "debian"], { error: 'must be "docker" (Docker\'s apt repository) or "debian" (the distribution\'s docker.io package)' }).default(defaults.dockerSource),
        alertUrl: z.string().optional(),
        acmeEmail: z.string().optional(),
        offsiteBackup: z.enum(["storagebox", "none"], { error: 'must be "storagebox" (a Hetzner Storage Box per stack, or a subaccount of storageBoxId) or "none"' }).default(defaults.offsiteBackup),
        storageBoxId: z.number({ error: "must be a Storage Box id (a whole number)" }).optional(),
        storageBoxLocation: z.string().optional(),
        storageBoxHostKey: z.string().optional(),
        dnsZone: z.string().optional(),
    })
    .strict();

export type MauticSiteSettingsInput = z.input<typeof rawSchema>;

const fixes: Record<ConfigKey, string> = {
    domain: `set the Mautic host name, e.g. \`${setCmd("domain", "marketing.client-a.de")}\``,
    website: `set the ONE website this Mautic serves, as an https origin, e.g. \`${setCmd("website", "https://www.client-a.de")}\` (a second website needs a second stack: 1 website = 1 Mautic)`,
    location: `use fsn1 (Falkenstein) or nbg1 (Nuremberg), e.g. \`${setCmd("location", "nbg1")}\``,
    serverType: `use a current type with at least 4 GB RAM: ${Object.keys(serverTypes).join(", ")}, e.g. \`${setCmd("serverType", defaults.serverType)}\``,
    image: `use one of ${supportedImages.join(", ")}, e.g. \`${setCmd("image", defaults.image)}\``,
    adminEmail: `set a mailbox that receives Mautic admin mail and the kit's alerts, e.g. \`${setCmd("adminEmail", "ops@agency.example")}\``,
    adminCidrs: `list the networks allowed to reach SSH (include your CI runner's egress), e.g. \`pulumi config set --path 'adminCidrs[0]' 203.0.113.0/24\`; 0.0.0.0/0 is accepted only when written explicitly`,
    adminUiCidrs: `list the networks allowed to reach the admin UI and /api, e.g. \`pulumi config set --path 'adminUiCidrs[0]' 203.0.113.0/24\`, or remove the key to leave them open`,
    sshPublicKeys: `give OpenSSH public keys (the .pub file's single line), e.g. \`pulumi config set --path 'sshPublicKeys[0]' "ssh-ed25519 AAAA... you@laptop"\``,
    mauticVersion: `pin an exact official image tag, e.g. \`${setCmd("mauticVersion", defaults.mauticVersion)}\``,
    timezone: `use an IANA time zone, e.g. \`${setCmd("timezone", defaults.timezone)}\``,
    cleanupDaysOld: `e.g. \`${setCmd("cleanupDaysOld", String(defaults.cleanupDaysOld))}\` (days before anonymous visitors' tracking data is deleted)`,
    unconfirmedContactDays: `e.g. \`${setCmd("unconfirmedContactDays", String(defaults.unconfirmedContactDays))}\` (days before unconfirmed double-opt-in contacts are deleted)`,
    gdprPurgeDays: `e.g. \`${setCmd("gdprPurgeDays", String(defaults.gdprPurgeDays))}\` (days of inactivity before any contact is purged)`,
    backups: `\`${setCmd("backups", "true")}\``,
    backupRetentionDays: `e.g. \`${setCmd("backupRetentionDays", String(defaults.backupRetentionDays))}\``,
    backupOffsiteRepository: `give a restic SFTP repository without credentials, e.g. \`${setCmd("backupOffsiteRepository", "sftp://u123456@u123456.your-storagebox.de:23/mautic")}\` (the restic password goes into /etc/mautic/backup-offsite.env on the server)`,
    accessLogRetentionDays: `e.g. \`${setCmd("accessLogRetentionDays", String(defaults.accessLogRetentionDays))}\``,
    volumeSizeGb: `e.g. \`${setCmd("volumeSizeGb", String(defaults.volumeSizeGb))}\` (Hetzner volumes are 10 to 10240 GB)`,
    deletionProtection: `\`${setCmd("deletionProtection", "true")}\``,
    adminUsername: `e.g. \`${setCmd("adminUsername", defaults.adminUsername)}\``,
    adminFirstName: `e.g. \`${setCmd("adminFirstName", "Jane")}\``,
    adminLastName: `e.g. \`${setCmd("adminLastName", "Doe")}\``,
    privacyPolicyUrl: `give the https URL of the website's privacy policy, e.g. \`${setCmd("privacyPolicyUrl", "https://www.client-a.de/datenschutz")}\``,
    consentTextVersion: `e.g. \`${setCmd("consentTextVersion", "v2")}\` (raise it whenever the consent text changes)`,
    imprintUrl: `give the https URL of the website's imprint (Impressum), e.g. \`${setCmd("imprintUrl", "https://www.client-a.de/impressum")}\``,
    consentMechanism: `\`${setCmd("consentMechanism", "banner")}\` or \`cmp\``,
    dockerSource: `\`${setCmd("dockerSource", "docker")}\` (Docker's apt repository) or \`debian\` (the distribution's docker.io)`,
    mailerDsn: `set a Symfony mailer DSN with implicit TLS as a secret, e.g. \`pulumi config set --secret mailerDsn 'smtps://user:pass@smtp.example.de:465'\` (or the provider's +api/+smtps DSN)`,
    mailerFromEmail: `set the sender address of Mautic's e-mails (a mailbox of the client's domain that the mail provider may send for), e.g. \`${setCmd("mailerFromEmail", "newsletter@client-a.de")}\``,
    mailerFromName: `set the sender name of Mautic's e-mails, e.g. \`${setCmd("mailerFromName", "'Client A Newsletter'")}\``,
    maxmindLicenseKey: `set a MaxMind licence key as a secret, e.g. \`pulumi config set --secret maxmindLicenseKey '<key>'\`, or remove it (no IP lookup database)`,
    consentProofYears: `e.g. \`${setCmd("consentProofYears", String(defaults.consentProofYears))}\` (full years after the year of the last mailing or withdrawal that the double-opt-in consent proof is kept; 3 matches the regular limitation period)`,
    unsubscribedMinimiseDays: `e.g. \`${setCmd("unsubscribedMinimiseDays", String(defaults.unsubscribedMinimiseDays))}\` (days after an unsubscribe until only a hashed suppression record is kept)`,
    gravatar: `\`${setCmd("gravatar", "false")}\` (the default: the admin UI never loads avatars from gravatar.com) or \`true\` (avatars from Automattic, USA; the documents then list the transfer)`,
    acmeEmail: `give a mailbox for the certificate authority's notices, e.g. \`${setCmd("acmeEmail", "ops@agency.example")}\`, or remove it (the default: the CA gets no address)`,
    offsiteBackup: `\`${setCmd("offsiteBackup", "storagebox")}\` (the default: a Hetzner Storage Box per stack in the other German location) or \`none\` (no off-site copy: C12 warning)`,
    storageBoxId: `give the id of the agency's Storage Box (Hetzner Console), e.g. \`${setCmd("storageBoxId", "123456")}\`, or remove it to order a box for this stack`,
    storageBoxLocation: `use the other German location than the server's (fsn1 <-> nbg1), e.g. \`${setCmd("storageBoxLocation", "fsn1")}\`, or remove the key for that default`,
    storageBoxHostKey: `give the box's ed25519 host key as Hetzner publishes it, e.g. \`${setCmd("storageBoxHostKey", "'ssh-ed25519 AAAA...'")}\`, or remove it to pin the key on first use (docs/guide/backup.md)`,
    dnsZone: `give the Hetzner DNS zone that holds domain (domain itself or a parent of it), e.g. \`${setCmd("dnsZone", "client-a.de")}\` for marketing.client-a.de, or remove the key and create the records elsewhere`,
    alertUrl: `give a healthchecks-style https ping URL, e.g. \`${setCmd("alertUrl", "https://hc-ping.com/<uuid>")}\` (pinged hourly; "/fail" is appended on failure)`,
};

export interface ValidatedSite {
    settings: SiteSettings;
    /** Accepted values that weaken a checklist item; the compliance report repeats them. */
    warnings: string[];
    /** The mailer DSN, kept apart from `settings` so it can only travel as a secret. */
    mailerDsn?: string;
    /** The MaxMind licence key, kept apart from `settings` likewise. */
    maxmindLicenseKey?: string;
}

/**
 * Validates and defaults the site's settings. Throws `SiteConfigError` listing every problem.
 * `mailerDsn` is checked for form only and never echoed.
 */
export function validateSiteArgs(raw: Record<string, unknown>, opts: { mailerDsnProvided?: boolean; maxmindLicenseKeyProvided?: boolean } = {}): ValidatedSite {
    const problems: string[] = [];
    const problem = (key: ConfigKey | string, value: unknown, why: string) => {
        const shown = secretKeys.has(key as ConfigKey) ? "[secret]" : show(value);
        const fix = (fixes as Record<string, string>)[key];
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
                    problems.push(`${k} is not a setting of this kit${near ? `; did you mean '${near}'?` : ""}. Fix: remove it or use one of: ${configKeys.join(", ")}.`);
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
    const s = (parsed.success
        ? parsed.data
        : Object.fromEntries(
              Object.entries(rawSchema.shape).map(([k, schema]) => {
                  const r = (schema as z.ZodType).safeParse(raw[k]);
                  return [k, r.success ? r.data : undefined];
              }),
          )) as z.output<typeof rawSchema>;
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
            else if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || /\/.+/.test(w.replace(/^https:\/\//, ""))) problem("website", w, "has a path, query or fragment; give the origin only");
            else {
                const hp = fqdnProblem(url.hostname);
                if (hp) problem("website", w, `has an invalid host: it ${hp}`);
                else if (url.hostname === s.domain) problem("website", w, "has the same host as `domain`; Mautic needs its own host name, e.g. marketing.<your domain>");
                else websiteHost = url.hostname;
            }
        }
    }

    if (ok("location") && !(s.location in germanLocations)) {
        const where = nonGermanLocations[s.location];
        problem("location", s.location, where ? `is in ${where}, not in Germany` : "is not a Hetzner location in Germany");
    }

    if (!ok("serverType") || s.serverType === "auto") {
        // reported above; "auto" is resolved at deploy time (serverTypeChoice.ts)
    } else if (withdrawnServerTypes.has(s.serverType)) {
        problem("serverType", s.serverType, "was withdrawn by Hetzner (CX Gen2 and CPX Gen1 types are no longer orderable) or has less than 4 GB RAM");
    } else if (!(s.serverType in serverTypes)) {
        problem("serverType", s.serverType, "is not a known current Hetzner server type");
    } else if (serverTypes[s.serverType].memoryGb < 4) {
        problem("serverType", s.serverType, "has less than 4 GB RAM, which Mautic needs");
    }

    if (ok("image") && !(supportedImages as readonly string[]).includes(s.image)) {
        problem("image", s.image, "is not a Debian or Ubuntu LTS image the hardening is written for");
    }

    if (ok("adminEmail") && !emailRe.test(s.adminEmail)) problem("adminEmail", s.adminEmail, "is not an email address");
    if (ok("acmeEmail") && s.acmeEmail !== undefined && !emailRe.test(s.acmeEmail)) problem("acmeEmail", s.acmeEmail, "is not an email address");

    if (ok("adminCidrs")) checkCidrList("adminCidrs", s.adminCidrs, true);
    if (ok("adminUiCidrs")) checkCidrList("adminUiCidrs", s.adminUiCidrs, false);

    (ok("sshPublicKeys") ? s.sshPublicKeys : []).forEach((k, i) => {
        if (/PRIVATE KEY/.test(k)) {
            problems.push(`sshPublicKeys[${i}] = [redacted] is a PRIVATE key. Fix: ${fixes.sshPublicKeys}; remove the private key from your config and rotate it.`);
        } else if (!sshKeyRe.test(k.trim())) {
            problem(`sshPublicKeys[${i}]`, k.length > 40 ? `${k.slice(0, 40)}...` : k, `is not an OpenSSH public key line. Fix: ${fixes.sshPublicKeys}`);
        }
    });

    const mv = ok("mauticVersion") ? mauticVersionProblem(s.mauticVersion) : undefined;
    if (mv) problem("mauticVersion", s.mauticVersion, mv);

    if (ok("timezone") && !timezones().has(s.timezone)) problem("timezone", s.timezone, "is not an IANA time zone name");

    if (ok("backupOffsiteRepository") && s.backupOffsiteRepository !== undefined) {
        const repo = s.backupOffsiteRepository;
        if (/\/\/[^/@]*:[^/@]*@/.test(repo)) problem("backupOffsiteRepository", "[redacted: contains credentials]", "contains a password; never put credentials in the stack config");
        else if (validateBackupInput({ ...backupDefaultsFor(defaults.backupRetentionDays), offsite: { kind: "restic-sftp", repository: repo } }).length > 0) {
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
        const tls = mailerDsnRe.test(s.mailerDsn) || /^\s*(failover|roundrobin)\(/i.test(s.mailerDsn) ? mailerDsnTlsProblem(s.mailerDsn) : "is not a mailer DSN of the form scheme://...";
        if (tls) problem("mailerDsn", s.mailerDsn, tls);
    }

    // A mailer needs a real sender: Mautic's own default is the placeholder email@yoursite.com.
    const mailer = s.mailerDsn !== undefined || opts.mailerDsnProvided === true;
    if (ok("mailerFromEmail") && s.mailerFromEmail !== undefined) {
        if (!emailRe.test(s.mailerFromEmail)) problem("mailerFromEmail", s.mailerFromEmail, "is not an email address");
        else if (s.mailerFromEmail.toLowerCase() === "email@yoursite.com") problem("mailerFromEmail", s.mailerFromEmail, "is Mautic's placeholder sender; give the client's real sender address");
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
    if (s.mailerDsn === undefined && !opts.mailerDsnProvided) warnings.push("mailerDsn is not set: Mautic cannot send double opt-in confirmations (C04) until it is.");
    if (mauticLineOf(mauticVersion) === undefined) {
        // The DOI payloads are built per line (5.2, 6.0, 7.2; 7.1+ ignores formType): other lines get the nearest one.
        warnings.push(`mauticVersion = ${mauticVersion}: the double-opt-in payloads are built for the Mautic lines ${mauticLines.join(", ")}; this line gets the ${doiLineFor(mauticVersion)} payloads. Run \`npm run conformance\` against a staging copy before going live (docs/evidence/conformance.md).`);
    }
    if (s.alertUrl === undefined && s.mailerDsn === undefined && !opts.mailerDsnProvided) {
        warnings.push("neither alertUrl nor mailerDsn is set: nobody is told when a backup fails, the disk fills or the certificate expires (C12). Set alertUrl or mailerDsn.");
    }
    if (s.gravatar) warnings.push("gravatar = true: Mautic's admin UI sends a hash of every viewed contact's e-mail address and the user's IP address to Automattic (Gravatar, USA); enter the transfer basis the DPA checklist (section 3) asks for, or set gravatar to false.");
    if (!s.deletionProtection) warnings.push("deletionProtection = false: the server and the data volume can be deleted by an API call.");

    const { mailerDsn, maxmindLicenseKey, ...rest } = s;
    const port = new URL(s.website).port;
    return {
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
    };

    function checkCidrList(key: "adminCidrs" | "adminUiCidrs", list: string[], required: boolean) {
        if (required && list.length === 0) {
            problem(key, list, "is empty: at least one network must be allowed to reach SSH");
            return;
        }
        list.forEach((c, i) => {
            const r = parseCidr(c);
            if (!r.ok) problem(`${key}[${i}]`, c, `${r.why}. Fix: ${fixes[key]}`);
            else if (r.open) {
                warnings.push(`${key} contains ${c}: ${key === "adminCidrs" ? "SSH" : "the admin UI"} is reachable from the whole internet (C12 weakened; accepted because it was given explicitly).`);
            }
        });
    }
}

function levenshtein(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
    }
    return d[a.length][b.length];
}

/** A source of raw string config values (Pulumi's config, or a parsed stack file in the plan). */
export type ConfigReader = (key: ConfigKey) => string | undefined;

const listKeys = new Set<ConfigKey>(["adminCidrs", "adminUiCidrs", "sshPublicKeys"]);
const numberKeys = new Set<ConfigKey>(["storageBoxId", "cleanupDaysOld", "unconfirmedContactDays", "gdprPurgeDays", "backupRetentionDays", "accessLogRetentionDays", "volumeSizeGb", "unsubscribedMinimiseDays", "consentProofYears"]);
const boolKeys = new Set<ConfigKey>(["backups", "deletionProtection", "gravatar"]);

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
        if (listKeys.has(key)) {
            try {
                const parsed = JSON.parse(v);
                raw[key] = parsed;
            } catch {
                raw[key] = v; // a bare string: the schema reports "must be a list"
            }
        } else if (numberKeys.has(key)) {
            raw[key] = /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
        } else if (boolKeys.has(key)) {
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
