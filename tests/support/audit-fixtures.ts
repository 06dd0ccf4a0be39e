/**
 * Fixture sites for the auditor tests (tests/fixtures/audit/README.md): a test CA and leaf
 * certificates made with openssl per run, and four loopback servers on ports 20000-20999:
 * the sites over HTTPS and HTTP, a fake Mautic and a "third-party" font CDN. Host names are
 * routed with `--connect-to` rules, so the pages use ordinary port-less URLs.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { ConnectRule } from "../../audit/types";
import { listenInRange as listenInLoopbackRange } from "./loopback";
import { requireTool } from "./tools";

export const FIXTURE_ROOT = path.join(__dirname, "..", "fixtures", "audit");
export const SITE_DOMAIN = "shop.test";
export const MAUTIC_HOST = `mautic.${SITE_DOMAIN}`;
export const FONT_HOST = "fonts.cdn.test";

/** The audit tests' share of the allowed port range; another suite may use the rest. */
const PORT_FROM = 20600;
const PORT_TO = 20799;

export interface FixtureEnv {
    dir: string;
    caFile: string;
    connectTo: ConnectRule[];
    /** The same rules as `--connect-to` arguments. */
    connectToArgs: string[];
    ports: { siteHttps: number; siteHttp: number; mautic: number; fonts: number };
    /** Requests each server received, as "METHOD host path". */
    hits: { site: string[]; mautic: string[]; fonts: string[] };
    urlOf(site: string): string;
    close(): Promise<void>;
}

interface SiteConfig {
    http: "redirect" | "serve";
    headers: Record<string, string>;
}

const TYPES: Record<string, string> = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
};

