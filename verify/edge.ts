/**
 * The edge from outside, with the audit's own code: certificate (trust, name, days left),
 * HTTP -> HTTPS redirect, HSTS, the TLS versions offered, and the security headers.
 */
import * as tls from "tls";
import { connectTarget, describeError, fetchOnce, NetOptions } from "../audit/net";
import { certificateFinding, hstsFinding, httpsRedirectFinding } from "../audit/transport";
import { Finding } from "../audit/types";
import { ChecklistId } from "./checklist";
import { CheckResult } from "./types";

const fromFinding = (f: Finding, id: string, title: string, items: ChecklistId[], seenAt: string): CheckResult => ({
    id,
    title,
    // The audit warns at < 14 days left: the same limit as the alert, so a warning fails here.
    status: f.severity === "pass" ? "pass" : "fail",
    evidence: [f.summary, ...f.evidence].join("; "),
    seenAt,
    items,
});

/** Handshakes with one TLS version only; resolves with the negotiated protocol or the error. */
function tryVersion(url: URL, net: NetOptions, version: tls.SecureVersion): Promise<string> {
    const target = connectTarget(net.connectTo, url.hostname, Number(url.port || 443));
    return new Promise((resolve) => {
        const s = tls.connect({
            host: target.host,
            port: target.port,
            servername: url.hostname,
            minVersion: version,
            maxVersion: version,
            // The client side must be able to offer the old versions, or the probe proves nothing.
            ciphers: "DEFAULT:@SECLEVEL=0",
            rejectUnauthorized: false,
            timeout: net.timeoutMs,
        });
        s.once("secureConnect", () => {
            resolve(s.getProtocol() ?? "unknown");
            s.destroy();
        });
        s.once("error", (e) => resolve(`refused (${describeError(e)})`));
        s.once("timeout", () => {
            resolve("timeout");
            s.destroy();
        });
    });
}

const requiredHeaders: Array<[string, RegExp, string]> = [
    ["x-content-type-options", /^nosniff$/i, "nosniff"],
    ["referrer-policy", /^(strict-origin-when-cross-origin|strict-origin|same-origin|no-referrer)$/i, "a strict Referrer-Policy"],
    ["content-security-policy", /\S/, "a Content-Security-Policy"],
];

export async function runEdgeChecks(urlText: string, net: NetOptions): Promise<CheckResult[]> {
    const seenAt = new Date().toISOString();
    const url = new URL(urlText);
    const out: CheckResult[] = [];
    out.push(fromFinding(await certificateFinding(url, net), "edge-certificate", "certificate trusted, for the host, more than 14 days left", ["C11"], seenAt));
    out.push(fromFinding(await httpsRedirectFinding(url, net), "edge-https-redirect", "http:// redirects to https://", ["C11"], seenAt));
    let res: Awaited<ReturnType<typeof fetchOnce>> | Error;
    try {
        res = await fetchOnce(url.href, net);
    } catch (e) {
        res = e as Error;
    }
    out.push(fromFinding(hstsFinding(url.href, res), "edge-hsts", "Strict-Transport-Security of at least six months", ["C11", "C13"], seenAt));
    const versions: Record<string, string> = {};
    for (const v of ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as tls.SecureVersion[]) versions[v] = await tryVersion(url, net, v);
    const old = ["TLSv1", "TLSv1.1"].filter((v) => versions[v] === v);
    const modern = ["TLSv1.2", "TLSv1.3"].filter((v) => versions[v] === v);
    out.push({
        id: "edge-tls-versions",
        title: "only TLS 1.2 and 1.3 are accepted",
        status: old.length === 0 && modern.length > 0 ? "pass" : "fail",
        evidence: Object.entries(versions)
            .map(([v, r]) => `${v}: ${r === v ? "accepted" : r.startsWith("refused") ? "refused" : r}`)
            .join(", "),
        seenAt,
        items: ["C11"],
    });
    if (res instanceof Error) {
        out.push({ id: "edge-headers", title: "security headers", status: "fail", evidence: `GET ${url.href}: ${describeError(res)}`, seenAt, items: ["C13"] });
    } else {
        const h = res.headers;
        const bad = requiredHeaders.filter(([name, re]) => !re.test(String(h[name] ?? ""))).map(([name, , want]) => `${name}: want ${want}`);
        const framing = /frame-ancestors/i.test(String(h["content-security-policy"] ?? "")) || /^(deny|sameorigin)$/i.test(String(h["x-frame-options"] ?? ""));
        if (!framing) bad.push("framing: want X-Frame-Options or CSP frame-ancestors");
        out.push({
            id: "edge-headers",
            title: "security headers (nosniff, Referrer-Policy, CSP, framing)",
            status: bad.length ? "fail" : "pass",
            evidence: bad.length
                ? `GET ${url.href} -> ${res.status}: ${bad.join("; ")}`
                : `GET ${url.href} -> ${res.status}: nosniff, Referrer-Policy, CSP, framing protection present`,
            seenAt,
            items: ["C13"],
        });
    }
    return out;
}
