/**
 * Issue 19: a mail scanner's GET of an unsubscribe link must not unsubscribe. Mautic 5.2.1
 * unsubscribes on any method of `/email/unsubscribe/...` and `/email/dnc/...`, so the edge (a live
 * Caddy in front of the stub) answers GET and HEAD itself with a page whose one button POSTs to
 * the same URL; that POST and the one-click POST of RFC 8058 reach Mautic. Also the open pixel
 * (answered by the edge, nothing recorded) and the web view (no User-Agent passed on). A real
 * headless Chromium renders the page under its CSP and presses the button.
 */
import * as crypto from "crypto";
import { chromium } from "playwright-core";
import { renderUnsubscribePage, unsubscribePageStyle } from "../../components/edge/unsubscribePage";
import { edgeRequest, RunningEdge, startEdge } from "../support/edge-caddy";
import { cspUnsubscribe } from "../support/edge-expectations";
import { EdgeStub, startEdgeStub } from "../support/edge-stub";
import { requireTool } from "../support/tools";

let stub: EdgeStub;
let edge: RunningEdge;

beforeAll(async () => {
    requireTool("caddy");
    stub = await startEdgeStub();
    edge = await startEdge({ upstream: `127.0.0.1:${stub.port}` });
});
afterAll(async () => {
    await edge?.stop();
    await stub?.close();
});

const link = "/email/unsubscribe/5f3a9c1d2e/jane.doe%40example.org/9b8c7d6e5f4a";
const reached = (method: string, url: string) => stub.requests.filter((r) => r.method === method && r.url === url).length;
const styleHash = crypto.createHash("sha256").update(unsubscribePageStyle).digest("base64");

describe("a GET or HEAD of an unsubscribe link never reaches Mautic", () => {
    test.each([
        ["GET", link],
        ["HEAD", link],
        ["GET", "/email/unsubscribe/5f3a9c1d2e"],
        ["GET", "/email/dnc/5f3a9c1d2e/jane.doe@example.org/9b8c7d6e5f4a"],
        ["GET", "/index.php/email/unsubscribe/5f3a9c1d2e/jane.doe@example.org/9b8c7d6e5f4a"],
        ["GET", "/EMAIL/Unsubscribe/5f3a9c1d2e/jane.doe@example.org/9b8c7d6e5f4a"],
        ["GET", "//email//dnc/5f3a9c1d2e"],
        ["GET", `${link}?utm_source=x`],
    ])("%s %s -> the edge's page, 0 requests upstream", async (method, raw) => {
        const before = stub.requests.length;
        const res = await edgeRequest(edge, raw, { method });
        expect(res.status).toBe(200);
        expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
        expect(res.headers["content-security-policy"]).toBe(cspUnsubscribe(styleHash));
        expect(res.headers["cache-control"]).toBe("no-store");
        expect(res.headers["set-cookie"]).toBeUndefined();
        if (method === "GET") expect(res.body).toBe(renderUnsubscribePage());
        expect(stub.requests.length - before).toBe(0);
    });

    test("the page holds one form that POSTs to its own URL (no action) and loads nothing", () => {
        const html = renderUnsubscribePage();
        expect(html.match(/<form\b[^>]*>/g)).toEqual(['<form method="post">']);
        expect(html).not.toMatch(/\b(src|href|action)=/);
        expect(html).toContain('<button type="submit" name="confirm" value="1">');
    });

    test.each([
        ["the button's POST", "confirm=1"],
        ["the one-click POST of RFC 8058 (List-Unsubscribe-Post)", "List-Unsubscribe=One-Click"],
    ])("%s passes to Mautic unchanged", async (_what, body) => {
        const before = reached("POST", link);
        const res = await edgeRequest(edge, link, { method: "POST", body, headers: { "Content-Type": "application/x-www-form-urlencoded" } });
        expect(res.status).toBe(200);
        expect(reached("POST", link) - before).toBe(1);
    });

    test.each(["PUT", "DELETE", "PATCH", "OPTIONS"])("%s is refused by the edge (405, Allow: GET, HEAD, POST)", async (method) => {
        const before = stub.requests.length;
        const res = await edgeRequest(edge, link, { method });
        expect(res.status).toBe(405);
        expect(res.headers.allow).toBe("GET, HEAD, POST");
        expect(stub.requests.length - before).toBe(0);
    });

    test("resubscribe and web-view links are not touched (they pass to Mautic)", async () => {
        for (const raw of ["/email/resubscribe/5f3a9c1d2e", "/email/view/5f3a9c1d2e"]) {
            const before = reached("GET", raw);
            expect((await edgeRequest(edge, raw)).status).toBe(200);
            expect(reached("GET", raw) - before).toBe(1);
        }
    });
});

