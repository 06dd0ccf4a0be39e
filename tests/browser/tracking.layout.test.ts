/**
 * The banner never covers the page's own imprint and privacy links, in real headless Chromium at
 * 360x640 (phone) and 1280x720 (laptop): on a page with those links in the header, in the text
 * and in the footer, and on a page whose footer is fixed at the bottom of the viewport. For each
 * link, at every scroll position where it is on screen, `document.elementFromPoint` at its centre
 * (and near its corners) must hit the link itself, with the banner open and after the choice (the
 * settings button shown). The banner's own first layer links the imprint and the privacy policy
 * and states the storage period. Screenshots are taken and checked for size (into a temp dir).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderConsentSnippet } from "../../components/edge/tracking";
import { settle, startTrackingLab, TrackingLab, Visitor } from "../support/tracking-lab";

let lab: TrackingLab;
let shots: string;
const html = (body: string) => ({ type: "text/html; charset=utf-8", body });

const filler = Array.from({ length: 12 }, (_, i) => `<p>Paragraph ${i + 1}: ${"Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(4)}</p>`).join(
    "\n",
);

function page(snippet: string, variant: "flow" | "fixed-footer"): string {
    const footerStyle = variant === "fixed-footer" ? "position:fixed;left:0;right:0;bottom:0;background:#eee;padding:.5rem 1rem" : "padding:1rem";
    return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Client A</title><style>body{margin:0;font-family:sans-serif}header,main{padding:0 1rem}${variant === "fixed-footer" ? "main{padding-bottom:4rem}" : ""}</style></head>
<body>
<header><nav><a class="legal" id="head-imprint" href="/impressum">Imprint</a> | <a class="legal" id="head-privacy" href="/datenschutz">Privacy</a></nav></header>
<main><h1>Client A</h1>
<p>Read our <a class="legal" id="text-privacy" href="/datenschutz">privacy policy</a> first.</p>
${filler}
</main>
<footer style="${footerStyle}"><a class="legal" id="foot-imprint" href="/impressum">Imprint</a> &middot; <a class="legal" id="foot-privacy" href="/datenschutz">Privacy policy</a></footer>
${snippet}
</body></html>`;
}

beforeAll(async () => {
    lab = await startTrackingLab();
    shots = fs.mkdtempSync(path.join(os.tmpdir(), "banner-layout-"));
    const snippet = renderConsentSnippet({
        mauticUrl: lab.mautic.origin,
        website: lab.siteOrigin,
        privacyPolicyUrl: "/datenschutz",
        imprintUrl: "/impressum",
    });
    lab.site.pages.set("/flow", html(page(snippet, "flow")));
    lab.site.pages.set("/fixed-footer", html(page(snippet, "fixed-footer")));
}, 60_000);

afterAll(async () => {
    await lab?.close();
    if (shots) fs.rmSync(shots, { recursive: true, force: true });
});

interface Covered {
    id: string;
    /** The element hit is the banner, the settings button or inside them. */
    ours: boolean;
    scrollY: number;
    point: [number, number];
    hit: string;
}

/**
 * Scrolls the page from top to bottom in steps of a third of the viewport; at each position,
 * every `.legal` link on screen must be the element at its centre and at points just inside its
 * corners. Returns every miss (what was hit instead).
 */
async function coveredLinks(v: Visitor): Promise<{ misses: Covered[]; checked: number }> {
    return v.page.evaluate(async () => {
        const misses: { id: string; ours: boolean; scrollY: number; point: [number, number]; hit: string }[] = [];
        const ours = (e: Element | null) => !!e && !!e.closest("#mautic-consent, #mautic-consent-open");
        let checked = 0;
        const max = document.documentElement.scrollHeight - innerHeight;
        const step = Math.max(1, Math.floor(innerHeight / 3));
        const positions: number[] = [];
        for (let y = 0; y < max; y += step) positions.push(y);
        positions.push(max);
        for (const y of positions) {
            scrollTo(0, y);
            await new Promise((r) => requestAnimationFrame(() => r(null)));
            for (const a of Array.from(document.querySelectorAll<HTMLElement>("a.legal"))) {
                const r = a.getBoundingClientRect();
                if (r.bottom <= 0 || r.top >= innerHeight || r.right <= 0 || r.left >= innerWidth) continue;
                const pts: [number, number][] = [
                    [r.left + r.width / 2, r.top + r.height / 2],
                    [r.left + 2, r.top + 2],
                    [r.right - 2, r.bottom - 2],
                ].filter(([x, yy]) => x >= 0 && x < innerWidth && yy >= 0 && yy < innerHeight) as [number, number][];
                for (const [x, yy] of pts) {
                    checked++;
                    const hit = document.elementFromPoint(x, yy);
                    if (!hit || !(hit === a || a.contains(hit))) {
                        misses.push({
                            id: a.id,
                            ours: ours(hit),
                            scrollY: scrollY,
                            point: [Math.round(x), Math.round(yy)],
                            hit: hit ? `${hit.tagName}#${hit.id}.${hit.className}` : "nothing",
                        });
                    }
                }
            }
        }
        scrollTo(0, 0);
        return { misses, checked };
    });
}

