/**
 * THE field table: every config key the kit reads, once. Everything else derives from it
 * (`schema.ts`): the settings type, `configKeys`, the secret keys, how Pulumi's string values
 * are read (from the schema's type), the defaults (`defaults.ts`), the docs table in
 * docs/guide/configuration.md and the comments above each key in Pulumi.prod.yaml
 * (`npm run readme` writes both). A new key is one row here, plus its semantic check in
 * `validateSiteArgs` (config.ts) if its schema alone does not say what is valid.
 */
import { z } from "zod";
import { images, serverTypes, supportedImages } from "./platform";

export interface FieldSpec {
    /** Shape and type of the raw value; its messages name what is wrong. Its type also says how Pulumi's string value is read (number, boolean, list or string). */
    readonly schema: z.ZodType;
    /** The value when the key is not set. Without it the key is optional, unless `required`. */
    readonly default?: unknown;
    /** The key has no default: the program refuses to run without it. */
    readonly required?: true;
    /** The default as the docs table shows it (markdown) when it is computed from other keys, e.g. "`<website>/datenschutz`". */
    readonly defaultText?: string;
    /** A secret: set with `pulumi config set --secret`, never echoed, kept out of `SiteSettings`; `placeholder` stands for the value in the fix. */
    readonly secret?: { readonly placeholder: string };
    /** How to fix a bad value: the end of every error message about the key. */
    readonly fix: string;
    /** What the key does and its default: the docs table and the comment above the key in Pulumi.prod.yaml. */
    readonly doc: string;
}

