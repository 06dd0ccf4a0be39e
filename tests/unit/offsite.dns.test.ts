/**
 * Off-site by default and DNS at Hetzner (issue 21), under the mock runtime and the validator:
 * what the plan registers (Storage Box in the other German location with the site's own key,
 * or a subaccount of the agency's box; ZoneRrsets for A/AAAA/CAA), what it costs, what the
 * validator and the deploy-time check refuse, and that no secret leaves as plain text.
 */
import { SiteConfigError, validateSiteArgs } from "../../components/config/config";
import { offsiteTarget, siteDnsRecords, zoneFileLines } from "../../components/config/offsiteDns";
import { renderSummary } from "../../plan/plan";
import { unwrap, isWrappedSecret } from "../../plan/mockRuntime";
import { runPlan } from "../../plan/runPlan";
import { testStack } from "../support/stacks";

const good = { domain: "marketing.client-a.de", website: "https://www.client-a.de", adminEmail: "ops@agency.example", adminCidrs: ["203.0.113.0/24"] };

function problems(patch: Record<string, unknown>): string {
    try {
        validateSiteArgs({ ...good, ...patch });
    } catch (e) {
        expect(e).toBeInstanceOf(SiteConfigError);
        return (e as SiteConfigError).problems.join("\n");
    }
    throw new Error(`accepted ${JSON.stringify(patch)}`);
}

describe("validation up front", () => {
    test("the default: a Storage Box in the other German location than the server", () => {
        expect(offsiteTarget(validateSiteArgs({ ...good, location: "nbg1" }).settings)).toMatchObject({ kind: "storagebox", location: "fsn1", type: "bx11" });
        expect(offsiteTarget(validateSiteArgs({ ...good, location: "fsn1" }).settings)).toMatchObject({ kind: "storagebox", location: "nbg1" });
    });

    test("a Storage Box in the server's location, or outside Germany, is refused naming storageBoxLocation and the fix", () => {
        expect(problems({ location: "nbg1", storageBoxLocation: "nbg1" })).toMatch(
            /^storageBoxLocation = "nbg1" is the server's location \(nbg1\): one incident there would take the data and its off-site copy; use fsn1\. Fix: use the other German location/m,
        );
        expect(problems({ storageBoxLocation: "hel1" })).toMatch(/^storageBoxLocation = "hel1" is in Helsinki, Finland, not in Germany\. Fix:/m);
        expect(problems({ storageBoxLocation: "ash" })).toMatch(/is in Ashburn, Virginia, USA, not in Germany/);
    });

    test("contradicting off-site keys are refused; offsiteBackup none is a C12 warning", () => {
        expect(problems({ offsiteBackup: "none", storageBoxId: 123 })).toMatch(/^storageBoxId = 123 is set but offsiteBackup = "none" turns the off-site copy off/m);
        expect(problems({ backupOffsiteRepository: "sftp:u1@u1.your-storagebox.de:/m", storageBoxLocation: "fsn1" })).toMatch(/storageBoxLocation = "fsn1" is set together with backupOffsiteRepository/);
        expect(problems({ storageBoxId: 5, storageBoxLocation: "fsn1" })).toMatch(/storageBoxLocation = "fsn1" is set together with storageBoxId/);
        expect(problems({ storageBoxId: -1 })).toMatch(/storageBoxId = -1 is not a Storage Box id/);
        expect(problems({ offsiteBackup: "s3" })).toMatch(/^offsiteBackup = "s3" must be "storagebox"/m);
        expect(problems({ storageBoxHostKey: "u1.your-storagebox.de ssh-ed25519 AAAA" })).toMatch(/storageBoxHostKey = .* is not one OpenSSH host public key/);
        expect(validateSiteArgs({ ...good, offsiteBackup: "none" }).warnings.join("\n")).toMatch(/offsiteBackup = "none": no off-site copy/);
    });

    test("dnsZone must be domain itself or a parent of it", () => {
        expect(problems({ dnsZone: "client-b.de" })).toMatch(
            /^dnsZone = "client-b.de" is not a suffix of domain marketing.client-a.de: the records for marketing.client-a.de cannot go into it\. Fix: give the Hetzner DNS zone that holds domain/m,
        );
        expect(problems({ dnsZone: "ent-a.de" })).toMatch(/is not a suffix of domain/);
        expect(problems({ dnsZone: "https://client-a.de" })).toMatch(/^dnsZone = .* is not a valid zone name/m);
        expect(validateSiteArgs({ ...good, dnsZone: "client-a.de" }).settings.dnsZone).toBe("client-a.de");
        expect(validateSiteArgs({ ...good, dnsZone: "marketing.client-a.de" }).settings.dnsZone).toBe("marketing.client-a.de");
    });

    test("records: names relative to the zone (@ at the apex), CAA for Let's Encrypt and ZeroSSL (Sectigo)", () => {
        const r = siteDnsRecords("marketing.client-a.de", "client-a.de", "203.0.113.10", "2001:db8::1");
        expect(r.map((x) => [x.name, x.type, x.values])).toEqual([
            ["marketing", "A", ["203.0.113.10"]],
            ["marketing", "AAAA", ["2001:db8::1"]],
            ["marketing", "CAA", ['0 issue "letsencrypt.org"', '0 issue "sectigo.com"']],
        ]);
        expect(siteDnsRecords("client-a.de", "client-a.de", "a", "b")[0].name).toBe("@");
        expect(zoneFileLines(r, 300)[2]).toBe('marketing.client-a.de. 300 IN CAA 0 issue "letsencrypt.org"');
    });
});