describe("open measurement at the edge", () => {
    test.each(["/email/5f3a9c1d2e.gif", "/index.php/email/5f3a9c1d2e.gif", "/EMAIL/abc.GIF"])(
        "the open pixel %s is answered 204 by the edge, Mautic records nothing",
        async (raw) => {
            const before = stub.requests.length;
            const res = await edgeRequest(edge, raw);
            expect(res.status).toBe(204);
            expect(res.body).toBe("");
            expect(stub.requests.length - before).toBe(0);
        },
    );

    test.each([
        ["GET", "/email/view/ua1"],
        ["GET", "/index.php/Email/View/ua2"],
        ["POST", "/email/unsubscribe/ua3/jane.doe@example.org/9b8c"],
        ["POST", "/email/dnc/ua4/jane.doe@example.org/9b8c"],
    ])("%s %s reaches Mautic without the browser's User-Agent (Mautic 5.2.1 stores device, OS and browser from it)", async (method, raw) => {
        await edgeRequest(edge, raw, {
            method,
            headers: { "User-Agent": "UA-SECRET-9001", "Content-Type": "application/x-www-form-urlencoded" },
            body: method === "POST" ? "confirm=1" : undefined,
        });
        const seen = stub.requests.filter((r) => r.method === method && r.url === raw);
        expect(seen).toHaveLength(1);
        expect(seen[0].headers["user-agent"]).toBeUndefined();
    });

    test("other pages keep the User-Agent with tracking consent (without it they get the edge's no-consent User-Agent: edge.consent.live.test.ts)", async () => {
        await edgeRequest(edge, "/spring-offer?ua", { headers: { "User-Agent": "UA-KEEP", Cookie: "tracking_consent=1" } });
        expect(stub.requests.find((r) => r.url === "/spring-offer?ua")!.headers["user-agent"]).toBe("UA-KEEP");
    });
});

describe("headless Chromium", () => {
    test("renders the page under its CSP with no violation, requests nothing else, and the button POSTs to the same URL", async () => {
        const browser = await chromium.launch({
            executablePath: requireTool("chromium"),
            args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic"],
        });
        try {
            const context = await browser.newContext({ ignoreHTTPSErrors: true });
            const page = await context.newPage();
            const requests: string[] = [];
            const problems: string[] = [];
            page.on("request", (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
            page.on("console", (m) => {
                if (m.type() === "error" || m.type() === "warning") problems.push(m.text());
            });
            const url = `https://${edge.domain}:${edge.httpsPort}${link}`;
            const before = reached("POST", link);
            await page.goto(url);
            // The hashed inline style applies: the button has its colour.
            expect(await page.$eval("button", (b) => getComputedStyle(b).backgroundColor)).toBe("rgb(43, 87, 151)");
            expect(await page.$eval("html", (h) => h.lang)).toBe("de");
            await Promise.all([page.waitForNavigation(), page.click("button")]);
            expect(reached("POST", link) - before).toBe(1);
            expect(page.url()).toBe(url);
            // The page itself, the favicon Chromium asks for, the button's POST: nothing else.
            expect(requests.filter((r) => !r.endsWith("/favicon.ico"))).toEqual([`GET ${link}`, `POST ${link}`]);
            expect(problems.filter((p) => /Content Security Policy|Refused/i.test(p))).toEqual([]);
        } finally {
            await browser.close();
        }
    });
});
