/**
 * Issue 20 item 8: the consent label names the legal entity and what is advertised (BGH I ZR
 * 169/10), from the stack settings `controllerName` and `newsletterTopics`; C05 warns, naming the
 * marker left, while one is missing. The real endpoint: conformance check `form-page`.
 */
import { validateSiteArgs } from "../../components/config/config";
import { addDoiItems, doiFormTexts } from "../../components/compliance/complianceDoi";
import { mauticParameters, siteParametersInput } from "../../components/app/mautic";
import { privacyMaintenancePaths, renderPrivacyMaintenanceFiles } from "../../components/host/privacyMaintenance";
import { renderDoiEndpointConfig } from "../../components/doi/doiEndpoint";

const settingsWith = (extra: Record<string, unknown>) =>
    validateSiteArgs({
        domain: "m.example.de",
        website: "https://www.example.de",
        adminEmail: "a@example.de",
        adminCidrs: ["203.0.113.0/24"],
        mailerDsn: "smtps://u:p@smtp.example.de:465",
        mailerFromEmail: "news@example.de",
        mailerFromName: "Example",
        ...extra,
    }).settings;
const privacyScript = renderPrivacyMaintenanceFiles({ dataDir: "/srv/mautic", dbContainer: "mautic_db", database: "mautic" }).find(
    (f) => f.path === privacyMaintenancePaths.script,
)!.content;
function c05(extra: Record<string, unknown>) {
    const settings = settingsWith(extra);
    const items: Record<string, { status: string; evidence: string[]; actions: string[] }> = {};
    addDoiItems(
        { settings, mauticParameters: mauticParameters(siteParametersInput(settings, { secretKey: "x" })), privacyScript, doiSetup: true },
        (id, status, evidence, actions = []) => (items[id] = { status, evidence, actions }),
    );
    return items.C05;
}

test("both set: the label of each language names them, and C05 has no placeholder left", () => {
    const texts = doiFormTexts(settingsWith({ controllerName: "Beispiel GmbH", newsletterTopics: "Gartenmöbel und Pflanzkurse" }));
    expect(texts.de.consent).toBe(
        "Ja, ich möchte den Newsletter von Beispiel GmbH (www.example.de) per E-Mail erhalten: Informationen und Angebote zu Gartenmöbel und Pflanzkurse. Ich kann diese Einwilligung jederzeit widerrufen (Einzelheiten oben).",
    );
    expect(texts.en.consent).toContain("the newsletter of Beispiel GmbH (www.example.de) by email: information and offers about Gartenmöbel und Pflanzkurse.");
    const item = c05({ controllerName: "Beispiel GmbH", newsletterTopics: "Gartenmöbel und Pflanzkurse" });
    expect(item.evidence).toContain("consent label and notice: no placeholder left");
    expect(item.status).toBe("prepared");
});

test("one missing: its marker stays in the label, C05 warns naming it and the fix", () => {
    const item = c05({ controllerName: "Beispiel GmbH" });
    expect(item.status).toBe("warning");
    expect(item.evidence.join("\n")).toContain("en: consent label [insert the advertised products and services]");
    expect(item.evidence.join("\n")).not.toContain("legal name");
    expect(item.actions[0]).toMatch(/pulumi config set newsletterTopics/);
});

test("the endpoint's config (what the real endpoint serves and archives) carries the filled label", () => {
    const s = settingsWith({ controllerName: "Beispiel GmbH", newsletterTopics: "Kurse" });
    const config = JSON.parse(
        renderDoiEndpointConfig({
            host: s.domain,
            website: s.website,
            controllerName: s.controllerName,
            newsletterTopics: s.newsletterTopics,
            secret: "x".repeat(40),
            apiUser: "admin",
            apiPassword: "pw",
        }),
    ) as { texts: Record<string, { consent: string }> };
    expect(config.texts.de.consent).toContain("Newsletter von Beispiel GmbH (www.example.de) per E-Mail erhalten: Informationen und Angebote zu Kurse.");
    expect(config.texts.en.consent).not.toMatch(/\[insert/);
});
