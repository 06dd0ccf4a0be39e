/**
 * The server's cloud-init user data: pure functions from settings to text. The component sends
 * exactly what `renderCloudInit` returns; tests validate it with `cloud-init schema` and each
 * embedded file with the tool that consumes it (sshd -t, fail2ban-client -t, ...).
 */
import { stringify } from "yaml";
import { dataMountPoint, dockerLogOpts, ntpServers, userDataLimitBytes } from "../config/defaults";
import { readTemplate, renderTemplate } from "../shared/template";

export interface HostFile {
    /** Absolute path on the server. */
    path: string;
    content: string;
    /** Octal mode, e.g. "0644". */
    permissions: string;
    /** Defaults to root:root. */
    owner?: string;
}

export interface CloudInitInput {
    /** Time zone of the host (logs, cron, reboot window). */
    timezone: string;
    /** Hetzner volume device, `/dev/disk/by-id/scsi-0HC_Volume_<id>`. */
    volumeDevice: string;
    /** The pinned SSH host key pair (OpenSSH format). The private key is a secret. */
    hostKey: { privateKeyOpenssh: string; publicKeyOpenssh: string };
    /** Local time of the unattended-upgrades reboot window, HH:MM. */
    rebootTime: string;
    /** Days the journal and the kit's own logs are kept. */
    logRetentionDays: number;
    /** Extra files (backups, ...) written by other parts of the kit. */
    extraFiles?: HostFile[];
    /** Extra first-boot commands, run after the host is hardened and Docker is installed. */
    extraCommands?: string[][];
    /** Extra Debian/Ubuntu packages (e.g. restic for off-site backups). */
    extraPackages?: string[];
    /** Admin SSH public keys for root, kept current on every deploy (the deploy key is Hetzner's). */
    adminPublicKeys?: string[];
    /** Docker Engine from Docker's apt repository ("docker", the default) or the distribution's docker.io ("debian"). */
    dockerSource?: DockerSource;
}

export type DockerSource = "docker" | "debian";

/** The packages `mautic-kit-install-docker` installs, per `dockerSource`. */
export const dockerPackages: Record<DockerSource, string[]> = {
    docker: ["docker-ce", "docker-ce-cli", "containerd.io"],
    debian: ["docker.io"],
};

/** The NTP client cloud-init's ntp module installs (`ntp.ntp_client`). */
export const ntpClient = "chrony";

/** Debian/Ubuntu packages the first boot installs: cloud-init's list, then the ntp module's. */
export function firstBootPackages(input: Pick<CloudInitInput, "extraPackages">): string[] {
    return [
        "ca-certificates",
        "curl",
        "gnupg",
        "fail2ban",
        "python3-systemd",
        "nftables",
        "unattended-upgrades",
        "apt-listchanges",
        "needrestart",
        ...(input.extraPackages ?? []),
    ];
}

/** POSIX shell single-quoting (what cloud-init's own shellify does for list entries). */
export function shellQuote(arg: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'"'"'`)}'`;
}

/**
 * The runcmd entries. cloud-init joins them into ONE `sh` script without `set -e`, so a failed
 * step would be logged and the next one run as if nothing happened. Each step therefore names
 * itself and stops the script with its exit code: cloud-init reports the module as failed
 * (`cloud-init status` = error), no later step runs (the ready marker comes after the volume and
 * Docker), and the deploy's wait fails with the log.
 */
export function renderRuncmd(steps: string[][]): string[] {
    return [
        "set -eu",
        ...steps.map((argv) => {
            const cmd = argv.map(shellQuote).join(" ");
            const label = argv.join(" ").replace(/[^A-Za-z0-9_@%+=:,./ -]/g, "_");
            return `${cmd} || { rc=$?; echo "mautic-kit: first-boot step failed (exit $rc): ${label}" >&2; exit "$rc"; }`;
        }),
    ];
}

/** The admin keys file sshd reads besides root's own authorized_keys (see the sshd drop-in). */
export const adminAuthorizedKeysPath = "/etc/ssh/mautic-kit-authorized-keys/root";

/**
 * Hardening files whose content follows the stack config. cloud-init writes them on first boot;
 * the HostFiles component rewrites them on every deploy (the user data's later edits are ignored
 * so the server is never recreated), then runs `hostConfigReloadCommands`.
 */
export const syncedHostConfigPaths = [
    "/etc/ssh/sshd_config.d/10-mautic-kit-hardening.conf",
    "/etc/fail2ban/jail.d/sshd.local",
    "/etc/systemd/journald.conf.d/10-mautic-kit.conf",
    "/etc/apt/apt.conf.d/20auto-upgrades",
    "/etc/apt/apt.conf.d/52unattended-upgrades-mautic-kit",
    "/etc/sysctl.d/90-mautic-kit.conf",
    "/etc/logrotate.d/mautic-kit",
    "/etc/fail2ban/filter.d/sshd.local",
    adminAuthorizedKeysPath,
];

/** Applies rewritten hardening files; sshd is reloaded only after `sshd -t` accepts its config. */
export const hostConfigReloadCommands = [
    "sysctl --system >/dev/null",
    "systemctl restart systemd-journald",
    "sshd -t && systemctl try-reload-or-restart ssh.service",
    "fail2ban-client reload >/dev/null",
];

/** The Docker daemon's configuration: rotated logs and the CIS daemon items. */
export function renderDaemonJson(): string {
    const daemon = {
        "log-driver": "json-file",
        "log-opts": { ...dockerLogOpts },
        "live-restore": true,
        "no-new-privileges": true,
        icc: false,
        "userland-proxy": false,
    };
    return `${JSON.stringify(daemon, null, 2)}\n`;
}

