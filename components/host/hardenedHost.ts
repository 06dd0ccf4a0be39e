import * as command from "@pulumi/command";
import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SiteSettings } from "../config/config";
import { dataMountPoint } from "../config/defaults";
import { HostFile, renderCloudInit, renderHostFiles } from "./cloudInit";
import { hetznerName } from "./sizing";
import { remoteCommandArgs, remoteCommandSecretOutputs } from "../shared/remoteCommand";

/** Written by the last first-boot command (templates/cloudInit/host-ready.sh); the deploy waits for it. */
export const hostReadyMarker = "/var/lib/mautic-kit/host-ready";

export interface HardenedHostArgs {
    /** Validated site settings (location, serverType, image, adminCidrs, ...). Required. */
    settings: SiteSettings;
    /** Labels put on every Hetzner resource. Required (see `siteLabels`). */
    labels: Record<string, string>;
    /** Extra files written by cloud-init (e.g. the backup scripts). Default: none. */
    extraFiles?: HostFile[];
    /** Extra first-boot commands after the host is hardened. Default: none. */
    extraCommands?: string[][];
    /** Local time of the unattended-upgrades reboot window. Default "04:30". */
    rebootTime?: string;
    /** Extra packages installed on first boot. Default: none. */
    extraPackages?: string[];
    /** Labels only the server gets (e.g. the deployed Mautic version). Default: none. */
    serverLabels?: Record<string, string>;
    /** Server labels set only at creation, later moved by someone else (a ServerLabel). Default: none. */
    labelsSetElsewhere?: string[];
}

/**
 * One Hetzner server in Germany, hardened by cloud-init, with a protected data volume and a
 * Cloud Firewall. Its SSH host key is generated here and installed by cloud-init, so every
 * connection the deploy makes (the wait for cloud-init, Docker over SSH, the Mautic install)
 * checks it from the very first contact, without ssh-agent or a hand-made known_hosts.
 */
export class HardenedHost extends pulumi.ComponentResource {
    public readonly server: hcloud.Server;
    public readonly volume: hcloud.Volume;
    public readonly firewall: hcloud.Firewall;
    public readonly ipv4Address: pulumi.Output<string>;
    public readonly ipv6Address: pulumi.Output<string>;
    /** SHA256 fingerprint of the pinned host key, to compare with `ssh-keygen -lf` on first login. */
    public readonly hostKeyFingerprint: pulumi.Output<string>;
    /**
     * The pinned host public key (`ssh-ed25519 AAAA...`, not a secret): the line an admin puts
     * into known_hosts instead of trusting whatever `ssh-keyscan` or a first connection returns;
     * `npm run verify` builds its known_hosts from it.
     */
    public readonly hostPublicKey: pulumi.Output<string>;
    /** The deploy's SSH private key (secret): `npm run verify` logs in with it. */
    public readonly deployPrivateKey: pulumi.Output<string>;
    /** SSH connection for `command.remote.*`: pinned host key, the deploy key (secret). */
    public readonly connection: pulumi.Output<command.types.input.remote.ConnectionArgs>;
    /** `ssh://root@<ip>` for the Docker provider. */
    public readonly dockerHost: pulumi.Output<string>;
    /** ssh options for the Docker provider: the deploy key file and a known_hosts with the pinned key. */
    public readonly dockerSshOpts: pulumi.Output<string[]>;
    /** Completes when cloud-init has finished: everything that talks to Docker depends on it. */
    public readonly ready: command.remote.Command;
    /**
     * The files cloud-init writes, as rendered (for the compliance report). Only the host key and
     * the volume id are left out; they do not change what the report reads.
     */
    public readonly hostFiles: HostFile[];

