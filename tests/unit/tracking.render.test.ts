/**
 * The rendered tracking snippets as text: snapshots, a strict check that each is a valid HTML
 * fragment whose scripts cannot be broken out of, safe insertion of the Mautic URL (also for
 * random input), input validation with messages that name the field, and the CSP hashes.
 */
import * as fc from "fast-check";
import * as vm from "vm";
import {
    consentStorageKey,
    cspHash,
    renderCmpSnippet,
    renderConsentSnippet,
    trackingSnippetCsp,
    TrackingSnippetError,
    TrackingSnippetInput,
    validateTrackingSnippetInput,
} from "../../components/edge/tracking";

const input: TrackingSnippetInput = { mauticUrl: "https://marketing.client-a.de", website: "https://www.client-a.de" };

interface Part {
    kind: "comment" | "script" | "style";
    attrs: Record<string, string>;
    text: string;
}

/**
 * Parses the only fragment shape the snippets may have: comments, `<style>` and `<script>`
 * elements with double-quoted attributes, whitespace between. Throws on anything else, and on
 * raw text that could end the element early or switch the HTML tokenizer into an escape state.
 */
function parseFragment(html: string): Part[] {
    const parts: Part[] = [];
    let i = 0;
    while (i < html.length) {
        const ws = /^\s+/.exec(html.slice(i));
        if (ws) {
            i += ws[0].length;
            continue;
        }
        const rest = html.slice(i);
        if (rest.startsWith("<!--")) {
            const end = rest.indexOf("-->", 4);
            if (end < 0) throw new Error("unterminated comment");
            const text = rest.slice(4, end);
            if (/^-?>|<!--|--!>|-$/.test(text)) throw new Error("invalid comment text");
            parts.push({ kind: "comment", attrs: {}, text });
            i += end + 3;
            continue;
        }
        const open = /^<(script|style)((?:\s+[a-z][a-z0-9-]*="[^"<>&]*")*)>/.exec(rest);
        if (!open) throw new Error(`unexpected content at ${i}: ${JSON.stringify(rest.slice(0, 40))}`);
        const tag = open[1] as "script" | "style";
        const attrs: Record<string, string> = {};
        for (const m of open[2].matchAll(/([a-z][a-z0-9-]*)="([^"]*)"/g)) {
            if (m[1] in attrs) throw new Error(`duplicate attribute ${m[1]}`);
            attrs[m[1]] = m[2];
        }
        const close = rest.toLowerCase().indexOf(`</${tag}`, open[0].length);
        if (close < 0 || !rest.slice(close).startsWith(`</${tag}>`)) throw new Error(`<${tag}> not closed by </${tag}>`);
        const text = rest.slice(open[0].length, close);
        if (/<!--|<script|<\/script/i.test(text)) throw new Error(`<${tag}> text contains <!--, <script or </script`);
        if (tag === "style" && text.includes("<")) throw new Error("<style> text contains <");
        parts.push({ kind: tag, attrs, text });
        i += close + tag.length + 3;
    }
    return parts;
}

const scripts = (html: string) => parseFragment(html).filter((p) => p.kind === "script");

