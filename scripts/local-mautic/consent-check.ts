/**
 * What a real Mautic records with and without tracking consent, through the kit's edge
 * (edge.ts) in headless Chromium, counted in Mautic's own tables. Issue 20 items 3, 4 and 8: the
 * privacy texts say what this run shows (docs/evidence/2026-12-07-consent-on-real-mautic.md).
 *
 * The website is the instance's (up.sh --website, edge.ts --website; default https://www.example.org),
 * served inside Chromium by request interception with the kit's banner snippet, rendered exactly
 * as plan/runPlan.ts renders it (grant and forget paths of the edge). The instance needs a
 * published landing page and a published form with an e-mail field (--landing, --form).
 *
 * usage: ts-node consent-check.ts --edge EDGE.json --instance DIR --landing /aktion --form /form/1
 *          [--visits N] [--out OUT.json]
 * Prints one PASS/FAIL line per check; exit code 1 when any check failed.
 */
import * as fs from "fs";
import * as path from "path";
import * as mysql from "mysql2/promise";
import { Browser, BrowserContext, chromium, Page } from "playwright-core";
import { consentCookieName, consentForgetPath, consentGrantPath } from "../../components/edge/caddyfile";
import { renderConsentSnippet } from "../../components/edge/tracking";
import { requireTool } from "../../tests/support/tools";
import { CHROMIUM_ARGS } from "../../audit/browser";

const WEBSITE_DEFAULT = "https://www.example.org";

function arg(name: string, def?: string): string {
    const i = process.argv.indexOf(`--${name}`);
    const v = i >= 0 ? process.argv[i + 1] : def;
    if (!v) throw new Error(`--${name} is required (usage: consent-check.ts --edge EDGE.json --instance DIR --landing PATH --form PATH)`);
    return v;
}

interface Counts {
    contacts: number;
    anonymous: number;
    hits: number;
    devices: number;
}

interface Seen {
    requests: string[];
    /** Whether Mautic's tracking script ran on the page (its global MauticJS exists). */
    mauticJs: boolean;
    mauticCookies: string[];
    siteCookies: string[];
    storage: string[];
}

const results: Array<{ id: string; pass: boolean; detail: string }> = [];
function check(id: string, pass: boolean, detail: string) {
    results.push({ id, pass, detail });
    process.stdout.write(`${pass ? "PASS" : "FAIL"} ${id}: ${detail}\n`);
}

