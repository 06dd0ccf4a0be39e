/**
 * The web edge: renders the Caddyfile (TLS, HTTP->HTTPS, path-aware security headers, masked
 * access log, adminUiCidrs, the consent-withdrawal route `consentForgetPath`) and the host's
 * logrotate rule for its access log. Pure functions: same input, same text. Production and test
 * renderings differ ONLY in the TLS issuer (ACME vs Caddy's local CA) and the listen
 * addresses/ports; `tests/unit/edge.render.test.ts` proves it.
 */
import * as ipaddr from "ipaddr.js";
import { hostLabel } from "../shared/hostName";
import { renderTemplate } from "../shared/template";
import { defaultConsentMaxAgeDays } from "./tracking";
import { renderUnsubscribePage, unsubscribePageCsp, unsubscribePathRegexp } from "./unsubscribePage";

export interface CaddyfileInput {
    /** Mautic host, e.g. "marketing.client-a.de". Caddy obtains its certificate by ACME. */
    domain: string;
    /** The ONE website origin, e.g. "https://www.client-a.de": the only origin that may frame
     *  Mautic's forms and landing pages and read its responses via CORS. */
    website: string;
    /** ACME account e-mail (the CA's expiry and policy notices). Default: none: Caddy registers an
     *  account without e-mail, so no address is handed to the CA (Let's Encrypt, ZeroSSL). */
    acmeEmail?: string;
    /** [] = admin UI and /api open; else only these CIDRs reach them (public endpoints stay open). */
    adminUiCidrs: string[];
    /** Days the access log is kept (daily rotation by the host's logrotate, see renderEdgeLogrotate). */
    accessLogRetentionDays: number;
    /** Mautic web (apache) upstream, production "mautic_web:80". */
    upstream: string;
    /** Not needed by Caddy (it is the first hop and trusts no proxy); accepted and ignored. */
    trustedProxyCidrs?: string[];
    /** Access log file inside the Caddy container. Default `edgeDefaults.accessLogPath`. */
    accessLogPath?: string;
    /** Lifetime of the consent cookie the grant route sets, in days. Default `defaultConsentMaxAgeDays` (365), like the banner's stored choice. 1 to 395. */
    consentMaxAgeDays?: number;
    /** The `gravatar` setting. Default false: the admin UI's `img-src` allows only Mautic itself
     *  (`adminImgSrc(false)`), so no browser loads avatars from gravatar.com; true adds `https:`. */
    gravatar?: boolean;
    /** Test mode: the ONLY differences from production are the TLS issuer (local CA,
     *  `local_certs`) and the bind addresses/ports. */
    test?: { bindHost: string; httpPort: number; httpsPort: number };
}

/** The edge's fixed settings, exported so the compliance report can quote them. */
export const edgeDefaults = {
    accessLogPath: "/var/log/caddy/access.log",
    /** Bits of the client address kept in every log line. */
    ipv4MaskBits: 24,
    ipv6MaskBits: 32,
    /** HSTS max-age in seconds (two years, Mozilla's recommendation). */
    hstsMaxAgeSeconds: 63072000,
    tlsProtocols: ["TLSv1.2", "TLSv1.3"],
} as const;

/**
 * Path on the Mautic host that the edge answers itself when a visitor withdraws tracking
 * consent: `POST` expires Mautic's own cookies there (`mauticHostCookieNames`). The tracking
 * snippets get the same value as `mauticForgetPath` (plan/runPlan.ts), so both sides share it.
 */
export const consentForgetPath = "/consent/forget";

/**
 * The cookies Mautic sets on its own host (host-only, `Path=/`) for tracked visitors, which the
 * consent-forget route expires. No script on the website can delete them: they belong to
 * another host and are HttpOnly.
 */
export const mauticHostCookieNames = ["mautic_device_id", "mtc_id", "mtc_sid", "mautic_referer_id"] as const;

