/**
 * An agency's own Pulumi project that uses the kit as a library: ONE client's Mautic per stack
 * (1 website = 1 Mautic = 1 stack; the policy pack refuses a second one), plus what the agency
 * adds around it. The agency's defaults (its networks, its ops mailbox, its server size) live in
 * code; what differs per client comes from the stack config (README.md lists the keys).
 *
 * `mautic-gdpr-kit` resolves to the kit's compiled library (package.json main/types
 * `bin/components/index.*`): run `npm run build` at the repository root, then `npm install` here
 * (package.json links `file:../..`). Working inside the repository without a build, use the
 * sources instead:
 *     import { MauticSite } from "../../components";
 */
import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import { MauticSite } from "mautic-gdpr-kit";

/** The agency's own settings, the same for every client. Documentation ranges: replace them. */
const agency = {
    /** Office VPN and the CI runner's egress: the only sources allowed to reach SSH. */
    sshFrom: ["198.51.100.0/24", "2001:db8:a9e::/48"],
    /** Who may open the Mautic admin UI and /api (the CI runner too: the deploy uses /api). */
    adminUiFrom: ["198.51.100.0/24"],
    /** Receives ACME notices and is the first Mautic admin's email. */
    opsEmail: "ops@agency.example",
    /** Falkenstein; nbg1 (Nuremberg) is the other German location. */
    location: "fsn1",
    serverType: "cx33",
};

export = async () => {
    // Per-client settings from this stack's config (namespace = this project's name).
    const config = new pulumi.Config();
    const domain = config.require("domain");
    const website = config.require("website");

    // Asks Hetzner first: refuses when another stack already runs a Mautic for this website.
    const site = await MauticSite.create("client", {
        domain,
        website,
        adminEmail: config.get("adminEmail") ?? agency.opsEmail,
        adminCidrs: config.getObject<string[]>("adminCidrs") ?? agency.sshFrom,
        adminUiCidrs: agency.adminUiFrom,
        sshPublicKeys: config.getObject<string[]>("sshPublicKeys") ?? [],
        location: config.get("location") ?? agency.location,
        serverType: agency.serverType,
        mailerDsn: config.getSecret("mailerDsn"),
        // Required with mailerDsn: never Mautic's placeholder sender.
        mailerFromEmail: config.get("mailerFromEmail"),
        mailerFromName: config.get("mailerFromName"),
    });

    // The agency's extra: reverse DNS of both server addresses names the Mautic host (mail
    // receivers and abuse desks look it up). Not a child of the site: the kit owns what is inside.
    // Do NOT attach further Hetzner firewalls to site.host.server: the server manages its
    // `firewallIds` and would detach them again on the next `pulumi up`.
    const serverId = site.host.server.id.apply(Number);
    const rdns4 = new hcloud.Rdns("client-rdns-v4", { serverId, ipAddress: site.serverIpv4, dnsPtr: domain });
    const rdns6 = new hcloud.Rdns("client-rdns-v6", { serverId, ipAddress: site.serverIpv6, dnsPtr: domain });

    return {
        url: site.url,
        adminUsername: site.adminUsername,
        adminPassword: site.adminPassword,
        hostKeyFingerprint: site.hostKeyFingerprint,
        /** Records to create at the client's DNS provider before the edge can get its certificate. */
        dnsRecords: {
            [`${domain}. A`]: site.serverIpv4,
            [`${domain}. AAAA`]: site.serverIpv6,
        },
        reverseDns: [rdns4.ipAddress, rdns6.ipAddress],
        warnings: site.warnings,
    };
};
