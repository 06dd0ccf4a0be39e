/**
 * The checks a site runs against Hetzner's API before it creates anything (MauticSite.create):
 * one Mautic per website across stacks (C15), the server type's availability in the location,
 * the agency's Storage Box, and no Mautic downgrade.
 */
import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import { compareMauticVersions, SiteSettings } from "../config/config";
import { offsiteTarget } from "../config/offsiteDns";
import { checkAgencyStorageBox } from "../host/offsiteBackup";
import { chooseServerType, ServerTypeChoice } from "../host/serverTypeChoice";
import { managedBy, siteLabels } from "../host/sizing";

/**
 * Refuses (RunError) when a server of another stack carries this site's `site` or
 * `mautic-domain` label, when the server type is deprecated or not available in the location
 * (for a new server or a resize), or when this stack's own server runs a newer Mautic than
 * configured.
 */
export async function preflight(settings: SiteSettings, project: string, stack: string): Promise<ServerTypeChoice> {
    const labels = siteLabels({ websiteHost: settings.websiteHost, domain: settings.domain, project, stack });
    const selectors = [`managed-by=${managedBy},site=${labels.site}`, `managed-by=${managedBy},mautic-domain=${labels["mautic-domain"]}`];
    const ours: Array<{ name: string; serverType?: string; labels?: Record<string, string> }> = [];
    for (const withSelector of selectors) {
        const found = await hcloud.getServers({ withSelector });
        const servers = found.servers ?? [];
        const foreign = servers.filter((srv) => srv.labels?.project !== labels.project || srv.labels?.stack !== labels.stack);
        if (foreign.length > 0) {
            const who = foreign.map((srv) => `server '${srv.name}' (id ${srv.id}) of stack '${srv.labels?.project}/${srv.labels?.stack}'`).join(", ");
            throw new pulumi.RunError(
                `website ${settings.website} / ${settings.domain} already has a Mautic: ${who}. ` +
                    `1 website = 1 Mautic (C15): stack '${project}/${stack}' will not create a second one. ` +
                    `Fix: deploy changes from the stack that owns it, or destroy that stack first.`,
            );
        }
        ours.push(...servers);
    }
    // serverType auto: the cheapest type available in the location, chosen once; a running
    // server keeps its type (serverTypeChoice.ts).
    const running = ours.find((srv) => srv.serverType)?.serverType;
    const choice = await chooseServerType(
        {
            serverType: settings.serverType,
            location: settings.location,
            backups: settings.backups,
            volumeSizeGb: settings.volumeSizeGb,
            offsite: offsiteTarget(settings).kind,
        },
        running,
    );
    await checkAgencyStorageBox(settings);
    // A server type can be withdrawn or sold out in a location (docs/facts/hetzner-and-host.md): ask the API
    // for a new server or a resize; a running server of an unchanged type is left alone.
    if (choice.chosenBy === "config" && !ours.some((srv) => srv.serverType === settings.serverType)) {
        const type = await hcloud.getServerType({ name: settings.serverType });
        const here = (type.locations ?? []).find((l) => l.name === settings.location);
        if (type.isDeprecated || here?.isDeprecated) {
            throw new pulumi.RunError(
                `serverType = "${settings.serverType}" is deprecated by Hetzner${here?.unavailableAfter ? ` (unavailable after ${here.unavailableAfter})` : ""}. Fix: choose a current type, e.g. \`pulumi config set serverType cx33\`.`,
            );
        }
        if (!here || !here.available) {
            throw new pulumi.RunError(
                `serverType = "${settings.serverType}" is not available in ${settings.location} right now. Fix: choose another type (\`pulumi config set serverType ...\`) or the other German location (fsn1/nbg1).`,
            );
        }
    }
    for (const srv of ours) {
        const deployed = srv.labels?.["mautic-version"];
        if (deployed && compareMauticVersions(settings.mauticVersion, deployed) < 0) {
            throw new pulumi.RunError(
                `mauticVersion = "${settings.mauticVersion}" is older than ${deployed}, which server '${srv.name}' runs: downgrades are refused ` +
                    `(Mautic's database migrations only go forward). Fix: set mauticVersion back to ${deployed} or newer; to really go back, ` +
                    `restore the backup taken before the upgrade (docs/guide/backup.md, "Restore, step by step").`,
            );
        }
    }
    return choice;
}
