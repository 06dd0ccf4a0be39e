/**
 * A stand-in for a Hetzner Storage Box on loopback: a real sshd on 127.0.0.1:<free port> with an
 * SFTP-only account (`Match User nobody`: ForceCommand internal-sftp, ChrootDirectory, no
 * forwarding, keys only), its own ed25519 host key and authorized_keys. The chroot lives under
 * /run (sshd requires every component of a chroot path to be root-owned and not writable by
 * others, which /tmp is not). `stop()` ends sshd by its pid and removes everything.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startSshd } from "./sshd";

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

/** The account's uid/gid (nobody: an unprivileged user every Debian has). */
const account = { name: "nobody", uid: 65534, gid: 65534 };

export async function startSftpBox(opts: { writableDirs?: string[] } = {}): Promise<SftpBox> {
    if (process.getuid?.() !== 0) throw new Error("the SFTP box needs root (sshd's ChrootDirectory)");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sftp-box-"));
    // sshd reads authorized_keys as the account (nobody): the dir may be entered, not listed.
    fs.chmodSync(dir, 0o711);
    const chroot = fs.mkdtempSync("/run/mautic-kit-sftp-");
    fs.chmodSync(chroot, 0o755);
    for (const d of opts.writableDirs ?? ["mautic"]) {
        const p = path.join(chroot, d);
        fs.mkdirSync(p, { recursive: true, mode: 0o700 });
        fs.chownSync(p, account.uid, account.gid);
    }
    const sshd = await startSshd({
        dir,
        authorizedKeys: "",
        config: [
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
        ],
    });
    return {
        host: "127.0.0.1",
        port: sshd.port,
        user: account.name,
        chroot,
        hostPublicKey: sshd.hostPublicKey,
        hostKeyFingerprint: sshd.hostKeyFingerprint,
        authorize: (publicKey) => fs.appendFileSync(sshd.authorizedKeysFile, `${publicKey.trim()}\n`),
        log: sshd.log,
        stop: async () => {
            await sshd.stop();
            fs.rmSync(dir, { recursive: true, force: true });
            fs.rmSync(chroot, { recursive: true, force: true });
        },
    };
}
