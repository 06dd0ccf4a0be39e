/**
 * OpenSSH plumbing: the `ssh` binary with the pinned host key only (StrictHostKeyChecking=yes
 * against a known_hosts file built from the key the deploy pinned), no agent, no password.
 * Key material lives in a private temp dir (0700) that `withSshTarget` removes afterwards.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SshTarget } from "./types";

export interface RemoteResult {
    stdout: string;
    stderr: string;
    code: number | null;
}

/** The `ssh` arguments for a target; the command is read from stdin by `sh -s`. */
export function sshArgs(t: SshTarget, timeoutSeconds = 20): string[] {
    return [
        "-F",
        "/dev/null",
        "-i",
        t.keyFile,
        "-p",
        String(t.port ?? 22),
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        `UserKnownHostsFile=${t.knownHostsFile}`,
        "-o",
        "GlobalKnownHostsFile=/dev/null",
        "-o",
        "PasswordAuthentication=no",
        "-o",
        "KbdInteractiveAuthentication=no",
        "-o",
        `ConnectTimeout=${timeoutSeconds}`,
        "-o",
        "ServerAliveInterval=15",
        "-o",
        "LogLevel=ERROR",
        "--",
        `${t.user ?? "root"}@${t.host}`,
        "sh",
        "-s",
    ];
}

/** Runs a shell script on the target (sent on stdin, never on the command line). */
export function runRemote(t: SshTarget, script: string, timeoutMs = 300_000): Promise<RemoteResult> {
    return new Promise((resolve, reject) => {
        const child = spawn("ssh", sshArgs(t), { stdio: ["pipe", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.stdout.on("data", (d: Buffer) => out.push(d));
        child.stderr.on("data", (d: Buffer) => err.push(d));
        child.on("error", (e) => {
            clearTimeout(timer);
            reject(new Error(`cannot run ssh (install OpenSSH's client): ${e.message}`));
        });
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), code });
        });
        child.stdin.end(script);
    });
}

/** A known_hosts line for a host (and port): `[host]:port` unless the port is 22. */
export function knownHostsLine(host: string, port: number, publicKey: string): string {
    const key = publicKey.trim().split(/\s+/).slice(0, 2).join(" ");
    if (!/^(ssh-ed25519|ecdsa-sha2-nistp\d+|ssh-rsa) [A-Za-z0-9+/=]+$/.test(key)) {
        throw new Error("the pinned host key is not an OpenSSH public key line (e.g. 'ssh-ed25519 AAAA...'): pass --host-key with the stack's hostPublicKey");
    }
    const name = port === 22 ? host : `[${host}]:${port}`;
    return `${name} ${key}\n`;
}

/**
 * Writes the private key and the pinned host key into a fresh 0700 temp dir, runs `fn` with the
 * target, and removes the dir whatever happens.
 */
export async function withSshTarget<T>(
    opts: { host: string; port?: number; user?: string; privateKey: string; hostPublicKey: string },
    fn: (t: SshTarget) => Promise<T>,
): Promise<T> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mautic-verify-"));
    fs.chmodSync(dir, 0o700);
    try {
        const keyFile = path.join(dir, "id");
        const knownHostsFile = path.join(dir, "known_hosts");
        const key = opts.privateKey.endsWith("\n") ? opts.privateKey : `${opts.privateKey}\n`;
        fs.writeFileSync(keyFile, key, { mode: 0o600 });
        fs.writeFileSync(knownHostsFile, knownHostsLine(opts.host, opts.port ?? 22, opts.hostPublicKey), { mode: 0o600 });
        return await fn({ host: opts.host, port: opts.port, user: opts.user, keyFile, knownHostsFile });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
