/**
 * A "host" on loopback for the verify tests: a real sshd on 127.0.0.1:<free port> (temp host key,
 * temp authorized_keys) and a real fail2ban-server with the kit's sshd jail, plus a prepared root
 * directory (host files, apt stamps, backup sets, logs) that the checks read through their
 * `root` prefix. Every file lives under one temp dir; `stop()` ends both daemons by pid.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startSshd } from "./sshd";
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

export async function startLoopbackHost(files: Array<{ path: string; content: string; permissions?: string }>): Promise<LoopbackHost> {
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
    execFileSync(keygen, ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "id")]);
    const sshd = await startSshd({
        dir,
        authorizedKeys: fs.readFileSync(path.join(dir, "id.pub"), "utf8"),
        config: ["PermitRootLogin prohibit-password", "PasswordAuthentication no", "KbdInteractiveAuthentication no"],
    });
    // For `sshd -T`: the kit's drop-in included first, as Debian's sshd_config does.
    const sshdConfig = path.join(root, "etc/ssh/sshd_config");
    fs.mkdirSync(path.dirname(sshdConfig), { recursive: true });
    fs.writeFileSync(sshdConfig, `Include ${root}/etc/ssh/sshd_config.d/*.conf\nHostKey ${sshd.hostKeyFile}\nPasswordAuthentication yes\n`);

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
        target: {
            host: "127.0.0.1",
            port: sshd.port,
            user: "root",
            keyFile: path.join(dir, "id"),
            knownHostsFile: sshd.writeKnownHosts(path.join(dir, "known_hosts")),
        },
        hostPublicKey: fs.readFileSync(`${sshd.hostKeyFile}.pub`, "utf8"),
        privateKey: fs.readFileSync(path.join(dir, "id"), "utf8"),
        sshdConfig,
        fail2banSocket,
        startFail2ban,
        stopFail2ban,
        async stop() {
            stopFail2ban();
            await sshd.stop();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