describe("rendered snippets", () => {
    const standalone = renderConsentSnippet(input);
    const cmp = renderCmpSnippet(input);

    test("snapshots", () => {
        expect(standalone).toMatchSnapshot("consent-snippet.html");
        expect(cmp).toMatchSnapshot("consent-snippet-cmp.html");
    });

    test("are valid HTML fragments, ASCII only, deterministic, with syntactically valid scripts", () => {
        for (const html of [standalone, cmp]) {
            expect(html).toMatch(/^[\t\n\r\x20-\x7e]*$/);
            const parts = parseFragment(html);
            expect(parts[0].kind).toBe("comment");
            for (const s of parts.filter((p) => p.kind === "script")) expect(() => new vm.Script(s.text)).not.toThrow();
        }
        expect(parseFragment(standalone).map((p) => p.kind)).toEqual(["comment", "style", "script"]);
        expect(renderConsentSnippet(input)).toBe(standalone);
        expect(renderCmpSnippet(input)).toBe(cmp);
    });

    test("the standalone snippet executes by itself and holds the Mautic URL only as data", () => {
        const [s] = scripts(standalone);
        expect(s.attrs).toEqual({ "data-mautic-snippet": "banner" });
        // The URL appears once in the script, inside the JSON config; mtc.js is built from it at runtime.
        expect(s.text.split("https://marketing.client-a.de").length - 1).toBe(1);
        expect(s.text).toContain(`"mauticUrl":"https://marketing.client-a.de","website":"https://www.client-a.de","storageKey":"${consentStorageKey}"`);
        expect(standalone).not.toMatch(/<link|preconnect|dns-prefetch|<img|<iframe|src="/i);
    });

    test("the CMP snippet never executes by itself: every script is type=text/plain, gated by category or service", () => {
        const [loader, revoke] = scripts(cmp);
        expect(scripts(cmp).every((s) => s.attrs.type === "text/plain")).toBe(true);
        expect(loader.attrs).toEqual({
            type: "text/plain",
            "data-category": "marketing",
            "data-name": "mautic",
            "data-type": "text/javascript",
            "data-mautic-snippet": "cmp-loader",
        });
        expect(revoke.attrs).toEqual({ type: "text/plain", "data-category": "!marketing", "data-mautic-snippet": "cmp-revoke" });
        const custom = scripts(renderCmpSnippet({ ...input, cmpCategory: "tracking" }));
        expect(custom.map((s) => s.attrs["data-category"])).toEqual(["tracking", "!tracking"]);
    });

    test("CSP hashes in the leading comment match the inline elements, and trackingSnippetCsp returns them", () => {
        const [, style, script] = parseFragment(standalone);
        expect(trackingSnippetCsp(input, "banner")).toEqual({
            "script-src": [cspHash(script.text), "https://marketing.client-a.de"],
            "style-src": [cspHash(style.text)],
            "connect-src": ["https://marketing.client-a.de"],
            "img-src": ["https://marketing.client-a.de"],
        });
        expect(standalone).toContain(`script-src ${cspHash(script.text)} https://marketing.client-a.de; style-src ${cspHash(style.text)};`);
        const [loader, revoke] = scripts(cmp);
        expect(trackingSnippetCsp(input, "cmp")["script-src"]).toEqual([cspHash(loader.text), cspHash(revoke.text), "https://marketing.client-a.de"]);
        expect(cmp).toContain(`script-src ${cspHash(loader.text)} ${cspHash(revoke.text)} https://marketing.client-a.de;`);
    });

    test("optional settings reach the script: policy link, texts, lifetime, revision, settings button, forget path", () => {
        const html = renderConsentSnippet({
            ...input,
            privacyPolicyUrl: "/datenschutz",
            consentMaxAgeDays: 180,
            consentRevision: 3,
            settingsButton: false,
            mauticForgetPath: "/consent/forget",
            texts: { de: { accept: "Einverstanden", text: "Mautic von {host}." } },
        });
        const [s] = scripts(html);
        const config = JSON.parse(/\}\)\(window, document, (\{.*\})\);\s*$/.exec(s.text)![1]);
        expect(config).toMatchObject({
            privacyPolicyUrl: "/datenschutz",
            maxAgeDays: 180,
            settingsButton: false,
            forgetPath: "/consent/forget",
        });
        expect(config.revision).toMatch(/^[0-9a-f]{16}$/);
        expect(config.texts.de.accept).toBe("Einverstanden");
        expect(config.texts.de.reject).toBe("Ablehnen");
        expect(config.texts.de.text).toBe("Mautic von marketing.client-a.de.");
        expect(config.texts.en.text).toContain("from marketing.client-a.de.");
        expect(html).toContain(`"rev":"${config.revision}",`);
        expect(html).toContain("asked again after 180 days");
    });
});

describe("consent revision: a hash of what the visitor is told", () => {
    const revOf = (extra: Partial<TrackingSnippetInput>) => validateTrackingSnippetInput({ ...input, ...extra }).revisionHash;
    const base = revOf({});

    test("the same settings always give the same 16-hex-digit revision, in both variants' settings", () => {
        expect(base).toMatch(/^[0-9a-f]{16}$/);
        expect(revOf({})).toBe(base);
        expect(revOf({ cmpCategory: "analytics", settingsButton: false, mauticForgetPath: "/consent/forget" })).toBe(base); // nothing the visitor reads
    });

    test.each([
        ["an English text", { texts: { en: { text: "Other words." } } }],
        ["a German button", { texts: { de: { accept: "Ja" } } }],
        ["the storage period text", { texts: { en: { storage: "Kept for ever." } } }],
        ["the privacy policy link", { privacyPolicyUrl: "/privacy" }],
        ["the imprint link", { imprintUrl: "/impressum" }],
        ["the storage period", { consentMaxAgeDays: 180 }],
        ["the manual revision", { consentRevision: 2 }],
        ["the Mautic host", { mauticUrl: "https://mautic.client-a.de" }],
    ] as [string, Partial<TrackingSnippetInput>][])("changing %s gives another revision (the banner asks again)", (_l, extra) => {
        expect(revOf(extra)).not.toBe(base);
    });

    test("the rendered banner stores exactly that revision", () => {
        const html = renderConsentSnippet({ ...input, texts: { en: { title: "New title" } } });
        const [s] = scripts(html);
        const config = JSON.parse(/\}\)\(window, document, (\{.*\})\);\s*$/.exec(s.text)![1]);
        expect(config.revision).toBe(revOf({ texts: { en: { title: "New title" } } }));
        expect(config.revision).not.toBe(base);
    });
});

