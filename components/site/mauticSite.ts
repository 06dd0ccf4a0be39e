import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ComplianceReport, buildComplianceReport, documentPaths } from "../compliance/compliance";
import { backupDefaultsFor, SiteConfigError, SiteSettings } from "../config/config";
import { MauticSiteArgs, MauticSiteValidatedArgs, siteValidation, SiteValidation } from "./siteArgs";
import { preflight } from "./preflight";
import { DoiSetup } from "../doi/doiSetup";
import { renderDoiEndpointConfig, siteDoiEndpointInput } from "../doi/doiEndpoint";
import { containerNames, dataMountPoint } from "../config/defaults";
import { HardenedHost } from "../host/hardenedHost";
import { HostFiles } from "../host/hostFiles";
import { AddressHashKey } from "../host/addressHashKey";
import { edgeHostLogDir, renderEdgeLogrotate } from "../edge/caddyfile";
import { HostFile, hostConfigReloadCommands, syncedHostConfigPaths } from "../host/cloudInit";
import { privacyMaintenanceEnableCommands, renderPrivacyMaintenanceFiles } from "../host/privacyMaintenance";
import { MauticApp } from "../app/mauticApp";
import { backupEnableCommands, backupPackages, backupPaths, renderBackupFiles } from "../host/backup";
import { alertEnableCommands, renderAlertFiles } from "../host/alerts";
import { renderSecurityAlertFiles, securityEnableCommands } from "../host/securityAlerts";
import { AlertSecrets } from "../host/alertSecrets";
import { placeholdersFor } from "../compliance/documents";
import { mauticParameters, siteParametersInput } from "../app/mautic";
import { labelValue, siteLabels } from "../host/sizing";
import { ServerTypeChoice } from "../host/serverTypeChoice";
import { ServerLabel } from "../host/serverLabel";
import { SiteSecrets } from "../app/siteSecrets";
import { WebEdge } from "../edge/webEdge";
import { OffsiteBackup } from "../host/offsiteBackup";
import { offsiteTarget } from "../config/offsiteDns";
import { offsitePaths, renderOffsiteSetupScript, storageBoxRepository } from "../host/offsite";
import { SiteDns } from "../dns/siteDns";

export type { MauticSiteArgs, MauticSiteValidatedArgs } from "./siteArgs";
export { preflight } from "./preflight";

/**
 * One website = one Mautic = one stack: a hardened Hetzner server in Germany with its own
 * firewall, volume, database, secrets, Mautic (web, cron, worker) and TLS edge, configured for
 * privacy, with double opt-in, backups and a computed compliance report.
 */
export class MauticSite extends pulumi.ComponentResource {
    public readonly settings: SiteSettings;
    /** Accepted settings that weaken a checklist item (also in the compliance report). */
    public readonly warnings: string[];
    public readonly url: string;
    public readonly adminUsername: string;
    public readonly adminPassword: pulumi.Output<string>;
    public readonly serverIpv4: pulumi.Output<string>;
    public readonly serverIpv6: pulumi.Output<string>;
    public readonly hostKeyFingerprint: pulumi.Output<string>;
    /** The pinned SSH host public key (for known_hosts; see HardenedHost.hostPublicKey). */
    public readonly hostPublicKey: pulumi.Output<string>;
    public readonly secrets: SiteSecrets;
    public readonly host: HardenedHost;
    /** Backup/restore scripts, their timer and the edge's log rotation, kept current on the host. */
    public readonly hostFiles: HostFiles;
    public readonly app: MauticApp;
    public readonly edge: WebEdge;
    public readonly doi?: DoiSetup;
    /** The Storage Box (or subaccount) the backups are copied to; absent with offsiteBackup none or a hand-made repository. */
    public readonly offsite?: OffsiteBackup;
    /** A, AAAA and CAA for `domain` in the Hetzner zone `dnsZone`; absent without it. */
    public readonly dns?: SiteDns;
    /** The server's `mautic-version` label, moved after the new web container is healthy. */
    public readonly versionLabel: ServerLabel;
    /** C01..C15, computed from the settings and the files this site renders. */
    public readonly compliance: ComplianceReport;
    /** The server type and why (serverType auto), with the monthly cost when prices were read. */
    public readonly serverTypeChoice: ServerTypeChoice;