/**
 * The Set-Cookie value that deletes one of them. A browser replaces a stored cookie only if name,
 * domain (host-only: no Domain attribute) and path all match; Max-Age=0 then removes it at once.
 * SameSite=None and Secure let the browser accept it when the website is another site; HttpOnly
 * as Mautic sets them.
 */
export const expiredMauticCookie = (name: string) => `${name}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=None`;

/**
 * Path on the Mautic host that the edge answers itself when a visitor ACCEPTS tracking on the
 * website: `POST` with `Origin: <website>` sets the consent cookie (`consentCookieName`) on this
 * host. The snippets get it as `mauticGrantPath`.
 */
export const consentGrantPath = "/consent/grant";

/**
 * The visitor's consent signal on the Mautic host: a first-party, HttpOnly cookie with no
 * identifier (the value is always "1"), set only by `consentGrantPath` and expired by
 * `consentForgetPath`. Mautic's tracking cookies reach the visitor only on requests that carry it.
 */
export const consentCookieName = "tracking_consent";

/**
 * Every cookie name Mautic uses to recognise a visitor on its own host (5.x-7.x source:
 * `LeadBundle/Tracker/Service/DeviceTrackingService`, `ContactTracker`, `PageBundle` A/B tests):
 * the edge removes them from requests without the consent cookie and turns every Set-Cookie for
 * them into a deletion. `mautic_page_<id>` (A/B landing pages) is matched by its prefix.
 */
export const mauticTrackingCookiePattern = "mtc_id|mtc_sid|mautic_device_id|mautic_referer_id|mautic_page_[A-Za-z0-9_-]+";

/**
 * The User-Agent the edge gives Mautic for every visitor request without the consent cookie
 * (outside the admin UI, the API and the e-mail links, whose own rules apply). The kit pins
 * Mautic's `do_not_track_bots` to exactly this value (components/app/mautic.ts), so Mautic
 * treats such a request as a crawler's: a landing page or redirect records no page hit, creates
 * no anonymous contact and stores no device record (measured on Mautic 5.2.1:
 * docs/evidence/2026-12-07-consent-on-real-mautic.md). Form submissions still store the
 * submitted contact. No browser sends this string, so the value says what it is.
 */
export const noConsentUserAgent = "mautic-kit-edge (no tracking consent)";

/** The Set-Cookie value of the consent signal. Same attributes as Mautic's cookies, so the same rules let the browser keep it. */
export const consentCookie = (maxAgeDays: number) => `${consentCookieName}=1; Path=/; Max-Age=${maxAgeDays * 86400}; Secure; HttpOnly; SameSite=None`;

/**
 * `img-src` of the admin and popup classes. Mautic has no setting to stop its GravatarHelper
 * (every contact list and contact page points <img> at https://www.gravatar.com/avatar/<md5 of
 * the address>), and a CSP cannot exclude one host from `https:`: so with Gravatar off, images
 * load only from Mautic itself, data: and blob: URLs (uploads, previews, the builder's assets).
 */
export const adminImgSrc = (gravatar: boolean): string => (gravatar ? "'self' data: blob: https:" : "'self' data: blob:");

