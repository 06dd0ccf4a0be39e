/**
 * Transport checks done from Node, independent of the browser: the HTTP -> HTTPS redirect, the
 * certificate (trust, host name, validity) and the HSTS header of the audited page.
 */
import * as tls from "tls";
import { NetOptions, connectTarget, describeError, errorCode, fetchOnce, SimpleResponse, UNREACHABLE_CODES } from "./net";
import { normalizeHost } from "./site";
import { AuditRunError, Finding } from "./types";

const DAY = 86_400_000;
/** Below this many days left the certificate is a warning (ACME clients renew at 30). */
export const CERT_WARN_DAYS = 14;
/** The Observatory's minimum (six months): below it HSTS fails. */
export const HSTS_MIN_SECONDS = 15_768_000;
/** One year, the HSTS preload list's minimum: below it HSTS is a warning. */
export const HSTS_GOOD_SECONDS = 31_536_000;

export interface HstsPolicy {
    maxAge: number;
    includeSubDomains: boolean;
    preload: boolean;
}

/** Parses a Strict-Transport-Security value (RFC 6797 6.1); null when invalid. */
export function parseHsts(value: string): HstsPolicy | null {
    let maxAge: number | undefined;
    let includeSubDomains = false;
    let preload = false;
    const seen = new Set<string>();
    for (const raw of value.split(";")) {
        const part = raw.trim();
        if (!part) {
            continue;
        }
        const eq = part.indexOf("=");
        const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
        const val =
            eq < 0
                ? undefined
                : part
                      .slice(eq + 1)
                      .trim()
                      .replace(/^"(.*)"$/, "$1");
        if (seen.has(name)) {
            return null; // directives must not repeat
        }
        seen.add(name);
        if (name === "max-age") {
            if (val === undefined || !/^\d+$/.test(val)) {
                return null;
            }
            maxAge = Number(val);
        } else if (name === "includesubdomains") {
            includeSubDomains = true;
        } else if (name === "preload") {
            preload = true;
        }
    }
    return maxAge === undefined ? null : { maxAge, includeSubDomains, preload };
}

export function hstsFinding(pageUrl: string, response: SimpleResponse | Error): Finding {
    const base = { id: "hsts" as const, checklist: ["C11", "C13"] };
    if (response instanceof Error) {
        return {
            ...base,
            severity: "fail",
            summary: "could not fetch the page over HTTPS to read Strict-Transport-Security",
            evidence: [`GET ${pageUrl}: ${describeError(response)}`],
        };
    }
    const raw = response.headers["strict-transport-security"];
    const value = Array.isArray(raw) ? raw[0] : raw;
    const evidence = [`GET ${pageUrl} -> ${response.status}`];
    if (!value) {
        return { ...base, severity: "fail", summary: "no Strict-Transport-Security header", evidence };
    }
    evidence.push(`Strict-Transport-Security: ${value}`);
    const policy = parseHsts(value);
    if (!policy) {
        return { ...base, severity: "fail", summary: "Strict-Transport-Security header is invalid", evidence };
    }
    const days = Math.floor(policy.maxAge / 86_400);
    const flags = [policy.includeSubDomains ? "includeSubDomains" : "", policy.preload ? "preload" : ""].filter(Boolean).join(", ");
    const desc = `max-age ${policy.maxAge} s (${days} days)${flags ? `, ${flags}` : ""}`;
    if (policy.maxAge < HSTS_MIN_SECONDS) {
        return { ...base, severity: "fail", summary: `HSTS ${desc}: below six months`, evidence };
    }
    if (policy.maxAge < HSTS_GOOD_SECONDS) {
        return { ...base, severity: "warn", summary: `HSTS ${desc}: below one year`, evidence };
    }
    return { ...base, severity: "pass", summary: `HSTS ${desc}`, evidence };
}

/**
 * http://host/path must answer with a redirect whose first hop is https on the same host
 * (only then can the browser pick up HSTS for that host). A closed port 80 passes: nothing is
 * served unencrypted.
 */
export async function httpsRedirectFinding(pageUrl: URL, net: NetOptions): Promise<Finding> {
    const base = { id: "https-redirect" as const, checklist: ["C11", "C14"] };
    const httpUrl = new URL(pageUrl.href);
    httpUrl.protocol = "http:";
    httpUrl.port = "";
    let res: SimpleResponse;
    try {
        res = await fetchOnce(httpUrl.href, net);
    } catch (e) {
        const code = errorCode(e);
        if (code === "ECONNREFUSED") {
            return {
                ...base,
                severity: "pass",
                summary: "port 80 is closed: nothing is served over plain HTTP",
                evidence: [`GET ${httpUrl.href}: ${describeError(e)}`],
            };
        }
        return {
            ...base,
            severity: "fail",
            summary: "plain HTTP request failed; could not verify the redirect to HTTPS",
            evidence: [`GET ${httpUrl.href}: ${describeError(e)}`],
        };
    }
    const location = res.headers.location;
    if (res.status >= 300 && res.status < 400 && location) {
        const next = new URL(location, httpUrl);
        const evidence = [`GET ${httpUrl.href} -> ${res.status} Location: ${location}`];
        if (next.protocol !== "https:") {
            return { ...base, severity: "fail", summary: `redirects to ${next.protocol}// instead of https`, evidence };
        }
        if (normalizeHost(next.hostname) !== normalizeHost(pageUrl.hostname)) {
            return {
                ...base,
                severity: "fail",
                summary: `first redirect leaves the host (to ${next.host}): redirect to https on the same host first`,
                evidence,
            };
        }
        return { ...base, severity: "pass", summary: `http redirects to ${next.origin} (${res.status})`, evidence };
    }
    return {
        ...base,
        severity: "fail",
        summary: `plain HTTP is served without a redirect to HTTPS (status ${res.status})`,
        evidence: [`GET ${httpUrl.href} -> ${res.status}${location ? ` Location: ${location}` : ""}`],
    };
}

