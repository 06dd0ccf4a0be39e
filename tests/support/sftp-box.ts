/**
 * A stand-in for a Hetzner Storage Box on loopback: a real sshd on 127.0.0.1:<free port> with an
 * SFTP-only account (`Match User nobody`: ForceCommand internal-sftp, ChrootDirectory, no
 * forwarding, keys only), its own ed25519 host key and authorized_keys. The chroot lives under
 * /run (sshd requires every component of a chroot path to be root-owned and not writable by
 * others, which /tmp is not). `stop()` ends sshd by its pid and removes everything.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { listenInRange } from "./loopback";
import { requireTool } from "./tools";

export interface SftpBox {
    host: string;
    port: number;
    user: string;
    /** The chroot: what the account sees as "/". */
    chroot: string;
    /** The sshd's host public key line ("ssh-ed25519 AAAA..."). */
    hostPublicKey: string;
    /** `ssh-keygen -l -E sha256` of the host key: "SHA256:...". */
    hostKeyFingerprint: string;
    /** Allows the given public key line to log in. */
    authorize(publicKey: string): void;
    /** The sshd's log so far (for failure messages). */
    log(): string;
    stop(): Promise<void>;
}

async function freePort(): Promise<number> {
    const srv = net.createServer();
    const port = await listenInRange(srv);
    await new Promise<void>((r) => srv.close(() => r()));
    return port;
}

/** The account's uid/gid (nobody: an unprivileged user every Debian has). */
const account = { name: "nobody", uid: 65534, gid: 65534 };

export async function startSftpBox(opts: { writableDirs?: string[] } = {}): Promise<SftpBox> {
    const sshd = requireTool("sshd");
    const keygen = requireTool("ssh-keygen");
    if (process.getuid?.() !== 0) throw new Error("the SFTP box needs root (sshd's ChrootDirectory)");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sftp-box-"));
    // sshd reads authorized_keys as the account (nobody): the dir may be entered, not listed.
    fs.chmodSync(dir, 0o711);
    fs.mkdirSync("/run/sshd", { recursive: true });
    const chroot = fs.mkdtempSync("/run/mautic-kit-sftp-");
    fs.chmodSync(chroot, 0o755);
    for (const d of opts.writableDirs ?? ["mautic"]) {
        const p = path.join(chroot, d);
        fs.mkdirSync(p, { recursive: true, mode: 0o700 });
        fs.chownSync(p, account.uid, account.gid);
    }
    execFileSync(keygen, ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "hostkey")]);
    const hostPublicKey = fs.readFileSync(path.join(dir, "hostkey.pub"), "utf8").trim().split(" ").slice(0, 2).join(" ");
    const hostKeyFingerprint = execFileSync(keygen, ["-l", "-E", "sha256", "-f", path.join(dir, "hostkey.pub")], { encoding: "utf8" }).split(" ")[1];
    const authorizedKeys = path.join(dir, "authorized_keys");
    fs.writeFileSync(authorizedKeys, "", { mode: 0o644 });
    const port = await freePort();
    const config = path.join(dir, "sshd_config");
    fs.writeFileSync(
        config,
        [
            `Port ${port}`,
            "ListenAddress 127.0.0.1",
            `HostKey ${dir}/hostkey`,
            `PidFile ${dir}/sshd.pid`,
            `AuthorizedKeysFile ${authorizedKeys}`,
            "StrictModes no",
            "UsePAM no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin no",
            `AllowUsers ${account.name}`,
            "Subsystem sftp internal-sftp",
            `Match User ${account.name}`,
            `  ChrootDirectory ${chroot}`,
            "  ForceCommand internal-sftp",
            "  AllowTcpForwarding no",
            "  X11Forwarding no",
            "  PermitTTY no",
            "",
        ].join("\n"),
    );
    const proc: ChildProcess = spawn(sshd, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    proc.stderr?.on("data", (d) => (log += String(d)));
    const until = Date.now() + 15000;
    while (!fs.existsSync(path.join(dir, "sshd.pid")) && proc.exitCode === null && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    if (proc.exitCode !== null || !fs.existsSync(path.join(dir, "sshd.pid"))) throw new Error(`sshd did not start: ${log}`);
    return {
        host: "127.0.0.1",
        port,
        user: account.name,
        chroot,
        hostPublicKey,
        hostKeyFingerprint,
        authorize: (publicKey) => fs.appendFileSync(authorizedKeys, `${publicKey.trim()}\n`),
        log: () => log,
        stop: async () => {
            if (proc.exitCode === null) {
                const exited = new Promise<void>((r) => proc.once("exit", () => r()));
                proc.kill("SIGTERM");
                await exited;
            }
            fs.rmSync(dir, { recursive: true, force: true });
            fs.rmSync(chroot, { recursive: true, force: true });
        },
    };
}
