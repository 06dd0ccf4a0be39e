/**
 * One stack = one website = one Mautic. Reads and validates the stack's config, then creates the
 * site. Every option is documented in Pulumi.prod.yaml; keys, defaults and docs are the field table in components/config/fields.ts.
 * The program is a function (Pulumi awaits it and exports what it returns), so the offline plan
 * can run it once per stack in one process.
 */
import { MauticSite } from "./components/site/mauticSite";
import { loadSiteConfig } from "./components/config/stackConfig";
import { caaIssuers } from "./components/config/defaults";

export = async () => {
    // Validated once, here; MauticSite takes the validated settings as they are.
    const { settings, mailerDsn, maxmindLicenseKey } = loadSiteConfig();
    // Asks Hetzner first: refuses when another stack already runs a Mautic for this website.
    const site = await MauticSite.create("site", { settings, mailerDsn, maxmindLicenseKey });
    return {
        url: site.url,
        adminUsername: site.adminUsername,
        adminPassword: site.adminPassword,
        serverIpv4: site.serverIpv4,
        serverIpv6: site.serverIpv6,
        hostKeyFingerprint: site.hostKeyFingerprint,
        // The pinned host key: `echo "<serverIpv4> $(pulumi stack output hostPublicKey)" >> ~/.ssh/known_hosts`.
        // `npm run verify -- --stack NAME` also reads it, the login key (secret) and the volume.
        hostPublicKey: site.hostPublicKey,
        sshPrivateKey: site.host.deployPrivateKey,
        volumeId: site.host.volume.id,
        // The records `domain` needs (created in the Hetzner zone `dnsZone` when it is set).
        dnsRecords: {
            [`${settings.domain}. A`]: site.serverIpv4,
            [`${settings.domain}. AAAA`]: site.serverIpv6,
            [`${settings.domain}. CAA`]: caaIssuers.map((ca) => `0 issue "${ca}"`),
        },
        dnsZone: settings.dnsZone,
        // The off-site Storage Box: its host and the pinned host key's fingerprint (compare it with
        // Hetzner's published fingerprints, then pin it with storageBoxHostKey).
        storageBoxServer: site.offsite?.server,
        storageBoxHostKeyFingerprint: site.offsite?.hostKeyFingerprint,
        warnings: site.warnings,
        // serverType auto: the type chosen (or kept), the prices it was chosen by, the monthly cost.
        serverType: site.serverTypeChoice,
        // C01..C15: what this stack enforces, prepares, leaves manual or weakens (compliance.md).
        compliance: site.compliance,
    };
};
