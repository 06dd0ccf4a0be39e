/** Origins the tracking snippet accepts (the Mautic host, the website): https, no path, a real host name. */
import { isFqdn } from "../shared/hostName";

export const isLoopbackHost = (h: string) => h === "localhost" || h === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
// Characters that never belong in an origin and that could break out of HTML, JS or CSS.
export const unsafeChars = /[\s"'`<>\\^{}|\p{Cc}\u2028\u2029]/u;

/** Checks an https origin; returns the normalised origin or the reason it is rejected. */
export function checkOrigin(v: unknown, allowLoopbackHttp: boolean): { origin: string } | { why: string } {
    if (typeof v !== "string") return { why: "is not a string" };
    if (v === "") return { why: "is empty" };
    if (v.length > 512) return { why: "is longer than 512 characters" };
    if (unsafeChars.test(v)) return { why: "contains whitespace, quotes, angle brackets, backslashes or control characters" };
    if (/[^\x21-\x7e]/.test(v)) return { why: "contains non-ASCII characters; write an internationalised host name in its xn-- (punycode) form" };
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(v);
    if (!scheme) return { why: "is not an absolute URL (no scheme)" };
    if (!/^https?$/i.test(scheme[1])) return { why: `uses the ${scheme[1].toLowerCase()}: scheme; only https is allowed` };
    let url: URL;
    try {
        url = new URL(v);
    } catch {
        return { why: "is not a valid URL" };
    }
    const loopback = isLoopbackHost(url.hostname);
    if (url.protocol === "http:" && !(allowLoopbackHttp && loopback)) {
        return { why: "is http, not https (C11: all communication with Mautic is encrypted)" };
    }
    if (url.username || url.password || v.includes("@")) return { why: "contains credentials" };
    const rest = v.slice(scheme[0].length).replace(/^\/\/[^/?#]*/, "");
    if ((rest !== "" && rest !== "/") || url.search || url.hash) return { why: "has a path, query or fragment; give the origin only" };
    if (loopback) {
        if (!allowLoopbackHttp) return { why: "is a loopback address, which no visitor can reach" };
    } else if (/^[0-9.]+$|^\[/.test(url.hostname)) {
        return { why: "is an IP address; use the host name its TLS certificate is issued for" };
    } else if (!isFqdn(url.hostname)) {
        return { why: "has no valid fully qualified host name" };
    }
    return { origin: url.origin };
}
