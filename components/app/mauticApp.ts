import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { SiteSettings } from "../config/config";
import { baseContainerArgs, capabilitySets } from "./containerDefaults";
import { containerNames, dataMountPoint, dockerNetworks, images } from "../config/defaults";
import {
    apacheOtherVhostsLogPathInContainer,
    apacheVhostPathInContainer,
    renderApacheOtherVhostsLog,
    crontabPathInContainer,
    renderApacheVhost,
    parametersLocalPathInContainer,
    renderCrontab,
    renderInstallScript,
    renderParametersLocal,
    siteParametersInput,
    MauticRole,
    renderMauticEnv,
    renderWorkerSupervisord,
    workerSupervisordPathInContainer,
} from "./mautic";
import { memoryBudget } from "../host/sizing";
import { remoteCommandArgs, remoteCommandSecretOutputs } from "../shared/remoteCommand";
import { doiEndpointFiles, doiEndpointPaths } from "../doi/doiEndpoint";

export interface MauticAppArgs {
    /** Validated site settings. Required. */
    settings: SiteSettings;
    /** Docker provider connected to the site's server. Required. */
    provider: docker.Provider;
    /** SSH connection to the server (pinned host key) for the one-time install. Required. */
    connection: pulumi.Input<command.types.input.remote.ConnectionArgs>;
    /** MariaDB root password (secret). Required. */
    dbRootPassword: pulumi.Input<string>;
    /** MariaDB password of the `mautic` user (secret). Required. */
    dbPassword: pulumi.Input<string>;
    /** Mautic's `secret_key` (secret). Required. */
    secretKey: pulumi.Input<string>;
    /** Password of the first Mautic admin (secret). Required. */
    adminPassword: pulumi.Input<string>;
    /** Symfony mailer DSN (secret). Default: none (Mautic's own default; DOI mail does not work). */
    mailerDsn?: pulumi.Input<string>;
    /** MaxMind licence key (secret). Default: none (no IP lookup database; the monthly download job is left out). */
    maxmindLicenseKey?: pulumi.Input<string>;
    /**
     * The DOI endpoint's configuration (`renderDoiEndpointConfig`, secret: HMAC key and API
     * password). Uploaded root-owned, readable by the web server's group only, next to the
     * endpoint's PHP files; Apache serves them at /kit/doi. Default: none (no endpoint).
     */
    doiEndpointConfig?: pulumi.Input<string>;
    /** Database name. Default "mautic". */
    dbName?: string;
    /** Database user. Default "mautic". */
    dbUser?: string;
    /** MariaDB image. Default `images.mariadb` (an exact LTS tag). */
    mariadbImage?: string;
    /** Resources the host-side commands (backup before upgrade, install) wait for. Default: none. */
    hostReady?: pulumi.Resource[];
    /**
     * Host command that makes a verified backup; run before the Mautic image changes (upgrade).
     * Default: none (no backup before an upgrade; not what a production stack wants).
     */
    backupCommand?: string;
}

/**
 * MariaDB and Mautic's three roles (web, cron, worker) from one pinned image, on two private
 * Docker networks: `backend` (internal, no route out) joins Mautic to the database, which
 * publishes no port; `frontend` joins the web role to the edge. Installs Mautic once.
 */
export class MauticApp extends pulumi.ComponentResource {
    public readonly frontendNetwork: docker.Network;
    public readonly db: docker.Container;
    public readonly web: docker.Container;
    public readonly cron: docker.Container;
    public readonly worker: docker.Container;
    public readonly install: command.remote.Command;
    /** The rendered crontab and pinned settings, as uploaded (the latter is a secret). */
    public readonly crontab: string;
    public readonly parametersLocal: pulumi.Output<string>;

