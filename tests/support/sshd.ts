/**
 * A real OpenSSH sshd on 127.0.0.1 for the live tests: its own ed25519 host key, a config file
 * and a pid file in the caller's temp dir, `sshd -D -e -f`, ready once the pid file is there
 * (sshd writes it after it has bound its listener). The caller keeps its own settings; the dir
 * stays the caller's to remove. (verify.host.test's `sshd -T` checks a config and starts nothing.)
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { freePort } from "./loopback";
import { requireTool } from "./tools";

export interface SshdOptions {
    /** The caller's temp dir: the host key, sshd_config and sshd.pid are written into it. */
    dir: string;
    /**
     * Lines read before the helper's own. sshd keeps the first value it reads for most keywords,
     * so what must win goes here (e.g. an `Include` of the kit's drop-in). Default: none.
     */
    head?: string[];
    /** The caller's settings, after the helper's (a `Match` block last). Default: none. */
    config?: string[];
    /**
     * The authorized_keys content, written to <dir>/authorized_keys (0644: sshd reads it as the
     * account, which may be unprivileged) and named by AuthorizedKeysFile. Default: no file, and no
     * AuthorizedKeysFile line (sshd's default, or the `head`'s, applies).
     */
    authorizedKeys?: string;
    /** Where to look for a free port. Default: freePort's 19000-19999. */
    portRange?: [number, number];
}

export interface Sshd {
    port: number;
    /** The private host key file (its public half beside it, `.pub`). */
    hostKeyFile: string;
    /** "ssh-ed25519 AAAA..." (type and key, no comment). */
    hostPublicKey: string;
    /** `ssh-keygen -l -E sha256` of the host key: "SHA256:...". */
    hostKeyFingerprint: string;
    authorizedKeysFile: string;
    /** Writes a known_hosts file (0600) that pins this host key for [127.0.0.1]:port; returns its path. */
    writeKnownHosts(file: string): string;
    /** sshd's log (stderr, -e) so far. */
    log(): string;
    /** Ends sshd (SIGTERM) and waits for it; the dir is left to the caller. */
    stop(): Promise<void>;
}

/** Starts sshd; throws with its log when it does not come up. */
export async function startSshd(opts: SshdOptions): Promise<Sshd> {
    const sshd = requireTool("sshd");
    const keygen = requireTool("ssh-keygen");
    const { dir } = opts;
    // As root, sshd refuses to start without its privilege separation dir.
    if (process.getuid?.() === 0) fs.mkdirSync("/run/sshd", { recursive: true });
    const hostKeyFile = path.join(dir, "ssh_host_ed25519_key");
    execFileSync(keygen, ["-q", "-t", "ed25519", "-N", "", "-f", hostKeyFile]);
    const hostPublicKey = fs.readFileSync(`${hostKeyFile}.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
    const hostKeyFingerprint = execFileSync(keygen, ["-l", "-E", "sha256", "-f", `${hostKeyFile}.pub`], { encoding: "utf8" }).split(" ")[1];
    const authorizedKeysFile = path.join(dir, "authorized_keys");
    if (opts.authorizedKeys !== undefined) fs.writeFileSync(authorizedKeysFile, opts.authorizedKeys, { mode: 0o644 });
    const configFile = path.join(dir, "sshd_config");
    const pidFile = path.join(dir, "sshd.pid");
    // The port is free when picked but closed again before sshd binds it: another process may take
    // it in between, so a bind failure is tried again on another port.
    for (let attempt = 1; ; attempt++) {
        const port = await freePort(...(opts.portRange ?? []));
        fs.writeFileSync(
            configFile,
            [
                ...(opts.head ?? []),
                // With its port, ListenAddress ignores any Port line (a `head` file may set one).
                `ListenAddress 127.0.0.1:${port}`,
                `HostKey ${hostKeyFile}`,
                `PidFile ${pidFile}`,
                ...(opts.authorizedKeys !== undefined ? [`AuthorizedKeysFile ${authorizedKeysFile}`] : []),
                // No PAM stack for test accounts; StrictModes would refuse key files in a temp dir.
                "UsePAM no",
                "StrictModes no",
                ...(opts.config ?? []),
                "",
            ].join("\n"),
        );
        const proc: ChildProcess = spawn(sshd, ["-D", "-e", "-f", configFile], { stdio: ["ignore", "ignore", "pipe"] });
        let log = "";
        proc.stderr?.on("data", (d) => (log += String(d)));
        const until = Date.now() + 15000;
        while (!fs.existsSync(pidFile) && proc.exitCode === null && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
        if (proc.exitCode === null && fs.existsSync(pidFile)) return running(proc, port, () => log);
        await stopProcess(proc);
        if (!/Address already in use|Cannot bind any address/.test(log) || attempt === 5) throw new Error(`sshd did not start on 127.0.0.1:${port}: ${log}`);
    }

    function running(proc: ChildProcess, port: number, log: () => string): Sshd {
        return {
            port,
            hostKeyFile,
            hostPublicKey,
            hostKeyFingerprint,
            authorizedKeysFile,
            writeKnownHosts: (file) => {
                fs.writeFileSync(file, `[127.0.0.1]:${port} ${hostPublicKey}\n`, { mode: 0o600 });
                return file;
            },
            log,
            stop: () => stopProcess(proc),
        };
    }
}

async function stopProcess(proc: ChildProcess): Promise<void> {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once("exit", () => r()));
    proc.kill("SIGTERM");
    await exited;
}