function openssl(args: string[], cwd: string): void {
    execFileSync(requireTool("openssl"), args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** CA + leaf certificates (EC P-256, 90 days so the certificate check does not warn). */
export function makeCertificates(dir: string, leaves: Record<string, string[]>): { caFile: string } {
    openssl(
        [
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "90",
            "-subj",
            "/CN=Auditor Test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
        dir,
    );
    for (const [name, dnsNames] of Object.entries(leaves)) {
        fs.writeFileSync(
            path.join(dir, `${name}.ext`),
            [
                `subjectAltName=${dnsNames.map((d) => `DNS:${d}`).join(",")}`,
                "basicConstraints=CA:FALSE",
                "keyUsage=critical,digitalSignature",
                "extendedKeyUsage=serverAuth",
                "",
            ].join("\n"),
        );
        openssl(
            [
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                `${name}.key`,
                "-out",
                `${name}.csr`,
                "-subj",
                `/CN=${dnsNames[0]}`,
            ],
            dir,
        );
        openssl(
            [
                "x509",
                "-req",
                "-in",
                `${name}.csr`,
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                `${name}.crt`,
                "-days",
                "60",
                "-extfile",
                `${name}.ext`,
            ],
            dir,
        );
        // The chain includes the CA: Chromium trusts it by key (--ignore-certificate-errors-spki-list).
        fs.writeFileSync(
            path.join(dir, `${name}.chain.pem`),
            fs.readFileSync(path.join(dir, `${name}.crt`), "utf8") + fs.readFileSync(path.join(dir, "ca.crt"), "utf8"),
        );
    }
    return { caFile: path.join(dir, "ca.crt") };
}

/** Listens on a free port of the audit range (the shared loopback helper, with this range). */
export function listenInRange(server: net.Server): Promise<number> {
    return listenInLoopbackRange(server, PORT_FROM, PORT_TO);
}

function readSite(name: string): SiteConfig | undefined {
    const file = path.join(FIXTURE_ROOT, "sites", name, "site.json");
    return /^[a-z0-9-]+$/.test(name) && fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as SiteConfig) : undefined;
}

/** Assets several fixture sites use (consent script, logo, stylesheet); a site's own file wins. */
const SHARED_DIR = path.join(FIXTURE_ROOT, "shared");

function sendFile(res: http.ServerResponse, dir: string, urlPath: string, headers: Record<string, string>): void {
    const rel = urlPath === "/" ? "index.html" : urlPath.replace(/^\/+/, "");
    const own = path.join(dir, rel);
    const shared = path.join(SHARED_DIR, rel);
    if (dir.startsWith(path.join(FIXTURE_ROOT, "sites")) && !fs.existsSync(own) && shared.startsWith(SHARED_DIR + path.sep) && fs.existsSync(shared)) {
        dir = SHARED_DIR;
    }
    const file = path.join(dir, rel);
    if (!file.startsWith(dir + path.sep) || rel === "site.json" || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        res.writeHead(404, { ...headers, "Content-Type": "text/plain" });
        res.end("not found\n");
        return;
    }
    res.writeHead(200, { ...headers, "Content-Type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    res.end(fs.readFileSync(file));
}

function siteName(host: string | undefined): string {
    return (host ?? "").toLowerCase().replace(/:\d+$/, "").replace(`.${SITE_DOMAIN}`, "");
}

function siteHandler(hits: string[], scheme: "http" | "https"): http.RequestListener {
    return (req, res) => {
        const url = new URL(req.url ?? "/", `${scheme}://${req.headers.host ?? "unknown"}`);
        hits.push(`${req.method} ${url.host} ${url.pathname}`);
        const name = siteName(req.headers.host);
        const site = readSite(name);
        if (!site) {
            res.writeHead(404, { "Content-Type": "text/plain" });
            res.end("unknown fixture site\n");
            return;
        }
        if (scheme === "http" && site.http === "redirect") {
            res.writeHead(301, { Location: `https://${url.hostname}${url.pathname}${url.search}` });
            res.end();
            return;
        }
        sendFile(res, path.join(FIXTURE_ROOT, "sites", name), url.pathname, site.headers);
    };
}

function mauticHandler(hits: string[]): http.RequestListener {
    return (req, res) => {
        const url = new URL(req.url ?? "/", `https://${req.headers.host ?? MAUTIC_HOST}`);
        hits.push(`${req.method} ${url.host} ${url.pathname}`);
        const cors = req.headers.origin ? { "Access-Control-Allow-Origin": req.headers.origin, "Access-Control-Allow-Credentials": "true" } : {};
        if (url.pathname === "/mtc.js") {
            sendFile(res, path.join(FIXTURE_ROOT, "mautic"), "/mtc.js", { "Cache-Control": "no-store" });
        } else if (url.pathname === "/mtc/event") {
            req.resume();
            res.writeHead(200, {
                ...cors,
                "Content-Type": "application/json",
                "Set-Cookie": "mautic_device_id=d41d8cd98f; Path=/; Max-Age=31536000; SameSite=None; Secure",
            });
            res.end('{"success":1}\n');
        } else {
            res.writeHead(404, { "Content-Type": "text/plain" });
            res.end("not found\n");
        }
    };
}

function fontHandler(hits: string[]): http.RequestListener {
    return (req, res) => {
        const url = new URL(req.url ?? "/", `https://${req.headers.host ?? FONT_HOST}`);
        hits.push(`${req.method} ${url.host} ${url.pathname}`);
        const cors = { "Access-Control-Allow-Origin": "*" };
        if (url.pathname === "/css2") {
            sendFile(res, path.join(FIXTURE_ROOT, "fonts"), "/css2.css", cors);
        } else if (url.pathname.endsWith(".woff2")) {
            // Not a real font: the request is what the test is about.
            res.writeHead(200, { ...cors, "Content-Type": "font/woff2" });
            res.end(Buffer.from("wOF2 fixture placeholder"));
        } else {
            res.writeHead(404, { "Content-Type": "text/plain" });
            res.end("not found\n");
        }
    };
}

export async function startAuditFixtures(): Promise<FixtureEnv> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-fixtures-"));
    const { caFile } = makeCertificates(dir, {
        site: [`*.${SITE_DOMAIN}`, SITE_DOMAIN],
        mautic: [MAUTIC_HOST],
        fonts: [FONT_HOST],
    });
    const tlsOf = (name: string) => ({
        key: fs.readFileSync(path.join(dir, `${name}.key`)),
        cert: fs.readFileSync(path.join(dir, `${name}.chain.pem`)),
    });
    const hits = { site: [] as string[], mautic: [] as string[], fonts: [] as string[] };
    const servers: net.Server[] = [
        https.createServer(tlsOf("site"), siteHandler(hits.site, "https")),
        http.createServer(siteHandler(hits.site, "http")),
        https.createServer(tlsOf("mautic"), mauticHandler(hits.mautic)),
        https.createServer(tlsOf("fonts"), fontHandler(hits.fonts)),
    ];
    const sockets = new Set<net.Socket>();
    for (const s of servers) {
        s.on("connection", (sock: net.Socket) => {
            sockets.add(sock);
            sock.on("close", () => sockets.delete(sock));
        });
    }
    const close = async () => {
        for (const sock of sockets) {
            sock.destroy();
        }
        await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))));
        fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        const [siteHttps, siteHttp, mautic, fonts] = [
            await listenInRange(servers[0]),
            await listenInRange(servers[1]),
            await listenInRange(servers[2]),
            await listenInRange(servers[3]),
        ];
        // Specific hosts first: the first matching rule wins (here and in Chromium).
        const connectTo: ConnectRule[] = [
            { host: MAUTIC_HOST, port: 443, connectHost: "127.0.0.1", connectPort: mautic },
            { host: FONT_HOST, port: 443, connectHost: "127.0.0.1", connectPort: fonts },
            { host: `*.${SITE_DOMAIN}`, port: 443, connectHost: "127.0.0.1", connectPort: siteHttps },
            { host: `*.${SITE_DOMAIN}`, port: 80, connectHost: "127.0.0.1", connectPort: siteHttp },
        ];
        return {
            dir,
            caFile,
            connectTo,
            connectToArgs: connectTo.map((r) => `${r.host}:${r.port}:${r.connectHost}:${r.connectPort}`),
            ports: { siteHttps, siteHttp, mautic, fonts },
            hits,
            urlOf: (site: string) => `https://${site}.${SITE_DOMAIN}/`,
            close,
        };
    } catch (e) {
        await close();
        throw e;
    }
}
