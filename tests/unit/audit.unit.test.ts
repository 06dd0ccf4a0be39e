/**
 * Auditor logic without network or browser: argument parsing, HSTS parsing and thresholds,
 * first/third-party classification, connect-to rules, Observatory grade policy, the
 * before-consent judgement and the table.
 */
import fc from "fast-check";
import { parseCli } from "../../audit/args";
import { RawObservation } from "../../audit/browser";
import { main } from "../../audit/cli";
import { classify, consentFindings, isMauticTrackingPath, pageLoadFinding } from "../../audit/consent";
import { chromiumResolverRules, connectTarget, parseConnectRule } from "../../audit/net";
import { observatoryFinding } from "../../audit/observatory";
import { renderTable } from "../../audit/report";
import { hostMatches, nameMatches, PartyClassifier, siteOf } from "../../audit/site";
import { hstsFinding, parseHsts } from "../../audit/transport";
import { AuditReport, FINDING_IDS, UsageError } from "../../audit/types";

function io() {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe("parseCli", () => {
    test("defaults, repeatable options and URL normalisation", () => {
        const cli = parseCli([
            "http://www.example.com/landing?x=1",
            "--mautic-host", "Mautic.Example.com",
            "--first-party", "*.example-cdn.com",
            "--allow-cookie", "cc_*", "--allow-cookie", "PHPSESSID",
            "--allow-storage", "consent-choice",
            "--connect-to", "www.example.com:443:127.0.0.1:20443",
            "--json", "out.json", "--min-grade", "a-", "--settle", "0",
        ]);
        expect(cli.audit.url).toBe("https://www.example.com/landing?x=1");
        expect(cli.audit.mauticHosts).toEqual(["mautic.example.com"]);
        expect(cli.audit.firstParty).toEqual(["*.example-cdn.com"]);
        expect(cli.audit.allowCookies).toEqual(["cc_*", "PHPSESSID"]);
        expect(cli.audit.allowStorage).toEqual(["consent-choice"]);
        expect(cli.audit.connectTo).toEqual([{ host: "www.example.com", port: 443, connectHost: "127.0.0.1", connectPort: 20443 }]);
        expect(cli.audit.minGrade).toBe("A-");
        expect(cli.audit.settleMs).toBe(0);
        expect(cli.audit.timeoutMs).toBe(15000);
        expect(cli.json).toBe("out.json");
        expect(parseCli(["example.com"]).audit.url).toBe("https://example.com/");
    });

    test.each([
        [[], /missing <url>/],
        [["a.example", "b.example"], /expected one <url>/],
        [["example.com", "--bogus"], /unknown option --bogus/],
        [["example.com", "--min-grade", "Z"], /--min-grade/],
        [["example.com", "--timeout", "10"], /--timeout/],
        [["example.com", "--connect-to", "example.com:443"], /--connect-to/],
        [["example.com", "--mautic-host", "https://m.example.com/"], /--mautic-host/],
        [["ftp://example.com/"], /only http\(s\)/],
    ])("rejects %j", (argv, message) => {
        expect(() => parseCli(argv)).toThrow(UsageError);
        expect(() => parseCli(argv)).toThrow(message);
    });

    test("main: usage errors exit 2 with the synopsis, --help exits 0", async () => {
        const bad = io();
        expect(await main(["--min-grade", "Q", "example.com"], bad.io)).toBe(2);
        expect(bad.err.join("")).toMatch(/--min-grade 'Q'[\s\S]*Usage: npm run audit/);
        const none = io();
        expect(await main([], none.io)).toBe(2);
        expect(none.err.join("")).toMatch(/^audit: missing <url>\n\nUsage: npm run audit -- <url> \[options\]/);
        const help = io();
        expect(await main(["--help"], help.io)).toBe(0);
        expect(help.out.join("")).toMatch(/Exit codes:\n {2}0 {2}all checks pass.*\n {2}1 .*\n {2}2 {2}usage error/);
    });
});

describe("HSTS", () => {
    test("parses directives case-insensitively, quoted values, rejects invalid headers", () => {
        expect(parseHsts("max-age=63072000; includeSubDomains; preload")).toEqual({
            maxAge: 63072000,
            includeSubDomains: true,
            preload: true,
        });
        expect(parseHsts('Max-Age="31536000"')).toEqual({ maxAge: 31536000, includeSubDomains: false, preload: false });
        expect(parseHsts("includeSubDomains")).toBeNull();
        expect(parseHsts("max-age=abc")).toBeNull();
        expect(parseHsts("max-age=1; max-age=2")).toBeNull();
    });

    test("any well-formed header round-trips (property)", () => {
        fc.assert(
            fc.property(fc.nat(), fc.boolean(), fc.boolean(), (maxAge, sub, pre) => {
                const header = [`max-age=${maxAge}`, sub ? "includeSubDomains" : "", pre ? "preload" : ""]
                    .filter(Boolean)
                    .join("; ");
                expect(parseHsts(header)).toEqual({ maxAge, includeSubDomains: sub, preload: pre });
            }),
        );
    });

    test.each([
        [undefined, "fail", /no Strict-Transport-Security/],
        ["max-age=0", "fail", /below six months/],
        ["max-age=86400", "fail", /below six months/],
        ["max-age=15768000", "warn", /below one year/],
        ["max-age=31536000", "pass", /365 days/],
        ["max-age=63072000; includeSubDomains", "pass", /730 days\), includeSubDomains/],
        ["bogus", "fail", /invalid/],
    ])("header %j -> %s", (value, severity, summary) => {
        const f = hstsFinding("https://x.example/", {
            status: 200,
            url: "https://x.example/",
            headers: value === undefined ? {} : { "strict-transport-security": value },
        });
        expect(f.severity).toBe(severity);
        expect(f.summary).toMatch(summary);
    });
});

