/**
 * One stack = one website = one Mautic. Reads and validates the stack's config, then creates the
 * site. Every option is documented in Pulumi.prod.yaml; defaults live in components/defaults.ts.
 */
import { MauticSite } from "./components/mauticSite";
import { loadSiteConfig } from "./components/stackConfig";

const { settings, mailerDsn } = loadSiteConfig();
const { websiteHost: _derived, mailerConfigured: _flag, ...siteArgs } = settings;

const site = new MauticSite("site", { ...siteArgs, mailerDsn });

export const url = site.url;
export const adminUsername = site.adminUsername;
export const adminPassword = site.adminPassword;
export const serverIpv4 = site.serverIpv4;
export const serverIpv6 = site.serverIpv6;
export const hostKeyFingerprint = site.hostKeyFingerprint;
export const dnsRecords = {
    [`${settings.domain}. A`]: site.serverIpv4,
    [`${settings.domain}. AAAA`]: site.serverIpv6,
};
export const warnings = site.warnings;
