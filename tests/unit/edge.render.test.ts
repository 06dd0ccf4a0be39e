/**
 * The web edge renderer, without running Caddy: the production Caddyfile is pinned by a
 * snapshot; the test rendering differs from it only in the TLS issuer and the listen addresses
 * (proved line by line, for arbitrary inputs); bad input is rejected with the field named; the
 * README part quotes the header values the live tests check.
 */
import * as fs from "fs";
import * as path from "path";
import fc from "fast-check";
import {
    CaddyfileInput,
    consentForgetPath,
    describeEdgeAccessLog,
    mauticTrackingCookiePattern,
    edgeDefaults,
    renderCaddyfile,
    renderEdgeLogrotate,
} from "../../components/edge/caddyfile";
import { cspAdmin, cspAdminFor, cspPublic, cspResource, cspStrict, hsts, permissionsPolicy } from "../support/edge-expectations";

const production: CaddyfileInput = {
    domain: "marketing.client-a.de",
    website: "https://www.client-a.de",
    acmeEmail: "ops@client-a.de",
    adminUiCidrs: [],
    accessLogRetentionDays: 7,
    upstream: "mautic_web:80",
};

/** Lines only in a / only in b (longest-common-subsequence diff). The common head and tail are
 *  set aside first (they are in every LCS): the renderings differ in a handful of lines, and the
 *  table is then a few cells instead of the whole file squared (fast-check calls this 100 times). */
function lineDiff(a: string, b: string): { onlyA: string[]; onlyB: string[] } {
    let x = a.split("\n");
    let y = b.split("\n");
    let head = 0;
    while (head < x.length && head < y.length && x[head] === y[head]) head++;
    let tail = 0;
    while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++;
    x = x.slice(head, x.length - tail);
    y = y.slice(head, y.length - tail);
    const lcs: number[][] = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
    for (let i = x.length - 1; i >= 0; i--) {
        for (let j = y.length - 1; j >= 0; j--) {
            lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
        }
    }
    const onlyA: string[] = [];
    const onlyB: string[] = [];
    let i = 0;
    let j = 0;
    while (i < x.length && j < y.length) {
        if (x[i] === y[j]) {
            i++;
            j++;
        } else if (lcs[i + 1][j] >= lcs[i][j + 1]) onlyA.push(x[i++]);
        else onlyB.push(y[j++]);
    }
    onlyA.push(...x.slice(i));
    onlyB.push(...y.slice(j));
    return { onlyA, onlyB };
}