/** Every file the host hardening writes, in the order cloud-init writes them. */
export function renderHostFiles(input: CloudInitInput): HostFile[] {
    const files: HostFile[] = [
        { path: "/etc/ssh/sshd_config.d/10-mautic-kit-hardening.conf", content: readTemplate("cloudInit/sshd-hardening.conf"), permissions: "0600" },
        { path: "/etc/fail2ban/jail.d/sshd.local", content: readTemplate("cloudInit/fail2ban-sshd.local"), permissions: "0644" },
        { path: "/etc/fail2ban/filter.d/sshd.local", content: readTemplate("cloudInit/fail2ban-filter-sshd.local"), permissions: "0644" },
        {
            path: "/etc/systemd/journald.conf.d/10-mautic-kit.conf",
            content: renderTemplate("cloudInit/journald.conf", { journalRetentionDays: input.logRetentionDays }),
            permissions: "0644",
        },
        { path: "/etc/apt/apt.conf.d/20auto-upgrades", content: readTemplate("cloudInit/20auto-upgrades"), permissions: "0644" },
        {
            path: "/etc/apt/apt.conf.d/52unattended-upgrades-mautic-kit",
            content: renderTemplate("cloudInit/52unattended-upgrades-mautic-kit", { rebootTime: input.rebootTime }),
            permissions: "0644",
        },
        { path: "/etc/sysctl.d/90-mautic-kit.conf", content: readTemplate("cloudInit/sysctl-hardening.conf"), permissions: "0644" },
        { path: "/etc/docker/daemon.json", content: renderDaemonJson(), permissions: "0644" },
        {
            path: "/etc/systemd/system/docker.service.d/10-mautic-kit-volume.conf",
            content: renderTemplate("cloudInit/docker-wait-for-volume.conf", { dataMountPoint }),
            permissions: "0644",
        },
        {
            path: "/etc/logrotate.d/mautic-kit",
            content: renderTemplate("cloudInit/logrotate-mautic-kit", { kitLogRetentionDays: input.logRetentionDays }),
            permissions: "0644",
        },
        {
            path: "/usr/local/sbin/mautic-kit-mount-volume",
            content: renderTemplate("cloudInit/mount-volume.sh", { volumeDevice: input.volumeDevice, dataMountPoint }),
            permissions: "0750",
        },
        {
            path: "/usr/local/sbin/mautic-kit-install-docker",
            content: renderTemplate("cloudInit/install-docker.sh", {
                dockerSource: input.dockerSource ?? "docker",
                debianDockerPackages: dockerPackages.debian.join(" "),
                dockerCePackages: dockerPackages.docker.join(" "),
            }),
            permissions: "0750",
        },
        { path: "/usr/local/sbin/mautic-kit-host-ready", content: renderTemplate("cloudInit/host-ready.sh", { dataMountPoint }), permissions: "0750" },
        { path: "/etc/systemd/system/mautic-kit-block-metadata.service", content: readTemplate("cloudInit/block-metadata.service"), permissions: "0644" },
        {
            path: adminAuthorizedKeysPath,
            content: `# mautic-kit: admin keys from the stack config (sshPublicKeys), rewritten on every deploy.\n${(input.adminPublicKeys ?? []).map((k) => `${k.trim()}\n`).join("")}`,
            permissions: "0644",
        },
    ];
    return [...files, ...(input.extraFiles ?? [])];
}

/**
 * The `#cloud-config` document. Module order matters only inside runcmd: the volume is mounted
 * before Docker starts, Docker before anything that uses it, and the ready marker comes last.
 */
export function renderCloudInit(input: CloudInitInput): string {
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(input.rebootTime)) {
        throw new Error(`rebootTime "${input.rebootTime}" must be HH:MM`);
    }
    if (!/^\/dev\/disk\/by-id\/scsi-0HC_Volume_\d+$/.test(input.volumeDevice)) {
        throw new Error(`volumeDevice "${input.volumeDevice}" is not a Hetzner volume device path`);
    }
    if (input.dockerSource !== undefined && !(input.dockerSource in dockerPackages)) {
        throw new Error(`dockerSource "${input.dockerSource}" must be "docker" or "debian"`);
    }
    const doc = {
        timezone: input.timezone,
        locale: "C.UTF-8",
        package_update: true,
        package_upgrade: true,
        packages: firstBootPackages(input),
        ntp: { enabled: true, ntp_client: ntpClient, servers: ntpServers },
        // The host key is generated by the deploy and pinned by every connection it makes. With
        // ssh_keys given, cloud-init writes these and generates no others (cc_ssh).
        ssh_deletekeys: true,
        ssh_keys: {
            ed25519_private: input.hostKey.privateKeyOpenssh,
            ed25519_public: input.hostKey.publicKeyOpenssh.trim(),
        },
        ssh_pwauth: false,
        disable_root: false,
        write_files: renderHostFiles(input).map((f) => ({
            path: f.path,
            content: f.content,
            permissions: f.permissions,
            owner: f.owner ?? "root:root",
        })),
        runcmd: renderRuncmd([
            ["/usr/local/sbin/mautic-kit-mount-volume"],
            ["/usr/local/sbin/mautic-kit-install-docker"],
            ["/usr/local/sbin/mautic-kit-host-ready"],
            ...(input.extraCommands ?? []),
        ]),
    };
    const text = `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
    const size = Buffer.byteLength(text, "utf8");
    if (size > userDataLimitBytes) {
        throw new Error(`cloud-init user data is ${size} bytes, over Hetzner's limit of ${userDataLimitBytes}`);
    }
    return text;
}