describe("the plan", () => {
    test("a fresh stack orders a BX11 in fsn1 (server in nbg1) with the site's own ed25519 key; secrets stay secret; C12 enforced", async () => {
        const p = await runPlan(testStack({ location: "nbg1" }));
        const box = p.cloud.one("hcloud:index/storageBox:StorageBox");
        expect(unwrap(box.inputs)).toMatchObject({ location: "fsn1", storageBoxType: "bx11", deleteProtection: true, accessSettings: { sshEnabled: true, sambaEnabled: false, webdavEnabled: false } });
        expect(isWrappedSecret(box.inputs.password)).toBe(true);
        expect(box.options.ignoreChanges).toEqual(["sshKeys"]);
        const key = p.cloud.one("tls:index/privateKey:PrivateKey", "offsite-key");
        expect(key.inputs.algorithm).toBe("ED25519");
        const setup = p.cloud.resources.find((r) => r.type === "command:remote:Command" && r.name.endsWith("offsite-setup"))!;
        expect(String(unwrap(setup.inputs.create))).toMatch(/^\/usr\/local\/sbin\/mautic-offsite-setup '--host' 'u\d+\.your-storagebox\.de' '--user' 'u\d+' '--port' '23'$/);
        expect(isWrappedSecret(setup.inputs.stdin)).toBe(true);
        // The one warning of a fresh stack is C05 (the consent label's placeholders); C12 is enforced.
        const warned = (p.exports.compliance as { items: Array<{ id: string; status: string }> }).items.filter((i) => i.status === "warning").map((i) => i.id);
        expect(warned).toEqual(["C05"]);
        const c12 = (p.exports.compliance as { items: Array<{ id: string; status: string }> }).items.find((i) => i.id === "C12");
        expect(c12?.status).toBe("enforced");
        const summary = renderSummary(p, "out/test");
        expect(summary).toMatch(/\+ off-site 3\.20 \(Storage Box BX11, from the bundled price list bench\/prices\.json of 2026-11-28\) =/);
        expect(summary).toContain("DNS: create these records at the DNS provider");
        expect(summary).toContain('marketing.client-a.de. 300 IN CAA 0 issue "sectigo.com"');
        expect(p.cloud.byType("hcloud:index/zoneRrset:ZoneRrset")).toEqual([]);
        // The backup scripts use the kit's repository through the box's ssh config.
        expect(p.files.get("host/usr/local/sbin/mautic-backup")).toContain("OFFSITE_REPOSITORY='sftp:mautic-offsite:/mautic'");
        expect(p.files.get("host/usr/local/sbin/mautic-backup")).toContain("OFFSITE_SSH_CONFIG='/etc/mautic/offsite/config'");
        for (const secret of p.cloud.secretValues) for (const [, content] of p.files) expect(content).not.toContain(secret);
    });

    test("dnsZone: A, AAAA and CAA record sets in the zone; the DOI setup waits for them, not for a person", async () => {
        const p = await runPlan(testStack({ dnsZone: "client-a.de" }));
        const sets = p.cloud.byType("hcloud:index/zoneRrset:ZoneRrset").map((r) => unwrap(r.inputs) as Record<string, unknown>);
        expect(sets.map((s) => [s.zone, s.name, s.type, s.records]).sort((x, y) => String(x[2]).localeCompare(String(y[2])))).toEqual([
            ["client-a.de", "marketing", "A", [{ value: "203.0.113.10" }]],
            ["client-a.de", "marketing", "AAAA", [{ value: "2001:db8::1" }]],
            ["client-a.de", "marketing", "CAA", [{ value: '0 issue "letsencrypt.org"' }, { value: '0 issue "sectigo.com"' }]],
        ]);
        const doi = p.cloud.resources.find((r) => r.type === "mautic-gdpr-kit:mautic:DoiSetup" || r.name === "site-doi")!;
        expect(doi.options.dependsOn).toEqual(expect.arrayContaining(["site-dns-a", "site-dns-aaaa", "site-dns-caa"]));
        expect(renderSummary(p, "out/test")).toContain("DNS: created in the Hetzner zone client-a.de (no waiting at the first up):");
    });

    test("storageBoxId: a subaccount on the agency's box, 0 for this site; an agency box in the server's location is refused", async () => {
        const p = await runPlan(testStack({ location: "nbg1", storageBoxId: 424242 }));
        expect(p.cloud.byType("hcloud:index/storageBox:StorageBox")).toEqual([]);
        const sub = p.cloud.one("hcloud:index/storageBoxSubaccount:StorageBoxSubaccount");
        expect(unwrap(sub.inputs)).toMatchObject({ storageBoxId: 424242, homeDirectory: "mautic-mautic-gdpr-test", accessSettings: { sshEnabled: true, readonly: false } });
        const setup = p.cloud.resources.find((r) => r.type === "command:remote:Command" && r.name.endsWith("offsite-setup"))!;
        expect(String(unwrap(setup.inputs.create))).toMatch(/'--install-key'$/);
        expect(renderSummary(p, "out/test")).toMatch(/\+ off-site 0\.00 \(a subaccount of the agency's Storage Box: 0 for this site, the box is billed once to the agency\) =/);

        const same = { "hcloud:index/getStorageBox:getStorageBox": () => ({ id: 424242, location: "nbg1" }) };
        await expect(runPlan(testStack({ location: "nbg1", storageBoxId: 424242 }), { calls: same })).rejects.toThrow(
            /storageBoxId = 424242: the box is in nbg1, the same location as this site's server.*Fix: use an agency box in the other German location/,
        );
        const finland = { "hcloud:index/getStorageBox:getStorageBox": () => ({ id: 424242, location: "hel1" }) };
        await expect(runPlan(testStack({ storageBoxId: 424242 }), { calls: finland })).rejects.toThrow(/the box is in hel1, not in Germany/);
    });

    test("offsiteBackup none: no box, no cost, the C12 warning is back", async () => {
        const p = await runPlan(testStack({ offsiteBackup: "none" }));
        expect(p.cloud.byType("hcloud:index/storageBox:StorageBox")).toEqual([]);
        expect(renderSummary(p, "out/test")).toMatch(/\+ off-site 0\.00 =/);
        const warned = (p.exports.compliance as { items: Array<{ id: string; status: string }> }).items.filter((i) => i.status === "warning").map((i) => i.id);
        expect(warned).toEqual(["C05", "C12"]);
    });
});