    /**
     * `args`: the raw settings (validated here), or settings validated upstream (taken as they
     * are). `choice` is the server type `MauticSite.create` chose; use `create`.
     */
    constructor(name: string, args: MauticSiteArgs | MauticSiteValidatedArgs, opts?: pulumi.ComponentResourceOptions, choice?: ServerTypeChoice) {
        super("mautic-kit:site:MauticSite", name, {}, opts);
        const validatedUpstream = "settings" in args;
        const serverType = validatedUpstream ? (choice?.serverType ?? args.settings.serverType) : args.serverType;
        if (serverType === "auto" || (serverType === undefined && !choice)) {
            throw new pulumi.ResourceError(
                "serverType = auto is resolved by MauticSite.create (it asks Hetzner for availability and prices). Fix: use `await MauticSite.create(...)`, or set serverType (e.g. cx33).",
                this,
            );
        }
        this.serverTypeChoice = choice ?? { serverType: serverType!, chosenBy: "config" };

        let validated: SiteValidation;
        try {
            validated = siteValidation(args, validatedUpstream ? serverType : undefined);
        } catch (e) {
            throw new pulumi.ResourceError(e instanceof SiteConfigError ? e.message : String(e), this);
        }
        const s = validated.settings;
        this.settings = s;
        this.warnings = validated.warnings;
        for (const w of this.warnings) pulumi.log.warn(w, this);

        const labels = siteLabels({ websiteHost: s.websiteHost, domain: s.domain, project: pulumi.getProject(), stack: pulumi.getStack() });
        const child = { parent: this };

        this.secrets = new SiteSecrets(`${name}-secrets`, {}, child);

        const target = offsiteTarget(s);
        const kitBox = target.kind === "storagebox" || target.kind === "subaccount" ? target : undefined;
        const backup = {
            ...backupDefaultsFor(s.backupRetentionDays),
            ...(target.kind === "repository" ? { offsite: { kind: "restic-sftp" as const, repository: target.repository } } : {}),
            ...(kitBox ? { offsite: { kind: "restic-sftp" as const, repository: storageBoxRepository, sshConfig: offsitePaths.sshConfig } } : {}),
        };
        this.host = new HardenedHost(
            `${name}-host`,
            {
                settings: s,
                labels,
                // The deployed version, read back by the next deploy to refuse a downgrade.
                serverLabels: {
                    "mautic-version": labelValue(s.mauticVersion.split("-")[0]),
                    "server-type-choice": this.serverTypeChoice.chosenBy === "config" ? "config" : "auto",
                },
                extraPackages: backupPackages(backup),
                // Moved by the version label below, after the new web container is healthy.
                labelsSetElsewhere: ["mautic-version"],
            },
            child,
        );

        // Kept current on every deploy (the user data only runs on first boot): the hardening
        // files whose content follows the config, the backup and privacy jobs, the edge's log
        // rotation.
        const afterBootFiles: HostFile[] = [
            ...this.host.hostFiles.filter((f) => syncedHostConfigPaths.includes(f.path)),
            ...renderBackupFiles(backup),
            ...(kitBox ? [renderOffsiteSetupScript()] : []),
            ...renderPrivacyMaintenanceFiles({
                dataDir: dataMountPoint,
                dbContainer: backup.dbContainer,
                database: backup.database,
                unconfirmedContactDays: s.unconfirmedContactDays,
                unsubscribedMinimiseDays: s.unsubscribedMinimiseDays,
                consentProofYears: s.consentProofYears,
            }),
            // Alerts: OnFailure handlers and the hourly health check (docs/guide/alerts.md).
            ...renderAlertFiles({
                adminEmail: s.adminEmail,
                domain: s.domain,
                backupDir: `${dataMountPoint}/backups`,
                offsiteExpected: backup.offsite !== undefined,
                containers: Object.values(containerNames),
            }),
            ...renderSecurityAlertFiles({ ...backup, dataDir: dataMountPoint, staffAccessLogDays: s.staffAccessLogDays }),
            {
                path: "/etc/logrotate.d/mautic-kit-edge",
                content: renderEdgeLogrotate({ hostLogDir: edgeHostLogDir(dataMountPoint), accessLogRetentionDays: s.accessLogRetentionDays }),
                permissions: "0644",
            },
        ];
        // The suppression list's and erasure journal's key: on the server before the privacy job runs.
        const hashKey = new AddressHashKey(
            `${name}-address-hash-key`,
            { connection: this.host.connection, key: this.secrets.addressHashKey, after: [this.host.ready] },
            child,
        );
        this.hostFiles = new HostFiles(
            `${name}-host-files`,
            {
                connection: this.host.connection,
                files: afterBootFiles,
                commands: [
                    ...hostConfigReloadCommands,
                    // Packages added after first boot (e.g. restic once backupOffsiteRepository is set).
                    ...backupPackages(backup).map(
                        (p) => `command -v ${p} >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${p}; }`,
                    ),
                    // Grow the filesystem after volumeSizeGb was raised (online; a no-op otherwise).
                    `resize2fs "$(findmnt -no SOURCE ${dataMountPoint})" >/dev/null 2>&1 # volumeSizeGb=${s.volumeSizeGb}`,
                    ...new Set([...backupEnableCommands, ...privacyMaintenanceEnableCommands, ...alertEnableCommands, ...securityEnableCommands]),
                ],
                after: [this.host.ready, hashKey.command],
            },
            child,
        );

        // Off-site: the stack's Storage Box (or a subaccount of the agency's), its key, pinned host
        // key and restic password on the server (docs/guide/backup.md).
        if (kitBox) {
            this.offsite = new OffsiteBackup(
                `${name}-offsite`,
                {
                    target: kitBox,
                    boxName: `mautic-${labels.project}-${labels.stack}`.slice(0, 63).replace(/-+$/, ""),
                    labels,
                    deleteProtection: s.deletionProtection,
                    connection: this.host.connection,
                    after: [this.hostFiles.command],
                },
                child,
            );
        }
        // DNS at Hetzner: the records exist as soon as the server has its addresses.
        if (s.dnsZone) {
            this.dns = new SiteDns(
                `${name}-dns`,
                { domain: s.domain, zone: s.dnsZone, ipv4: this.host.ipv4Address, ipv6: this.host.ipv6Address, labels },
                child,
            );
        }

        // The alert script's root-only files (SMTP password, ping URL), from a secret stdin.
        new AlertSecrets(
            `${name}-alert-secrets`,
            { connection: this.host.connection, adminEmail: s.adminEmail, mailerDsn: args.mailerDsn, alertUrl: s.alertUrl, after: [this.hostFiles.command] },
            child,
        );

        const provider = new docker.Provider(
            `${name}-docker`,
            { host: this.host.dockerHost, sshOpts: this.host.dockerSshOpts },
            // The provider connects at once when configured: only after cloud-init is done
            // (pulumi-docker #1293: it otherwise races sshd and dockerd on a fresh server).
            { ...child, dependsOn: [this.host.ready] },
        );

        this.app = new MauticApp(
            `${name}-app`,
            {
                settings: s,
                provider,
                connection: this.host.connection,
                dbRootPassword: this.secrets.dbRootPassword,
                dbPassword: this.secrets.dbPassword,
                secretKey: this.secrets.mauticSecretKey,
                adminPassword: this.secrets.adminPassword,
                mailerDsn: args.mailerDsn === undefined ? undefined : pulumi.secret(args.mailerDsn),
                maxmindLicenseKey: args.maxmindLicenseKey === undefined ? undefined : pulumi.secret(args.maxmindLicenseKey),
                hostReady: [this.host.ready, this.hostFiles.command],
                backupCommand: backupPaths.backupScript,
                doiEndpointConfig:
                    args.doubleOptIn === false
                        ? undefined
                        : pulumi.secret(
                              pulumi
                                  .all([this.secrets.doiSecret, this.secrets.adminPassword])
                                  .apply(([doiSecret, adminPassword]) => renderDoiEndpointConfig(siteDoiEndpointInput(s, { doiSecret, adminPassword }))),
                          ),
            },
            child,
        );

        // The version the next deploy's downgrade guard reads moves only once the new version
        // runs: the web container (`wait`: healthy) and the install are done. A failed upgrade
        // leaves the old version on the label, so it can be retried or rolled back.
        this.versionLabel = new ServerLabel(
            `${name}-version-label`,
            { serverId: this.host.server.id.apply(Number), key: "mautic-version", value: labelValue(s.mauticVersion.split("-")[0]) },
            { ...child, dependsOn: [this.app.web, this.app.install] },
        );

        this.edge = new WebEdge(`${name}-edge`, { settings: s, provider, network: this.app.frontendNetwork, after: [this.app.web] }, child);

        if (args.doubleOptIn !== false) {
            this.doi = new DoiSetup(
                `${name}-doi`,
                {
                    apiUrl: `https://${s.domain}`,
                    username: s.adminUsername,
                    password: this.secrets.adminPassword,
                    website: s.website,
                    unconfirmedContactDays: s.unconfirmedContactDays,
                    consentTextVersion: s.consentTextVersion,
                    privacyPolicyUrl: s.privacyPolicyUrl,
                    mauticVersion: s.mauticVersion,
                },
                { ...child, dependsOn: [this.app.install, this.edge, ...(this.dns ? this.dns.recordSets : [])] },
            );
        }

        this.compliance = buildComplianceReport({
            settings: s,
            warnings: this.warnings,
            hostFiles: [...this.host.hostFiles.filter((f) => !syncedHostConfigPaths.includes(f.path)), ...afterBootFiles],
            caddyfile: this.edge.caddyfile,
            crontab: this.app.crontab,
            mauticParameters: mauticParameters(
                siteParametersInput(s, {
                    secretKey: "[secret]",
                    mailerDsn: s.mailerConfigured ? "[secret]" : undefined,
                    maxmindLicenseKey: s.ipLookupConfigured ? "[secret]" : undefined,
                }),
            ),
            doiSetup: this.doi !== undefined,
            documents: documentPaths,
            consentSnippet: true,
            placeholders: placeholdersFor(s).map((p) => ({ marker: p.marker, description: p.en })),
        });

        this.url = `https://${s.domain}`;
        this.adminUsername = s.adminUsername;
        this.adminPassword = pulumi.secret(this.secrets.adminPassword);
        this.serverIpv4 = this.host.ipv4Address;
        this.serverIpv6 = this.host.ipv6Address;
        this.hostKeyFingerprint = this.host.hostKeyFingerprint;
        this.hostPublicKey = this.host.hostPublicKey;

        this.registerOutputs({
            url: this.url,
            adminUsername: this.adminUsername,
            adminPassword: this.adminPassword,
            serverIpv4: this.serverIpv4,
            serverIpv6: this.serverIpv6,
            hostKeyFingerprint: this.hostKeyFingerprint,
            hostPublicKey: this.hostPublicKey,
            warnings: this.warnings,
            compliance: this.compliance.summary,
            serverType: this.serverTypeChoice,
            storageBoxServer: this.offsite?.server,
            storageBoxHostKeyFingerprint: this.offsite?.hostKeyFingerprint,
        });
    }

    /**
     * Creates the site after asking Hetzner (1) whether another stack already runs a Mautic for
     * this website or Mautic host (1 website = 1 Mautic, C15) and (2) which Mautic version this
     * stack's server runs (downgrades are refused: migrations are one-way). Nothing is registered
     * before the answer. Use this rather than `new MauticSite` in a stack program.
     */
    static async create(name: string, args: MauticSiteArgs | MauticSiteValidatedArgs, opts?: pulumi.ComponentResourceOptions): Promise<MauticSite> {
        let settings: SiteSettings;
        try {
            // Validated here once (or upstream); the constructor takes the result as it is.
            settings = siteValidation(args).settings;
        } catch (e) {
            throw new pulumi.RunError(e instanceof SiteConfigError ? e.message : String(e));
        }
        const choice = await preflight(settings, pulumi.getProject(), pulumi.getStack());
        const { mailerDsn, maxmindLicenseKey, doubleOptIn } = args;
        return new MauticSite(name, { settings, mailerDsn, maxmindLicenseKey, doubleOptIn }, opts, choice);
    }
}