function problemsOf(input: CaddyfileInput): string[] {
    const problems: string[] = [];
    const bad = (field: string, value: unknown, why: string) => problems.push(`${field} = ${JSON.stringify(value)} ${why}`);

    const d = input.domain;
    if (typeof d !== "string" || d.length > 253 || !d.split(".").every((l) => hostLabel.test(l))) {
        bad("domain", d, "is not a lower-case host name (e.g. marketing.client-a.de)");
    }

    try {
        const u = new URL(input.website);
        if (u.protocol !== "https:") bad("website", input.website, "is not an https origin (C11, C14)");
        else if (u.username || u.password || u.search || u.hash || (u.pathname !== "/" && u.pathname !== "")) {
            bad("website", input.website, "is not a bare origin; give scheme and host only, e.g. https://www.client-a.de");
        } else if (input.website !== u.origin) {
            bad("website", input.website, `is not written as its origin; use "${u.origin}" (lower case, no trailing slash)`);
        } else if (u.hostname === d) {
            bad("website", input.website, "is Mautic's own host; the website must be another host");
        }
    } catch {
        bad("website", input.website, "is not an absolute URL such as https://www.client-a.de");
    }

    if (input.acmeEmail !== undefined && (typeof input.acmeEmail !== "string" || !/^[^\s@{}"'`#;<>]+@[a-z0-9.-]+\.[a-z]{2,63}$/i.test(input.acmeEmail))) {
        bad("acmeEmail", input.acmeEmail, "is not an email address (or leave it unset: no e-mail goes to the CA)");
    }

    if (!Array.isArray(input.adminUiCidrs)) {
        bad("adminUiCidrs", input.adminUiCidrs, "is not a list of CIDR blocks ([] = open)");
    } else {
        input.adminUiCidrs.forEach((c, i) => {
            if (typeof c !== "string" || !ipaddr.isValidCIDR(c)) {
                bad(`adminUiCidrs[${i}]`, c, "is not a CIDR block such as 203.0.113.0/24 or 2001:db8::/32");
                return;
            }
            const [addr, bits] = ipaddr.parseCIDR(c);
            const network = addr.kind() === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(c) : ipaddr.IPv6.networkAddressFromCIDR(c);
            if (network.toString() !== addr.toString()) {
                bad(`adminUiCidrs[${i}]`, c, `has host bits set; the network is ${network.toString()}/${bits}`);
            }
        });
    }

    const days = input.accessLogRetentionDays;
    if (!Number.isInteger(days) || days < 1 || days > 3650) {
        bad("accessLogRetentionDays", days, "is not a whole number of days from 1 to 3650");
    }

    if (typeof input.upstream !== "string" || !/^([a-z0-9]([a-z0-9_.-]*[a-z0-9])?|\[[0-9a-f:.]+\]):[0-9]{1,5}$/i.test(input.upstream)) {
        bad("upstream", input.upstream, "is not host:port (e.g. mautic_web:80)");
    }

    const logPath = input.accessLogPath ?? edgeDefaults.accessLogPath;
    if (!/^\/[A-Za-z0-9._/-]+$/.test(logPath) || logPath.includes("/../") || logPath.endsWith("/")) {
        bad("accessLogPath", logPath, "is not an absolute file path of letters, digits, '.', '_', '-' and '/'");
    }

    const maxAge = input.consentMaxAgeDays ?? defaultConsentMaxAgeDays;
    if (!Number.isInteger(maxAge) || maxAge < 1 || maxAge > 395) {
        bad("consentMaxAgeDays", maxAge, "is not a whole number of days from 1 to 395 (13 months)");
    }

    if (input.gravatar !== undefined && typeof input.gravatar !== "boolean") bad("gravatar", input.gravatar, "is not true or false");

    if (input.test !== undefined) {
        const t = input.test;
        if (!ipaddr.isValid(t.bindHost) || ipaddr.parse(t.bindHost).range() !== "loopback") {
            bad("test.bindHost", t.bindHost, "is not a loopback IP address (tests bind to loopback only)");
        }
        for (const key of ["httpPort", "httpsPort"] as const) {
            if (!Number.isInteger(t[key]) || t[key] < 1024 || t[key] > 65535) bad(`test.${key}`, t[key], "is not a port from 1024 to 65535");
        }
        if (t.httpPort === t.httpsPort) bad("test.httpsPort", t.httpsPort, "equals test.httpPort");
    }
    return problems;
}

/** Throws one error listing every invalid field of the input, each with its fix. */
export function validateCaddyfileInput(input: CaddyfileInput): void {
    const problems = problemsOf(input);
    if (problems.length > 0) {
        throw new Error(`invalid web edge (Caddyfile) input:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
}

/**
 * The access log's `request>uri` filter (RE2, Caddy's `regexp` log filter, in Caddy 2.6 and
 * later): group 1 = the "?" of a query string, group 2 = the path up to and including
 * `/email/<action>/` (or `/email/` for the open pixel), group 3 = "/" when the path holds an "@"
 * (raw or %40) anywhere. Everything matched after a group becomes "REDACTED". Leading `/index.php`,
 * doubled slashes and any letter case count as the same path, as they do for Mautic's router.
 */
export const uriRedaction = "(\\?).*$|(?i)^((?:/+index\\.php)?/+email/+(?:[a-z]+/+)?)[^?]+|^(/)[^?]*(?:@|%40)[^?]*";

/** Log field filters shared by the access log and Caddy's own log (4 tabs deep in the template). */
function logFilterFields(): string {
    const t = "\t\t\t\t";
    const mask = (field: string) => [`${t}${field} ip_mask {`, `${t}\tipv4 ${edgeDefaults.ipv4MaskBits}`, `${t}\tipv6 ${edgeDefaults.ipv6MaskBits}`, `${t}}`];
    return [
        ...mask("request>remote_ip"),
        // Caddy >= 2.7 also logs the client address as client_ip.
        ...mask("request>client_ip"),
        `${t}request>remote_port delete`,
        `${t}request>headers delete`,
        `${t}resp_headers delete`,
        // Query strings (tracking parameters, e-mail addresses in mt() calls), everything after
        // /email/<action>/ (unsubscribe and dnc URLs carry the id hash, the address and the secret
        // hash; web views and open pixels the id hash) and any path with an "@" become "REDACTED".
        `${t}request>uri regexp "${uriRedaction}" "\${1}\${2}\${3}REDACTED"`,
    ].join("\n");
}

/** Renders the edge's Caddyfile. Throws on invalid input (see validateCaddyfileInput). */
export function renderCaddyfile(input: CaddyfileInput): string {
    validateCaddyfileInput(input);
    const cidrs = input.adminUiCidrs.map((c) => {
        const [addr, bits] = ipaddr.parseCIDR(c);
        return `${addr.toString()}/${bits}`;
    });
    const t = input.test;
    return renderTemplate("caddyfile/Caddyfile", {
        domain: input.domain,
        website: input.website,
        acmeEmail:
            input.acmeEmail === undefined
                ? "\t# No ACME account e-mail (acmeEmail unset): the CA gets no address; expiry is watched by the\n\t# kit's health check (alerts)."
                : `\t# ACME account (acmeEmail): the CA's certificate expiry and policy notices.\n\temail ${input.acmeEmail}`,
        unsubscribeCsp: unsubscribePageCsp(),
        unsubscribePath: unsubscribePathRegexp,
        unsubscribePage: renderUnsubscribePage(),
        upstream: input.upstream,
        accessLogPath: input.accessLogPath ?? edgeDefaults.accessLogPath,
        accessLogRetentionDays: input.accessLogRetentionDays,
        logFilterFields: logFilterFields(),
        tlsIssuer: t
            ? "\t# TEST ONLY: certificates from Caddy's local CA, which is not installed anywhere.\n\tlocal_certs\n\tskip_install_trust"
            : "\t# Certificates by ACME (Let's Encrypt, ZeroSSL as fallback): Caddy's default issuers.",
        listen: t
            ? `\t# TEST ONLY: loopback and unprivileged ports.\n\thttp_port ${t.httpPort}\n\thttps_port ${t.httpsPort}\n\tdefault_bind ${t.bindHost}`
            : "\t# Listens on all interfaces: 80/tcp, 443/tcp and 443/udp (HTTP/3).",
        httpsPortSuffix: t ? `:${t.httpsPort}` : "",
        adminUiCidrs: cidrs.length > 0 ? cidrs.join(" ") : "0.0.0.0/0 ::/0",
        consentForgetPath,
        forgetCookies: [...mauticHostCookieNames, consentCookieName].map((n) => `\t\t\t\t\t+Set-Cookie "${expiredMauticCookie(n)}"`).join("\n"),
        staleCookies: mauticHostCookieNames.map((n) => `\t\t+Set-Cookie "${expiredMauticCookie(n)}"`).join("\n"),
        consentGrantPath,
        consentCookieName,
        grantCookie: consentCookie(input.consentMaxAgeDays ?? defaultConsentMaxAgeDays),
        trackingCookies: mauticTrackingCookiePattern,
        noConsentUserAgent,
        adminImgSrc: adminImgSrc(input.gravatar ?? false),
        adminImgComment: input.gravatar
            ? "gravatar = true: any https host, so contacts' avatars from gravatar.com\n# (Automattic, USA) and the builder's remote images load."
            : "gravatar = false (privacy by default): only Mautic itself, data: and blob:,\n# so no browser asks gravatar.com for a contact's avatar (a hash of the address).",
        expiredTrackingCookie: expiredMauticCookie("$1"),
        adminUiComment:
            cidrs.length > 0
                ? "only these networks reach the admin UI, /api and OAuth; the public endpoints stay open."
                : "[] - the admin UI and /api are open to every network (the matcher below denies nobody).",
    });
}

/** The host folder mounted at the access log's folder in the Caddy container. */
export const edgeHostLogDir = (dataDir: string) => `${dataDir.replace(/\/$/, "")}/logs/caddy`;
/** The access log's path on the host. */
export const edgeHostAccessLog = (dataDir: string) => `${edgeHostLogDir(dataDir)}/${edgeDefaults.accessLogPath.split("/").pop()!}`;

export interface EdgeLogrotateInput {
    /** The host directory mounted at the access log's folder in the Caddy container. */
    hostLogDir: string;
    accessLogRetentionDays: number;
    /** File name of the access log (default: the base name of edgeDefaults.accessLogPath). */
    fileName?: string;
}

/**
 * The host's logrotate rule for the edge access log: daily, copytruncate (Caddy keeps the file
 * open and appends), deleted after `accessLogRetentionDays` days. Caddy itself only rotates by
 * size, which cannot bound the age of entries; this rule can. Install it as
 * /etc/logrotate.d/mautic-kit-edge.
 */
export function renderEdgeLogrotate(input: EdgeLogrotateInput): string {
    const days = input.accessLogRetentionDays;
    if (!Number.isInteger(days) || days < 1 || days > 3650) {
        throw new Error(`accessLogRetentionDays = ${JSON.stringify(days)} is not a whole number of days from 1 to 3650`);
    }
    if (!/^\/[A-Za-z0-9._/-]+$/.test(input.hostLogDir) || input.hostLogDir.includes("..")) {
        throw new Error(`hostLogDir = ${JSON.stringify(input.hostLogDir)} is not an absolute directory path`);
    }
    const fileName = input.fileName ?? edgeDefaults.accessLogPath.split("/").pop()!;
    if (!/^[A-Za-z0-9._-]+$/.test(fileName)) throw new Error(`fileName = ${JSON.stringify(fileName)} is not a plain file name`);
    return renderTemplate("caddyfile/logrotate", {
        logFile: `${input.hostLogDir.replace(/\/$/, "")}/${fileName}`,
        // The live file holds up to one day, each rotated file one more day.
        rotatedFiles: days - 1,
        retentionDays: days,
    });
}

/** One sentence for the compliance report (C12) on what the edge logs and for how long. */
export function describeEdgeAccessLog(input: Pick<CaddyfileInput, "accessLogRetentionDays">): string {
    return (
        `The web edge logs each request with the client address cut to /${edgeDefaults.ipv4MaskBits} (IPv4) ` +
        `and /${edgeDefaults.ipv6MaskBits} (IPv6), without request or response headers (no cookies, no ` +
        `Authorization, no Referer), without query strings, with nothing after /email/<action>/ (so no recipient ` +
        `address, id hash or secret hash of unsubscribe, do-not-contact or web-view links) and no path that holds an ` +
        `address; the log is ` +
        `rotated daily and deleted after ${input.accessLogRetentionDays} day${input.accessLogRetentionDays === 1 ? "" : "s"}.`
    );
}
