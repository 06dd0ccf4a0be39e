/**
 * The kit as a library (`import { MauticSite } from "mautic-gdpr-kit"`): a curated list of named
 * exports, documented in docs/guide/library.md. Components with their Args and output types, the
 * config schema and its validators, the defaults, the compliance report, and the pure renderers
 * under the `render` namespace (components/render.ts). Anything not listed here (dynamic
 * providers, test hooks such as the price source override, SSH key file helpers) is internal and
 * may change without notice; import it from its module path inside this repository only.
 */

// Components, their Args and their output types.
export { MauticSite, preflight } from "./site/mauticSite";
export type { MauticSiteArgs, MauticSiteValidatedArgs } from "./site/mauticSite";
export { HardenedHost, hostReadyMarker } from "./host/hardenedHost";
export type { HardenedHostArgs } from "./host/hardenedHost";
export { HostFiles } from "./host/hostFiles";
export type { HostFilesArgs } from "./host/hostFiles";
export { AlertSecrets } from "./host/alertSecrets";
export { AddressHashKey } from "./host/addressHashKey";
export type { AddressHashKeyArgs } from "./host/addressHashKey";
export type { AlertSecretsArgs } from "./host/alertSecrets";
export { ServerLabel } from "./host/serverLabel";
export type { ServerLabelArgs } from "./host/serverLabel";
export { MauticApp } from "./app/mauticApp";
export type { MauticAppArgs } from "./app/mauticApp";
export { SiteSecrets } from "./app/siteSecrets";
export type { SiteSecretsArgs } from "./app/siteSecrets";
export { OffsiteBackup } from "./host/offsiteBackup";
export type { OffsiteBackupArgs } from "./host/offsiteBackup";
export { SiteDns } from "./dns/siteDns";
export type { SiteDnsArgs } from "./dns/siteDns";
export { WebEdge, edgePorts } from "./edge/webEdge";
export type { WebEdgeArgs } from "./edge/webEdge";
export { DoiSetup } from "./doi/doiSetup";
export type { DoiSetupArgs } from "./doi/doiSetup";

// The server type: choice, prices and cost.
export { chooseServerType, hetznerPriceSource, siteCost } from "./host/serverTypeChoice";
export type { PriceList, PriceSource, ServerTypeChoice, SiteCost } from "./host/serverTypeChoice";

// The config: schema, validators, defaults.
export { configKeys, SiteConfigError, validateSiteArgs } from "./config/config";
export type { ConfigKey, MauticSiteSettingsInput, SiteSettings, ValidatedSite } from "./config/config";
export { loadSiteConfig, validateStackConfig } from "./config/stackConfig";
export { defaults, germanLocations, images, minimumMauticVersion, serverTypes, supportedImages } from "./config/defaults";
export type { ServerTypeInfo } from "./config/defaults";

// Validators of the renderers' inputs (each returns or throws the problems, naming field and fix).
export { validateBackupInput } from "./host/backup";
export { validateAlertsInput } from "./host/alerts";
export { validateCaddyfileInput } from "./edge/caddyfile";
export { TrackingSnippetError, validateTrackingSnippetInput } from "./edge/tracking";
export { DocumentInputError } from "./compliance/documents";
export { DoiBlueprintError, resolveDoiSettings } from "./doi/doiBlueprint";

// The compliance report (C01..C15).
export { buildComplianceReport, disclaimer } from "./compliance/compliance";
export type { ComplianceInput, ComplianceItem, ComplianceReport, ComplianceStatus } from "./compliance/compliance";

// The pure renderers: render.renderCaddyfile(...), render.renderCloudInit(...), ...
export * as render from "./render";
