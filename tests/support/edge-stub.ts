/**
 * A stub of Mautic's web container (apache) for the edge tests. It answers the paths the edge
 * cares about like Mautic does (admin login with a per-request inline script and a session
 * cookie, mtc.js, a form, a landing page, ...) and, on every response, sends the headers a real
 * Mautic/Apache sends or could send, some of them deliberately weak or wrong (Server, X-Powered-By,
 * X-Frame-Options SAMEORIGIN, a permissive CSP, a short HSTS, CORS for any origin), so the tests
 * prove the edge replaces them. It records every request it receives.
 */
import * as crypto from "crypto";
import { closeServer, listenInRange } from "./loopback";
import * as http from "http";

export interface StubRequest {
    method: string;
    url: string;
    headers: http.IncomingHttpHeaders;
}

export interface EdgeStub {
    port: number;
    /** Requests received so far, oldest first. */
    requests: StubRequest[];
    close(): Promise<void>;
}

/** Headers Mautic or Apache send that the edge must override or remove. */
export const rogueUpstreamHeaders: Record<string, string> = {
    Server: "Apache/2.4.62 (Debian)",
    "X-Powered-By": "PHP/8.3.14",
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "default-src * 'unsafe-inline' 'unsafe-eval'",
    "Strict-Transport-Security": "max-age=60",
    "Referrer-Policy": "unsafe-url",
    "X-Content-Type-Options": "sniff-me",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "Permissions-Policy": "camera=*",
};

/** Mautic 5's session cookie is named by a hash; secure + HttpOnly + SameSite=Lax with the kit's settings. */
export const sessionCookieName = "c0ffee0123456789abcdef0123456789";

/**
 * The Set-Cookie headers Mautic sends on the pages that identify a visitor (5.x source:
 * `ContactTracker`/`DeviceTrackingService` via `CookieHelper`, Symfony's cookie format):
 * `mtc_id` (session), `mautic_device_id` (1 year), `mautic_referer_id` (30 minutes), all
 * `path=/; secure; samesite=none`, never waiting for consent. A/B landing pages add
 * `mautic_page_<id>` (14 days).
 */
export function mauticTrackingSetCookies(seq: number, abPageId?: number): string[] {
    const expires = (s: number) => new Date(Date.now() + s * 1000).toUTCString();
    const cookie = (name: string, value: string, maxAge?: number) =>
        `${name}=${value}${maxAge === undefined ? "" : `; expires=${expires(maxAge)}; Max-Age=${maxAge}`}; path=/; secure; samesite=none`;
    return [
        cookie("mtc_id", `${1000 + seq}`),
        cookie("mautic_device_id", `device${seq}x7k2q9`, 31536000),
        cookie("mautic_referer_id", `${2000 + seq}`, 1800),
        ...(abPageId === undefined ? [] : [cookie(`mautic_page_${abPageId}`, "7", 1209600)]),
    ];
}

/** Paths on which the stub, like Mautic, sets its tracking cookies (see mauticTrackingSetCookies). */
export const trackingCookiePaths = /^\/(email\/(unsubscribe|dnc|view|resubscribe)\/|r\/|form\/submit|mtc\/event$|mtracking\.gif$|spring-offer$|ab-offer$)/;

/** The session cookie Mautic's preference centre (a Symfony form with a CSRF token) starts. */
export const publicSessionCookie = (v: string) => `${sessionCookieName}=${v}; path=/; secure; httponly; samesite=lax`;

function loginPage(): string {
    const csrf = crypto.randomBytes(16).toString("hex");
    return `<!DOCTYPE html>
<html><head><meta charset="UTF-8"><title>Mautic</title>
<link rel="stylesheet" href="/media/css/app.css">
<script>
    var mauticBasePath    = '';
    var mauticBaseUrl     = '/index.php/';
    var mauticAjaxUrl     = '/index.php/s/ajax';
    var mauticAjaxCsrf    = '${csrf}';
    var mauticAssetPrefix = '';
</script>
<script src="/media/js/libraries.js"></script>
<script src="/media/js/app.js"></script>
</head><body class="header-fixed"><div class="container">
<form class="form-group login-form" name="login" role="form" action="/s/login_check" method="post">
<input type="text" id="username" name="_username" class="form-control" required autofocus>
<input type="password" id="password" name="_password" class="form-control" required>
<input type="hidden" name="_csrf_token" value="${csrf}">
<button class="btn btn-lg btn-primary btn-block" type="submit" onclick="Mautic.startIconSpinOnEvent(event)">login</button>
</form></div></body></html>`;
}