    constructor(name: string, args: MauticAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mautic-kit:app:MauticApp", name, {}, opts);
        const s = args.settings;
        const dbName = args.dbName ?? "mautic";
        const dbUser = args.dbUser ?? "mautic";
        const mem = memoryBudget(s.serverType); // MiB, as the Docker provider's `memory` expects
        // Containers and networks have fixed names: a replacement must delete the old one first.
        const child = { parent: this, provider: args.provider, deleteBeforeReplace: true };

        this.frontendNetwork = new docker.Network(
            `${name}-frontend`,
            {
                name: dockerNetworks.frontend.name,
                driver: "bridge",
                ipv6: true,
                ipamConfigs: [{ subnet: dockerNetworks.frontend.subnet }, { subnet: dockerNetworks.frontend.subnet6 }],
            },
            child,
        );
        const backend = new docker.Network(
            `${name}-backend`,
            { name: dockerNetworks.backend.name, driver: "bridge", internal: true, ipamConfigs: [{ subnet: dockerNetworks.backend.subnet }] },
            child,
        );

        // Images have no fixed name: the new one is pulled before any container that uses it is
        // replaced (deleteBeforeReplace here would delete those containers first, docs/facts/pulumi.md).
        const imageOpts = { parent: this, provider: args.provider };
        const mariadbImage = new docker.RemoteImage(`${name}-mariadb-image`, { name: args.mariadbImage ?? images.mariadb, keepLocally: true }, imageOpts);
        // Upgrades: a changed mauticVersion first runs a verified backup (this command is
        // replaced, i.e. re-run, when the version changes), then pulls the new image, which
        // replaces web, then cron and worker. The web role runs the migrations once on start;
        // `wait` holds the deploy until it is healthy. The database container and the volume are
        // untouched (tests/unit/upgrade.test.ts).
        const preUpgradeBackup = args.backupCommand
            ? new command.remote.Command(
                  `${name}-pre-upgrade-backup`,
                  {
                      connection: args.connection,
                      create: `if docker inspect ${containerNames.db} >/dev/null 2>&1; then ${args.backupCommand}; else echo "first deploy: nothing to back up"; fi`,
                      triggers: [s.mauticVersion],
                      ...remoteCommandArgs,
                  },
                  { parent: this, dependsOn: args.hostReady ?? [], customTimeouts: { create: "60m" }, additionalSecretOutputs: remoteCommandSecretOutputs },
              )
            : undefined;
        const mauticImage = new docker.RemoteImage(
            `${name}-mautic-image`,
            { name: `mautic/mautic:${s.mauticVersion}`, keepLocally: true },
            { ...imageOpts, dependsOn: preUpgradeBackup ? [preUpgradeBackup] : [] },
        );

        const vol = (hostSub: string, containerPath: string) => ({ hostPath: `${dataMountPoint}/${hostSub}`, containerPath });

        this.db = new docker.Container(
            `${name}-db`,
            {
                ...baseContainerArgs(capabilitySets.mariadb),
                name: containerNames.db,
                image: mariadbImage.imageId,
                envs: pulumi.secret(
                    pulumi.all([args.dbRootPassword, args.dbPassword]).apply(([root, pw]) => [
                        `MARIADB_ROOT_PASSWORD=${root}`,
                        `MARIADB_DATABASE=${dbName}`,
                        `MARIADB_USER=${dbUser}`,
                        `MARIADB_PASSWORD=${pw}`,
                        "MARIADB_AUTO_UPGRADE=1",
                        `TZ=${s.timezone}`,
                    ]),
                ),
                command: ["--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci", "--skip-name-resolve"],
                volumes: [vol("mysql", "/var/lib/mysql")],
                // Internal network only; no `ports`: the database is never published.
                networksAdvanced: [{ name: backend.name, aliases: [containerNames.db] }],
                memory: mem.db,
                memorySwap: mem.db, // = memory: no swap; without it Docker sets 2x memory and every up updates
                healthcheck: {
                    tests: ["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"],
                    interval: "30s",
                    timeout: "10s",
                    retries: 5,
                    startPeriod: "1m0s", // Go duration form: what the provider reads back (no diff)
                },
                wait: true,
                waitTimeout: 300,
            },
            child,
        );

        const mauticEnvs = (role: MauticRole, extra: pulumi.Input<string[]> = []) =>
            pulumi.secret(
                pulumi.all([args.dbPassword, extra]).apply(([pw, more]) => [
                    ...renderMauticEnv({ role, dbName, dbUser, dbPassword: pw, timezone: s.timezone }),
                    ...more,
                ]),
            );
        // Shared by all roles: config (local.php + the pinned parameters_local.php), logs, media,
        // var/tmp, and var/import (import_leads_dir): the UI stores a queued import's CSV there
        // and cron's mautic:import reads it (docker-mautic #269).
        const mauticVolumes = [
            vol("mautic/config", "/var/www/html/config"),
            vol("mautic/logs", "/var/www/html/var/logs"),
            vol("mautic/media/files", "/var/www/html/docroot/media/files"),
            vol("mautic/media/images", "/var/www/html/docroot/media/images"),
            vol("mautic/tmp", "/var/www/html/var/tmp"),
            vol("mautic/import", "/var/www/html/var/import"),
        ];
        const mauticNetworks = [{ name: backend.name }];

        this.parametersLocal = pulumi.secret(
            pulumi.all([args.secretKey, args.mailerDsn, args.maxmindLicenseKey]).apply(([secretKey, mailerDsn, maxmindLicenseKey]) =>
                renderParametersLocal(
                    siteParametersInput(s, {
                        secretKey,
                        mailerDsn: mailerDsn as string | undefined,
                        maxmindLicenseKey: maxmindLicenseKey as string | undefined,
                    }),
                ),
            ),
        );

        this.web = new docker.Container(
            `${name}-web`,
            {
                ...baseContainerArgs(capabilitySets.mautic),
                name: containerNames.web,
                image: mauticImage.imageId,
                envs: mauticEnvs("mautic_web"),
                volumes: mauticVolumes,
                networksAdvanced: [...mauticNetworks, { name: this.frontendNetwork.name, aliases: [containerNames.web] }],
                uploads: [
                    { file: parametersLocalPathInContainer, content: this.parametersLocal, permissions: "0640", owner: "33", group: "33" },
                    // No Apache access log: the edge logs requests with masked IPs (C12).
                    { file: apacheVhostPathInContainer, content: renderApacheVhost(), permissions: "0644" },
                    { file: apacheOtherVhostsLogPathInContainer, content: renderApacheOtherVhostsLog(), permissions: "0644" },
                    // The kit's DOI endpoint (docs/guide/doi.md): code world-readable, config root:www-data 0640.
                    ...(args.doiEndpointConfig !== undefined
                        ? [
                              ...doiEndpointFiles().map((f) => ({ file: f.path, content: f.content, permissions: "0644" })),
                              { file: doiEndpointPaths.config, content: pulumi.secret(args.doiEndpointConfig), permissions: "0640", owner: "0", group: "33" },
                          ]
                        : []),
                ],
                memory: mem.web,
                memorySwap: mem.web,
                healthcheck: {
                    // Mautic answers only its own host name (trusted_hosts): ask for it.
                    tests: ["CMD-SHELL", `curl -fsS -o /dev/null -H 'Host: ${s.domain}' http://localhost/ || exit 1`],
                    interval: "30s",
                    timeout: "10s",
                    retries: 5,
                    startPeriod: "2m0s",
                },
                wait: true,
                waitTimeout: 600,
            },
            { ...child, dependsOn: [this.db] },
        );

        // Cron and the worker's long-running consumers read the pinned settings once: a changed
        // file (e.g. a new mailer DSN) must replace them too, not only web, which uploads it.
        const configFingerprint = this.parametersLocal.apply((c) => [`KIT_CONFIG_SHA256=${createHash("sha256").update(c).digest("hex")}`]);
        this.crontab = renderCrontab({ cleanupDaysOld: s.cleanupDaysOld, ipLookup: s.ipLookupConfigured });
        this.cron = new docker.Container(
            `${name}-cron`,
            {
                ...baseContainerArgs(capabilitySets.mautic),
                name: containerNames.cron,
                image: mauticImage.imageId,
                envs: mauticEnvs("mautic_cron", configFingerprint),
                volumes: mauticVolumes,
                networksAdvanced: [...mauticNetworks, { name: this.frontendNetwork.name }],
                // Mounted over the image's template, which it copies only when the file is absent.
                uploads: [{ file: crontabPathInContainer, content: this.crontab, permissions: "0644" }],
                memory: mem.cron,
                memorySwap: mem.cron,
                // Debian's cron writes its pid file; the check fails when cron died.
                healthcheck: { tests: ["CMD-SHELL", "kill -0 \"$(cat /var/run/crond.pid)\" || exit 1"], interval: "1m0s", timeout: "10s", retries: 3, startPeriod: "5m0s" },
            },
            { ...child, dependsOn: [this.web] },
        );

        // The worker runs supervisord with messenger:consume; the image offers no health endpoint
        // for it, so none is declared (docker restarts it if supervisord exits).
        this.worker = new docker.Container(
            `${name}-worker`,
            {
                ...baseContainerArgs(capabilitySets.mautic),
                name: containerNames.worker,
                image: mauticImage.imageId,
                envs: mauticEnvs("mautic_worker", configFingerprint),
                volumes: mauticVolumes,
                networksAdvanced: [...mauticNetworks, { name: this.frontendNetwork.name }],
                // Consumers with --memory-limit/--time-limit that fit this container's memory.
                uploads: [{ file: workerSupervisordPathInContainer, content: renderWorkerSupervisord(mem.worker), permissions: "0644" }],
                memory: mem.worker,
                memorySwap: mem.worker,
            },
            { ...child, dependsOn: [this.web] },
        );

        const installScript = renderInstallScript({
            domain: s.domain,
            adminEmail: s.adminEmail,
            adminUsername: s.adminUsername,
            adminFirstName: s.adminFirstName,
            adminLastName: s.adminLastName,
            dbName,
            dbUser,
        });
        this.install = new command.remote.Command(
            `${name}-install`,
            {
                connection: args.connection,
                create: [
                    "cat > /usr/local/sbin/mautic-kit-install <<'MAUTIC_KIT_EOF'",
                    installScript.trimEnd(),
                    "MAUTIC_KIT_EOF",
                    "chmod 0750 /usr/local/sbin/mautic-kit-install",
                    "exec /usr/local/sbin/mautic-kit-install",
                ].join("\n"),
                // The two secrets, one per line; the script reads them from stdin.
                stdin: pulumi.secret(pulumi.interpolate`${args.dbPassword}\n${args.adminPassword}\n`),
                triggers: [this.web.id],
                ...remoteCommandArgs,
            },
            { parent: this, dependsOn: [this.web, this.db, ...(args.hostReady ?? [])], customTimeouts: { create: "20m" }, additionalSecretOutputs: remoteCommandSecretOutputs },
        );

        this.registerOutputs({ webContainer: this.web.name, dbContainer: this.db.name });
    }
}
