/**
 * A fake Mautic host for the tracking-snippet tests: an https server on loopback that counts
 * every request it receives and serves a fake `/mtc.js` behaving like the real one where it
 * matters for consent (written from the documented behaviour, not from Mautic's code):
 * - it reads the `mt` command queue (`window.MauticTrackingObject`), sends a pageview for every
 *   `mt('send','pageview')` as a credentialed POST to `/mtc/event` (falling back to the
 *   `/mtracking.gif` pixel when that fails), and handles later `mt()` calls through the queue;
 * - from the event response it sets the cookies `mtc_id`, `mtc_sid`, `mautic_device_id`
 *   (host-only, `path=/; secure`, like mtc.js) and the localStorage keys of the same names;
 * - beyond the real script, it sets `mautic_referer_id` on the PARENT domain, so the tests
 *   prove that revoking deletes parent-domain cookies too;
 * - it tracks clicks on `[data-track]` elements through `MauticJS` (standing in for mtc.js
 *   features that send on page interaction: focus items, video tracking), so the tests can
 *   prove that no interaction sends anything after revoking.
 * The server side of `/mtc/event` sets Mautic's own cookies on the Mautic host (SameSite=None;
 * Secure; HttpOnly) like Mautic does, and so does the landing page `GET /spring-offer` (opened
 * directly, as from a search result or an e-mail); only the allowed website origin passes CORS. `POST
 * /consent/forget` expires those Mautic-host cookies (what the kit's edge proxy is asked to serve).
 * With `behindEdge`, it speaks plain http like Mautic's web container and the browser reaches it
 * only through the kit's real edge (tests/support/tracking-lab.ts), which answers that route itself.
 */
import * as http from "http";
import * as https from "https";
import { closeServer, listenInRange, TestCert } from "./loopback";

export interface MauticHit {
    method: string;
    path: string;
    query: string;
    origin: string | undefined;
    /** Cookie header the browser sent (Mautic-host cookies). */
    cookie: string | undefined;
    body: string;
}

export interface FakeMautic {
    /** e.g. https://marketing.client-a.test:19123 (behind the edge: the edge's origin). */
    readonly origin: string;
    /** The port the fake listens on (behind the edge: its upstream, plain http). */
    port: number;
    hits: MauticHit[];
    /** Number of hits, optionally only those with this method and path. */
    count(method?: string, path?: string): number;
    close(): Promise<void>;
}

function fakeMtcJs(base: string): string {
    return `(function (w, d) {
  var base = ${JSON.stringify(base)};
  var M = w.MauticJS = w.MauticJS || {};
  M.executions = (M.executions || 0) + 1;
  function serialize(o) {
    var out = [];
    for (var k in o) if (o[k] !== undefined && o[k] !== null) out.push(encodeURIComponent(k) + "=" + encodeURIComponent(o[k]));
    return out.join("&");
  }
  M.setCookie = function (name, value, extra) { d.cookie = name + "=" + value + "; path=/; secure" + (extra || ""); };
  M.remember = function (r) {
    if (!r || !r.id) return;
    M.setCookie("mtc_id", r.id);
    M.setCookie("mtc_sid", r.sid);
    M.setCookie("mautic_device_id", r.device_id, "; max-age=31536000");
    var parent = w.location.hostname.split(".").slice(1).join(".");
    M.setCookie("mautic_referer_id", r.referer_id, "; max-age=31536000; domain=" + parent);
    try {
      w.localStorage.setItem("mtc_id", r.id);
      w.localStorage.setItem("mtc_sid", r.sid);
      w.localStorage.setItem("mautic_device_id", r.device_id);
    } catch (e) {}
  };
  M.post = function (path, params, done, fail) {
    var x = new XMLHttpRequest();
    x.open("POST", base + path, true);
    x.withCredentials = true;
    x.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
    x.onload = function () { if (x.status === 200) { if (done) done(JSON.parse(x.responseText)); } else if (fail) fail(); };
    x.onerror = function () { if (fail) fail(); };
    x.send(serialize(params));
  };
  M.pixel = function (params) { var i = new Image(); i.src = base + "/mtracking.gif?" + serialize(params); };
  M.known = function (p) {
    try { p.mtc_id = w.localStorage.getItem("mtc_id"); p.mautic_device_id = w.localStorage.getItem("mautic_device_id"); } catch (e) {}
    return p;
  };
  M.sendPageview = function (extra) {
    var p = M.known({ type: "pageview", page_url: w.location.href, page_title: d.title });
    if (extra && typeof extra === "object") for (var k in extra) p[k] = extra[k];
    M.post("/mtc/event", p, M.remember, function () { M.pixel(p); });
  };
  M.sendInteraction = function (name) {
    M.post("/mtc/event", M.known({ type: "interaction", name: name, page_url: w.location.href }), M.remember);
  };
  M.handle = function (args) { if (args && args[0] === "send" && args[1] === "pageview") M.sendPageview(args[2]); };
  d.addEventListener("click", function (e) {
    var t = e.target && e.target.closest ? e.target.closest("[data-track]") : null;
    if (t) M.sendInteraction(t.getAttribute("data-track"));
  });
  var input = w[w.MauticTrackingObject || "mt"];
  if (typeof input === "function") {
    var q = input.q = input.q || [];
    for (var i = 0; i < q.length; i++) M.handle(q[i]);
    Object.defineProperty(q, "push", { value: function () { for (var j = 0; j < arguments.length; j++) M.handle(arguments[j]); return this.length; } });
  }
})(window, document);
`;
}