    constructor(name: string, args: HardenedHostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mautic-kit:host:HardenedHost", name, {}, opts);
        const s = args.settings;
        const labels = args.labels;
        const child = { parent: this };

        // Host key (pinned) and the deploy's own login key. Both private keys are secrets.
        const hostKey = new tls.PrivateKey(`${name}-host-key`, { algorithm: "ED25519" }, child);
        const deployKey = new tls.PrivateKey(`${name}-deploy-key`, { algorithm: "ED25519" }, child);
        this.hostKeyFingerprint = hostKey.publicKeyFingerprintSha256;
        this.hostPublicKey = hostKey.publicKeyOpenssh.apply((k) => k.trim());
        this.deployPrivateKey = pulumi.secret(deployKey.privateKeyOpenssh);

        // Hetzner returns the key trimmed and replaces the SshKey on any difference: no trailing newline.
        // Only the deploy's own key is a Hetzner SSH key (Hetzner refuses the same key twice per
        // project, and installs keys only when the server is created). Admin keys live in an
        // authorized-keys file the kit keeps current on every deploy, so removing one revokes it.
        const sshKeys = [new hcloud.SshKey(`${name}-deploy`, { name: hetznerName(s.domain, "deploy"), publicKey: deployKey.publicKeyOpenssh.apply((k) => k.trim()), labels }, child)];

        // Stateful, outside the VM (holds even where Docker bypasses the host's iptables).
        // HTTP and HTTPS (TCP, and UDP for HTTP/3) from anywhere; SSH from adminCidrs only.
        const anywhere = ["0.0.0.0/0", "::/0"];
        this.firewall = new hcloud.Firewall(
            `${name}-firewall`,
            {
                name: hetznerName(s.domain, "fw"),
                labels,
                rules: [
                    { direction: "in", protocol: "tcp", port: "80", sourceIps: anywhere, description: "HTTP (redirects to HTTPS, ACME)" },
                    { direction: "in", protocol: "tcp", port: "443", sourceIps: anywhere, description: "HTTPS" },
                    { direction: "in", protocol: "udp", port: "443", sourceIps: anywhere, description: "HTTP/3 (QUIC)" },
                    { direction: "in", protocol: "tcp", port: "22", sourceIps: [...s.adminCidrs], description: "SSH from adminCidrs only" },
                ],
            },
            child,
        );

        // Database, media and backups live here, not on the server's disk: protected against
        // deletion, and it outlives a server rebuild.
        this.volume = new hcloud.Volume(
            `${name}-data`,
            {
                name: hetznerName(s.domain, "data"),
                size: s.volumeSizeGb,
                location: s.location,
                format: "ext4",
                deleteProtection: s.deletionProtection,
                labels,
            },
            // A new location would replace the volume, which the server (whose location edits are
            // ignored) could no longer attach: moving a site is a restore into a new stack.
            { ...child, protect: s.deletionProtection, ignoreChanges: ["location"] },
        );

        const cloudInitInput = (volumeId: string, hostKeyPair: { privateKeyOpenssh: string; publicKeyOpenssh: string }) => ({
            timezone: s.timezone,
            volumeDevice: `/dev/disk/by-id/scsi-0HC_Volume_${volumeId}`,
            hostKey: hostKeyPair,
            rebootTime: args.rebootTime ?? "04:30",
            logRetentionDays: s.accessLogRetentionDays,
            extraFiles: args.extraFiles,
            extraCommands: args.extraCommands,
            extraPackages: args.extraPackages,
            adminPublicKeys: s.sshPublicKeys,
            dockerSource: s.dockerSource,
        });
        this.hostFiles = renderHostFiles(cloudInitInput("0", { privateKeyOpenssh: "", publicKeyOpenssh: "" }));
        // Check the size limit now, with stand-ins as long as the real values, so an oversized
        // user data stops the program here with a clear message instead of failing in an apply.
        try {
            renderCloudInit(cloudInitInput("9999999999", { privateKeyOpenssh: "x".repeat(420), publicKeyOpenssh: "ssh-ed25519 " + "A".repeat(68) }));
        } catch (e) {
            throw new pulumi.ResourceError(`user data: ${(e as Error).message}; move large files to HostFiles (kept current after boot)`, this);
        }
        const userData = pulumi
            .all([hostKey.privateKeyOpenssh, hostKey.publicKeyOpenssh, this.volume.id])
            .apply(([priv, pub, volumeId]) => renderCloudInit(cloudInitInput(volumeId, { privateKeyOpenssh: priv, publicKeyOpenssh: pub })));

        this.server = new hcloud.Server(
            `${name}-server`,
            {
                name: hetznerName(s.domain, "mautic"),
                serverType: s.serverType,
                image: s.image,
                location: s.location,
                backups: s.backups,
                sshKeys: sshKeys.map((k) => k.id),
                firewallIds: [this.firewall.id.apply(Number)],
                publicNets: [{ ipv4Enabled: true, ipv6Enabled: true }],
                userData: pulumi.secret(userData),
                labels: { ...labels, ...(args.serverLabels ?? {}) },
                deleteProtection: s.deletionProtection,
                rebuildProtection: s.deletionProtection,
                // The root disk holds only the OS and images: keep its size on a resize, so the
                // server type can also be changed back to a smaller one.
                keepDisk: true,
            },
            {
                ...child,
                // Each of these would recreate the server (docs/facts/hetzner-and-host.md). The data survives on
                // the volume, but a silent rebuild is never what an edit of the config should mean:
                // changing them means a new server (docs/guide/architecture.md lists what is ignored and why).
                ignoreChanges: ["userData", "image", "sshKeys", "location", ...(args.labelsSetElsewhere ?? []).map((k) => `labels["${k}"]`)],
            },
        );

        const attachment = new hcloud.VolumeAttachment(
            `${name}-data-attachment`,
            { serverId: this.server.id.apply(Number), volumeId: this.volume.id.apply(Number), automount: false },
            child,
        );

        this.ipv4Address = this.server.ipv4Address;
        this.ipv6Address = this.server.ipv6Address;
        this.connection = pulumi.secret(
            pulumi.all([this.server.ipv4Address, deployKey.privateKeyOpenssh, hostKey.publicKeyOpenssh]).apply(([host, privateKey, hostPub]) => ({
                host,
                user: "root",
                privateKey,
                hostKey: hostPub.trim(),
                dialErrorLimit: 30,
                perDialTimeout: 20,
            })),
        );

        // Wait until cloud-init has finished, then judge by what the kit needs: its own ready
        // marker (written last by the first-boot commands), the mounted volume and a running
        // Docker. cloud-init's exit code is no verdict: 22.4 (Debian 12) exits 1 for recoverable
        // module warnings, >= 23.4 exits 2; a real failure leaves the marker missing.
        this.ready = new command.remote.Command(
            `${name}-cloud-init-done`,
            {
                connection: this.connection,
                create: [
                    "cloud-init status --wait >/dev/null 2>&1 || true",
                    `test -f ${hostReadyMarker} || { echo 'host-ready marker missing'; cloud-init status --long; tail -n 50 /var/log/cloud-init-output.log; exit 1; }`,
                    `mountpoint -q ${dataMountPoint} || { echo '${dataMountPoint} is not mounted'; cat /var/log/mautic-kit/volume.log; exit 1; }`,
                    "docker version --format '{{.Server.Version}}'",
                ].join("\n"),
                triggers: [this.server.id],
                ...remoteCommandArgs,
            },
            { ...child, dependsOn: [attachment], customTimeouts: { create: "20m" }, additionalSecretOutputs: remoteCommandSecretOutputs },
        );

        this.dockerHost = pulumi.interpolate`ssh://root@${this.server.ipv4Address}`;
        this.dockerSshOpts = pulumi.unsecret(
            pulumi.all([this.server.ipv4Address, deployKey.privateKeyOpenssh, hostKey.publicKeyOpenssh]).apply(([ip, key, hostPub]) =>
                writeSshMaterial(name, ip, key, hostPub),
            ),
        );

        this.registerOutputs({
            ipv4Address: this.ipv4Address,
            ipv6Address: this.ipv6Address,
            hostKeyFingerprint: this.hostKeyFingerprint,
            hostPublicKey: this.hostPublicKey,
            serverId: this.server.id,
            volumeId: this.volume.id,
        });
    }
}

