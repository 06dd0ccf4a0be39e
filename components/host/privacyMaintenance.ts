/**
 * The half-hourly privacy maintenance job on the host (pure renderer): anonymises the IPs Mautic
 * writes into its audit log; deletes unconfirmed double-opt-in contacts after the DOI period
 * whatever happened to the campaign (the criterion: templates/privacyMaintenance/doi-unconfirmed.sql);
 * reduces unsubscribed contacts to a hashed suppression record; and deletes what Mautic keeps of
 * deleted contacts. Kept current on the host by the HostFiles component; the backup runs it
 * (`--audit-ip-only` at least) before every dump.
 */
import { defaults } from "../config/defaults";
import { intRange } from "../config/schema";
import { RenderedFile } from "./backup";
import { doiFields, doiLanguages, doiNames, doiTags } from "../doi/doiBlueprint";
import { readTemplate, renderTemplate } from "../shared/template";

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
}

export const privacyMaintenancePaths = {
    script: "/usr/local/sbin/mautic-privacy-maintenance",
    service: "/etc/systemd/system/mautic-privacy-maintenance.service",
    timer: "/etc/systemd/system/mautic-privacy-maintenance.timer",
} as const;

/** Rows of deleted contacts younger than this are left for the next run (a write may be in flight). */
export const orphanGraceMinutes = 60;

/** Run after the files are written (with the backup's daemon-reload). */
export const privacyMaintenanceEnableCommands = ["systemctl daemon-reload", "systemctl enable --now mautic-privacy-maintenance.timer"];

/** A SQL list of string literals, e.g. `'a', 'b'` (names from the DOI blueprint, quoted). */
function sqlList(names: string[]): string {
    if (names.length === 0) throw new Error("no names for a SQL list");
    return names.map((n) => `'${n.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`).join(", ");
}

/** The kit's DOI forms (sign-up and confirm button, every language) and confirmation e-mails, by name. */
export function doiObjectNames(): { forms: string[]; emails: string[] } {
    const forms = doiLanguages.flatMap((l) => [doiNames.form(l), doiNames.confirmForm(l)]);
    return { forms, emails: doiLanguages.map((l) => doiNames.email(l)) };
}

const days = (name: string, v: number, max: number) => {
    if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`${name} = ${JSON.stringify(v)} must be a whole number of days from 1 to ${max}`);
    return v;
};

/** The DOI safety net's criterion, filled (one SQL template, easy to change). */
export function renderDoiUnconfirmedSql(unconfirmedContactDays: number): string {
    return renderTemplate("privacyMaintenance/doi-unconfirmed.sql", {
        pendingTag: doiTags.pending,
        days: days("unconfirmedContactDays", unconfirmedContactDays, intRange("unconfirmedContactDays")[1]),
        consentDateColumn: doiFields.consentDate,
        doiFormNames: sqlList(doiObjectNames().forms),
        doiEmailNames: sqlList(doiObjectNames().emails),
    }).trimEnd();
}

export function renderUnsubscribedSql(unsubscribedMinimiseDays: number): string {
    return renderTemplate("privacyMaintenance/unsubscribed-minimise.sql", {
        days: days("unsubscribedMinimiseDays", unsubscribedMinimiseDays, intRange("unsubscribedMinimiseDays")[1]),
        pendingTag: doiTags.pending,
        confirmedTag: doiTags.confirmed,
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
    // The SQL goes into quoted here-documents ending at a line "SQL".
    if (/^SQL$/m.test(doiSql) || /^SQL$/m.test(unsubscribedSql)) throw new Error("a privacy SQL template contains a line 'SQL'");
    return [
        {
            path: privacyMaintenancePaths.script,
            content: renderTemplate("privacyMaintenance/mautic-privacy-maintenance.sh", {
                dbContainer: input.dbContainer,
                database: input.database,
                pendingTag: doiTags.pending,
                unconfirmedDays: unconfirmed,
                unsubscribedDays: unsubscribed,
                graceMinutes: orphanGraceMinutes,
                consentDateColumn: doiFields.consentDate,
                doiUnconfirmedSql: doiSql,
                unsubscribedSql,
                dataDir: input.dataDir,
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
