/**
 * The auditor against live fixture sites over HTTPS on loopback (tests/fixtures/audit): real
 * headless Chromium, the real Observatory, a test CA made with openssl. Every broken site must
 * fail with exactly its expected finding id(s); the compliant one must pass.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import { runAudit } from "../../audit/audit";
import { launchBrowser, newVisitorContext } from "../../audit/browser";
import { readCaFiles, spkiHashes, trustStore } from "../../audit/net";
import { certificateFinding } from "../../audit/transport";
import { AuditReport, AuditRunError, Finding } from "../../audit/types";
import { FixtureEnv, listenInRange, MAUTIC_HOST, startAuditFixtures } from "../support/audit-fixtures";
import { requireTool } from "../support/tools";

let env: FixtureEnv;
let chromiumPath: string;

beforeAll(async () => {
    chromiumPath = requireTool("chromium");
    requireTool("openssl");
    env = await startAuditFixtures();
});

afterAll(async () => {
    await env?.close();
});

function audit(site: string, extra: { mauticHosts?: string[] } = {}): Promise<AuditReport> {
    return runAudit({
        url: env.urlOf(site),
        caFiles: [env.caFile],
        connectTo: env.connectTo,
        mauticHosts: extra.mauticHosts ?? [MAUTIC_HOST],
        settleMs: 300,
        chromiumPath,
    });
}

const ids = (findings: Finding[], severity: string) =>
    findings
        .filter((f) => f.severity === severity)
        .map((f) => f.id)
        .sort();
const finding = (r: AuditReport, id: string) => r.findings.find((f) => f.id === id)!;

const EXPECTED: Array<[string, string[]]> = [
    ["compliant", []],
    ["tracking", ["cookie-before-consent", "mautic-before-consent", "storage-before-consent"]],
    ["missing-hsts", ["hsts"]],
    ["mixed-content", ["mixed-content"]],
    ["third-party-font", ["third-party-before-consent"]],
    ["no-redirect", ["https-redirect"]],
];

const reports = new Map<string, AuditReport>();

describe("fixture sites fail with exactly the expected findings", () => {
    test.each(EXPECTED)("%s -> %j", async (site, expected) => {
        const report = await audit(site);
        reports.set(site, report);
        expect(ids(report.findings, "fail")).toEqual(expected);
        expect(report.exitCode).toBe(expected.length > 0 ? 1 : 0);
        expect(report.findings.map((f) => f.id)).toEqual([
            "https-redirect",
            "certificate",
            "hsts",
            "observatory-grade",
            "page-load",
            "third-party-before-consent",
            "mautic-before-consent",
            "cookie-before-consent",
            "storage-before-consent",
            "mixed-content",
        ]);
    });
});

describe("evidence", () => {
    test("compliant: no warnings, A+ headers, only first-party requests, Mautic untouched", () => {
        const r = reports.get("compliant")!;
        expect(ids(r.findings, "warn")).toEqual([]);
        expect(r.observed.observatory).toMatchObject({ grade: "A+", testsFailed: 0 });
        expect(r.observed.requests.length).toBeGreaterThanOrEqual(4);
        expect(r.observed.requests.every((q) => q.party === "first" && !q.mautic)).toBe(true);
        expect(r.observed.cookies).toEqual([]);
        expect(r.observed.storage).toEqual([]);
        expect(finding(r, "https-redirect").evidence).toEqual(["GET http://compliant.shop.test/ -> 301 Location: https://compliant.shop.test/"]);
        expect(finding(r, "certificate").summary).toMatch(/^trusted, matches compliant\.shop\.test, 59 days left/);
        expect(env.hits.mautic.filter((h) => h.includes("compliant"))).toEqual([]);
    });

    test("tracking: the Mautic script and event, its cookies (both kinds of write) and localStorage", () => {
        const r = reports.get("tracking")!;
        const mautic = finding(r, "mautic-before-consent");
        expect(mautic.summary).toContain("https://mautic.shop.test/mtc.js");
        expect(mautic.evidence[0]).toBe("mautic.shop.test: 2 request(s) (fetch, script), first https://mautic.shop.test/mtc.js");
        const cookies = finding(r, "cookie-before-consent").evidence;
        expect(cookies).toContain("mtc_id (first party, domain tracking.shop.test) via document.cookie in https://tracking.shop.test");
        expect(cookies).toContain("mautic_device_id (first party, domain mautic.shop.test) via Set-Cookie from https://mautic.shop.test/mtc/event");
        expect(finding(r, "storage-before-consent").evidence).toEqual(['localStorage https://tracking.shop.test key "mtc_id" (first party)']);
        // the site's Mautic is on the site's own registrable domain: not a third party
        expect(finding(r, "third-party-before-consent").severity).toBe("pass");
        expect(env.hits.mautic).toEqual(expect.arrayContaining(["GET mautic.shop.test /mtc.js", "POST mautic.shop.test /mtc/event"]));
    });

    test("missing-hsts: the header is missing and the Observatory agrees (B+, a warning)", () => {
        const r = reports.get("missing-hsts")!;
        expect(finding(r, "hsts").summary).toBe("no Strict-Transport-Security header");
        const obs = finding(r, "observatory-grade");
        expect(obs.severity).toBe("warn");
        expect(obs.summary).toBe("grade B+ (score 80): below A");
        expect(obs.evidence).toContain("failed strict-transport-security: hsts-not-implemented");
    });

    test("mixed-content: the http:// image is named, whatever Chromium did with it", () => {
        const r = reports.get("mixed-content")!;
        expect(finding(r, "mixed-content").evidence).toEqual([
            expect.stringMatching(/^Image http:\/\/mixed-content\.shop\.test\/logo\.svg \(MixedContent\w+\) on https:\/\/mixed-content\.shop\.test\/$/),
        ]);
    });

    test("third-party-font: the CDN host with its stylesheet and font requests", () => {
        const r = reports.get("third-party-font")!;
        const f = finding(r, "third-party-before-consent");
        expect(f.summary).toBe("1 third-party host(s) contacted before consent: fonts.cdn.test");
        expect(f.evidence).toEqual(["fonts.cdn.test: 2 request(s) (font, stylesheet), first https://fonts.cdn.test/css2?family=Audit+Sans"]);
        expect(env.hits.fonts).toEqual(expect.arrayContaining(["GET fonts.cdn.test /css2"]));
    });

    test("no-redirect: plain HTTP answered 200, the Observatory's redirection test fails too", () => {
        const r = reports.get("no-redirect")!;
        expect(finding(r, "https-redirect").summary).toBe("plain HTTP is served without a redirect to HTTPS (status 200)");
        expect(finding(r, "observatory-grade").evidence).toContain("failed redirection: redirection-missing");
    });
});

test("without --mautic-host, mtc.js is still recognised as Mautic", async () => {
    const r = await audit("tracking", { mauticHosts: [] });
    expect(ids(r.findings, "fail")).toEqual(["cookie-before-consent", "mautic-before-consent", "storage-before-consent"]);
    expect(finding(r, "mautic-before-consent").evidence[1]).toMatch(/^Mautic host\(s\) checked: none given/);
});

test("the compliant fixture's consent gate works: after Accept, Mautic is loaded and the choice stored", async () => {
    const cas = readCaFiles([env.caFile]);
    const browser = await launchBrowser({ chromiumPath, connectTo: env.connectTo, cas });
    try {
        const context = await newVisitorContext(browser, "de-DE");
        const page = await context.newPage();
        const mauticRequests: string[] = [];
        page.on("request", (r) => {
            if (new URL(r.url()).hostname === MAUTIC_HOST) {
                mauticRequests.push(r.url());
            }
        });
        await page.goto(env.urlOf("compliant"), { waitUntil: "networkidle" });
        expect(mauticRequests).toEqual([]);
        await Promise.all([page.waitForResponse("https://mautic.shop.test/mtc/event"), page.click("#consent-accept")]);
        expect(mauticRequests).toEqual(["https://mautic.shop.test/mtc.js", "https://mautic.shop.test/mtc/event"]);
        expect(await page.evaluate(() => localStorage.getItem("consent-choice"))).toBe("accepted");
        expect((await context.cookies()).map((c) => c.name).sort()).toEqual(["mautic_device_id", "mtc_id"]);
    } finally {
        await browser.close();
    }
});

describe("certificate check", () => {
    const netOpts = () => ({ connectTo: env.connectTo, ca: trustStore(readCaFiles([env.caFile])), timeoutMs: 5000 });

    test("a name the certificate does not cover fails", async () => {
        const rules = [{ host: "wrong-name.example", port: 443, connectHost: "127.0.0.1", connectPort: env.ports.siteHttps }];
        const f = await certificateFinding(new URL("https://wrong-name.example/"), { ...netOpts(), connectTo: rules });
        expect(f.severity).toBe("fail");
        expect(f.summary).toMatch(/^name mismatch: .*wrong-name\.example/);
    });

    test("a chain from an untrusted CA fails (no --ca-file)", async () => {
        const f = await certificateFinding(new URL(env.urlOf("compliant")), { ...netOpts(), ca: undefined });
        expect(f.severity).toBe("fail");
        expect(f.summary).toMatch(/^chain not trusted: /);
    });

    test("a certificate past its end date fails; one near it warns", async () => {
        const url = new URL(env.urlOf("compliant"));
        const expired = await certificateFinding(url, netOpts(), new Date(Date.now() + 61 * 86_400_000));
        expect(expired.severity).toBe("fail");
        expect(expired.summary).toMatch(/^expired on /);
        const soon = await certificateFinding(url, netOpts(), new Date(Date.now() + 50 * 86_400_000));
        expect(soon).toMatchObject({ severity: "warn", summary: "valid, but expires in 9 days" });
    });

    test("an unreachable host is a run error (exit 2), not a finding", async () => {
        const probe = net.createServer();
        const port = await listenInRange(probe);
        await new Promise((resolve) => probe.close(resolve));
        const rules = [{ host: "down.shop.test", port: 443, connectHost: "127.0.0.1", connectPort: port }];
        await expect(certificateFinding(new URL("https://down.shop.test/"), { ...netOpts(), connectTo: rules })).rejects.toThrow(AuditRunError);
    });

    test("Chromium trusts the test CA by key: the hash matches openssl's", () => {
        const openssl = requireTool("openssl");
        const pub = execFileSync(openssl, ["x509", "-in", env.caFile, "-pubkey", "-noout"]);
        const der = execFileSync(openssl, ["pkey", "-pubin", "-outform", "der"], { input: pub });
        const digest = execFileSync(openssl, ["dgst", "-sha256", "-binary"], { input: der });
        expect(spkiHashes([fs.readFileSync(env.caFile, "utf8")])).toEqual([digest.toString("base64")]);
    });
});