describe("first or third party", () => {
    const page = new URL("https://www.shop.co.uk/landing");
    const parties = new PartyClassifier([page], ["*.shop-cdn.example"]);

    test("registrable domain decides, with the public suffix list", () => {
        expect(siteOf(page)).toBe("shop.co.uk");
        expect(parties.isFirstParty(new URL("https://mautic.shop.co.uk/mtc.js"))).toBe(true);
        expect(parties.isFirstParty(new URL("https://other.co.uk/"))).toBe(false);
        expect(parties.isFirstParty(new URL("https://fonts.cdn.test/css2"))).toBe(false);
        expect(parties.isFirstParty(new URL("https://img.shop-cdn.example/a.png"))).toBe(true); // --first-party
        // private suffixes: two github.io sites are different sites
        expect(siteOf(new URL("https://a.github.io/"))).not.toBe(siteOf(new URL("https://b.github.io/")));
    });

    test("IP and localhost hosts compare as host:port; cookies (no port) by host", () => {
        const local = new PartyClassifier([new URL("https://127.0.0.1:20443/")], []);
        expect(local.isFirstParty(new URL("https://127.0.0.1:20443/app.js"))).toBe(true);
        expect(local.isFirstParty(new URL("https://127.0.0.1:20444/font.woff2"))).toBe(false);
        expect(local.isFirstParty(new URL("http://localhost:20443/"))).toBe(false);
        expect(local.isFirstPartyDomain("127.0.0.1")).toBe(true);
        expect(parties.isFirstPartyDomain(".shop.co.uk")).toBe(true);
        expect(parties.isFirstPartyDomain("tracker.example")).toBe(false);
    });

    test("host patterns and name globs", () => {
        expect(hostMatches("a.b.example.com", "*.example.com")).toBe(true);
        expect(hostMatches("example.com", "*.example.com")).toBe(true);
        expect(hostMatches("badexample.com", "*.example.com")).toBe(false);
        expect(hostMatches("WWW.Example.com.", "www.example.com")).toBe(true);
        expect(nameMatches("cc_cookie", "cc_*")).toBe(true);
        expect(nameMatches("xcc_cookie", "cc_*")).toBe(false);
        expect(nameMatches("a.b", "a.b")).toBe(true);
        expect(nameMatches("aXb", "a.b")).toBe(false);
        fc.assert(fc.property(fc.string(), fc.string(), (a, b) => nameMatches(a, b.replace(/\*/g, "")) === (a === b.replace(/\*/g, ""))));
    });
});

describe("--connect-to rules", () => {
    test("parse, first match wins, wildcard, IPv6, Chromium mapping", () => {
        const rules = [
            parseConnectRule("mautic.shop.test:443:127.0.0.1:20601"),
            parseConnectRule("*.shop.test:443:127.0.0.1:20600"),
            parseConnectRule("v6.shop.test:80:[::1]:20602"),
        ];
        expect(connectTarget(rules, "mautic.shop.test", 443)).toEqual({ host: "127.0.0.1", port: 20601 });
        expect(connectTarget(rules, "www.shop.test", 443)).toEqual({ host: "127.0.0.1", port: 20600 });
        expect(connectTarget(rules, "www.shop.test", 80)).toEqual({ host: "www.shop.test", port: 80 });
        expect(connectTarget(rules, "v6.shop.test", 80)).toEqual({ host: "::1", port: 20602 });
        expect(chromiumResolverRules(rules)).toBe(
            "MAP mautic.shop.test:443 127.0.0.1:20601, MAP *.shop.test:443 127.0.0.1:20600, MAP v6.shop.test:80 [::1]:20602",
        );
        expect(chromiumResolverRules([])).toBeUndefined();
        expect(() => parseConnectRule("a:443:b:70000")).toThrow(/out of range/);
        expect(() => parseConnectRule("a:b:c:d")).toThrow(UsageError);
    });
});

