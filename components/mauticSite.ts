import * as docker from "@pulumi/docker";
import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import { MauticSiteSettingsInput, SiteConfigError, SiteSettings, validateSiteArgs } from "./config";
import { HardenedHost } from "./hardenedHost";
import { MauticApp } from "./mauticApp";
import { managedBy, siteLabels } from "./sizing";
import { SiteSecrets } from "./siteSecrets";
import { WebEdge } from "./webEdge";

/**
 * Everything one website's Mautic needs. The settings are the stack config keys (see
 * `Pulumi.prod.yaml`, which documents each); defaults live in `components/defaults.ts`.
 */
export type MauticSiteArgs = Omit<MauticSiteSettingsInput, "mailerDsn"> & {
    /** Symfony mailer DSN, a secret. Default: none (Mautic cannot send DOI mails; reported as a warning). */
    mailerDsn?: pulumi.Input<string>;
};

/**
 * One website = one Mautic = one stack: a hardened Hetzner server in Germany with its own
 * firewall, volume, database, secrets, Mautic (web, cron, worker) and TLS edge.
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
    public readonly secrets: SiteSecrets;
    public readonly host: HardenedHost;
    public readonly app: MauticApp;
    public readonly edge: WebEdge;

    constructor(name: string, args: MauticSiteArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mautic-kit:site:MauticSite", name, {}, opts);

        const { mailerDsn, ...raw } = args;
        let validated;
        try {
            validated = validateSiteArgs({ ...raw, ...(typeof mailerDsn === "string" ? { mailerDsn } : {}) }, { mailerDsnProvided: mailerDsn !== undefined });
        } catch (e) {
            throw new pulumi.ResourceError(e instanceof SiteConfigError ? e.message : String(e), this);
        }
        const s = validated.settings;
        this.settings = s;
        this.warnings = validated.warnings;
        for (const w of this.warnings) pulumi.log.warn(w, this);

        const project = pulumi.getProject();
        const stack = pulumi.getStack();
        const labels = siteLabels({ websiteHost: s.websiteHost, domain: s.domain, project, stack });

        const gate: pulumi.ComponentResourceOptions = { parent: this };

        this.secrets = new SiteSecrets(`${name}-secrets`, {}, gate);
        this.host = new HardenedHost(`${name}-host`, { settings: s, labels }, gate);

        const provider = new docker.Provider(
            `${name}-docker`,
            { host: this.host.dockerHost, sshOpts: this.host.dockerSshOpts },
            // The provider connects at once when configured: only after cloud-init is done
            // (pulumi-docker #1293: it otherwise races sshd and dockerd on a fresh server).
            { parent: this, dependsOn: [this.host.ready] },
        );

        const mailer = mailerDsn === undefined ? undefined : pulumi.secret(mailerDsn);
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
                mailerDsn: mailer,
            },
            { parent: this, dependsOn: [this.host.ready] },
        );

        this.edge = new WebEdge(
            `${name}-edge`,
            { settings: s, provider, network: this.app.frontendNetwork, after: [this.app.web] },
            { parent: this },
        );

        this.url = `https://${s.domain}`;
        this.adminUsername = s.adminUsername;
        this.adminPassword = pulumi.secret(this.secrets.adminPassword);
        this.serverIpv4 = this.host.ipv4Address;
        this.serverIpv6 = this.host.ipv6Address;
        this.hostKeyFingerprint = this.host.hostKeyFingerprint;

        this.registerOutputs({
            url: this.url,
            adminUsername: this.adminUsername,
            adminPassword: this.adminPassword,
            serverIpv4: this.serverIpv4,
            serverIpv6: this.serverIpv6,
            hostKeyFingerprint: this.hostKeyFingerprint,
            warnings: this.warnings,
        });
    }

    /**
     * Creates the site after asking Hetzner whether another stack already runs a Mautic for this
     * website or Mautic host (1 website = 1 Mautic, C15). Nothing is registered before the answer;
     * on a conflict the program stops with a message naming the other stack. Use this rather than
     * `new MauticSite` in a stack program.
     */
    static async create(name: string, args: MauticSiteArgs, opts?: pulumi.ComponentResourceOptions): Promise<MauticSite> {
        const { mailerDsn, ...raw } = args;
        let settings: SiteSettings;
        try {
            settings = validateSiteArgs({ ...raw, ...(typeof mailerDsn === "string" ? { mailerDsn } : {}) }, { mailerDsnProvided: mailerDsn !== undefined }).settings;
        } catch (e) {
            throw new pulumi.RunError(e instanceof SiteConfigError ? e.message : String(e));
        }
        await assertSiteUnclaimed(settings, pulumi.getProject(), pulumi.getStack());
        return new MauticSite(name, args, opts);
    }
}

/**
 * Refuses (RunError) when a server of another stack carries this site's `site` or
 * `mautic-domain` label. The stack's own server (a re-run) is fine.
 */
export async function assertSiteUnclaimed(settings: SiteSettings, project: string, stack: string): Promise<void> {
    const labels = siteLabels({ websiteHost: settings.websiteHost, domain: settings.domain, project, stack });
    const selectors = [
        `managed-by=${managedBy},site=${labels.site}`,
        `managed-by=${managedBy},mautic-domain=${labels["mautic-domain"]}`,
    ];
    for (const withSelector of selectors) {
        const found = await hcloud.getServers({ withSelector });
        const foreign = (found.servers ?? []).filter((srv) => srv.labels?.project !== labels.project || srv.labels?.stack !== labels.stack);
        if (foreign.length > 0) {
            const who = foreign.map((srv) => `server '${srv.name}' (id ${srv.id}) of stack '${srv.labels?.project}/${srv.labels?.stack}'`).join(", ");
            throw new pulumi.RunError(
                `website ${settings.website} / ${settings.domain} already has a Mautic: ${who}. ` +
                    `1 website = 1 Mautic (C15): stack '${project}/${stack}' will not create a second one. ` +
                    `Fix: deploy changes from the stack that owns it, or destroy that stack first.`,
            );
        }
    }
}
