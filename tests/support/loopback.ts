/**
 * Loopback plumbing for the tests: a throwaway TLS certificate for test host names, listening
 * on a free port in the range the tests may use (19000-19999), and a free port for a daemon.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { requireTool } from "./tools";

export interface TestCert {
    key: string;
    cert: string;
}

/** A self-signed certificate for the given DNS names, valid `days` (made by openssl; the browser is told to accept it). */
export function makeTestCert(dnsNames: string[], days = 2): TestCert {
    const openssl = requireTool("openssl");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tracking-tls-"));
    try {
        const key = path.join(dir, "key.pem");
        const cert = path.join(dir, "cert.pem");
        execFileSync(
            openssl,
            [
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                key,
                "-out",
                cert,
                "-days",
                String(days),
                "-subj",
                `/CN=${dnsNames[0]}`,
                "-addext",
                `subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(",")}`,
            ],
            { stdio: "pipe" },
        );
        return { key: fs.readFileSync(key, "utf8"), cert: fs.readFileSync(cert, "utf8") };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Listens on 127.0.0.1 at a free port in [from, to] (random start, so parallel suites rarely collide). */
export async function listenInRange(server: net.Server, from = 19000, to = 19999): Promise<number> {
    const span = to - from + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < 64; i++) {
        const port = from + ((start + i * 37) % span);
        const ok = await new Promise<boolean>((resolve, reject) => {
            const onError = (err: NodeJS.ErrnoException) => {
                server.off("listening", onListening);
                if (err.code === "EADDRINUSE" || err.code === "EACCES") resolve(false);
                else reject(err);
            };
            const onListening = () => {
                server.off("error", onError);
                resolve(true);
            };
            server.once("error", onError);
            server.once("listening", onListening);
            server.listen(port, "127.0.0.1");
        });
        if (ok) return port;
    }
    throw new Error(`no free port in ${from}-${to}`);
}

/**
 * A port in [from, to] that was free on 127.0.0.1 a moment ago (found by listenInRange, then closed
 * again), for a daemon that binds it itself: sshd, php -S, qemu's port forward. Another process may
 * take it before the daemon binds it. A range rather than port 0: the kernel hands out port 0 from
 * its ephemeral range (32768-60999), where it also picks the local ports of outgoing connections,
 * so a port picked there is likelier to be taken in between; the tests' range is outside it.
 */
export async function freePort(from = 19000, to = 19999): Promise<number> {
    const server = net.createServer();
    const port = await listenInRange(server, from, to);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

/** Closes a server, dropping keep-alive connections so the promise settles at once. */
export function closeServer(server: https.Server | http.Server): Promise<void> {
    return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
    });
}
