/**
 * Every default of the kit: the platform constants (`platform.ts`, re-exported here) and the
 * config keys' defaults.
 */
export * from "./platform";
import { images } from "./platform";

export const defaults = {
    location: "nbg1",
    /**
     * "auto": at the first deploy, the cheapest x86 type with >= 4 GB RAM that Hetzner lists as
     * available in the location, by GET /v1/pricing (components/host/serverTypeChoice.ts). A running
     * server keeps its type. Mautic wants >= 4 GB.
     */
    serverType: "auto",
    image: "debian-12",
    timezone: "Europe/Berlin",
    mauticVersion: images.mauticVersion,
    /** C07: anonymous visitors' tracking data older than this is deleted daily. */
    cleanupDaysOld: 21,
    /** C06: contacts that did not confirm the double opt-in are deleted after this many days. */
    unconfirmedContactDays: 3,
    /** `mautic:maintenance:cleanup --gdpr`: contacts inactive this long are deleted (Mautic's own default). */
    gdprPurgeDays: 1095,
    backups: true,
    /** Nightly database and media dumps kept on the volume (and off-site, when configured). */
    backupRetentionDays: 14,
    /** Edge access logs (masked IPs) are kept this long. */
    accessLogRetentionDays: 7,
    volumeSizeGb: 20,
    deletionProtection: true,
    adminUsername: "admin",
    adminFirstName: "Mautic",
    adminLastName: "Administrator",
    adminUiCidrs: [] as string[],
    consentTextVersion: "v1",
    /** Unsubscribed contacts are reduced to a hashed suppression record this many days after the unsubscribe. */
    unsubscribedMinimiseDays: 30,
    consentMechanism: "banner",
    /**
     * Privacy by default: Mautic's admin UI does not load contacts' avatars from gravatar.com
     * (which would send a hash of each viewed contact's address to Automattic, USA). true allows it.
     */
    gravatar: false,
    /** Path of the website's imprint (Impressum, §5 DDG) when `imprintUrl` is not set: <website>/impressum. */
    imprintPath: "/impressum",
    sshPublicKeys: [] as string[],
    /**
     * Docker Engine from Docker's own apt repository (current releases, `docker-ce`), or
     * "debian": the distribution's `docker.io`, security-updated by Debian/Ubuntu.
     */
    dockerSource: "docker",
    /**
     * Off-site copy of the nightly backups: "storagebox" = a Hetzner Storage Box per stack (or a
     * subaccount of `storageBoxId`), in the other German location; "none" turns it off (C12 warning).
     */
    offsiteBackup: "storagebox",
} as const;
