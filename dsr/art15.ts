/**
 * The Art. 15(1) information of an access request, machine-readable (it goes into the export's
 * JSON as `information`, and the summary prints it): purposes with their legal bases,
 * recipients, storage periods with the stack's own figures, the source, the rights, and that no
 * automated decision is taken. The figures come from the stack's configuration (`pulumi config
 * --json`, with `--stack`) or are the kit's defaults (`--mysql`, said so in `figuresFrom`).
 */
import { defaults } from "../components/config/defaults";
import { PROFILING_TABLES } from "../components/doi/doiNames";

export interface StackFigures {
    unconfirmedContactDays: number;
    unsubscribedMinimiseDays: number;
    consentProofYears: number;
    backupRetentionDays: number;
    gdprPurgeDays: number;
    accessLogRetentionDays: number;
    gravatar: boolean;
    privacyPolicyUrl?: string;
}

const numberKeys = [
    "unconfirmedContactDays",
    "unsubscribedMinimiseDays",
    "consentProofYears",
    "backupRetentionDays",
    "gdprPurgeDays",
    "accessLogRetentionDays",
] as const;

export function defaultFigures(): StackFigures {
    const d = defaults as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = { gravatar: d.gravatar === true };
    for (const k of numberKeys) {
        if (typeof d[k] !== "number") throw new Error(`internal: the kit has no default for ${k}`);
        out[k] = d[k];
    }
    return out as unknown as StackFigures;
}

/** The figures from `pulumi config --json` (`{"mautic-gdpr:key": {"value": "3"}}`); missing keys keep their defaults. */
export function figuresFromConfig(config: Record<string, { value?: unknown }>): StackFigures {
    const f = defaultFigures() as unknown as Record<string, unknown>;
    const get = (k: string) => config[`mautic-gdpr:${k}`]?.value;
    for (const k of numberKeys) {
        const v = get(k);
        if (v === undefined) continue;
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new Error(`stack config mautic-gdpr:${k} = ${JSON.stringify(v)} is not a whole number`);
        f[k] = n;
    }
    if (get("gravatar") !== undefined) f.gravatar = String(get("gravatar")) === "true";
    if (typeof get("privacyPolicyUrl") === "string") f.privacyPolicyUrl = String(get("privacyPolicyUrl"));
    return f as unknown as StackFigures;
}

export function art15Information(f: StackFigures, figuresFrom: string) {
    return {
        figuresFrom,
        privacyPolicy: f.privacyPolicyUrl ?? null,
        purposes: [
            {
                purpose: "Sending the newsletter you subscribed to with double opt-in (contact record, segments, tags, campaigns, records of e-mails sent)",
                legalBasis: "Art. 6(1)(a) GDPR (your consent)",
            },
            {
                purpose: `Interest profile (profiling): ${PROFILING_TABLES.map(([, , what]) => what).join(", ")}, points and segments, only with your separate consent (contact field tracking_consent)`,
                legalBasis: "Art. 6(1)(a) GDPR (your separate consent); website tracking also § 25(1) TDDDG",
            },
            {
                purpose: "Proof of your consent (consent log kit_consent_ledger, keyed by an HMAC of your address, not the address)",
                legalBasis: "Art. 6(1)(c) with Art. 7(1) GDPR; after withdrawal or erasure, kept restricted: Art. 6(1)(f), Art. 17(3)(b) and (e), Art. 18 GDPR",
            },
            {
                purpose:
                    "Respecting an unsubscribe or an objection permanently, and keeping an erasure erased after a backup is restored (suppression list, erasure journal: a SHA-256 hash of your address and a date)",
                legalBasis: "Art. 6(1)(f) with Art. 21(3) GDPR; the erasure journal Art. 6(1)(c) with Art. 17(1) GDPR",
            },
            { purpose: "Security logs of the web server with shortened IP addresses", legalBasis: "Art. 6(1)(f) GDPR (detecting and repelling attacks)" },
        ],
        recipients: [
            "Hetzner Online GmbH, Germany (server hosting, processor under Art. 28 GDPR; data stored in Germany)",
            "the e-mail provider that delivers our e-mails (processor under Art. 28 GDPR): your address and each e-mail sent to you",
            "the provider of the off-site backup storage, if one is configured (processor; encrypted backups)",
            ...(f.gravatar ? ["Automattic Inc., USA (Gravatar): a hash of your address when our staff open your contact record"] : []),
            "our staff who use Mautic",
        ],
        storagePeriods: [
            { data: "an unconfirmed sign-up (contact record)", period: `${f.unconfirmedContactDays} day(s) after the sign-up` },
            {
                data: "the contact record after an unsubscribe",
                period: `${f.unsubscribedMinimiseDays} day(s) after the unsubscribe; then only the suppression-list entry remains`,
            },
            { data: "a contact record without any activity", period: `${f.gdprPurgeDays} day(s) after the last activity (Mautic's GDPR clean-up)` },
            {
                data: "the consent log (kit_consent_ledger)",
                period: `until 1 January after ${f.consentProofYears} full year(s) after the year of the last e-mail to you or of your withdrawal`,
            },
            { data: "the suppression-list entry (kit_suppression)", period: "until you sign up again and confirm; otherwise as long as we use Mautic" },
            {
                data: "the erasure-journal entry",
                period: "after an erasure without objection: until the backups made before it have expired; after an objection: until you tell us you want to hear from us again",
            },
            { data: "backups of the database", period: `${f.backupRetentionDays} day(s)` },
            { data: "web server and application logs", period: `${f.accessLogRetentionDays} day(s)` },
        ],
        source: "Collected from you: the sign-up form and other forms you submitted, your confirmation, and (with your consent) your visits to our website and pages. A contact record created by our staff or by an import shows it in its fields created_by / date_added in this export.",
        rights: [
            "access (Art. 15 GDPR): this export",
            "rectification (Art. 16 GDPR)",
            "erasure (Art. 17 GDPR)",
            "restriction of processing (Art. 18 GDPR)",
            "data portability (Art. 20 GDPR): this file is machine-readable JSON",
            "objection (Art. 21 GDPR), to direct marketing at any time without reasons",
            "withdrawal of consent at any time (Art. 7(3) GDPR): the unsubscribe link in every e-mail ends the newsletter; the link next to it withdraws only the interest-profile consent",
            "complaint to a supervisory authority (Art. 77 GDPR)",
        ],
        automatedDecisions: "none (Art. 22 GDPR): the profile is used to choose content, never for decisions with legal or similarly significant effects",
    };
}

export type Art15Information = ReturnType<typeof art15Information>;
