/**
 * Evidence for the compliance report read back from the rendered Caddyfile (never from the
 * renderer's inputs): what the edge guarantees about Mautic's tracking cookies (C08) and whether
 * the admin UI may load Gravatar avatars (C01-C03, C13). Pure: Caddyfile text in, sentences out.
 */

/** What the edge's tracking-consent rules do, as read from the Caddyfile. */
export interface EdgeTrackingConsent {
    /** Name of the consent cookie the `@no_tracking_consent` matcher looks for. */
    cookie: string;
    /** The tracking cookie names (a regexp alternation) removed from requests without it. */
    trackingCookies: string;
    /** Path of the route that sets the consent cookie, its lifetime in days and the origin it requires. */
    grant: { path: string; maxAgeDays: number; origin: string };
    /** Path of the route that expires the consent cookie (and Mautic's own cookies). */
    forget: string;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Reads the tracking-consent rules from a Caddyfile. Undefined unless ALL of them are there: the
 * matcher for requests without the consent cookie, the Cookie header rewrite that removes the
 * tracking cookies, the Set-Cookie rewrite that turns them into deletions, the grant route (POST
 * from one origin only, setting the cookie Secure and HttpOnly) and the forget route expiring it.
 */
export function readEdgeTrackingConsent(caddyfile: string): EdgeTrackingConsent | undefined {
    const matcher = /^\s*@no_tracking_consent not header_regexp \S+ Cookie \S*\\s\*([A-Za-z0-9_-]+)=1\\s\*\S*\s*$/m.exec(caddyfile);
    if (!matcher) return undefined;
    const cookie = matcher[1];
    const strip = /^\s*request_header @no_tracking_consent Cookie "\(\?:\^\|;\)\\s\*\(\?:([^)]+)\)=\[\^;\]\*" "\$removed"\s*$/m.exec(caddyfile);
    if (!strip) return undefined;
    const trackingCookies = strip[1];
    const response = new RegExp(
        `header @no_tracking_consent \\{[^}]*Set-Cookie "\\^\\\\s\\*\\(${escapeRe(trackingCookies)}\\)=\\.\\*\\$" "\\$1=; [^"]*Max-Age=0[^"]*"`,
    ).test(caddyfile);
    if (!response) return undefined;
    const grantPath = /^\s*@consent_grant path (\/\S+)\s*$/m.exec(caddyfile)?.[1];
    const grantOrigin = /@consent_grant_post \{\s*method POST\s*header Origin (\S+)\s*\}/.exec(caddyfile)?.[1];
    const grantCookie = new RegExp(
        `handle @consent_grant_post \\{[^}]*\\+Set-Cookie "${escapeRe(cookie)}=1; Path=/; Max-Age=(\\d+); Secure; HttpOnly; SameSite=None"`,
    ).exec(caddyfile);
    if (!grantPath || !grantOrigin || !grantCookie) return undefined;
    const forgetPath = /^\s*@consent_forget path (\/\S+)\s*$/m.exec(caddyfile)?.[1];
    const forgets = new RegExp(`handle @consent_forget_post \\{[^}]*\\+Set-Cookie "${escapeRe(cookie)}=; Path=/; Max-Age=0;`).test(caddyfile);
    if (!forgetPath || !forgets) return undefined;
    return { cookie, trackingCookies, grant: { path: grantPath, maxAgeDays: Number(grantCookie[1]) / 86400, origin: grantOrigin }, forget: forgetPath };
}

/** The C08 evidence line on the edge's guarantee, or a MISSING line. */
export function edgeTrackingConsentEvidence(caddyfile: string): string {
    const c = readEdgeTrackingConsent(caddyfile);
    if (!c)
        return "MISSING: the Caddyfile does not gate Mautic's tracking cookies on a consent cookie: Mautic's own pages (unsubscribe, /email/view, /r/ clicks, forms, landing pages) set them before consent";
    const names = c.trackingCookies
        .split("|")
        .map((n) => n.replace("[A-Za-z0-9_-]+", "*"))
        .join(", ");
    return (
        `edge (Caddyfile): Mautic's tracking cookies (${names}) reach a visitor only on requests that carry the first-party consent cookie ${c.cookie}=1 ` +
        `(no identifier; set by POST ${c.grant.path} from ${c.grant.origin} only, ${c.grant.maxAgeDays} days, Secure, HttpOnly, SameSite=None; expired by POST ${c.forget}); ` +
        "without it they are removed from the request's Cookie header and every Set-Cookie for them becomes a deletion, on every page Mautic serves itself"
    );
}

/**
 * The edge's no-visit gate (issue 20 item 3), read from a Caddyfile: the User-Agent it gives Mautic
 * for visitor requests without the consent cookie, or undefined unless ALL of it is there: the
 * three tracking-endpoint answers (script, event, pixel) and the User-Agent rewrite, each on
 * requests without the consent cookie.
 */
export function readEdgeNoConsentVisitGate(caddyfile: string, cookie: string): string | undefined {
    const gated = (matcher: string) =>
        new RegExp(`@${matcher} \\{\\s*not header_regexp \\S+ Cookie \\S*\\\\s\\*${escapeRe(cookie)}=1\\\\s\\*\\S*\\s+path_regexp`).test(caddyfile);
    const answered = (matcher: string, body: RegExp) => {
        const at = caddyfile.indexOf(`handle @${matcher} {`);
        return gated(matcher) && at >= 0 && body.test(caddyfile.slice(at, at + 400));
    };
    if (
        !answered("no_consent_script", /^[^]*?respond 200 \{\s*body "\/\* no tracking consent/) ||
        !answered("no_consent_event", /^[^]*?body `\{"success":0\}`/)
    )
        return undefined;
    if (!answered("no_consent_pixel", /^[^]*?respond 204/)) return undefined;
    const visit = new RegExp(`@no_consent_visit \\{\\s*not header_regexp \\S+ Cookie \\S*\\\\s\\*${escapeRe(cookie)}=1`).test(caddyfile);
    const ua = /^\s*request_header @no_consent_visit User-Agent "([^"]+)"\s*$/m.exec(caddyfile)?.[1];
    return visit ? ua : undefined;
}

/**
 * The C08 evidence line on Mautic recording no visit without consent: the edge's gate read from
 * the Caddyfile, and whether Mautic's pinned `do_not_track_bots` lists the edge's User-Agent.
 */
export function edgeNoConsentVisitEvidence(caddyfile: string, doNotTrackBots: unknown): string {
    const c = readEdgeTrackingConsent(caddyfile);
    const ua = c ? readEdgeNoConsentVisitGate(caddyfile, c.cookie) : undefined;
    if (!c || !ua)
        return "MISSING: without the consent cookie Mautic still records visits: the edge does not answer /mtc.js, /mtc/event and /mtracking.gif itself nor mark other visitor requests as not to be tracked (every landing-page view creates an anonymous contact)";
    const listed = Array.isArray(doNotTrackBots) && doNotTrackBots.some((b) => typeof b === "string" && b !== "" && ua.includes(b));
    if (!listed)
        return `MISSING: the edge gives visitor requests without consent the User-Agent "${ua}", but Mautic's do_not_track_bots (pinned) does not list it, so Mautic records those visits`;
    return (
        `edge (Caddyfile) + parameters_local.php: without ${c.cookie}=1 the edge answers Mautic's tracking script, event and pixel itself and passes every other visitor request ` +
        `with the User-Agent "${ua}", the entry of the pinned do_not_track_bots: Mautic records no visit, no anonymous contact and no device (measured on 5.2.1)`
    );
}

/** The `img-src` of the admin class's Content-Security-Policy, or undefined when there is none. */
export function adminImgSrc(caddyfile: string): string | undefined {
    const csp = /\(headers_admin\)\s*\{[\s\S]*?Content-Security-Policy "([^"]+)"/.exec(caddyfile)?.[1];
    if (!csp) return undefined;
    const directives = csp.split(";").map((d) => d.trim());
    return (directives.find((d) => d.startsWith("img-src ")) ?? directives.find((d) => d.startsWith("default-src ")))?.replace(/^\S+\s+/, "");
}

/**
 * Whether the admin UI may load Mautic's Gravatar avatars (https://www.gravatar.com/avatar/...),
 * judged from the admin class's img-src: allowed by `https:`, `*`, or any source naming gravatar.
 */
export function adminAllowsGravatar(caddyfile: string): boolean {
    const src = adminImgSrc(caddyfile);
    if (src === undefined) return true; // no CSP: nothing stops the browser
    return src.split(/\s+/).some((t) => t === "https:" || t === "*" || /gravatar/i.test(t));
}

/** One evidence line on Gravatar in the admin UI. */
export function adminGravatarEvidence(caddyfile: string): string {
    const src = adminImgSrc(caddyfile);
    return adminAllowsGravatar(caddyfile)
        ? `admin UI CSP img-src ${src ?? "(none)"}: Mautic's Gravatar avatars load, sending a hash of each viewed contact's address to Automattic (USA); the documents list the transfer (setting gravatar = true)`
        : `admin UI CSP img-src ${src}: no Gravatar avatars (a hash of the contact's address never reaches gravatar.com; setting gravatar = false)`;
}