const formPage = `<!DOCTYPE html><html><head><title>Newsletter</title></head><body>
<div id="mauticform_wrapper_newsletter" class="mauticform_wrapper">
<form autocomplete="false" role="form" method="post" action="/form/submit?formId=1" id="mauticform_newsletter" data-mautic-form="newsletter">
<input id="mauticform_input_newsletter_email" name="mauticform[email]" type="email">
<input type="hidden" name="mauticform[formId]" value="1">
<button type="submit" name="mauticform[submit]" class="mauticform-button btn btn-default">Submit</button>
</form></div>
<script type="text/javascript">if (typeof MauticSDKLoaded == 'undefined') { var MauticSDKLoaded = true; }</script>
<script src="/media/js/mautic-form.js"></script>
</body></html>`;

const landingPage = `<!DOCTYPE html><html><head><title>Spring offer</title>
<style>body{font-family:sans-serif}</style></head>
<body><h1>Spring offer</h1><p>Landing page written by marketing.</p></body></html>`;

export async function startEdgeStub(from = 18000, to = 18999): Promise<EdgeStub> {
    const requests: StubRequest[] = [];
    let seq = 0;
    const server = http.createServer((req, res) => {
        requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
        const url = new URL(req.url ?? "/", "http://stub");
        const path = url.pathname;
        if (path === "/__stub/drop") {
            // Upstream failure: the edge answers 502 itself.
            req.socket.destroy();
            return;
        }
        const headers: Record<string, string | string[]> = { ...rogueUpstreamHeaders };
        const origin = req.headers.origin;
        if (origin) {
            // A Mautic whose cors_valid_domains accepts any origin echoes it with credentials.
            headers["Access-Control-Allow-Origin"] = origin;
            headers["Access-Control-Allow-Credentials"] = "true";
        }
        const send = (status: number, type: string, body: string | Buffer, extra: Record<string, string | string[]> = {}) => {
            res.writeHead(status, { ...headers, "Content-Type": type, ...extra });
            res.end(req.method === "HEAD" ? undefined : body);
        };
        const html = "text/html; charset=UTF-8";
        if (trackingCookiePaths.test(path)) {
            seq += 1;
            const cookies = mauticTrackingSetCookies(seq, path === "/ab-offer" ? 3 : undefined);
            if (path.startsWith("/email/unsubscribe/")) cookies.push(publicSessionCookie(`pref${seq}`));
            headers["Set-Cookie"] = cookies;
        }
        if (path === "/s/login" || path === "/index.php/s/login") {
            return send(200, html, loginPage(), {
                "Set-Cookie": `${sessionCookieName}=${crypto.randomBytes(12).toString("hex")}; path=/; secure; httponly; samesite=lax`,
                "Cache-Control": "no-cache, private",
            });
        }
        if (
            path.startsWith("/s/") ||
            path.startsWith("/oauth/") ||
            path.startsWith("/saml/") ||
            path.startsWith("/passwordreset") ||
            path.startsWith("/plugins/integrations/")
        ) {
            return send(200, html, "<!DOCTYPE html><html><head><title>Mautic</title></head><body>admin</body></html>");
        }
        if (path === "/api" || path.startsWith("/api/")) {
            return send(200, "application/json", JSON.stringify({ total: 0, contacts: {} }));
        }
        if (path === "/mtc.js" || path === "/form/generate.js" || path.startsWith("/focus/") || path.endsWith(".js")) {
            return send(200, "application/javascript", "(function(){ /* MauticJS */ })();");
        }
        if (path === "/mtracking.gif" || path.endsWith(".gif") || path.endsWith(".png")) {
            return send(200, "image/gif", Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64"));
        }
        if (path === "/mtc/event" || path === "/mtc" || path.startsWith("/dwc/")) {
            return send(200, "application/json", JSON.stringify({ success: 1 }));
        }
        if (path.startsWith("/form/")) return send(200, html, formPage);
        if (path.startsWith("/email/") || path.startsWith("/asset/") || path.startsWith("/r/")) {
            return send(200, html, "<!DOCTYPE html><html><head><title>Email</title></head><body>web view</body></html>");
        }
        if (path === "/robots.txt") return send(404, html, "<!DOCTYPE html><html><body>Not found</body></html>");
        // Anything else is a landing page (Mautic's catch-all /{slug}).
        return send(200, html, landingPage);
    });
    server.keepAliveTimeout = 1000;
    const port = await listenInRange(server, from, to);
    return { port, requests, close: () => closeServer(server) };
}