const gif = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");

/** Starts the fake Mautic host; `allowedOrigin` is the website origin CORS admits (cors_valid_domains). */
/** The path of the fake's cookie-expiring route (the kit's edge serves it in production). */
export const forgetPath = "/consent/forget";

export async function startFakeMautic(opts: {
    cert: TestCert;
    hostName: string;
    allowedOrigin: () => string;
    /** Plain http upstream of the edge; the browser-facing origin is known only once the edge runs. */
    behindEdge?: { publicOrigin: () => string };
}): Promise<FakeMautic> {
    const hits: MauticHit[] = [];
    let seq = 0;
    let ownOrigin = "";
    const originOf = () => opts.behindEdge?.publicOrigin() ?? ownOrigin;
    const handler: http.RequestListener = (req, res) => {
        const origin = originOf();
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const url = new URL(req.url ?? "/", origin);
            const body = Buffer.concat(chunks).toString("utf8");
            hits.push({ method: req.method ?? "", path: url.pathname, query: url.search, origin: req.headers.origin, cookie: req.headers.cookie, body });
            res.setHeader("Cache-Control", "no-store");
            const cors = req.headers.origin === opts.allowedOrigin();
            if (cors) {
                res.setHeader("Access-Control-Allow-Origin", opts.allowedOrigin());
                res.setHeader("Access-Control-Allow-Credentials", "true");
                res.setHeader("Vary", "Origin");
            }
            if (req.method === "GET" && url.pathname === "/mtc.js") {
                res.writeHead(200, { "Content-Type": "application/javascript; charset=utf-8" });
                res.end(fakeMtcJs(origin));
            } else if ((req.method === "POST" && url.pathname === "/mtc/event") || (req.method === "GET" && url.pathname === "/mtracking.gif")) {
                seq += 1;
                const ids = { id: `contact-${seq}`, sid: `session-${seq}`, device_id: `device-${seq}`, referer_id: `referer-${seq}` };
                const flags = "Path=/; Max-Age=31536000; SameSite=None; Secure; HttpOnly";
                res.setHeader("Set-Cookie", [
                    `mautic_device_id=${ids.device_id}; ${flags}`,
                    `mtc_id=${ids.id}; ${flags}`,
                    `mautic_referer_id=${ids.referer_id}; ${flags}`,
                ]);
                if (url.pathname === "/mtracking.gif") {
                    res.writeHead(200, { "Content-Type": "image/gif" });
                    res.end(gif);
                } else if (cors) {
                    res.writeHead(200, { "Content-Type": "application/json" });
                    res.end(JSON.stringify({ success: 1, ...ids }));
                } else {
                    res.writeHead(403).end();
                }
            } else if (req.method === "GET" && url.pathname === "/spring-offer") {
                // A landing page opened directly (search result, e-mail link): Mautic records the hit
                // and sets its cookies server-side, without asking.
                seq += 1;
                const flags = "Path=/; Max-Age=31536000; SameSite=None; Secure; HttpOnly";
                res.setHeader("Set-Cookie", [
                    `mautic_device_id=device-${seq}; ${flags}`,
                    `mtc_id=contact-${seq}; ${flags}`,
                    `mautic_referer_id=referer-${seq}; ${flags}`,
                ]);
                res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
                res.end("<!DOCTYPE html><html><head><title>Spring offer</title></head><body><h1>Spring offer</h1></body></html>");
            } else if (req.method === "POST" && url.pathname === forgetPath) {
                // Stands in for the kit's edge route: expires Mautic's own cookies on this host.
                const gone = "Path=/; Max-Age=0; SameSite=None; Secure; HttpOnly";
                res.setHeader(
                    "Set-Cookie",
                    ["mautic_device_id", "mtc_id", "mtc_sid", "mautic_referer_id"].map((n) => `${n}=; ${gone}`),
                );
                res.writeHead(204).end();
            } else {
                res.writeHead(404).end();
            }
        });
    };
    // Both are net.Servers; listenInRange and closeServer use only what they share.
    const server = opts.behindEdge
        ? (http.createServer(handler) as unknown as https.Server)
        : https.createServer({ key: opts.cert.key, cert: opts.cert.cert }, handler);
    const port = await listenInRange(server);
    ownOrigin = `https://${opts.hostName}:${port}`;
    return {
        get origin() {
            return originOf();
        },
        port,
        hits,
        count: (method?: string, path?: string) => hits.filter((h) => (!method || h.method === method) && (!path || h.path === path)).length,
        close: () => closeServer(server),
    };
}