interface PeerInfo {
    cert: tls.DetailedPeerCertificate;
    authorized: boolean;
    authorizationError?: string;
    protocol: string | null;
}

function tlsHandshake(pageUrl: URL, net: NetOptions): Promise<PeerInfo> {
    const host = normalizeHost(pageUrl.hostname);
    const port = Number(pageUrl.port || 443);
    const target = connectTarget(net.connectTo, host, port);
    return new Promise((resolve, reject) => {
        // rejectUnauthorized is off for this one socket so that the chain error can be reported
        // as a finding; authorization is read back from the socket, nothing is sent over it.
        const socket = tls.connect({
            host: target.host,
            port: target.port,
            servername: host,
            ca: net.ca,
            rejectUnauthorized: false,
            ALPNProtocols: ["http/1.1"],
        });
        const timer = setTimeout(
            () => socket.destroy(Object.assign(new Error(`TLS handshake timeout after ${net.timeoutMs} ms`), { code: "ETIMEDOUT" })),
            net.timeoutMs,
        );
        socket.once("secureConnect", () => {
            clearTimeout(timer);
            const info: PeerInfo = {
                cert: socket.getPeerCertificate(true),
                authorized: socket.authorized,
                authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined,
                protocol: socket.getProtocol(),
            };
            socket.end();
            resolve(info);
        });
        socket.once("error", (e) => {
            clearTimeout(timer);
            reject(e);
        });
    });
}

/**
 * Certificate: chain trusted (Node's roots + --ca-file), name matches the host, within its
 * validity dates. Throws AuditRunError when the host cannot be reached at all.
 */
export async function certificateFinding(pageUrl: URL, net: NetOptions, now = new Date()): Promise<Finding> {
    const base = { id: "certificate" as const, checklist: ["C11", "C14"] };
    let peer: PeerInfo;
    try {
        peer = await tlsHandshake(pageUrl, net);
    } catch (e) {
        if (UNREACHABLE_CODES.has(errorCode(e) ?? "")) {
            throw new AuditRunError(`cannot reach ${pageUrl.origin}: ${describeError(e)}`);
        }
        return {
            ...base,
            severity: "fail",
            summary: "TLS handshake failed",
            evidence: [`${pageUrl.host}: ${describeError(e)}`],
        };
    }
    const { cert } = peer;
    if (!cert || !cert.valid_to) {
        return { ...base, severity: "fail", summary: "server sent no certificate", evidence: [pageUrl.host] };
    }
    const host = normalizeHost(pageUrl.hostname);
    const problems: string[] = [];
    // Node reports a name mismatch as an authorization error too; it is checked separately.
    if (!peer.authorized && peer.authorizationError !== "ERR_TLS_CERT_ALTNAME_INVALID") {
        problems.push(`chain not trusted: ${peer.authorizationError ?? "unknown error"}`);
    }
    const nameError = tls.checkServerIdentity(host, cert);
    if (nameError) {
        problems.push(`name mismatch: ${nameError.message}`);
    }
    const notBefore = new Date(cert.valid_from);
    const notAfter = new Date(cert.valid_to);
    if (now < notBefore) {
        problems.push(`not valid before ${notBefore.toISOString()}`);
    }
    if (now > notAfter) {
        problems.push(`expired on ${notAfter.toISOString()}`);
    }
    const daysLeft = Math.floor((notAfter.getTime() - now.getTime()) / DAY);
    const issuer = cert.issuer?.CN ?? cert.issuer?.O ?? "unknown issuer";
    const evidence = [
        `subject CN=${cert.subject?.CN ?? "-"}; SAN ${cert.subjectaltname ?? "-"}`,
        `issuer ${issuer}; valid ${notBefore.toISOString()} .. ${notAfter.toISOString()} (${daysLeft} days left)`,
        `${peer.protocol ?? "TLS"}; SHA-256 ${cert.fingerprint256}`,
        ...problems,
    ];
    if (problems.length > 0) {
        return { ...base, severity: "fail", summary: problems[0], evidence };
    }
    if (daysLeft < CERT_WARN_DAYS) {
        return { ...base, severity: "warn", summary: `valid, but expires in ${daysLeft} days`, evidence };
    }
    return { ...base, severity: "pass", summary: `trusted, matches ${host}, ${daysLeft} days left (${issuer})`, evidence };
}