/** A whole number in a range, with messages that say the range. */
export function intIn(min: number, max: number) {
    return z
        .number({ error: `must be a whole number from ${min} to ${max}` })
        .int(`must be a whole number from ${min} to ${max}`)
        .min(min, `must be at least ${min}`)
        .max(max, `must be at most ${max}`);
}
const flag = z.boolean({ error: "must be true or false" });
const cidrList = z.array(z.string(), { error: "must be a list of CIDR blocks" });
const personName = z
    .string()
    .min(1, "must not be empty")
    .max(64, "must be at most 64 characters")
    .regex(/^[^'"\\$`\n]+$/, "must not contain quotes, '$', '`', '\\' or newlines");

/** One line of text shown inside a consent label: no markup, no placeholder or template brackets. */
const labelText = (max: number) =>
    z
        .string()
        .trim()
        .min(2, "must not be empty")
        .max(max, `must be at most ${max} characters`)
        .regex(/^[^\n\r<>[\]{}"\\]+$/, "must be one line without '<', '>', '[', ']', '{', '}', '\"' or '\\'");

/** The keys in the order the docs list them and the validator reports them. */
export const fields = {
    domain: {
        schema: z.string(),
        required: true,
        fix: "set the Mautic host name, e.g. `pulumi config set domain marketing.client-a.de`",
        doc: "REQUIRED. Host name Mautic is served on. Point its A/AAAA records at the server (the stack exports `dnsRecords`) so the edge can obtain its certificate.",
    },
    website: {
        schema: z.string(),
        required: true,
        fix: "set the ONE website this Mautic serves, as an https origin, e.g. `pulumi config set website https://www.client-a.de` (a second website needs a second stack: 1 website = 1 Mautic)",
        doc: "REQUIRED. The ONE website this Mautic serves (https origin, no path). Lists, commas and wildcards are rejected. Framing of forms, the tracking script and CORS are allowed for exactly this origin. A second website needs a second stack.",
    },
    location: {
        schema: z.string(),
        default: "nbg1",
        fix: "use fsn1 (Falkenstein) or nbg1 (Nuremberg), e.g. `pulumi config set location nbg1`",
        doc: "Hetzner location: fsn1 (Falkenstein) or nbg1 (Nuremberg). Default: nbg1. hel1 (Finland), ash/hil (USA) and sin (Singapore) are rejected.",
    },
    serverType: {
        schema: z.string(),
        default: "auto",
        fix: `use a current type with at least 4 GB RAM: ${Object.keys(serverTypes).join(", ")}, e.g. \`pulumi config set serverType auto\``,
        doc: "Server type with >= 4 GB RAM: cx23/cx33/cx43/cx53, cpx22..cpx62, cax11..cax41, ccx13..33, or auto. Default: auto = at the first deploy the cheapest x86 type with >= 4 GB RAM that is available in the location, by Hetzner's prices (GET /v1/pricing with the stack's token); recorded in the label server-type-choice and the output serverType; a running server keeps its type. Withdrawn CX Gen2 / CPX Gen1 types are rejected.",
    },
    image: {
        schema: z.string(),
        default: "debian-12",
        fix: `use one of ${supportedImages.join(", ")}, e.g. \`pulumi config set image debian-12\``,
        doc: "OS image: debian-12 (default), debian-13, ubuntu-22.04, ubuntu-24.04.",
    },
    adminEmail: {
        schema: z.string(),
        required: true,
        fix: "set a mailbox that receives Mautic admin mail and the kit's alerts, e.g. `pulumi config set adminEmail ops@agency.example`",
        doc: "REQUIRED. The first Mautic admin's email; the kit's e-mail alerts go here.",
    },
    adminCidrs: {
        schema: cidrList,
        required: true,
        fix: "list the networks allowed to reach SSH (include your CI runner's egress), e.g. `pulumi config set --path 'adminCidrs[0]' 203.0.113.0/24`; 0.0.0.0/0 is accepted only when written explicitly",
        doc: "REQUIRED. Networks allowed to reach SSH (port 22) through the Hetzner Cloud Firewall. Include the egress address of the CI runner that runs `pulumi up`. 0.0.0.0/0 is accepted only when written here explicitly, and is then reported as a warning.",
    },
    adminUiCidrs: {
        schema: cidrList,
        default: [],
        fix: "list the networks allowed to reach the admin UI and /api, e.g. `pulumi config set --path 'adminUiCidrs[0]' 203.0.113.0/24`, or remove the key to leave them open",
        doc: "Optional. Networks allowed to reach the Mautic admin UI (/s/...) and /api at the edge; the public endpoints (tracking, forms, landing pages, asset downloads) stay open. Default: [] (no restriction). The CI runner must be included when set (the deploy uses /api).",
    },
    sshPublicKeys: {
        schema: z.array(z.string(), { error: "must be a list of OpenSSH public keys" }),
        default: [],
        fix: "give OpenSSH public keys (the .pub file's single line), e.g. `pulumi config set --path 'sshPublicKeys[0]' \"ssh-ed25519 AAAA... you@laptop\"`",
        doc: "Optional extra admin SSH public keys (the deploy generates its own key). Default: none.",
    },
    mauticVersion: {
        schema: z.string(),
        default: images.mauticVersion,
        fix: `pin an exact official image tag, e.g. \`pulumi config set mauticVersion ${images.mauticVersion}\``,
        doc: "Exact official image tag (`-apache`); `latest`, bare majors and `-fpm` are rejected, and so are versions older than 5.2.0. Default: 6.0.6-apache (6.0 is an LTS line).",
    },
    timezone: {
        schema: z.string(),
        default: "Europe/Berlin",
        fix: "use an IANA time zone, e.g. `pulumi config set timezone Europe/Berlin`",
        doc: 'Time zone of host, containers and cron, and Mautic\'s default_timezone: date fields set to "now" (e.g. consent_date) are stored as local time of this zone, not UTC (the report and the documents say so). Default: Europe/Berlin.',
    },
    cleanupDaysOld: {
        schema: intIn(1, 365),
        default: 21,
        fix: "e.g. `pulumi config set cleanupDaysOld 21` (days before anonymous visitors' tracking data is deleted)",
        doc: "C07: `mautic:maintenance:cleanup --days-old=N` deletes anonymous visitors' tracking data older than N days, daily at 03:40. 1..365, default 21.",
    },
    unconfirmedContactDays: {
        schema: intIn(1, 30),
        default: 3,
        fix: "e.g. `pulumi config set unconfirmedContactDays 3` (days before unconfirmed double-opt-in contacts are deleted)",
        doc: "C06: contacts who did not confirm the double opt-in are deleted after N days. 1..30, default 3.",
    },
    gdprPurgeDays: {
        schema: intIn(30, 3650),
        default: 1095,
        fix: "e.g. `pulumi config set gdprPurgeDays 1095` (days of inactivity before any contact is purged)",
        doc: "`mautic:maintenance:cleanup --gdpr` deletes ALL contacts inactive for N days (Mautic's gdpr_user_purge_threshold), daily at 04:10. 30..3650, default 1095 (3 years).",
    },
    backups: {
        schema: flag,
        default: true,
        fix: "`pulumi config set backups true`",
        doc: "Hetzner's daily server backups (7 slots, ~20% of the server price). Default: true. false is accepted and reported as a warning in the compliance report.",
    },
    backupRetentionDays: {
        schema: intIn(1, 90),
        default: 14,
        fix: "e.g. `pulumi config set backupRetentionDays 14`",
        doc: "Nightly database and media dumps on the volume are kept N days, then deleted. 1..90, default 14.",
    },
    backupOffsiteRepository: {
        schema: z.string(),
        fix: "give a restic SFTP repository without credentials, e.g. `pulumi config set backupOffsiteRepository sftp://u123456@u123456.your-storagebox.de:23/mautic` (the restic password goes into /etc/mautic/backup-offsite.env on the server)",
        doc: "Optional: a restic SFTP repository set up by hand instead of the kit's Storage Box (no box is ordered; the key, host key and /etc/mautic/backup-offsite.env are then yours to place). Default: none.",
    },
    accessLogRetentionDays: {
        schema: intIn(1, 90),
        default: 7,
        fix: "e.g. `pulumi config set accessLogRetentionDays 7`",
        doc: "Edge access logs (client IPs masked) and the host journal are kept N days. 1..90, default 7.",
    },
    staffAccessLogDays: {
        schema: intIn(7, 730),
        default: 180,
        fix: "e.g. `pulumi config set staffAccessLogDays 180` (days the host keeps the staff access log for breach investigation)",
        doc: "The host's staff access log (logins of Mautic users, API use, contact exports, new administrators, failed logins, each with the network masked as in the edge log) and the networks the security alerts remember are kept N days, then deleted (Art. 33 GDPR: a breach may be found late). 7..730, default 180.",
    },
    volumeSizeGb: {
        schema: intIn(10, 10240),
        default: 20,
        fix: "e.g. `pulumi config set volumeSizeGb 20` (Hetzner volumes are 10 to 10240 GB)",
        doc: "Size of the data volume (database, media, local backups), 10..10240 GB. Default: 20.",
    },
    deletionProtection: {
        schema: flag,
        default: true,
        fix: "`pulumi config set deletionProtection true`",
        doc: "Hetzner delete/rebuild protection on server and volume, and Pulumi `protect` on the volume. Default: true. Turn off (and `pulumi up`) before a deliberate `pulumi destroy`.",
    },
    adminUsername: {
        schema: z.string().regex(/^[a-z][a-z0-9._-]{2,31}$/, "must be 3-32 characters: a-z, 0-9, '.', '_', '-', starting with a letter"),
        default: "admin",
        fix: "e.g. `pulumi config set adminUsername admin`",
        doc: "User name of the Mautic admin account created on first deploy: 3-32 characters, a-z, 0-9, '.', '_', '-', starting with a letter. The password is generated and exported as the secret output `adminPassword`. Default: admin.",
    },
    adminFirstName: {
        schema: personName,
        default: "Mautic",
        fix: "e.g. `pulumi config set adminFirstName Jane`",
        doc: "First name of that admin account (no quotes, '$', '`', '\\' or newlines; at most 64 characters). Default: Mautic.",
    },
    adminLastName: {
        schema: personName,
        default: "Administrator",
        fix: "e.g. `pulumi config set adminLastName Doe`",
        doc: "Last name of that admin account (no quotes, '$', '`', '\\' or newlines; at most 64 characters). Default: Administrator.",
    },
    mailerDsn: {
        schema: z.string(),
        secret: { placeholder: "<dsn>" },
        fix: "set a Symfony mailer DSN with implicit TLS as a secret, e.g. `pulumi config set --secret mailerDsn 'smtps://user:pass@smtp.example.de:465'` (or the provider's +api/+smtps DSN)",
        doc: "Symfony mailer DSN, a secret: pulumi config set --secret mailerDsn 'smtps://user:pass@host:465' (implicit TLS; smtp:// only on port 465, whose STARTTLS could be stripped on any other). Default: none (reported as a warning: double opt-in mails cannot be sent).",
    },
    privacyPolicyUrl: {
        schema: z.string(),
        defaultText: "`<website>/datenschutz`",
        fix: "give the https URL of the website's privacy policy, e.g. `pulumi config set privacyPolicyUrl https://www.client-a.de/datenschutz`",
        doc: "The website's privacy policy, linked from the consent banner, the double-opt-in texts and the generated documents. Default: <website>/datenschutz.",
    },
    consentTextVersion: {
        schema: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, "must be 1-32 characters: letters, digits, '.', '_', '-'"),
        default: "v1",
        fix: "e.g. `pulumi config set consentTextVersion v2` (raise it whenever the consent text changes)",
        doc: "Version of the consent text stored with every sign-up (C04/C05 proof of consent). Raise it whenever the consent text changes. Default: v1.",
    },
    consentMechanism: {
        schema: z.enum(["banner", "cmp"], { error: 'must be "banner" (the kit\'s consent banner) or "cmp" (a consent manager)' }),
        default: "banner",
        fix: "`pulumi config set consentMechanism banner` or `cmp`",
        doc: 'How the website asks for tracking consent (C08): "banner" (the kit\'s own banner snippet) or "cmp" (an existing consent manager gates the kit\'s snippet). The generated privacy texts follow it. Default: banner.',
    },
    controllerName: {
        schema: labelText(120),
        fix: "set the controller's legal name as the newsletter consent shows it, e.g. `pulumi config set controllerName 'Client A GmbH'`",
        doc: "The controller's legal name (the company that runs the website), named in the newsletter consent label of the double-opt-in form (a consent must name who advertises, BGH I ZR 169/10) and written into the generated documents in place of [[CONTROLLER_NAME]]. One line without '<', '>', '[', ']', '{', '}', '\"' or backslashes, at most 120 characters. Default: none (the label and the documents keep a placeholder and the compliance report warns, C05).",
    },
    newsletterTopics: {
        schema: labelText(200),
        fix: "say what the newsletter advertises, e.g. `pulumi config set newsletterTopics 'our software products, training courses and events'` (shown in every form language as given)",
        doc: "What the newsletter advertises (products and services), named in the newsletter consent label of the double-opt-in form after \"information and offers about\" (BGH I ZR 169/10); shown in every form language exactly as given. One line without '<', '>', '[', ']', '{', '}', '\"' or backslashes, at most 200 characters. Default: none (the label keeps a placeholder and the compliance report warns, C05).",
    },
    mailerFromEmail: {
        schema: z.string(),
        fix: "set the sender address of Mautic's e-mails (a mailbox of the client's domain that the mail provider may send for), e.g. `pulumi config set mailerFromEmail newsletter@client-a.de`",
        doc: "Sender of every Mautic e-mail (From address and name), pinned in config/parameters_local.php. REQUIRED whenever mailerDsn is set; Mautic's placeholder email@yoursite.com is refused. Use a mailbox of the client's domain that the mail provider may send for (SPF/DKIM). Default: none.",
    },
    mailerFromName: {
        schema: z
            .string()
            .max(100, "must be at most 100 characters")
            .regex(/^[^\n\r<>"]+$/, "must be one line without '<', '>' or '\"'"),
        fix: "set the sender name of Mautic's e-mails, e.g. `pulumi config set mailerFromName 'Client A Newsletter'`",
        doc: "Sender name of every Mautic e-mail, pinned in config/parameters_local.php: one line without '<', '>' or '\"', at most 100 characters. REQUIRED whenever mailerDsn is set. Default: none.",
    },
    maxmindLicenseKey: {
        schema: z.string(),
        secret: { placeholder: "<key>" },
        fix: "set a MaxMind licence key as a secret, e.g. `pulumi config set --secret maxmindLicenseKey '<key>'`, or remove it (no IP lookup database)",
        doc: "Optional MaxMind licence key, a secret: pulumi config set --secret maxmindLicenseKey '<key>'. Only with it does cron download MaxMind's GeoLite2 database monthly (from maxmind.com) so Mautic can look up a visitor's city/country locally. Default: none (no IP lookup, no download).",
    },
    unsubscribedMinimiseDays: {
        schema: intIn(1, 3650),
        default: 30,
        fix: "e.g. `pulumi config set unsubscribedMinimiseDays 30` (days after an unsubscribe until only a hashed suppression record is kept)",
        doc: 'Unsubscribed contacts (do-not-contact "unsubscribed" on e-mail) are deleted N days after the unsubscribe; only a suppression record (a keyed hash of the address: HMAC-SHA256 with a per-stack key held only on the server; the date) is kept so the address is never mailed again (daily host job). 1..3650, default 30.',
    },
    consentProofYears: {
        schema: intIn(1, 10),
        default: 3,
        fix: "e.g. `pulumi config set consentProofYears 3` (full years after the year of the last mailing or withdrawal that the double-opt-in consent proof is kept; 3 matches the regular limitation period)",
        doc: "The double-opt-in consent proof (ledger of sign-ups and confirmations, keyed by a hash of the address) is kept under restriction this many full years after the end of the year of the person's last mailing or withdrawal, then deleted (Art. 7(1), 17(3)(b),(e), 18 GDPR). 1..10, default 3 (the regular limitation period).",
    },
    imprintUrl: {
        schema: z.string(),
        defaultText: "`<website>/impressum`",
        fix: "give the https URL of the website's imprint (Impressum), e.g. `pulumi config set imprintUrl https://www.client-a.de/impressum`",
        doc: "The website's imprint (Impressum, §5 DDG), linked from the consent banner next to the privacy policy. Default: <website>/impressum.",
    },
    gravatar: {
        schema: flag,
        default: false,
        fix: "`pulumi config set gravatar false` (the default: the admin UI never loads avatars from gravatar.com) or `true` (avatars from Automattic, USA; the documents then list the transfer)",
        doc: "Contacts' avatars from Gravatar in Mautic's admin UI (privacy by default: off). Mautic has no setting of its own; with false the edge's admin Content-Security-Policy allows images only from Mautic itself (img-src 'self' data: blob:), so no browser sends a contact's address hash to Automattic (USA); images that emails reference on other hosts then do not show in the builder. true allows images from any https host, and the privacy texts, the Art. 30 record and the DPA checklist list the transfer to Automattic. Default: false.",
    },
    dockerSource: {
        schema: z.enum(["docker", "debian"], { error: 'must be "docker" (Docker\'s apt repository) or "debian" (the distribution\'s docker.io package)' }),
        default: "docker",
        fix: "`pulumi config set dockerSource docker` (Docker's apt repository) or `debian` (the distribution's docker.io)",
        doc: 'Where Docker Engine comes from: "docker" (Docker\'s own apt repository: current releases, upgraded by unattended-upgrades through the kit\'s origin list) or "debian" (the distribution\'s docker.io: older, security-updated by Debian/Ubuntu). Default: docker. Read on the first boot only, like the rest of the user data.',
    },
    alertUrl: {
        schema: z.string(),
        fix: 'give a healthchecks-style https ping URL, e.g. `pulumi config set alertUrl https://hc-ping.com/<uuid>` (pinged hourly; "/fail" is appended on failure)',
        doc: "Optional healthchecks-style ping URL (healthchecks.io or a self-hosted instance; a dead man's switch): the server's hourly health check pings it when every check passes and URL + \"/fail\" when a backup failed or is older than 26 h, the off-site copy is stale, a disk is over 85 %, a container is down or unhealthy, the certificate expires within 14 days, or the backup, privacy maintenance or unattended-upgrades failed. E-mail alerts go to adminEmail through mailerDsn (smtp:// or smtps:// DSNs). Kept on the server in a root-only file. Default: none.",
    },
    acmeEmail: {
        schema: z.string(),
        fix: "give a mailbox for the certificate authority's notices, e.g. `pulumi config set acmeEmail ops@agency.example`, or remove it (the default: the CA gets no address)",
        doc: "ACME account e-mail: the certificate authority (Let's Encrypt, ZeroSSL) sends expiry and policy notices there. Default: none (no address is handed to the CA; the hourly health check alerts when the certificate expires within 14 days).",
    },
    offsiteBackup: {
        schema: z.enum(["storagebox", "none"], { error: 'must be "storagebox" (a Hetzner Storage Box per stack, or a subaccount of storageBoxId) or "none"' }),
        default: "storagebox",
        fix: "`pulumi config set offsiteBackup storagebox` (the default: a Hetzner Storage Box per stack in the other German location) or `none` (no off-site copy: C12 warning)",
        doc: 'Off-site copy of every nightly set (restic over SFTP, encrypted, same retention; `mautic-restore --from-offsite` restores from it). "storagebox" (default): the stack orders a Hetzner Storage Box BX11 in the other German location than the server (fsn1 <-> nbg1) with its own ed25519 key and a generated restic password (secrets; on the server only, root-only). "none" turns the off-site copy off (C12 warning). Default: storagebox.',
    },
    storageBoxId: {
        schema: z.number({ error: "must be a Storage Box id (a whole number)" }),
        fix: "give the id of the agency's Storage Box (Hetzner Console), e.g. `pulumi config set storageBoxId 123456`, or remove it to order a box for this stack",
        doc: "An agency-wide Storage Box (its id in the Hetzner Console): each site gets a subaccount on it instead of its own box (0 EUR for the site; the box must be in Germany, in the other location than the server: checked at deploy time). Default: none (a box per stack).",
    },
    storageBoxLocation: {
        schema: z.string(),
        defaultText: "the other German location than `location`",
        fix: "use the other German location than the server's (fsn1 <-> nbg1), e.g. `pulumi config set storageBoxLocation fsn1`, or remove the key for that default",
        doc: "Location of the stack's own Storage Box: fsn1 or nbg1, never the server's. Default: the other German location than `location`.",
    },
    storageBoxHostKey: {
        schema: z.string(),
        fix: "give the box's ed25519 host key as Hetzner publishes it, e.g. `pulumi config set storageBoxHostKey 'ssh-ed25519 AAAA...'`, or remove it to pin the key on first use (docs/guide/backup.md)",
        doc: "The Storage Box's SSH host key as Hetzner publishes it (\"ssh-ed25519 AAAA...\"): pinned, never scanned. Default: none: the key is pinned on first use at the first deploy (scanned once from the server, inside Hetzner's network) and its fingerprint is the stack output storageBoxHostKeyFingerprint; compare it with Hetzner's published fingerprints, then set it.",
    },
    dnsZone: {
        schema: z.string(),
        fix: "give the Hetzner DNS zone that holds domain (domain itself or a parent of it), e.g. `pulumi config set dnsZone client-a.de` for marketing.client-a.de, or remove the key and create the records elsewhere",
        doc: 'Optional: a DNS zone at Hetzner (primary mode, in this Hetzner project) that holds `domain`: domain itself or a parent of it. The stack then creates A and AAAA for `domain` (the server\'s addresses) and CAA `0 issue "letsencrypt.org"` + `0 issue "sectigo.com"` (Caddy\'s default issuers: Let\'s Encrypt, ZeroSSL as fallback), so the first `pulumi up` needs no person to create records. Default: none: create the records the plan prints at your DNS provider.',
    },
} as const satisfies Record<string, FieldSpec>;
