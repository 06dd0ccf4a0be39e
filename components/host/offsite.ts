/**
 * The server side of the off-site copy to a Hetzner Storage Box (pure renderer): the setup script
 * `mautic-offsite-setup` (key, ssh config with the pinned host key, restic password; see
 * templates/backup/mautic-offsite-setup.sh), its secret stdin, the command the deploy runs, and
 * the restic repository the backup scripts use. docs/guide/backup.md describes the flow;
 * docs/facts/hetzner-storagebox-dns.md the provider facts it relies on.
 */
import { storageBoxDefaults } from "../config/defaults";
import { backupPaths, RenderedFile } from "./backup";
import { fill, readTemplate } from "../shared/template";

/** Where the off-site access lives on the server (root only). */
export const offsitePaths = {
    dir: "/etc/mautic/offsite",
    sshConfig: "/etc/mautic/offsite/config",
    setupScript: "/usr/local/sbin/mautic-offsite-setup",
} as const;

/** The ssh host alias the config defines and restic connects to. */
export const offsiteSshHostAlias = "mautic-offsite";

/** Path of the restic repository in the box (or subaccount) root. */
export const offsiteRepositoryPath = "/mautic";

/** The repository the backup scripts use for the kit's Storage Box (host = the ssh alias). */
export const storageBoxRepository = `sftp:${offsiteSshHostAlias}:${offsiteRepositoryPath}`;

/** The setup script (no secrets in it). */
export function renderOffsiteSetupScript(): RenderedFile {
    const content = fill(
        readTemplate("backup/mautic-offsite-setup.sh"),
        { offsiteDir: offsitePaths.dir, offsiteEnvFile: backupPaths.offsiteEnvFile, sshHostAlias: offsiteSshHostAlias },
        "backup/mautic-offsite-setup.sh",
    );
    return { path: offsitePaths.setupScript, content, permissions: "0750" };
}

export interface OffsiteSetupInput {
    /** The box's (or subaccount's) FQDN, e.g. u123456.your-storagebox.de. */
    host: string;
    /** The box's (or subaccount's) user, e.g. u123456 or u123456-sub1. */
    user: string;
    /** SSH port. Default 23 (SFTP with OpenSSH keys, ed25519 included). */
    port?: number;
    /** The pinned host key ("ssh-ed25519 AAAA..."). Default: pinned on first use. */
    hostKey?: string;
    /** Upload the key with the box password (subaccounts: the API takes no keys for them). Default false. */
    installKey?: boolean;
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The command the deploy runs on the server; it holds nothing secret (the secrets come on stdin). */
export function renderOffsiteSetupCommand(input: OffsiteSetupInput): string {
    const args = ["--host", input.host, "--user", input.user, "--port", String(input.port ?? storageBoxDefaults.sshPort)];
    if (input.hostKey) args.push("--host-key", input.hostKey);
    if (input.installKey) args.push("--install-key");
    return `${offsitePaths.setupScript} ${args.map(shq).join(" ")}`;
}

/** The setup script's stdin: the secrets, one "name<TAB>base64" line each. */
export function renderOffsiteSetupStdin(secrets: { privateKey: string; resticPassword: string; boxPassword?: string }): string {
    const b64 = (v: string) => Buffer.from(v, "utf8").toString("base64");
    return [
        `private_key\t${b64(secrets.privateKey.trim())}\n`,
        `restic_password\t${b64(secrets.resticPassword)}\n`,
        ...(secrets.boxPassword !== undefined ? [`box_password\t${b64(secrets.boxPassword)}\n`] : []),
    ].join("");
}

/** Reads the pinned host key's fingerprint out of the setup script's output. */
export function hostKeyFingerprintOf(stdout: string): string {
    return /^host-key-fingerprint: (SHA256:\S+)$/m.exec(stdout)?.[1] ?? "";
}
