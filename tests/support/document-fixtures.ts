/**
 * Shared by the tests of the generated privacy texts (tests/unit/documents*.test.ts): the example
 * settings, two measures, the renderer with overrides, the six documents' paths and readers.
 */
import { SiteSettings, validateSiteArgs } from "../../components/config/config";
import { ComplianceMeasure, DocumentInput, renderComplianceDocuments, RenderedDocument } from "../../components/compliance/documents";

const baseRaw = {
    domain: "marketing.client-a.de",
    website: "https://www.client-a.de",
    adminEmail: "ops@client-a.de",
    adminCidrs: ["203.0.113.0/24"],
};

export function settings(extra: Record<string, unknown> = {}, opts: { mailerDsnProvided?: boolean } = {}): SiteSettings {
    const sender = opts.mailerDsnProvided || "mailerDsn" in extra ? { mailerFromEmail: "news@client-a.de", mailerFromName: "Client A" } : {};
    return validateSiteArgs({ ...baseRaw, ...sender, ...extra }, opts).settings;
}

export const measures: ComplianceMeasure[] = [
    { id: "tls", en: "HTTPS only (TLS 1.2/1.3), HSTS 2 years", de: "Nur HTTPS (TLS 1.2/1.3), HSTS 2 Jahre" },
    { id: "access-logs", en: "Edge access logs with masked client IPs", de: "Zugriffsprotokolle mit gek\u00fcrzten IP-Adressen" },
];

export function render(over: Partial<DocumentInput> = {}, extra: Record<string, unknown> = {}): RenderedDocument[] {
    return renderComplianceDocuments({ settings: settings(extra), measures, mailerHost: "smtp.mail.example.de", generatedAt: "2026-05-01", ...over });
}

export const byPath = (docs: RenderedDocument[], path: string): string => {
    const d = docs.find((x) => x.path === path);
    if (!d) throw new Error(`no document ${path}`);
    return d.content;
};
export const P = {
    privacyEn: "docs/en/privacy-policy.md",
    privacyDe: "docs/de/datenschutzerklaerung.md",
    art30En: "docs/en/art30-record.md",
    art30De: "docs/de/verarbeitungsverzeichnis.md",
    dpaEn: "docs/en/dpa-checklist.md",
    dpaDe: "docs/de/avv-checkliste.md",
    runbookEn: "docs/en/breach-runbook.md",
    runbookDe: "docs/de/ablaufplan-datenpanne.md",
    registerEn: "docs/en/breach-register.md",
    registerDe: "docs/de/verzeichnis-datenpannen.md",
};
export const en = (docs: RenderedDocument[]) =>
    docs
        .filter((d) => d.path.startsWith("docs/en/"))
        .map((d) => d.content)
        .join("\n");
export const de = (docs: RenderedDocument[]) =>
    docs
        .filter((d) => d.path.startsWith("docs/de/"))
        .map((d) => d.content)
        .join("\n");
export const markersIn = (text: string) => new Set([...text.matchAll(/\[\[([A-Z0-9_]+)\]\]/g)].map((m) => m[0]));
export const section = (text: string) => {
    const m = /<!-- BEGIN [^>]*-->\n([\s\S]*?)<!-- END [^>]*-->/.exec(text);
    if (!m) throw new Error("no BEGIN/END section");
    return m[1];
};

/**
 * The documents for every combination of the variant switches, rendered once per suite (four tests
 * read them; rendering is pure, "is deterministic" checks it, and no test changes them).
 */
let variants: RenderedDocument[][] | undefined;
export const variantDocs = (): RenderedDocument[][] => (variants ??= renderVariants());

function renderVariants(): RenderedDocument[][] {
    const out: RenderedDocument[][] = [];
    for (const backups of [true, false])
        for (const mailerHost of ["smtp.mail.example.de", undefined])
            for (const consentMechanism of ["banner", "cmp"] as const)
                for (const doubleOptIn of [true, false])
                    for (const offsite of [undefined, "sftp://u1@u1.your-storagebox.de:23/m", "sftp:b@files.example.net:/r"]) {
                        const gravatar = offsite === undefined;
                        const extra = { backups, gravatar, ...(offsite ? { backupOffsiteRepository: offsite } : {}) };
                        out.push(
                            renderComplianceDocuments({
                                settings: settings(extra),
                                measures,
                                mailerHost,
                                generatedAt: "2026-05-01",
                                consentMechanism,
                                doubleOptIn,
                            }),
                        );
                    }
    return out;
}