describe("Observatory grade policy", () => {
    const result = (grade: string, score: number) => ({
        grade,
        score,
        testsFailed: 1,
        testsQuantity: 10,
        failedTests: ["strict-transport-security: hsts-not-implemented"],
        scannedUrl: "https://x.example/",
    });
    test.each([
        ["A+", "B", "pass"],
        ["A", "B", "pass"],
        ["A-", "B", "warn"],
        ["B+", "B", "warn"],
        ["B", "B", "warn"],
        ["B-", "B", "fail"],
        ["F", "B", "fail"],
        ["B+", "A", "fail"],
    ])("grade %s with minimum %s -> %s", (grade, min, severity) => {
        expect(observatoryFinding(result(grade, 80), min).severity).toBe(severity);
    });
    test("a scan that could not run fails with its message", () => {
        const f = observatoryFinding(new Error("The site seems to be down."), "B");
        expect(f).toMatchObject({ severity: "fail", evidence: ["The site seems to be down."] });
    });
});

describe("before-consent judgement", () => {
    const pageUrl = new URL("https://www.shop.test/");
    const input = { pageUrl, mauticHosts: [] as string[], firstParty: [], allowCookies: [] as string[], allowStorage: [] as string[] };
    const raw = (over: Partial<RawObservation>): RawObservation => ({
        finalUrl: "https://www.shop.test/",
        status: 200,
        idleTimedOut: false,
        loadMs: 900,
        requests: [{ url: "https://www.shop.test/", type: "document", method: "GET", status: 200 }],
        cookies: [],
        storage: [],
        mixedContent: [],
        ...over,
    });
    const failing = (findings: { id: string; severity: string }[]) =>
        findings.filter((f) => f.severity === "fail").map((f) => f.id);

    test("a clean page passes every check", () => {
        const findings = consentFindings(classify(raw({}), input), input);
        expect(findings.map((f) => f.id)).toEqual([
            "third-party-before-consent",
            "mautic-before-consent",
            "cookie-before-consent",
            "storage-before-consent",
            "mixed-content",
        ]);
        expect(findings.every((f) => f.severity === "pass")).toBe(true);
    });

    test("Mautic endpoints are recognised without --mautic-host and not double-reported as third party", () => {
        const obs = classify(
            raw({
                requests: [
                    { url: "https://www.shop.test/", type: "document", method: "GET" },
                    { url: "https://m.agency.example/mtc.js", type: "script", method: "GET" },
                    { url: "https://m.agency.example/mtracking.gif?page_url=x", type: "image", method: "GET" },
                    { url: "https://cdn.tracker.example/t.js", type: "script", method: "GET" },
                ],
            }),
            input,
        );
        const findings = consentFindings(obs, input);
        expect(failing(findings)).toEqual(["third-party-before-consent", "mautic-before-consent"]);
        const third = findings.find((f) => f.id === "third-party-before-consent")!;
        expect(third.summary).toContain("cdn.tracker.example");
        expect(third.summary).not.toContain("agency");
        expect(third.evidence).toContain("script https://cdn.tracker.example/t.js");
        expect(isMauticTrackingPath("/mautic/mtc.js")).toBe(true);
        expect(isMauticTrackingPath("/assets/mtc.json")).toBe(false);
    });

    test("a landing page served by Mautic itself: its own assets are the visit, tracking endpoints still fail", () => {
        const own = { ...input, pageUrl: new URL("https://mautic.shop.test/offer"), mauticHosts: ["mautic.shop.test"] };
        const page = raw({
            finalUrl: "https://mautic.shop.test/offer",
            requests: [{ url: "https://mautic.shop.test/offer", type: "document", method: "GET" }],
        });
        const quiet = consentFindings(classify(page, own), own).find((f) => f.id === "mautic-before-consent")!;
        expect(quiet.severity).toBe("warn");
        page.requests.push({ url: "https://mautic.shop.test/mtc/event", type: "fetch", method: "POST" });
        const loud = consentFindings(classify(page, own), own).find((f) => f.id === "mautic-before-consent")!;
        expect(loud.severity).toBe("fail");
    });

    test("cookies and storage: allow lists, transient writes warn, lasting ones fail", () => {
        const obs = raw({
            cookies: [
                { name: "cc_cookie", domain: "www.shop.test", path: "/", sources: ["document.cookie in https://www.shop.test"], present: true },
                { name: "_probe", domain: "www.shop.test", path: "/", sources: ["document.cookie in https://www.shop.test"], present: false },
            ],
            storage: [
                { kind: "localStorage", origin: "https://www.shop.test", key: "consent-choice", present: true },
                { kind: "sessionStorage", origin: "https://www.shop.test", key: "tmp", present: false },
            ],
        });
        const strict = consentFindings(classify(obs, input), input);
        expect(failing(strict)).toEqual(["cookie-before-consent", "storage-before-consent"]);

        const allowing = { ...input, allowCookies: ["cc_*"], allowStorage: ["consent-choice"] };
        const judged = consentFindings(classify(obs, allowing), allowing);
        expect(failing(judged)).toEqual([]);
        const cookie = judged.find((f) => f.id === "cookie-before-consent")!;
        expect(cookie.severity).toBe("warn");
        expect(cookie.summary).toContain("_probe");
        expect(cookie.evidence.some((e) => e.startsWith("allowed as strictly necessary (--allow-cookie): cc_cookie"))).toBe(true);
        expect(judged.find((f) => f.id === "storage-before-consent")!.severity).toBe("warn");
    });

    test("third-party cookies are labelled, mixed content fails whatever the browser did", () => {
        const obs = classify(
            raw({
                cookies: [{ name: "uid", domain: ".tracker.example", path: "/", sources: [], present: true }],
                mixedContent: [
                    { insecureUrl: "http://www.shop.test/a.png", resolution: "MixedContentAutomaticallyUpgraded", type: "Image", page: "https://www.shop.test/" },
                ],
            }),
            input,
        );
        expect(obs.cookies[0].party).toBe("third");
        const findings = consentFindings(obs, input);
        expect(findings.find((f) => f.id === "cookie-before-consent")!.evidence[0]).toMatch(/^uid \(third party, domain \.tracker\.example\)/);
        expect(findings.find((f) => f.id === "mixed-content")!.evidence).toEqual([
            "Image http://www.shop.test/a.png (MixedContentAutomaticallyUpgraded) on https://www.shop.test/",
        ]);
    });

    test("page-load: navigation error fails, HTTP error and idle timeout warn", () => {
        expect(pageLoadFinding(raw({ navigationError: "net::ERR_CONNECTION_REFUSED" }), "https://x/", 15000).severity).toBe("fail");
        expect(pageLoadFinding(raw({ status: 404 }), "https://x/", 15000).severity).toBe("warn");
        expect(pageLoadFinding(raw({ idleTimedOut: true }), "https://x/", 15000).summary).toMatch(/not idle within 15000 ms/);
        expect(pageLoadFinding(raw({}), "https://x/", 15000).severity).toBe("pass");
    });
});