async function main() {
    const edge = JSON.parse(fs.readFileSync(arg("edge"), "utf8")) as { domain: string; website?: string; httpsPort: number };
    const WEBSITE = edge.website ?? WEBSITE_DEFAULT;
    const dir = arg("instance");
    const env = Object.fromEntries(
        fs
            .readFileSync(path.join(dir, "instance.env"), "utf8")
            .split("\n")
            .filter((l) => l.includes("="))
            .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    const db = await mysql.createConnection({
        host: env.IP,
        port: 3306,
        user: "mautic",
        password: fs.readFileSync(path.join(dir, "secrets/db-password"), "utf8").trim(),
        database: "mautic",
    });
    const counts = async (): Promise<Counts> => {
        const [rows] = await db.query(
            "SELECT (SELECT COUNT(*) FROM leads) AS contacts, (SELECT COUNT(*) FROM leads WHERE email IS NULL) AS anonymous," +
                " (SELECT COUNT(*) FROM page_hits) AS hits, (SELECT COUNT(*) FROM lead_devices) AS devices",
        );
        const r = (rows as Array<Record<string, number>>)[0];
        return { contacts: Number(r.contacts), anonymous: Number(r.anonymous), hits: Number(r.hits), devices: Number(r.devices) };
    };
    const delta = (a: Counts, b: Counts) => ({
        contacts: b.contacts - a.contacts,
        anonymous: b.anonymous - a.anonymous,
        hits: b.hits - a.hits,
        devices: b.devices - a.devices,
    });
    const show = (d: Counts) => `contacts +${d.contacts} (anonymous +${d.anonymous}), page_hits +${d.hits}, lead_devices +${d.devices}`;
    // Page hits go through Mautic's `hit` queue; the worker stores the page and the contact's
    // last activity, the hit row itself is written in the request. Wait until the queue is empty.
    const drained = async () => {
        for (let i = 0; i < 60; i++) {
            const [rows] = await db.query("SELECT COUNT(*) AS n FROM messenger_messages WHERE queue_name = 'hit'");
            if (Number((rows as Array<{ n: number }>)[0].n) === 0) return;
            await new Promise((r) => setTimeout(r, 1000));
        }
    };

    const mauticOrigin = `https://${edge.domain}`;
    const snippetInput = { mauticUrl: mauticOrigin, website: WEBSITE, mauticForgetPath: consentForgetPath, mauticGrantPath: consentGrantPath };
    const page = (snippet: string) =>
        `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Website</title></head><body><main><h1>Website</h1>` +
        `<a id="to-landing" href="${mauticOrigin}${arg("landing")}">Offer</a></main>${snippet}</body></html>`;
    const revA = page(renderConsentSnippet(snippetInput));
    const revB = page(renderConsentSnippet({ ...snippetInput, texts: { en: { title: "Marketing analytics: your choice (new)" } } }));

    const browser: Browser = await chromium.launch({
        executablePath: requireTool("chromium"),
        args: [
            ...CHROMIUM_ARGS,
            // The website is served by request interception, i.e. from no address; Chromium would
            // treat requests from it to the edge on loopback as local-network requests and block them.
            "--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessRespectPreflightResults,BlockInsecurePrivateNetworkRequests",
            `--host-resolver-rules=MAP ${edge.domain}:443 127.0.0.1:${edge.httpsPort}, MAP * ~NOTFOUND`,
        ],
    });
    const visitor = async (): Promise<{ context: BrowserContext; page: Page; requests: string[] }> => {
        const context = await browser.newContext({ ignoreHTTPSErrors: true, serviceWorkers: "block" });
        let site = revA;
        await context.route(`${WEBSITE}/**`, (route) => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: site }));
        (context as unknown as { setSite: (s: string) => void }).setSite = (s: string) => (site = s);
        const requests: string[] = [];
        context.on("request", (r) => {
            if (r.url().startsWith(mauticOrigin)) requests.push(`${r.method()} ${r.url().slice(mauticOrigin.length).split("?")[0]}`);
        });
        context.on("requestfailed", (r) => {
            if (r.url().startsWith(mauticOrigin))
                requests.push(`FAILED ${r.method()} ${r.url().slice(mauticOrigin.length).split("?")[0]} ${r.failure()?.errorText}`);
        });
        return { context, page: await context.newPage(), requests };
    };
    const seen = async (v: { context: BrowserContext; page: Page; requests: string[] }): Promise<Seen> => {
        const all = await v.context.cookies();
        const storage: string[] = [];
        for (const p of v.context.pages()) {
            try {
                storage.push(...(await p.evaluate(() => Object.keys(window.localStorage).concat(Object.keys(window.sessionStorage)))));
            } catch {
                /* page gone */
            }
        }
        const mauticJs = await v.page.evaluate(() => typeof (window as unknown as { MauticJS?: unknown }).MauticJS !== "undefined").catch(() => false);
        return {
            requests: [...v.requests],
            mauticJs,
            mauticCookies: all.filter((c) => c.domain.replace(/^\./, "") === edge.domain).map((c) => c.name),
            siteCookies: all.filter((c) => c.domain.replace(/^\./, "") !== edge.domain).map((c) => c.name),
            storage: storage.filter((k) => /^(mtc|mautic)/i.test(k)),
        };
    };
    const visits = Number(arg("visits", "5"));
    const out: Record<string, unknown> = {};
    try {
        // 1. Landing page and form page, no consent: fresh browser each time.
        for (const [label, target] of [
            ["landing", arg("landing")],
            ["form page", arg("form")],
        ] as const) {
            const before = await counts();
            const seenAll: Seen[] = [];
            for (let i = 0; i < visits; i++) {
                const v = await visitor();
                await v.page.goto(mauticOrigin + target, { waitUntil: "networkidle" });
                await v.page.waitForTimeout(500);
                seenAll.push(await seen(v));
                await v.context.close();
            }
            await drained();
            const d = delta(before, await counts());
            out[`no-consent ${label}`] = { delta: d, seen: seenAll[0] };
            const stored = seenAll.flatMap((s) => [...s.mauticCookies, ...s.storage]);
            check(
                `no-consent-${label.replace(" ", "-")}`,
                d.contacts === 0 &&
                    d.hits === 0 &&
                    d.devices === 0 &&
                    stored.length === 0 &&
                    !seenAll.some((s) => s.mauticJs || s.requests.includes("POST /mtc/event")),
                `${visits} visits without consent: ${show(d)}; stored on the device: ${stored.length ? stored.join(", ") : "nothing"}; ` +
                    `Mautic's tracking script ran: ${seenAll.filter((s) => s.mauticJs).length} of ${visits}; requests: ${seenAll[0].requests.join(", ")}`,
            );
        }

        // 2. The website: no decision, reject.
        {
            const v = await visitor();
            await v.page.goto(`${WEBSITE}/`, { waitUntil: "networkidle" });
            const first = await seen(v);
            await v.page.click('[data-mcc="denied"]');
            await v.page.waitForTimeout(800);
            const after = await seen(v);
            check(
                "website-before-consent",
                first.requests.length === 0 && after.requests.length === 0 && after.mauticCookies.length === 0,
                `banner shown and rejected: requests to the Mautic host ${after.requests.length}, its cookies ${after.mauticCookies.length}`,
            );
            await v.context.close();
        }

        // 2b. A page of the website that embeds a Mautic form (Mautic's embed code), no decision.
        {
            const v = await visitor();
            const formId = arg("form").replace(/^.*\//, "");
            (v.context as unknown as { setSite: (s: string) => void }).setSite(
                page(`<script src="${mauticOrigin}/form/generate.js?id=${formId}"></script>${renderConsentSnippet(snippetInput)}`),
            );
            const before = await counts();
            await v.page.goto(`${WEBSITE}/`, { waitUntil: "networkidle" });
            await v.page.waitForTimeout(800);
            await drained();
            const d = delta(before, await counts());
            const s = await seen(v);
            const shown = await v.page.locator('input[type="email"]').count();
            check(
                "website-form-embed",
                shown === 1 && d.contacts === 0 && d.hits === 0 && d.devices === 0 && s.mauticCookies.length === 0 && s.storage.length === 0 && !s.mauticJs,
                `website page with the form embedded, no decision: form shown ${shown === 1}; ${show(d)}; requests: ${s.requests.join(", ")}; ` +
                    `Mautic host cookies ${s.mauticCookies.length}, mtc*/mautic* storage ${s.storage.length}`,
            );
            await v.context.close();
        }

        // 3. Accept on the website, then open a landing page: one contact, both hits linked to it.
        const v = await visitor();
        let before = await counts();
        await v.page.goto(`${WEBSITE}/`, { waitUntil: "networkidle" });
        // Accept: the grant, then mtc.js and its page view; wait for Mautic's answer to it.
        await Promise.all([v.page.waitForResponse((r) => r.url() === `${mauticOrigin}/mtc/event`, { timeout: 30_000 }), v.page.click('[data-mcc="granted"]')]);
        await v.page.waitForTimeout(500);
        await drained();
        let d = delta(before, await counts());
        const accepted = await seen(v);
        check(
            "accept-website",
            d.contacts === 1 && d.hits === 1 && accepted.mauticCookies.includes(consentCookieName),
            `after Accept: ${show(d)}; requests: ${accepted.requests.join(", ")}; Mautic host cookies: ${accepted.mauticCookies.join(", ")}`,
        );
        before = await counts();
        await Promise.all([v.page.waitForNavigation({ waitUntil: "networkidle" }), v.page.click("#to-landing")]);
        await v.page.waitForTimeout(1000);
        await drained();
        d = delta(before, await counts());
        const [leadRows] = await db.query("SELECT lead_id, COUNT(*) AS n FROM page_hits GROUP BY lead_id ORDER BY MAX(id) DESC LIMIT 1");
        const lastLead = (leadRows as Array<{ lead_id: number; n: number }>)[0];
        check(
            "accept-landing",
            d.contacts === 0 && d.hits >= 1 && Number(lastLead.n) >= 2,
            `landing page after Accept: ${show(d)}; contact ${lastLead.lead_id} now has ${lastLead.n} page hits (website and landing page)`,
        );

        // 4. Item 4: a form submitted with consent identifies the visitor; the earlier visits are theirs.
        const email = `consent-${Date.now()}@example.org`;
        await v.page.fill('input[type="email"]', email);
        await v.page.click('button[type="submit"], input[type="submit"]');
        await v.page.waitForTimeout(2500);
        await drained();
        const [mine] = await db.query(
            "SELECT l.id, COUNT(h.id) AS hits FROM leads l LEFT JOIN page_hits h ON h.lead_id = l.id WHERE l.email = ? GROUP BY l.id",
            [email],
        );
        const me = (mine as Array<{ id: number; hits: number }>)[0];
        check(
            "identified-profile",
            !!me && Number(me.hits) >= 2,
            me ? `form submitted after Accept: contact ${me.id} (${email}) holds ${me.hits} page hits made before the submission` : `no contact with ${email}`,
        );

        // 5. Item 8: the banner's texts change (new revision); the old consent no longer counts.
        (v.context as unknown as { setSite: (s: string) => void }).setSite(revB);
        const n0 = v.requests.length;
        await v.page.goto(`${WEBSITE}/`, { waitUntil: "networkidle" });
        await v.page.waitForTimeout(1500);
        const afterRev = await seen(v);
        const sent = afterRev.requests.slice(n0);
        before = await counts();
        await v.page.goto(mauticOrigin + arg("landing"), { waitUntil: "networkidle" });
        await v.page.waitForTimeout(1000);
        await drained();
        d = delta(before, await counts());
        check(
            "revision-change",
            sent.includes(`POST ${consentForgetPath}`) && !afterRev.mauticCookies.includes(consentCookieName) && d.hits === 0 && d.contacts === 0,
            `website with new banner texts, no decision: requests ${sent.join(", ") || "none"}; Mautic host cookies ${afterRev.mauticCookies.join(", ") || "none"}; then the landing page: ${show(d)}`,
        );
        await v.context.close();

        // 6. A form submitted without consent: the contact with its address, no anonymous one.
        {
            const w = await visitor();
            before = await counts();
            const email2 = `noconsent-${Date.now()}@example.org`;
            await w.page.goto(mauticOrigin + arg("form"), { waitUntil: "networkidle" });
            await w.page.fill('input[type="email"]', email2);
            await w.page.click('button[type="submit"], input[type="submit"]');
            await w.page.waitForTimeout(2500);
            await drained();
            d = delta(before, await counts());
            const [rows] = await db.query("SELECT COUNT(*) AS n FROM leads WHERE email = ?", [email2]);
            const stored = await seen(w);
            check(
                "form-without-consent",
                Number((rows as Array<{ n: number }>)[0].n) === 1 && d.anonymous === 0 && stored.mauticCookies.length === 0,
                `form submitted without consent: ${show(d)}; contact with the address: ${(rows as Array<{ n: number }>)[0].n}; Mautic host cookies: ${stored.mauticCookies.join(", ") || "none"}`,
            );
            await w.context.close();
        }
    } finally {
        await browser.close();
        await db.end();
    }
    const failed = results.filter((r) => !r.pass).length;
    process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
    if (process.argv.includes("--out")) fs.writeFileSync(arg("out"), JSON.stringify({ results, out }, null, 2));
    process.exit(failed ? 1 : 0);
}

main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
});
