/**
 * A "host" on loopback for the verify tests: a real sshd on 127.0.0.1:<free port> (temp host key,
 * temp authorized_keys) and a real fail2ban-server with the kit's sshd jail, plus a prepared root
 * directory (host files, apt stamps, backup sets, logs) that the checks read through their
 * `root` prefix. Every file lives under one temp dir; `stop()` ends both daemons by pid.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { listenInRange } from "./loopback";
import { requireTool } from "./tools";
import { SshTarget } from "../../verify/types";

export interface LoopbackHost {
    dir: string;
    root: string;
    target: SshTarget;
    /** The pinned host public key line. */
    hostPublicKey: string;
    privateKey: string;
    /** main sshd config (in root) that includes the kit's drop-in, for `sshd -T`. */
    sshdConfig: string;
    fail2banSocket: string;
    startFail2ban(): void;
    stopFail2ban(): void;
    stop(): Promise<void>;
}

async function freePort(): Promise<number> {
    const srv = net.createServer();
    const port = await listenInRange(srv);
    await new Promise<void>((r) => srv.close(() => r()));
    return port;
}

async function waitFor(check: () => boolean, what: string, ms = 15000): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
        if (check()) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
}

export async function startLoopbackHost(files: Array<{ path: string; content: string; permissions?: string }>): Promise<LoopbackHost> {
    const sshd = requireTool("sshd");
    const keygen = requireTool("ssh-keygen");
    const f2bServer = requireTool("fail2ban-server");
    const f2bClient = requireTool("fail2ban-client");
    requireTool("ssh");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-host-"));
    fs.chmodSync(dir, 0o700);
    const root = path.join(dir, "root");
    for (const f of files) {
        const p = path.join(root, f.path);
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, f.content, { mode: parseInt(f.permissions ?? "0644", 8) });
        fs.chmodSync(p, parseInt(f.permissions ?? "0644", 8));
    }
    execFileSync(keygen, ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "hostkey")]);
    execFileSync(keygen, ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "id")]);
    fs.copyFileSync(path.join(dir, "id.pub"), path.join(dir, "authorized_keys"));
    // For `sshd -T`: the kit's drop-in included first, as Debian's sshd_config does.
    const sshdConfig = path.join(root, "etc/ssh/sshd_config");
    fs.mkdirSync(path.dirname(sshdConfig), { recursive: true });
    fs.writeFileSync(sshdConfig, `Include ${root}/etc/ssh/sshd_config.d/*.conf\nHostKey ${dir}/hostkey\nPasswordAuthentication yes\n`);
    // sshd refuses to start (and `sshd -T` to run) without its privilege separation dir.
    fs.mkdirSync("/run/sshd", { recursive: true });
    const port = await freePort();
    const serverConfig = path.join(dir, "sshd_server_config");
    fs.writeFileSync(
        serverConfig,
        [
            `Port ${port}`,
            "ListenAddress 127.0.0.1",
            `HostKey ${dir}/hostkey`,
            `PidFile ${dir}/sshd.pid`,
            `AuthorizedKeysFile ${dir}/authorized_keys`,
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "",
        ].join("\n"),
    );
    const sshdProc: ChildProcess = spawn(sshd, ["-D", "-e", "-f", serverConfig], { stdio: ["ignore", "ignore", "pipe"] });
    let sshdLog = "";
    sshdProc.stderr?.on("data", (d) => (sshdLog += String(d)));
    await waitFor(() => fs.existsSync(path.join(dir, "sshd.pid")) || sshdProc.exitCode !== null, "sshd");
    if (sshdProc.exitCode !== null) throw new Error(`sshd did not start: ${sshdLog}`);

    // fail2ban: the kit's jail file, with a polling backend on a temp log and a no-op action
    // (this test machine has neither the journal bindings nor nftables; the VM runs the real jail).
    const f2bConf = path.join(dir, "fail2ban");
    fs.cpSync("/etc/fail2ban", f2bConf, { recursive: true });
    for (const f of fs.readdirSync(path.join(f2bConf, "jail.d"))) fs.rmSync(path.join(f2bConf, "jail.d", f));
    fs.copyFileSync(path.join(root, "etc/fail2ban/jail.d/sshd.local"), path.join(f2bConf, "jail.d/sshd.local"));
    fs.writeFileSync(path.join(dir, "auth.log"), "");
    fs.writeFileSync(
        path.join(f2bConf, "jail.d/zz-loopback-test.local"),
        `[sshd]\nbackend = polling\nlogpath = ${dir}/auth.log\nbanaction = dummy\naction = dummy\n`,
    );
    fs.writeFileSync(
        path.join(f2bConf, "fail2ban.local"),
        `[Definition]\nlogtarget = ${dir}/fail2ban-server.log\ndbfile = :memory:\nsocket = ${dir}/f2b.sock\npidfile = ${dir}/f2b.pid\n`,
    );
    const fail2banSocket = path.join(dir, "f2b.sock");
    const f2bPidFile = path.join(dir, "f2b.pid");
    const startFail2ban = () => {
        const r = spawnSync(f2bServer, ["-b", "-c", f2bConf, "-s", fail2banSocket, "-p", f2bPidFile], { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`fail2ban-server did not start: ${r.stdout}${r.stderr}`);
        const until = Date.now() + 15000;
        while (Date.now() < until) {
            const s = spawnSync(f2bClient, ["-s", fail2banSocket, "status", "sshd"], { encoding: "utf8" });
            if (s.status === 0) return;
            spawnSync("sleep", ["0.2"]);
        }
        throw new Error(`fail2ban jail sshd not up: ${fs.readFileSync(path.join(dir, "fail2ban-server.log"), "utf8").slice(-2000)}`);
    };
    const stopFail2ban = () => {
        if (fs.existsSync(fail2banSocket)) spawnSync(f2bClient, ["-s", fail2banSocket, "stop"], { encoding: "utf8" });
        const until = Date.now() + 10000;
        while (fs.existsSync(f2bPidFile) && Date.now() < until) spawnSync("sleep", ["0.1"]);
    };
    startFail2ban();
    return {
        dir,
        root,
        target: { host: "127.0.0.1", port, user: "root", keyFile: path.join(dir, "id"), knownHostsFile: writeKnownHosts(dir, port) },
        hostPublicKey: fs.readFileSync(path.join(dir, "hostkey.pub"), "utf8"),
        privateKey: fs.readFileSync(path.join(dir, "id"), "utf8"),
        sshdConfig,
        fail2banSocket,
        startFail2ban,
        stopFail2ban,
        async stop() {
            stopFail2ban();
            if (sshdProc.exitCode === null) {
                sshdProc.kill("SIGTERM");
                await new Promise((r) => sshdProc.once("exit", r));
            }
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

function writeKnownHosts(dir: string, port: number): string {
    const file = path.join(dir, "known_hosts");
    const key = fs.readFileSync(path.join(dir, "hostkey.pub"), "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
    fs.writeFileSync(file, `[127.0.0.1]:${port} ${key}\n`, { mode: 0o600 });
    return file;
}
