/**
 * The half-hourly privacy maintenance job on the host (pure renderer): anonymises the IPs Mautic
 * writes into its audit log and deletes email statistics of deleted contacts after the cleanup
 * period. Kept current on the host by the HostFiles component.
 */
import { RenderedFile } from "./backup";
import { renderTemplate } from "./template";

export interface PrivacyMaintenanceInput {
    /** Days after sending that email statistics of deleted contacts are removed (`cleanupDaysOld`). */
    cleanupDaysOld: number;
    /** The durable volume's mount point (the unit waits for it). */
    dataDir: string;
    /** The MariaDB container; its env holds MARIADB_ROOT_PASSWORD. */
    dbContainer: string;
    /** Mautic's database. */
    database: string;
}

export const privacyMaintenancePaths = {
    script: "/usr/local/sbin/mautic-privacy-maintenance",
    service: "/etc/systemd/system/mautic-privacy-maintenance.service",
    timer: "/etc/systemd/system/mautic-privacy-maintenance.timer",
} as const;

/** Run after the files are written (with the backup's daemon-reload). */
export const privacyMaintenanceEnableCommands = ["systemctl daemon-reload", "systemctl enable --now mautic-privacy-maintenance.timer"];

export function renderPrivacyMaintenanceFiles(input: PrivacyMaintenanceInput): RenderedFile[] {
    if (!Number.isInteger(input.cleanupDaysOld) || input.cleanupDaysOld < 1 || input.cleanupDaysOld > 3650) {
        throw new Error(`cleanupDaysOld = ${JSON.stringify(input.cleanupDaysOld)} must be a whole number of days from 1 to 3650`);
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(input.dbContainer)) throw new Error(`dbContainer = ${JSON.stringify(input.dbContainer)} is not a Docker container name`);
    if (!/^[A-Za-z0-9_]{1,64}$/.test(input.database)) throw new Error(`database = ${JSON.stringify(input.database)} is not a plain database name`);
    return [
        {
            path: privacyMaintenancePaths.script,
            content: renderTemplate("privacy/mautic-privacy-maintenance.sh", { dbContainer: input.dbContainer, database: input.database, cleanupDaysOld: input.cleanupDaysOld, dataDir: input.dataDir }),
            permissions: "0750",
        },
        { path: privacyMaintenancePaths.service, content: renderTemplate("privacy/mautic-privacy-maintenance.service", { dataDir: input.dataDir }), permissions: "0644" },
        { path: privacyMaintenancePaths.timer, content: renderTemplate("privacy/mautic-privacy-maintenance.timer", {}), permissions: "0644" },
    ];
}
