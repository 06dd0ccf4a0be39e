/**
 * What each path class of the web edge must send, written out independently of the template so
 * the live tests check the Caddyfile instead of repeating it. The README table
 * (docs/guide/edge.md) quotes the same values; tests/unit/edge.render.test.ts keeps them equal.
 */
export type EdgeClass = "edge" | "admin" | "popup" | "api" | "resource" | "public" | "unsubscribe";

/** Every header the edge manages. A class's set names each of them: a value, or absent. */
export const managedHeaders = [
    "strict-transport-security",
    "x-content-type-options",
    "referrer-policy",
    "permissions-policy",
    "content-security-policy",
    "x-frame-options",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "x-robots-tag",
    "server",
    "x-powered-by",
] as const;
export type ManagedHeader = (typeof managedHeaders)[number];

export const hsts = "max-age=63072000; includeSubDomains";
export const permissionsPolicy =
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()";

export const cspStrict = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/** The admin and popup CSP; `gravatar` = the stack setting (default false: no `https:` images). */
export const cspAdminFor = (gravatar: boolean) =>
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
    `img-src 'self' data: blob:${gravatar ? " https:" : ""}; font-src 'self' data:; media-src 'self' blob: https:; frame-src 'self' https:; ` +
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self' https:; frame-ancestors 'self'; upgrade-insecure-requests";
export const cspAdmin = cspAdminFor(false);
export const cspResource = (website: string) => `default-src 'none'; frame-ancestors 'self' ${website}`;
export const cspPublic = (website: string) =>
    "default-src 'self'; script-src 'self' 'unsafe-inline' https:; style-src 'self' 'unsafe-inline'; " +
    "img-src 'self' data: https:; font-src 'self' data:; media-src 'self' https:; frame-src 'self' https:; " +
    "connect-src 'self' https:; object-src 'none'; base-uri 'self'; form-action 'self' https:; " +
    `frame-ancestors 'self' ${website}; upgrade-insecure-requests`;

/** The unsubscribe page's CSP: nothing loads, one inline style by its sha256, posts only to itself. */
export const cspUnsubscribe = (styleSha256: string) =>
    `default-src 'none'; style-src 'sha256-${styleSha256}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;

const common = {
    "strict-transport-security": hsts,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": permissionsPolicy,
    server: undefined,
    "x-powered-by": undefined,
};

/** The exact header set of a class (undefined = the header must be absent). */
export function expectedHeaders(cls: EdgeClass, website: string, opts: { gravatar?: boolean; styleSha256?: string } = {}): Record<ManagedHeader, string | undefined> {
    switch (cls) {
        case "unsubscribe":
            if (!opts.styleSha256) throw new Error("expectedHeaders(unsubscribe) needs the page's style hash");
            return {
                ...common,
                "content-security-policy": cspUnsubscribe(opts.styleSha256),
                "x-frame-options": "DENY",
                "cross-origin-opener-policy": "same-origin",
                "cross-origin-resource-policy": "same-origin",
                "x-robots-tag": "noindex, nofollow",
            };
        case "edge":
        case "api":
            return {
                ...common,
                "content-security-policy": cspStrict,
                "x-frame-options": "DENY",
                "cross-origin-opener-policy": "same-origin",
                "cross-origin-resource-policy": "same-origin",
                "x-robots-tag": "noindex, nofollow",
            };
        case "admin":
        case "popup":
            return {
                ...common,
                "content-security-policy": cspAdminFor(opts.gravatar ?? false),
                "x-frame-options": "SAMEORIGIN",
                "cross-origin-opener-policy": cls === "admin" ? "same-origin-allow-popups" : "unsafe-none",
                "cross-origin-resource-policy": "same-origin",
                "x-robots-tag": "noindex, nofollow",
            };
        case "resource":
            return {
                ...common,
                "content-security-policy": cspResource(website),
                "x-frame-options": undefined,
                "cross-origin-opener-policy": "same-origin",
                "cross-origin-resource-policy": "cross-origin",
                "x-robots-tag": undefined,
            };
        case "public":
            return {
                ...common,
                "content-security-policy": cspPublic(website),
                "x-frame-options": undefined,
                "cross-origin-opener-policy": "same-origin-allow-popups",
                "cross-origin-resource-policy": "cross-origin",
                "x-robots-tag": undefined,
            };
    }
}