/** The only lines production may have that the test rendering lacks, and vice versa. */
const productionOnly = [/^\t# Certificates by ACME/, /^\t# Listens on all interfaces/, /^\tredir https:\/\/\{host\}\{uri\} 308$/];
const testOnly = [
    /^\t# TEST ONLY: /,
    /^\tlocal_certs$/,
    /^\tskip_install_trust$/,
    /^\thttp_port \d+$/,
    /^\thttps_port \d+$/,
    /^\tdefault_bind 127\.0\.0\.1$/,
    /^\tredir https:\/\/\{host\}:\d+\{uri\} 308$/,
];

function expectOnlyIssuerAndListenDiffer(input: CaddyfileInput, test: NonNullable<CaddyfileInput["test"]>) {
    const { onlyA, onlyB } = lineDiff(renderCaddyfile(input), renderCaddyfile({ ...input, test }));
    for (const line of onlyA) expect(productionOnly.some((re) => re.test(line)) ? "allowed" : line).toBe("allowed");
    for (const line of onlyB) expect(testOnly.some((re) => re.test(line)) ? "allowed" : line).toBe("allowed");
    return { onlyA, onlyB };
}

describe("production Caddyfile", () => {
    test("is pinned by a snapshot (the file the plan uploads to /etc/caddy/Caddyfile)", () => {
        expect(renderCaddyfile(production)).toMatchSnapshot();
    });

    test("has no unfilled placeholder, names the website in framing and CORS, keeps the test-only options out", () => {
        const c = renderCaddyfile(production);
        expect(c).not.toMatch(/\{\{|\}\}/);
        expect(c).toContain("@foreign_origin not header Origin https://www.client-a.de");
        expect(c).toContain("frame-ancestors 'self' https://www.client-a.de");
        expect(c).toContain("reverse_proxy mautic_web:80 {");
        expect(c).toContain(`output file ${edgeDefaults.accessLogPath} {`);
        expect(c).toMatch(/^\temail ops@client-a\.de$/m);
        for (const testOnlyOption of ["local_certs", "skip_install_trust", "http_port", "https_port", "default_bind", "tls internal"]) {
            expect(c).not.toContain(testOnlyOption);
        }
    });

    test("acmeEmail: without it no e-mail goes to the CA (no `email` option); with it, exactly that one", () => {
        const { acmeEmail: _e, ...withoutEmail } = production;
        const c = renderCaddyfile(withoutEmail);
        expect(c).not.toMatch(/^\s*email\b/m);
        expect(c).toContain("# No ACME account e-mail (acmeEmail unset)");
        expect(renderCaddyfile(production).match(/^\temail .*$/gm)).toEqual(["\temail ops@client-a.de"]);
    });

    test("no CSP allows styles or fonts from another host (issue 20: Google Fonts, CDN stylesheets)", () => {
        const c = renderCaddyfile(production);
        const csps = [...c.matchAll(/Content-Security-Policy "([^"]+)"/g)].map((m) => m[1]);
        expect(csps.length).toBe(6);
        for (const csp of csps) {
            for (const d of csp
                .split(";")
                .map((x) => x.trim())
                .filter((x) => /^(style|font)-src /.test(x))) {
                expect([csp, d]).toEqual([csp, expect.not.stringMatching(/https:|\*|\/\//)]);
            }
        }
    });

    test("gravatar: the admin and popup img-src allow https: only when it is true; nothing else changes", () => {
        const off = renderCaddyfile(production);
        const on = renderCaddyfile({ ...production, gravatar: true });
        expect(off).toBe(renderCaddyfile({ ...production, gravatar: false }));
        expect(off.split(`"${cspAdminFor(false)}"`).length - 1).toBe(2);
        expect(on.split(`"${cspAdminFor(true)}"`).length - 1).toBe(2);
        expect(off).not.toContain("img-src 'self' data: blob: https:");
        const diff = (a: string, b: string) => a.split("\n").filter((l, i) => l !== b.split("\n")[i]);
        expect(diff(on, off).every((l) => l.startsWith("#") || l.includes("img-src"))).toBe(true);
        expect(() => renderCaddyfile({ ...production, gravatar: "yes" as unknown as boolean })).toThrow(/gravatar = "yes" is not true or false/);
    });

    test("quotes exactly the header values the live tests expect", () => {
        const c = renderCaddyfile(production);
        for (const v of [hsts, permissionsPolicy, cspStrict, cspAdmin, cspResource(production.website), cspPublic(production.website)]) {
            expect(c).toContain(`"${v}"`);
        }
    });
});

describe("test mode", () => {
    test("differs from production only in the TLS issuer and the listen addresses", () => {
        const { onlyA, onlyB } = expectOnlyIssuerAndListenDiffer(production, { bindHost: "127.0.0.1", httpPort: 18080, httpsPort: 18443 });
        expect(onlyB).toEqual(
            expect.arrayContaining([
                "\tlocal_certs",
                "\thttp_port 18080",
                "\thttps_port 18443",
                "\tdefault_bind 127.0.0.1",
                "\tredir https://{host}:18443{uri} 308",
            ]),
        );
        expect(onlyA).toHaveLength(3);
    });

    test("holds for any valid input (property)", () => {
        const label = fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/);
        const cidr4 = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 })).map(([a, b]) => `${a}.${b}.0.0/16`);
        const cidr6 = fc.integer({ min: 0x2001, max: 0x2fff }).map((n) => `${n.toString(16)}:db8::/32`);
        fc.assert(
            fc.property(
                label,
                label,
                fc.array(fc.oneof(cidr4, cidr6), { maxLength: 4 }),
                fc.integer({ min: 1, max: 365 }),
                fc.integer({ min: 18000, max: 18499 }),
                fc.integer({ min: 18500, max: 18999 }),
                (a, b, cidrs, days, httpPort, httpsPort) => {
                    const input: CaddyfileInput = {
                        domain: `m.${a}.de`,
                        website: `https://www.${b}x.de`,
                        acmeEmail: `ops@${a}.de`,
                        adminUiCidrs: cidrs,
                        accessLogRetentionDays: days,
                        upstream: "mautic_web:80",
                    };
                    const rendered = renderCaddyfile(input);
                    expect(renderCaddyfile(input)).toBe(rendered);
                    expect(rendered).not.toMatch(/\{\{/);
                    expectOnlyIssuerAndListenDiffer(input, { bindHost: "127.0.0.1", httpPort, httpsPort });
                },
            ),
            { numRuns: 25 },
        );
    });
});

/** The block that starts at the line `opening` (e.g. "handle @consent_forget {"), up to its closing brace. */
function blockOf(caddyfile: string, opening: string): string {
    const lines = caddyfile.split("\n");
    const start = lines.findIndex((l) => l.trim() === opening);
    if (start < 0) throw new Error(`no line ${opening}`);
    let depth = 0;
    for (let i = start; i < lines.length; i++) {
        depth += (lines[i].match(/\{/g) ?? []).length - (lines[i].match(/\}/g) ?? []).length;
        if (depth === 0) return lines.slice(start, i + 1).join("\n");
    }
    throw new Error(`block ${opening} is not closed`);
}

describe("consent withdrawal route (consentForgetPath)", () => {
    const expiring = ["mautic_device_id", "mtc_id", "mtc_sid", "mautic_referer_id"].map(
        (n) => `+Set-Cookie "${n}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=None"`,
    );

    test("is /consent/forget, the value the plan's tracking snippets post to", async () => {
        expect(consentForgetPath).toBe("/consent/forget");
        const { runPlan } = await import("../../plan/runPlan");
        const { testStack } = await import("../support/stacks");
        const plan = await runPlan(testStack());
        for (const f of ["tracking/consent-snippet.html", "tracking/consent-snippet-cmp.html"]) {
            expect(plan.files.get(f)).toContain(JSON.stringify(consentForgetPath).slice(1, -1));
        }
    });

    test.each([
        ["production", undefined],
        ["test", { bindHost: "127.0.0.1", httpPort: 18080, httpsPort: 18443 }],
    ] as [string, CaddyfileInput["test"]][])("exists in the %s rendering: answered by the edge with the strict set, never proxied", (_name, test) => {
        const c = renderCaddyfile({ ...production, adminUiCidrs: ["203.0.113.0/24"], test });
        expect(c).toContain(`\t@consent_forget path ${consentForgetPath}\n`);
        const route = blockOf(c, "handle @consent_forget {");
        expect(route).toContain("import headers_strict");
        expect(route).not.toMatch(/to_mautic|reverse_proxy|headers_(public|resource|admin|popup)/);
        for (const line of expiring) expect(route).toContain(line);
        expect(route).toContain(`@consent_forget_website header Origin ${production.website}\n`);
        expect(route).toContain(`Access-Control-Allow-Origin "${production.website}"`);
        expect(route).toContain('Access-Control-Allow-Credentials "true"');
        expect(route).toContain('Access-Control-Allow-Methods "POST"');
        expect(route).toContain('Vary "Origin"');
        expect(blockOf(route, "handle @consent_forget_post {")).toMatch(/respond 204\n/);
        expect(blockOf(route, "handle @consent_forget_preflight {")).toMatch(/respond 204\n/);
        expect(route).toContain('respond "Method Not Allowed" 405');
        // adminUiCidrs restrict the admin paths only; the route is not one of them.
        const denied = blockOf(c, "@adminui_denied {");
        const adminRe = /path_regexp adminui \(\?i\)(.*)$/m.exec(denied)![1];
        expect(new RegExp(adminRe, "i").test(consentForgetPath)).toBe(false);
        expect(new RegExp(adminRe, "i").test("/s/login")).toBe(true);
    });
});

describe("tracking consent (consentGrantPath, consentCookieName)", () => {
    test("the grant cookie lives consentMaxAgeDays (default 365) and holds no identifier", () => {
        expect(renderCaddyfile(production)).toContain('+Set-Cookie "tracking_consent=1; Path=/; Max-Age=31536000; Secure; HttpOnly; SameSite=None"');
        expect(renderCaddyfile({ ...production, consentMaxAgeDays: 180 })).toContain(
            '+Set-Cookie "tracking_consent=1; Path=/; Max-Age=15552000; Secure; HttpOnly; SameSite=None"',
        );
    });
    test.each([0, 396, 1.5, "365"])("consentMaxAgeDays = %p is refused, naming the field", (v) => {
        expect(() => renderCaddyfile({ ...production, consentMaxAgeDays: v as number })).toThrow(
            /consentMaxAgeDays = .* is not a whole number of days from 1 to 395/,
        );
    });
    test("every tracking cookie name the pattern covers, and none of the session or admin cookies", () => {
        const re = new RegExp(`^(?:${mauticTrackingCookiePattern})$`);
        for (const n of ["mtc_id", "mtc_sid", "mautic_device_id", "mautic_referer_id", "mautic_page_3", "mautic_page_12"])
            expect([n, re.test(n)]).toEqual([n, true]);
        for (const n of ["c0ffee0123456789abcdef0123456789", "mautic_update", "mautic_remember_me", "tracking_consent", "xmtc_id"])
            expect([n, re.test(n)]).toEqual([n, false]);
    });
});

describe("adminUiCidrs", () => {
    test("[] leaves the admin UI open: the deny matcher excludes every address", () => {
        const c = renderCaddyfile(production);
        expect(c).toContain("\t\tnot remote_ip 0.0.0.0/0 ::/0\n");
        expect(c).toContain("# adminUiCidrs: [] - the admin UI and /api are open to every network");
    });

    test("a list restricts the admin UI, /api and OAuth to those networks, written canonically", () => {
        const c = renderCaddyfile({ ...production, adminUiCidrs: ["203.0.113.0/24", "2001:0db8:0000::/32"] });
        expect(c).toContain("\t\tnot remote_ip 203.0.113.0/24 2001:db8::/32\n");
        const matcher = c.slice(c.indexOf("@adminui_denied {"), c.indexOf("}", c.indexOf("@adminui_denied {")));
        expect(matcher).toContain("(s|api|oauth)");
        expect(matcher).toContain("passwordreset");
        expect(matcher).not.toMatch(/form|mtc|media|email|asset/);
    });
});

describe("input validation", () => {
    const cases: [string, Partial<CaddyfileInput>, RegExp][] = [
        ["a website with a path", { website: "https://www.client-a.de/shop" }, /website = "https:\/\/www\.client-a\.de\/shop" is not a bare origin/],
        ["an http website", { website: "http://www.client-a.de" }, /website .* is not an https origin/],
        ["a website with a trailing slash", { website: "https://www.client-a.de/" }, /use "https:\/\/www\.client-a\.de"/],
        ["the website on Mautic's host", { website: "https://marketing.client-a.de" }, /website .* is Mautic's own host/],
        ["two websites", { website: "https://a.de https://b.de" }, /website/],
        ["a domain with a newline (Caddyfile injection)", { domain: "m.client-a.de\n:80 {" }, /domain .* is not a lower-case host name/],
        ["a domain with a brace", { domain: "m.client-a.de{" }, /domain/],
        ["an upper-case domain", { domain: "Marketing.client-a.de" }, /domain/],
        ["an email with a space", { acmeEmail: "ops @client-a.de" }, /acmeEmail/],
        ["a CIDR without prefix", { adminUiCidrs: ["203.0.113.7"] }, /adminUiCidrs\[0\] = "203\.0\.113\.7" is not a CIDR block/],
        ["a CIDR with host bits", { adminUiCidrs: ["203.0.113.7/24"] }, /adminUiCidrs\[0\] .* has host bits set; the network is 203\.0\.113\.0\/24/],
        ["zero retention", { accessLogRetentionDays: 0 }, /accessLogRetentionDays = 0/],
        ["fractional retention", { accessLogRetentionDays: 1.5 }, /accessLogRetentionDays/],
        ["an upstream with a space", { upstream: "mautic_web:80 evil" }, /upstream/],
        ["a relative log path", { accessLogPath: "logs/access.log" }, /accessLogPath/],
        ["a non-loopback test bind", { test: { bindHost: "0.0.0.0", httpPort: 18080, httpsPort: 18443 } }, /test\.bindHost/],
        ["equal test ports", { test: { bindHost: "127.0.0.1", httpPort: 18080, httpsPort: 18080 } }, /test\.httpsPort/],
    ];
    test.each(cases)("rejects %s", (_name, patch, message) => {
        expect(() => renderCaddyfile({ ...production, ...patch })).toThrow(message);
    });

    test("lists every problem at once", () => {
        expect(() => renderCaddyfile({ ...production, website: "http://x.de", adminUiCidrs: ["nope"], accessLogRetentionDays: -1 })).toThrow(
            /website[\s\S]*adminUiCidrs\[0\][\s\S]*accessLogRetentionDays/,
        );
    });
});

describe("access log retention", () => {
    test("logrotate keeps the live file plus retention-1 daily files, copytruncate, maxage", () => {
        const conf = renderEdgeLogrotate({ hostLogDir: "/srv/mautic/logs/caddy", accessLogRetentionDays: 7 });
        expect(conf).toContain("/srv/mautic/logs/caddy/access.log {");
        expect(conf).toMatch(/^\s+daily$/m);
        expect(conf).toMatch(/^\s+rotate 6$/m);
        expect(conf).toMatch(/^\s+maxage 7$/m);
        expect(conf).toMatch(/^\s+copytruncate$/m);
        expect(conf).not.toMatch(/\{\{/);
        expect(renderEdgeLogrotate({ hostLogDir: "/x", accessLogRetentionDays: 1 })).toMatch(/^\s+rotate 0$/m);
        expect(() => renderEdgeLogrotate({ hostLogDir: "relative", accessLogRetentionDays: 7 })).toThrow(/hostLogDir/);
        expect(() => renderEdgeLogrotate({ hostLogDir: "/x", accessLogRetentionDays: 0 })).toThrow(/accessLogRetentionDays/);
    });

    test("the compliance sentence states masking, what is never logged, and the retention", () => {
        const s = describeEdgeAccessLog({ accessLogRetentionDays: 7 });
        expect(s).toMatch(/\/24 \(IPv4\)/);
        expect(s).toMatch(/\/32 \(IPv6\)/);
        expect(s).toMatch(/no cookies/);
        expect(s).toMatch(/nothing after \/email\/<action>\//);
        expect(s).toMatch(/deleted after 7 days/);
    });
});

describe("README part (docs/guide/edge.md)", () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "guide", "edge.md"), "utf8");

    test("quotes every header value the edge sends", () => {
        for (const v of [hsts, permissionsPolicy, cspStrict, cspAdmin, cspResource("<website>"), cspPublic("<website>")]) {
            expect(doc).toContain(v);
        }
    });

    test("documents each class, each relaxation, the log masking and retention, and adminUiCidrs", () => {
        for (const word of [
            "edge",
            "admin",
            "popup",
            "api",
            "resource",
            "public",
            "'unsafe-inline'",
            "'unsafe-eval'",
            "/24",
            "/32",
            "logrotate",
            "adminUiCidrs",
            "script.html.twig",
        ]) {
            expect(doc).toContain(word);
        }
    });
});
