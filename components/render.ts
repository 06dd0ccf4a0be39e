/**
 * The pure renderers, the library's `render` namespace (components/index.ts): each takes a plain
 * input object and returns the text (or files) the kit deploys, with no Pulumi and no I/O but
 * reading templates/. Named exports only; docs/guide/library.md lists them.
 */
export { renderBackupFiles } from "./host/backup";
export type { BackupInput, RenderedFile } from "./host/backup";
export { renderAlertFiles } from "./host/alerts";
export type { AlertsInput } from "./host/alerts";
export { renderPrivacyMaintenanceFiles } from "./host/privacyMaintenance";
export type { PrivacyMaintenanceInput } from "./host/privacyMaintenance";
export { renderCloudInit, renderDaemonJson, renderHostFiles } from "./host/cloudInit";
export type { CloudInitInput, HostFile } from "./host/cloudInit";
export { describeEdgeAccessLog, renderCaddyfile, renderEdgeLogrotate } from "./edge/caddyfile";
export type { CaddyfileInput, EdgeLogrotateInput } from "./edge/caddyfile";
export { defaultBannerTexts, renderCmpSnippet, renderConsentSnippet, trackingSnippetCsp } from "./edge/tracking";
export type { BannerTexts, TrackingSnippetCsp, TrackingSnippetInput } from "./edge/tracking";
export { renderApacheVhost, renderCrontab, renderInstallScript, renderParametersLocal, renderWorkerSupervisord } from "./app/mautic";
export type { CronInput, InstallScriptInput, MauticParametersInput } from "./app/mautic";
export { renderComplianceDocuments } from "./compliance/documents";
export type { DocumentInput, RenderedDocument } from "./compliance/documents";
export { renderComplianceMarkdown, renderComplianceScreen } from "./compliance/compliance";
export { doiBlueprint } from "./doi/doiBlueprint";
export type { DoiBlueprint, DoiBlueprintInput } from "./doi/doiBlueprint";
