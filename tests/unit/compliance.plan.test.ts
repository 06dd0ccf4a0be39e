/**
 * The compliance report of a planned stack (under Pulumi's mocks): the example configuration's
 * C01..C15 with their statuses, evidence quoted from the rendered files, documents, placeholders
 * and renderings; and how changing the configuration changes it. The report built from hand-made
 * rendered files, without a plan: compliance.rendered.test.ts.
 */
import { ComplianceReport, documentPaths, renderComplianceMarkdown, renderComplianceScreen } from "../../components/compliance/compliance";
import { runPlan } from "../../plan/runPlan";
import { testStack } from "../support/stacks";
import { item } from "../support/compliance-report";

async function reportFor(overrides: Record<string, unknown> = {}, opts: { mailer?: boolean } = {}): Promise<ComplianceReport> {
    const plan = await runPlan(testStack(overrides, opts), {}, "2026-11-28");
    return plan.exports.compliance as ComplianceReport;
}

describe("the report of the example configuration", () => {
    let r: ComplianceReport;
    beforeAll(async () => {
        r = await reportFor();
    });

    test("one entry per checklist item C01..C15, each with evidence", () => {
        expect(r.items.map((i) => i.id)).toEqual(Array.from({ length: 15 }, (_, i) => `C${String(i + 1).padStart(2, "0")}`));
        for (const i of r.items) expect(i.evidence.length).toBeGreaterThan(0);
    });

    test("statuses: documents prepared, organisational steps manual, C05 warns (consent-label placeholders; link tracking not pinned off on this branch), the rest enforced", () => {
        const by = Object.fromEntries(r.items.map((i) => [i.id, i.status]));
        expect(by).toEqual({
            C01: "prepared",
            C02: "prepared",
            C03: "manual",
            C04: "prepared",
            C05: "warning",
            C06: "enforced",
            C07: "enforced",
            C08: "prepared",
            C09: "enforced",
            C10: "enforced",
            C11: "enforced",
            C12: "enforced",
            C13: "enforced",
            C14: "manual",
            C15: "enforced",
        });
        expect(r.summary).toEqual({ enforced: 8, prepared: 4, manual: 2, warning: 1 });
    });

    test("evidence quotes the rendered files", () => {
        expect(item(r, "C07").evidence[0]).toMatch(/40 3 \* \* \* \.\.\. mautic:maintenance:cleanup --days-old=21 --no-interaction/);
        expect(item(r, "C11").evidence.join("\n")).toMatch(/max-age=63072000/);
        expect(item(r, "C09").evidence[0]).toMatch(/anonymize_ip=true, track_contact_by_ip=false/);
        expect(item(r, "C12").evidence.join("\n")).toMatch(/SSH only from 203\.0\.113\.0\/24/);
        expect(item(r, "C06").evidence[0]).toMatch(/every one is older than 3 days/);
        expect(item(r, "C12").evidence.join("\n")).toMatch(/edge access log: client IPs masked .* deleted after 7 days/);
    });

    test("C04 is prepared, not enforced: the endpoint enforces DOI for its sign-ups; Mautic's own forms can skip it", () => {
        const e = item(r, "C04").evidence.join("\n");
        expect(e).toMatch(
            /the kit's DOI endpoint \(\/var\/www\/kit-doi, served by the Mautic web container's Apache at \/kit\/doi\/\*\): a sign-up is a POST to \/kit\/doi\/signup/,
        );
        expect(e).toMatch(/creates a contact tagged doi-pending only for an unknown address and changes nothing on a known one/);
        expect(e).toMatch(/HMAC-SHA256 with the stack's doiSecret over it and the address key, so only the mailbox has it/);
        expect(e).toMatch(
            /only a POST of the button on \/kit\/doi\/confirm with that token confirms \(a GET shows the button and changes nothing; a wrong token gets 403/,
        );
        expect(e).toMatch(/sets consent_date \(UTC\)/);
        expect(e).toMatch(/consent-proof ledger kit_consent_ledger \/ kit_consent_texts: keyed hash of the address/);
        expect(e).toMatch(
            /untouched by unsubscribe minimisation, cleanup, contact deletion and `npm run dsr -- erase` \(restricted, Art\. 17\(3\)\(b\),\(e\), Art\. 18\); included in `npm run dsr -- export`/,
        );
        expect(e).toMatch(/not enforced: Mautic's own forms, imports and the API can add addresses without double opt-in/);
        expect(e).toMatch(/mailer_from_email=newsletter@client-a\.de/);
        // The earlier flow is gone from the report: no campaigns, no link click, no local-time consent_date.
        for (const old of [/campaign/i, /opening the link in that email/, /local time/, /created unpublished/]) expect(e).not.toMatch(old);
        expect(item(r, "C04").actions.join("\n")).toMatch(/Point every sign-up of the website at POST \/kit\/doi\/signup/);
    });

    test("C05: required and optional boxes, the label's placeholders warned about, no open pixel; link tracking named as missing", () => {
        const c05 = item(r, "C05");
        const e = c05.evidence.join("\n");
        expect(e).toMatch(/a required, unticked consent box for the newsletter \(naming the controller and what is advertised\)/);
        expect(e).toMatch(
            /a separate, optional, unticked box for the interest profile \(stored as tracking_consent only on confirmation\); a sign-up without consent=1 is refused \(400\)/,
        );
        expect(e).toContain(
            "placeholders left in the texts the form shows: de: consent label [Firma des Verantwortlichen einfügen]; de: consent label [beworbene Produkte und Dienstleistungen einfügen]; en: consent label [insert the controller's legal name]; en: consent label [insert the advertised products and services]",
        );
        expect(e).toMatch(/mailer_append_tracking_pixel=false, no open pixel in any mail \(opens are measured for nobody\)/);
        expect(c05.actions[0]).toMatch(/pulumi config set controllerName .*pulumi config set newsletterTopics .*BGH I ZR 169\/10/);
        expect(c05.actions.join("\n")).toMatch(/use the profile \(points, segments\) only for contacts with tracking_consent set/);
        expect(e).not.toMatch(/click measurement/);
    });

    test("C06 states the safety net's criterion exactly, the ledger's retention and the scope", () => {
        const e = item(r, "C06").evidence.join("\n");
        expect(e).toMatch(
            /deletes a contact only when the endpoint created it for a sign-up \(ledger contact_created = 1, the contact added within 10 minutes of that sign-up\), none of its sign-ups is confirmed and every one is older than 3 days, consent_date is empty, and it carries neither doi-confirmed nor doi-keep/,
        );
        expect(e).toMatch(/a contact that existed before its sign-up is never deleted by it/);
        expect(e).toMatch(/each row is deleted on 1 January after 3 full years after the year of its last mailing or withdrawal/);
        expect(e).toMatch(/scope: sign-ups through the endpoint/);
        expect(e).not.toMatch(/campaign/);
    });

    test("C10 says what it guarantees: no Google Analytics or Meta pixel through Mautic", () => {
        expect(item(r, "C10").evidence[0]).toMatch(/Mautic embeds no Google Analytics and no Meta \(Facebook\) pixel/);
        expect(item(r, "C10").evidence.join("\n")).toMatch(/not covered: Google Analytics that the website embeds itself/);
    });

    test("C12 is enforced by default (a Storage Box per stack, other German location), a warning with offsiteBackup none", async () => {
        expect(item(r, "C12").status).toBe("enforced");
        expect(item(r, "C12").evidence.join("\n")).toMatch(
            /off-site copy of every nightly set, same retention, restorable with mautic-restore --from-offsite: Hetzner Storage Box BX11 in Falkenstein, Germany \(fsn1\)/,
        );
        expect(item(r, "C12").actions.join("\n")).toMatch(/Compare the Storage Box host key fingerprint .* storageBoxHostKey/);
        const pinned = await reportFor({ storageBoxHostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq8" });
        expect(item(pinned, "C12").actions.join("\n")).not.toMatch(/host key fingerprint/);
        const off = await reportFor({ offsiteBackup: "none" });
        expect(item(off, "C12").status).toBe("warning");
        expect(item(off, "C12").evidence.join("\n")).toMatch(/NO off-site backup: Hetzner's server backups exclude the volume/);
        expect(item(off, "C12").actions.join("\n")).toMatch(/offsiteBackup = "none"/);
        const byHand = await reportFor({ backupOffsiteRepository: "sftp://u1@u1.your-storagebox.de:23/mautic" });
        expect(item(byHand, "C12").status).toBe("enforced");
        expect(item(byHand, "C12").evidence.join("\n")).toMatch(/sftp:\/\/u1@u1.your-storagebox.de:23\/mautic \(restic over SFTP, set up by hand\)/);
    });

    test("C08 states the edge's consent-cookie gate, read from the rendered Caddyfile", () => {
        const e = item(r, "C08").evidence.join("\n");
        expect(e).toContain(
            "edge (Caddyfile): Mautic's tracking cookies (mtc_id, mtc_sid, mautic_device_id, mautic_referer_id, mautic_page_*) reach a visitor only on requests that carry the first-party consent cookie tracking_consent=1",
        );
        expect(e).toContain(
            "set by POST /consent/grant from https://www.client-a.de only, 365 days, Secure, HttpOnly, SameSite=None; expired by POST /consent/forget",
        );
        expect(e).toMatch(/removed from the request's Cookie header and every Set-Cookie for them becomes a deletion/);
        expect(item(r, "C08").actions).toHaveLength(1);
    });

    test("Gravatar off by default: C03 and C13 quote the admin img-src without https:, no Gravatar to-do or placeholder", () => {
        expect(item(r, "C13").evidence.join("\n")).toContain("admin UI CSP img-src 'self' data: blob:: no Gravatar avatars");
        expect(item(r, "C03").evidence.join("\n")).toContain("no Gravatar avatars");
        expect(item(r, "C03").actions.join("\n")).not.toMatch(/Gravatar/);
        expect(r.placeholders.map((p) => p.marker)).not.toContain("[[GRAVATAR_TRANSFER_BASIS]]");
    });

    test("gravatar = true: the report says the avatars load and asks for the transfer basis", async () => {
        const on = await reportFor({ gravatar: true });
        expect(item(on, "C13").evidence.join("\n")).toContain("admin UI CSP img-src 'self' data: blob: https:: Mautic's Gravatar avatars load");
        expect(item(on, "C03").actions.join("\n")).toMatch(/Gravatar is on: check the basis of the transfer to Automattic \(USA\)/);
        expect(on.placeholders.map((p) => p.marker)).toContain("[[GRAVATAR_TRANSFER_BASIS]]");
    });

    test("C13 says the public page class is relaxed, quoting the rendered CSP", () => {
        expect(item(r, "C13").evidence.join("\n")).toMatch(/public page class RELAXED .*script-src 'self' 'unsafe-inline' https:/);
    });

    test("the access-log retention follows accessLogRetentionDays", async () => {
        const r = await reportFor({ accessLogRetentionDays: 3 });
        expect(item(r, "C12").evidence.join("\n")).toMatch(/deleted after 3 days/);
    });

    test("lists the documents and the placeholders only the client can fill", () => {
        expect(item(r, "C01").evidence[0]).toContain("docs/en/privacy-policy.md");
        expect(item(r, "C01").evidence[0]).toContain("docs/de/datenschutzerklaerung.md");
        expect(r.placeholders.map((p) => p.marker)).toEqual(expect.arrayContaining(["[[CONTROLLER_NAME]]", "[[DPO_CONTACT]]"]));
        expect(documentPaths).toHaveLength(10);
    });

    test("markdown and one-screen renderings carry every item and the disclaimer", () => {
        const md = renderComplianceMarkdown(r);
        const screen = renderComplianceScreen(r);
        for (const i of r.items) {
            expect(md).toContain(`| ${i.id} |`);
            expect(screen).toContain(` ${i.id} `);
        }
        expect(md).toMatch(/Not legal advice/);
        expect(screen.split("\n").length).toBeLessThanOrEqual(24);
    });
});

describe("the report follows the configuration", () => {
    test("SSH open to the world -> C12 warning", async () => {
        const r = await reportFor({ adminCidrs: ["0.0.0.0/0"] });
        expect(item(r, "C12").status).toBe("warning");
        expect(item(r, "C12").actions.join()).toMatch(/0\.0\.0\.0\/0/);
    });

    test("admin UI open to the world -> C12 warning", async () => {
        const r = await reportFor({ adminUiCidrs: ["0.0.0.0/0"] });
        expect(item(r, "C12").status).toBe("warning");
        expect(item(r, "C12").actions.join()).toMatch(/adminUiCidrs contains 0\.0\.0\.0\/0/);
    });

    test("server backups off -> C12 warning", async () => {
        const r = await reportFor({ backups: false });
        expect(item(r, "C12").status).toBe("warning");
        expect(item(r, "C12").evidence.join()).toMatch(/Hetzner server backups OFF/);
    });

    test("no mailer -> C04 warning (confirmation mails cannot be sent)", async () => {
        const r = await reportFor({}, { mailer: false });
        expect(item(r, "C04").status).toBe("warning");
    });

    test("cleanup period and unconfirmed-contact period are quoted from the config", async () => {
        const r = await reportFor({ cleanupDaysOld: 30, unconfirmedContactDays: 7 });
        expect(item(r, "C07").evidence[0]).toContain("--days-old=30");
        expect(item(r, "C06").evidence[0]).toMatch(/every one is older than 7 days/);
    });
});