const viewports = [
    { width: 360, height: 640 },
    { width: 1280, height: 720 },
];

describe.each(viewports)("viewport $width x $height", (viewport) => {
    test.each(["flow", "fixed-footer"])("page %s: no imprint or privacy link of the page is ever covered, before and after the choice", async (variant) => {
        const v = await lab.visitor();
        await v.page.setViewportSize(viewport);
        await v.goto(`/${variant}`);
        const banner = v.page.locator("#mautic-consent");
        expect(await banner.isVisible()).toBe(true);

        // The first layer: imprint and privacy links, and the storage period.
        expect(await banner.locator('a[data-mcc-link="imprint"]').getAttribute("href")).toBe("/impressum");
        expect(await banner.locator('a[data-mcc-link="privacy"]').getAttribute("href")).toBe("/datenschutz");
        expect(await banner.locator("#mautic-consent-storage").textContent()).toMatch(
            /^Storage period: your choice is kept in this browser for 365 days\..*1 year at the latest\.$/,
        );

        // On the fixed-footer page the page's own footer lies over its in-text links while scrolling:
        // that is the page's layout; the snippet's elements must never be what covers a link.
        const own = (c: { misses: Covered[] }) => (variant === "flow" ? c.misses : c.misses.filter((m) => m.ours));
        const open = await coveredLinks(v);
        expect(own(open)).toEqual([]);
        if (variant === "fixed-footer") expect(open.misses.every((m) => m.hit.startsWith("FOOTER"))).toBe(true);
        expect(open.checked).toBeGreaterThanOrEqual(15); // every link was on screen at least once
        // The banner's own controls are reachable too: scrolled into view, nothing lies on them.
        for (const sel of ['button[data-mcc="denied"]', 'button[data-mcc="granted"]', 'a[data-mcc-link="imprint"]']) {
            const el = banner.locator(sel);
            await el.evaluate((e) => e.scrollIntoView({ block: "center" }));
            const ownHit = await el.evaluate((e) => {
                const r = e.getBoundingClientRect();
                const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                return hit === e || e.contains(hit);
            });
            expect([sel, ownHit]).toEqual([sel, true]);
        }
        const shotOpen = path.join(shots, `${viewport.width}x${viewport.height}-${variant}-open.png`);
        await v.page.evaluate(() => scrollTo(0, 0));
        const png = await v.page.screenshot({ path: shotOpen });
        // A PNG of exactly the viewport: width and height from the IHDR chunk.
        expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([viewport.width, viewport.height]);

        await v.page.click('#mautic-consent button[data-mcc="denied"]');
        await settle(100);
        expect(await banner.isHidden()).toBe(true);
        const settingsButton = v.page.locator("#mautic-consent-open");
        expect(await settingsButton.isVisible()).toBe(true);
        await settingsButton.evaluate((e) => e.scrollIntoView({ block: "center" }));
        expect(
            await settingsButton.evaluate((e) => {
                const r = e.getBoundingClientRect();
                return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === e;
            }),
        ).toBe(true);
        const after = await coveredLinks(v);
        expect(own(after)).toEqual([]);
        expect(after.checked).toBeGreaterThanOrEqual(15);
        const shotAfter = await v.page.screenshot({ path: path.join(shots, `${viewport.width}x${viewport.height}-${variant}-after.png`), fullPage: true });
        expect(shotAfter.readUInt32BE(16)).toBe(viewport.width);
        expect(v.errors).toEqual([]);
        await v.close();
    });
});

test("the check can fail: a fixed banner over the footer (the old layout) is caught", async () => {
    const v = await lab.visitor();
    await v.page.setViewportSize({ width: 360, height: 640 });
    await v.goto("/flow");
    await v.page.addStyleTag({ content: "#mautic-consent{position:fixed!important;left:1rem;right:1rem;bottom:1rem;margin:0!important}" });
    const { misses } = await coveredLinks(v);
    expect(misses.map((m) => m.id)).toEqual(expect.arrayContaining(["foot-imprint", "foot-privacy"]));
    expect(misses.every((m) => m.ours)).toBe(true);
    await v.close();
});
