/**
 * Runs the real Caddy (Debian's package) with the Caddyfile rendered in test mode, on loopback
 * and free ports in 18000-18999, with its data, config and the access log in a temp dir (so the
 * local CA's root is at <tmp>/data/caddy/pki/authorities/local/root.crt). Always `stop()` it.
 */
import { ChildProcess, spawn } from "child_process";
import * as dgram from "dgram";
import * as fs from "fs";
import * as https from "https";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { CaddyfileInput, renderCaddyfile } from "../../components/edge/caddyfile";
import { requireTool } from "./tools";

export const edgeTestDomain = "localhost";
export const edgeTestWebsite = "https://www.client-a.test";

export interface RunningEdge {
    domain: string;
    website: string;
    httpPort: number;
    httpsPort: number;
    /** The Caddyfile Caddy runs. */
    caddyfile: string;
    /** The local CA root that signed the site certificate. */
    caCertPath: string;
    accessLogPath: string;
    /** Everything Caddy wrote to stderr so far (its own log). */
    stderr(): string;
    stop(): Promise<void>;
}

export interface EdgeResponse {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: string;
}

function portFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const srv = net.createServer();
        srv.once("error", () => resolve(false));
        srv.listen(port, "127.0.0.1", () => {
            srv.close(() => {
                const sock = dgram.createSocket("udp4");
                sock.once("error", () => resolve(false));
                sock.bind(port, "127.0.0.1", () => sock.close(() => resolve(true)));
            });
        });
    });
}

async function pickPorts(): Promise<[number, number]> {
    for (let i = 0; i < 50; i++) {
        const a = 18000 + Math.floor(Math.random() * 1000);
        const b = 18000 + Math.floor(Math.random() * 1000);
        if (a !== b && (await portFree(a)) && (await portFree(b))) return [a, b];
    }
    throw new Error("edge-caddy: no two free ports in 18000-18999");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One HTTPS request to the edge (HTTP/1.1, no connection reuse). */
export function edgeRequest(
    edge: Pick<RunningEdge, "domain" | "httpsPort" | "caCertPath">,
    urlPath: string,
    opts: { method?: string; headers?: Record<string, string>; localAddress?: string; body?: string } = {},
): Promise<EdgeResponse> {
    return new Promise((resolve, reject) => {
        const req = https.request(
            {
                host: "127.0.0.1",
                port: edge.httpsPort,
                servername: edge.domain,
                path: urlPath,
                method: opts.method ?? "GET",
                ca: fs.readFileSync(edge.caCertPath),
                headers: { host: `${edge.domain}:${edge.httpsPort}`, ...(opts.headers ?? {}) },
                localAddress: opts.localAddress,
                agent: false,
                timeout: 10000,
            },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c) => chunks.push(c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
            },
        );
        req.on("timeout", () => req.destroy(new Error(`timeout: ${urlPath}`)));
        req.on("error", reject);
        req.end(opts.body);
    });
}

/** One plain-HTTP request to the edge's HTTP port. */
export function edgeHttpRequest(edge: Pick<RunningEdge, "domain" | "httpPort">, urlPath: string, host = `${edge.domain}:${edge.httpPort}`): Promise<EdgeResponse> {
    return new Promise((resolve, reject) => {
        const req = http.request(
            { host: "127.0.0.1", port: edge.httpPort, path: urlPath, headers: { host }, agent: false, timeout: 10000 },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c) => chunks.push(c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
            },
        );
        req.on("timeout", () => req.destroy(new Error(`timeout: ${urlPath}`)));
        req.on("error", reject);
        req.end();
    });
}

async function startOnce(input: Omit<CaddyfileInput, "test" | "accessLogPath">, caddy: string): Promise<RunningEdge | "port-clash"> {
    const [httpPort, httpsPort] = await pickPorts();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "edge-caddy-"));
    const accessLogPath = path.join(dir, "logs", "access.log");
    fs.mkdirSync(path.dirname(accessLogPath), { recursive: true });
    const caddyfile = renderCaddyfile({ ...input, accessLogPath, test: { bindHost: "127.0.0.1", httpPort, httpsPort } });
    const configPath = path.join(dir, "Caddyfile");
    fs.writeFileSync(configPath, caddyfile);
    let stderr = "";
    const child: ChildProcess = spawn(caddy, ["run", "--config", configPath, "--adapter", "caddyfile"], {
        cwd: dir,
        env: { ...process.env, HOME: dir, XDG_DATA_HOME: path.join(dir, "data"), XDG_CONFIG_HOME: path.join(dir, "config") },
        stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    let exited = false;
    const exitedPromise = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);

    const stop = async () => {
        process.off("exit", killOnExit);
        if (!exited) {
            child.kill("SIGTERM");
            let timer: NodeJS.Timeout | undefined;
            await Promise.race([exitedPromise, new Promise<void>((r) => (timer = setTimeout(r, 5000)))]);
            clearTimeout(timer);
            if (!exited) {
                child.kill("SIGKILL");
                await exitedPromise;
            }
        }
        fs.rmSync(dir, { recursive: true, force: true });
    };
    const caCertPath = path.join(dir, "data", "caddy", "pki", "authorities", "local", "root.crt");
    const edge: RunningEdge = {
        domain: input.domain,
        website: input.website,
        httpPort,
        httpsPort,
        caddyfile,
        caCertPath,
        accessLogPath,
        stderr: () => stderr,
        stop,
    };
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
        if (exited) {
            await stop();
            if (/address already in use/.test(stderr)) return "port-clash";
            throw new Error(`caddy exited during start:\n${stderr}`);
        }
        if (fs.existsSync(caCertPath)) {
            try {
                const res = await edgeRequest(edge, "/");
                if (res.status === 200) return edge;
            } catch {
                /* certificate not issued yet */
            }
        }
        await sleep(100);
    }
    await stop();
    throw new Error(`caddy did not serve https://${input.domain}:${httpsPort}/ within 30 s:\n${stderr}`);
}

/** Starts Caddy with `renderCaddyfile({...input, test})`; retries on a port clash with a parallel suite. */
export async function startEdge(input: Partial<Omit<CaddyfileInput, "test" | "accessLogPath">> & { upstream: string }): Promise<RunningEdge> {
    const caddy = requireTool("caddy");
    const full = {
        domain: edgeTestDomain,
        website: edgeTestWebsite,
        acmeEmail: "ops@client-a.test",
        adminUiCidrs: [],
        accessLogRetentionDays: 7,
        ...input,
    };
    for (let attempt = 0; attempt < 3; attempt++) {
        const edge = await startOnce(full, caddy);
        if (edge !== "port-clash") return edge;
    }
    throw new Error("caddy: ports kept clashing with parallel suites");
}
