/**
 * Network plumbing shared by the Node-side checks, the Observatory child process and Chromium:
 * `--connect-to` rules (curl semantics: the URL, Host header and TLS server name stay the
 * original ones, only the TCP connection goes elsewhere), extra CA files, and single HTTP(S)
 * requests that never follow redirects.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as tls from "tls";
import { defaultPort, hostMatches, normalizeHost } from "./site";
import { ConnectRule, UsageError } from "./types";

const RULE_RE = /^(\*\.[^:\s]+|[^*:\s]+):(\d{1,5}):(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):(\d{1,5})$/;

/** Parses `HOST:PORT:CONNECT_HOST:CONNECT_PORT`; HOST may be `*.example.com`. */
export function parseConnectRule(text: string): ConnectRule {
    const m = RULE_RE.exec(text.trim());
    if (!m) {
        throw new UsageError(
            `--connect-to '${text}': expected HOST:PORT:CONNECT_HOST:CONNECT_PORT ` +
                `(e.g. www.example.com:443:127.0.0.1:20443)`,
        );
    }
    const port = Number(m[2]);
    const connectPort = Number(m[4]);
    for (const p of [port, connectPort]) {
        if (p < 1 || p > 65535) {
            throw new UsageError(`--connect-to '${text}': port ${p} is out of range`);
        }
    }
    return {
        host: normalizeHost(m[1]),
        port,
        connectHost: m[3].replace(/^\[|\]$/g, ""),
        connectPort,
    };
}

/** Where to open the TCP connection for host:port (the rule, or the host itself). */
export function connectTarget(
    rules: ConnectRule[],
    host: string,
    port: number,
): { host: string; port: number } {
    const rule = rules.find((r) => r.port === port && hostMatches(host, r.host));
    return rule ? { host: rule.connectHost, port: rule.connectPort } : { host: normalizeHost(host), port };
}

/** Chromium `--host-resolver-rules` for the same rules (MAP pattern:port replacement:port). */
export function chromiumResolverRules(rules: ConnectRule[]): string | undefined {
    if (rules.length === 0) {
        return undefined;
    }
    return rules
        .map((r) => {
            const target = r.connectHost.includes(":") ? `[${r.connectHost}]` : r.connectHost;
            return `MAP ${r.host}:${r.port} ${target}:${r.connectPort}`;
        })
        .join(", ");
}

/** The PEM certificates in a text; throws with the reason when one is unreadable. */
function pemCertificates(text: string): string[] {
    const found = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    for (const pem of found) {
        new crypto.X509Certificate(pem);
    }
    return found;
}

/** The certificates in the given PEM files (throws a UsageError naming the file). */
export function readCaFiles(files: string[]): string[] {
    const certs: string[] = [];
    for (const file of files) {
        let found: string[];
        try {
            found = pemCertificates(fs.readFileSync(file, "utf8"));
        } catch (e) {
            throw new UsageError(`--ca-file ${file}: ${(e as Error).message}`);
        }
        if (found.length === 0) {
            throw new UsageError(`--ca-file ${file}: no PEM certificate in it`);
        }
        certs.push(...found);
    }
    return certs;
}

/**
 * The trust store for the Node-side checks: Node's bundled roots, NODE_EXTRA_CA_CERTS (which an
 * explicit `ca` option would otherwise drop) and the extra CAs. Undefined = Node's default.
 */
export function trustStore(extraCas: string[]): string[] | undefined {
    if (extraCas.length === 0) {
        return undefined;
    }
    const store = [...tls.rootCertificates, ...extraCas];
    const envFile = process.env.NODE_EXTRA_CA_CERTS;
    if (envFile) {
        try {
            store.push(...pemCertificates(fs.readFileSync(envFile, "utf8")));
        } catch {
            // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; so do we (silently)
        }
    }
    return store;
}

/**
 * SHA-256 of each CA's SubjectPublicKeyInfo, base64: Chromium's
 * `--ignore-certificate-errors-spki-list` accepts chains that contain one of these keys. This is
 * how Chromium is made to trust a private CA without touching the system trust store; it only
 * works when the server sends that CA certificate in its chain (Node verifies the chain itself).
 */
export function spkiHashes(cas: string[]): string[] {
    return cas.map((pem) => {
        const der = new crypto.X509Certificate(pem).publicKey.export({ type: "spki", format: "der" });
        return crypto.createHash("sha256").update(der).digest("base64");
    });
}

/** Errors that mean "could not talk to the host at all" (exit 2), not a finding. */
export const UNREACHABLE_CODES = new Set([
    "ENOTFOUND",
    "EAI_AGAIN",
    "ECONNREFUSED",
    "ETIMEDOUT",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "ECONNRESET",
    "EADDRNOTAVAIL",
]);

export interface SimpleResponse {
    status: number;
    headers: http.IncomingHttpHeaders;
    url: string;
}

export interface NetOptions {
    connectTo: ConnectRule[];
    ca?: string[];
    timeoutMs: number;
}

const USER_AGENT = "Mozilla/5.0 (compatible; mautic-gdpr-kit-audit/0.1)";

/** One GET without following redirects; the body is discarded. Rejects with the socket error. */
export function fetchOnce(urlText: string, opts: NetOptions): Promise<SimpleResponse> {
    const url = new URL(urlText);
    const isHttps = url.protocol === "https:";
    const port = Number(url.port || defaultPort(url.protocol));
    const target = connectTarget(opts.connectTo, url.hostname, port);
    const mod = isHttps ? https : http;
    return new Promise((resolve, reject) => {
        const req = mod.request(
            {
                method: "GET",
                host: target.host,
                port: target.port,
                path: `${url.pathname}${url.search}`,
                headers: { Host: url.host, "User-Agent": USER_AGENT, Accept: "text/html,*/*;q=0.8" },
                agent: false,
                timeout: opts.timeoutMs,
                ...(isHttps ? { servername: normalizeHost(url.hostname), ca: opts.ca } : {}),
            },
            (res) => {
                res.resume();
                resolve({ status: res.statusCode ?? 0, headers: res.headers, url: url.href });
            },
        );
        req.on("timeout", () => req.destroy(Object.assign(new Error(`timeout after ${opts.timeoutMs} ms`), { code: "ETIMEDOUT" })));
        req.on("error", reject);
        req.end();
    });
}

export function errorCode(e: unknown): string | undefined {
    return e && typeof e === "object" && "code" in e ? String((e as { code: unknown }).code) : undefined;
}

export function describeError(e: unknown): string {
    const code = errorCode(e);
    const msg = e instanceof Error ? e.message : String(e);
    return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}