describe("input validation", () => {
    const problemsOf = (i: unknown): string[] => {
        try {
            validateTrackingSnippetInput(i as TrackingSnippetInput);
        } catch (e) {
            expect(e).toBeInstanceOf(TrackingSnippetError);
            return (e as TrackingSnippetError).problems;
        }
        return [];
    };

    test.each([
        [
            "javascript:alert(1)",
            /^mauticUrl = "javascript:alert\(1\)" uses the javascript: scheme; only https is allowed\. Fix: give the Mautic host's https origin/,
        ],
        ["http://marketing.client-a.de", /is http, not https/],
        ["https://marketing.client-a.de/mtc.js", /has a path, query or fragment/],
        ["https://marketing.client-a.de?x=1", /has a path, query or fragment/],
        ["https://marketing.client-a.de#x", /has a path, query or fragment/],
        ['https://marketing.client-a.de"><script>alert(1)</script>', /contains whitespace, quotes, angle brackets/],
        ["https://marketing.client-a.de'", /quotes/],
        [" https://marketing.client-a.de", /whitespace/],
        ["https://user:pw@marketing.client-a.de", /contains credentials/],
        ["marketing.client-a.de", /no scheme/],
        ["data:text/html,x", /uses the data: scheme/],
        ["https://192.0.2.10", /is an IP address/],
        ["https://localhost", /loopback/],
        ["https://marketing", /no valid fully qualified host name/],
        ["https://marketing.client-\u00e4.de", /non-ASCII/],
        ["", /is empty/],
        [42, /is not a string/],
        [undefined, /is missing: it is required/],
    ])("mauticUrl %j is rejected", (mauticUrl, message) => {
        const problems = problemsOf({ ...input, mauticUrl });
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^mauticUrl /);
        expect(problems[0]).toMatch(message);
    });

    test.each([
        [{ website: "http://www.client-a.de" }, /^website = .* is http, not https/],
        [{ website: "https://www.client-a.de/shop" }, /^website = .* has a path/],
        [{ mauticUrl: "https://www.client-a.de" }, /^mauticUrl = .* is the website's own origin/],
        [{ mauticUrl: "https://www.client-a.de:8443" }, /^mauticUrl = .* has the website's host name/],
        [{ cmpCategory: '"marketing" onload="x' }, /^cmpCategory = .* is not a plain category name/],
        [{ cmpCategory: "!marketing" }, /^cmpCategory /],
        [{ cmpCategory: "" }, /^cmpCategory /],
        [{ privacyPolicyUrl: "javascript:alert(1)" }, /^privacyPolicyUrl = .* uses the javascript: scheme/],
        [{ privacyPolicyUrl: "//evil.example/x" }, /^privacyPolicyUrl = .* uses the https?:|^privacyPolicyUrl /],
        [{ privacyPolicyUrl: "http://www.client-a.de/privacy" }, /^privacyPolicyUrl = .* uses the http: scheme/],
        [{ privacyPolicyUrl: "/daten schutz" }, /^privacyPolicyUrl = .* whitespace/],
        [{ consentMaxAgeDays: 0 }, /^consentMaxAgeDays = 0 is not a whole number from 1 to 395/],
        [{ consentMaxAgeDays: 400 }, /^consentMaxAgeDays /],
        [{ consentMaxAgeDays: 1.5 }, /^consentMaxAgeDays /],
        [{ consentRevision: "2" }, /^consentRevision /],
        [{ settingsButton: "no" }, /^settingsButton = "no" is not a boolean/],
        [{ mauticForgetPath: "consent/forget" }, /^mauticForgetPath /],
        [{ mauticForgetPath: "/a/../b" }, /^mauticForgetPath /],
        [{ mauticForgetPath: "/x?y=1" }, /^mauticForgetPath /],
        [{ texts: { fr: { accept: "Oui" } } }, /^texts\.fr is not a banner language/],
        [{ texts: { en: { ok: "OK" } } }, /^texts\.en\.ok is not a banner text/],
        [{ texts: { en: { accept: " " } } }, /^texts\.en\.accept = .* is not a non-empty string/],
        [{ texts: { de: { text: "a\u2028b" } } }, /^texts\.de\.text = .* control characters/s],
        [{ mauticURL: "https://marketing.client-a.de" }, /^mauticURL is not a tracking snippet setting/],
        [{ allowLoopbackHttp: "yes" }, /^allowLoopbackHttp /],
    ])("%j is rejected with a message naming the field", (override, message) => {
        const problems = problemsOf({ ...input, ...override });
        expect(problems.length).toBeGreaterThanOrEqual(1);
        expect(problems.join("\n")).toMatch(message);
        expect(problems.every((p) => / Fix: /.test(p) || /is not a /.test(p))).toBe(true);
    });

    test("every problem is reported at once, and the error message lists them", () => {
        expect(() => renderConsentSnippet({ mauticUrl: "javascript:x", website: "ftp://x", cmpCategory: "a b" })).toThrow(
            /invalid tracking snippet input \(3 problems\):\n {2}- mauticUrl = .*\n {2}- website = .*\n {2}- cmpCategory = /,
        );
        expect(() => renderCmpSnippet(null as unknown as TrackingSnippetInput)).toThrow(TrackingSnippetError);
    });

    test("origins are normalised; ports are kept", () => {
        const v = validateTrackingSnippetInput({ mauticUrl: "HTTPS://Marketing.Client-A.de:443/", website: "https://www.client-a.de:8443" });
        expect([v.mauticUrl, v.website, v.mauticHost]).toEqual(["https://marketing.client-a.de", "https://www.client-a.de:8443", "marketing.client-a.de"]);
        expect(validateTrackingSnippetInput({ ...input, privacyPolicyUrl: "https://www.client-a.de/datenschutz#tracking" }).privacyPolicyUrl).toBe(
            "https://www.client-a.de/datenschutz#tracking",
        );
    });

    test("http is accepted only for loopback hosts, and only with allowLoopbackHttp (tests)", () => {
        const loop = { mauticUrl: "http://127.0.0.1:19001", website: "http://localhost:19002" };
        expect(problemsOf(loop).join("\n")).toMatch(/mauticUrl = .* is http, not https/);
        expect(validateTrackingSnippetInput({ ...loop, allowLoopbackHttp: true }).mauticUrl).toBe("http://127.0.0.1:19001");
        expect(problemsOf({ mauticUrl: "http://marketing.client-a.de", website: "http://localhost:19002", allowLoopbackHttp: true })).toEqual([
            expect.stringMatching(/^mauticUrl = .* is http, not https/),
        ]);
    });

    test("property: any mauticUrl either fails validation or lands in the snippet as a safe https origin", () => {
        const hostish = fc.stringMatching(/^[a-zA-Z0-9.\-:@/?#"'<>\\ %&;()[\]]{0,30}$/);
        const tail = fc.constantFrom("", "/", ":8443", ":443/", "/mtc.js", "?a=1", "#x", '"', "'><script>", " x", "\\", "%22", "\u2028");
        const candidate = fc.oneof(
            { arbitrary: fc.string({ maxLength: 60 }), weight: 1 },
            { arbitrary: hostish.map((h) => `https://${h}`), weight: 1 },
            { arbitrary: fc.webUrl(), weight: 1 },
            {
                arbitrary: fc.tuple(fc.constantFrom("https://", "HTTPS://", "http://", "javascript:", "https:"), fc.domain(), tail).map((t) => t.join("")),
                weight: 3,
            },
            { arbitrary: fc.tuple(fc.domain(), fc.constantFrom("", "/", ":8443")).map(([d, t]) => `https://${d}${t}`), weight: 2 },
        );
        let accepted = 0;
        fc.assert(
            fc.property(
                candidate,
                fc.oneof({ arbitrary: fc.constant("marketing"), weight: 3 }, { arbitrary: fc.string({ maxLength: 20 }), weight: 1 }),
                (mauticUrl, cmpCategory) => {
                    let html: string[];
                    try {
                        html = [renderConsentSnippet({ ...input, mauticUrl }), renderCmpSnippet({ ...input, mauticUrl, cmpCategory })];
                    } catch (e) {
                        if (!(e instanceof TrackingSnippetError)) throw e;
                        return;
                    }
                    accepted += 1;
                    const origin = new URL(mauticUrl).origin;
                    expect(origin).toMatch(/^https:\/\/[a-z0-9.-]+(:\d+)?$/);
                    for (const h of html) {
                        parseFragment(h);
                        for (const s of scripts(h)) new vm.Script(s.text);
                        expect(h).toContain(`"mauticUrl":"${origin}"`);
                    }
                },
            ),
            { numRuns: 300, seed: 20260101 },
        );
        expect(accepted).toBeGreaterThan(50); // the property also covers inputs that pass validation
    });
});