describe("table", () => {
    test("one row per finding, evidence under failures, a result line", () => {
        const report: AuditReport = {
            tool: "mautic-gdpr-kit audit",
            formatVersion: 1,
            url: "https://www.shop.test/",
            startedAt: "2026-01-01T00:00:00.000Z",
            durationMs: 2345,
            result: "fail",
            exitCode: 1,
            findings: FINDING_IDS.map((id) => ({
                id,
                severity: id === "hsts" ? "fail" : id === "observatory-grade" ? "warn" : "pass",
                summary: `${id} summary`,
                evidence: [`${id} evidence`],
                checklist: [],
            })),
            observed: { requests: [], cookies: [], storage: [], mixedContent: [] },
            options: {
                url: "https://www.shop.test/", mauticHosts: [], firstParty: [], allowCookies: [], allowStorage: [],
                caFiles: [], connectTo: [], minGrade: "B", timeoutMs: 15000, settleMs: 1000, locale: "de-DE",
            },
        };
        const table = renderTable(report);
        expect(table).toContain("Audit of https://www.shop.test/ (2026-01-01T00:00:00.000Z, 2.3 s)");
        expect(table).toMatch(/^RESULT {2}CHECK {23}SUMMARY$/m);
        expect(table).toMatch(/^FAIL {4}hsts {24}hsts summary\n {36}- hsts evidence$/m);
        expect(table).toMatch(/^WARN {4}observatory-grade/m);
        expect(table).not.toContain("certificate evidence");
        expect(renderTable(report, true)).toContain("certificate evidence");
        expect(table.trimEnd().split("\n").pop()).toBe("Result: FAIL (1 fail, 1 warn, 8 pass)");
    });
});