/**
 * Where the deploy key and known_hosts for the Docker provider's OpenSSH client go, first match:
 * `MAUTIC_KIT_SSH_DIR` (the offline plan and the tests set it to their own temp dir; CI sets it
 * under the job's `RUNNER_TEMP` and removes it when the job ends), the job's `RUNNER_TEMP`, the
 * user's `XDG_RUNTIME_DIR`, `~/.cache`. Never the shared /tmp root: nobody else can pre-create it.
 */
export function sshMaterialBase(env: NodeJS.ProcessEnv = process.env): string {
    return env.MAUTIC_KIT_SSH_DIR || (env.RUNNER_TEMP ? path.join(env.RUNNER_TEMP, "mautic-kit-ssh") : undefined) || env.XDG_RUNTIME_DIR || path.join(os.homedir(), ".cache");
}

/**
 * The Docker provider runs the local OpenSSH client, which needs the key and the pinned host
 * key as files. They go to a private directory (0700, files 0600) named after the stack and are
 * rewritten on every run of the program (preview, up, `refresh --run-program`, `destroy
 * --run-program`; a plain `refresh` does not run the program). They
 * are NOT removed when the program exits: the engine deletes removed containers after the
 * program has finished, and those deletes still need the key. Whoever runs the program removes
 * them afterwards (the deploy workflow's last step; the plan removes its temp dir).
 */
export function writeSshMaterial(name: string, ip: string, privateKey: string, hostPublicKey: string): string[] {
    const base = sshMaterialBase();
    const dir = path.join(base, "mautic-kit", `${pulumi.getProject()}-${pulumi.getStack()}-${name}`.replace(/[^a-zA-Z0-9._-]/g, "_"));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.statSync(dir);
    if (typeof process.getuid === "function" && st.uid !== process.getuid()) {
        throw new Error(`${dir} belongs to another user; remove it`);
    }
    fs.chmodSync(dir, 0o700);
    const keyFile = path.join(dir, "id_ed25519");
    const knownHosts = path.join(dir, "known_hosts");
    fs.writeFileSync(keyFile, privateKey.endsWith("\n") ? privateKey : `${privateKey}\n`, { mode: 0o600 });
    fs.writeFileSync(knownHosts, `${ip} ${hostPublicKey.trim()}\n`, { mode: 0o600 });
    return [
        "-i", keyFile,
        "-o", "IdentitiesOnly=yes",
        "-o", `UserKnownHostsFile=${knownHosts}`,
        "-o", "StrictHostKeyChecking=yes",
        "-o", "ConnectTimeout=20",
        "-o", "ServerAliveInterval=30",
    ];
}
