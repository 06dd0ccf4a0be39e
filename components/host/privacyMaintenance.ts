/**
 * The half-hourly privacy maintenance job on the host (pure renderer): anonymises the IPs Mautic
 * writes into its audit log; deletes unconfirmed double-opt-in contacts after the DOI period
 * whatever happened to the campaign (the criterion: templates/privacyMaintenance/doi-unconfirmed.sql);
 * reduces unsubscribed contacts to a suppression record holding a keyed hash of the address (components/shared/addressHash.ts); and deletes what Mautic keeps of
 * deleted contacts, and messages older than `failedMessageDays` in Mautic's failed-message queue. Kept current on the host by the HostFiles component; the backup runs it
 * (`--audit-ip-only` at least) before every dump.
 */
import { defaults } from "../config/defaults";
import { intRange } from "../config/schema";
import { RenderedFile } from "./backup";
import { doiFields, doiTags } from "../doi/doiBlueprint";
import { readTemplate, renderTemplate } from "../shared/template";
import { hashKeyPath, keyedSql } from "../shared/addressHash";

export interface PrivacyMaintenanceInput {
    /** The durable volume's mount point (the unit waits for it). */
    dataDir: string;
    /** The MariaDB container; its env holds MARIADB_ROOT_PASSWORD. */
    dbContainer: string;
    /** Mautic's database. */
    database: string;
    /** Days after the sign-up before an unconfirmed contact is deleted (`unconfirmedContactDays`, default 3). */
    unconfirmedContactDays?: number;
    /** Days after an unsubscribe before the contact is reduced to a suppression record (`unsubscribedMinimiseDays`, default 30). */
    unsubscribedMinimiseDays?: number;
    /** Full years after the year of the last mailing or withdrawal that the consent ledger is kept (`consentProofYears`, default 3). */
    consentProofYears?: number;
}

export const privacyMaintenancePaths = {
    script: "/usr/local/sbin/mautic-privacy-maintenance",
    service: "/etc/systemd/system/mautic-privacy-maintenance.service",
    timer: "/etc/systemd/system/mautic-privacy-maintenance.timer",
} as const;

/** Rows of deleted contacts younger than this are left for the next run (a write may be in flight). */
export const orphanGraceMinutes = 60;

/**
 * Days a message stays in Mautic's failed-message queue (messenger_messages, queue_name 'failed':
 * the transport `messenger_dsn_failed` of components/app/mautic.ts) before the job deletes it.
 * The worker retries those messages meanwhile; a week leaves time to see and fix a mail outage.
 */
export const failedMessageDays = 7;

/** Run after the files are written (with the backup's daemon-reload). */
export const privacyMaintenanceEnableCommands = ["systemctl daemon-reload", "systemctl enable --now mautic-privacy-maintenance.timer"];

const days = (name: string, v: number, max: number) => {
    if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`${name} = ${JSON.stringify(v)} must be a whole number of days from 1 to ${max}`);
    return v;
};

/** The DOI safety net's criterion, filled (one SQL template, easy to change). */
export function renderDoiUnconfirmedSql(unconfirmedContactDays: number): string {
    return renderTemplate("privacyMaintenance/doi-unconfirmed.sql", {
        days: days("unconfirmedContactDays", unconfirmedContactDays, intRange("unconfirmedContactDays")[1]),
        consentDateColumn: doiFields.consentDate,
        confirmedTag: doiTags.confirmed,
        keepTag: doiTags.keep,
    }).trimEnd();
}

/** The consent ledger's tables (the endpoint's schema.sql) and its retention, filled. */
export function renderConsentLedgerSql(consentProofYears: number): string {
    const years = consentProofYears;
    const [min, max] = intRange("consentProofYears");
    if (!Number.isInteger(years) || years < min || years > max)
        throw new Error(`consentProofYears = ${JSON.stringify(years)} must be a whole number of years from ${min} to ${max}`);
    return `${readTemplate("doiEndpoint/schema.sql").trimEnd()}\n${renderTemplate("privacyMaintenance/consent-ledger.sql", { years }).trimEnd()}`;
}

export function renderUnsubscribedSql(unsubscribedMinimiseDays: number): string {
    return renderTemplate("privacyMaintenance/unsubscribed-minimise.sql", {
        days: days("unsubscribedMinimiseDays", unsubscribedMinimiseDays, intRange("unsubscribedMinimiseDays")[1]),
        pendingTag: doiTags.pending,
        confirmedTag: doiTags.confirmed,
        keyedEmail: keyedSql("LOWER(TRIM(l.email))"),
        // A row's own form: keyed (HMAC-SHA256) or, from before the stack had its key, the plain SHA-256.
        storedHash: `IF(s.keyed = 1, ${keyedSql("LOWER(TRIM(l.email))")}, SHA2(LOWER(TRIM(l.email)), 256))`,
    }).trimEnd();
}

export function renderPrivacyMaintenanceFiles(input: PrivacyMaintenanceInput): RenderedFile[] {
    const unconfirmed = input.unconfirmedContactDays ?? defaults.unconfirmedContactDays;
    const unsubscribed = input.unsubscribedMinimiseDays ?? defaults.unsubscribedMinimiseDays;
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(input.dbContainer))
        throw new Error(`dbContainer = ${JSON.stringify(input.dbContainer)} is not a Docker container name`);
    if (!/^[A-Za-z0-9_]{1,64}$/.test(input.database)) throw new Error(`database = ${JSON.stringify(input.database)} is not a plain database name`);
    const doiSql = renderDoiUnconfirmedSql(unconfirmed);
    const unsubscribedSql = renderUnsubscribedSql(unsubscribed);
    const ledgerSql = renderConsentLedgerSql(input.consentProofYears ?? defaults.consentProofYears);
    // The SQL goes into quoted here-documents ending at a line "SQL".
    if ([doiSql, unsubscribedSql, ledgerSql].some((x) => /^SQL$/m.test(x))) throw new Error("a privacy SQL template contains a line 'SQL'");
    return [
        {
            path: privacyMaintenancePaths.script,
            content: renderTemplate("privacyMaintenance/mautic-privacy-maintenance.sh", {
                dbContainer: input.dbContainer,
                database: input.database,
                unconfirmedDays: unconfirmed,
                unsubscribedDays: unsubscribed,
                graceMinutes: orphanGraceMinutes,
                failedMessageDays,
                consentDateColumn: doiFields.consentDate,
                doiUnconfirmedSql: doiSql,
                unsubscribedSql,
                consentLedgerSql: ledgerSql,
                dataDir: input.dataDir,
                hashKeyFile: hashKeyPath,
                hashKeyFns: readTemplate("privacyMaintenance/hash-key.sh").trimEnd(),
                keyedEmail: keyedSql("LOWER(TRIM(email))"),
            }),
            permissions: "0750",
        },
        {
            path: privacyMaintenancePaths.service,
            content: renderTemplate("privacyMaintenance/mautic-privacy-maintenance.service", { dataDir: input.dataDir }),
            permissions: "0644",
        },
        { path: privacyMaintenancePaths.timer, content: readTemplate("privacyMaintenance/mautic-privacy-maintenance.timer"), permissions: "0644" },
    ];
}
