import * as command from "@pulumi/command";
import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { createHash } from "crypto";
import { germanLocations } from "../config/defaults";
import { OffsiteSettings, offsiteTarget, OffsiteTarget } from "../config/offsiteDns";
import { hostKeyFingerprintOf, renderOffsiteSetupCommand, renderOffsiteSetupStdin } from "./offsite";
import { remoteCommandArgs, remoteCommandSecretOutputs } from "../shared/remoteCommand";

export interface OffsiteBackupArgs {
    /** The Storage Box to order, or the agency box to add a subaccount to (offsiteTarget()). Required. */
    target: Extract<OffsiteTarget, { kind: "storagebox" | "subaccount" }>;
    /** Name of the box or subaccount description, e.g. "mautic-<project>-<stack>". Required. */
    boxName: string;
    /** Labels for the box or subaccount (the site's labels). Default: none. */
    labels?: Record<string, string>;
    /** Hetzner delete protection on the stack's own box (`deletionProtection`). Default true. */
    deleteProtection?: boolean;
    /** SSH connection to the server (pinned host key). Required. */
    connection: pulumi.Input<command.types.input.remote.ConnectionArgs>;
    /** Resources to wait for (the setup script must be on the server). Default: none. */
    after?: pulumi.Resource[];
}

/**
 * The off-site target of one site's backups: its own ed25519 key (tls.PrivateKey), a Storage
 * Box in the other German location (or a subaccount of the agency's box), a generated restic
 * password, and the command that puts key, ssh config, pinned host key and password on the
 * server (`mautic-offsite-setup`, secrets on stdin). The box and restic passwords and the key
 * are Pulumi secrets; on the server only the key and the restic password exist, root-only.
 */
export class OffsiteBackup extends pulumi.ComponentResource {
    public readonly key: tls.PrivateKey;
    public readonly resticPassword: random.RandomPassword;
    public readonly boxPassword: random.RandomPassword;
    public readonly box?: hcloud.StorageBox;
    public readonly subaccount?: hcloud.StorageBoxSubaccount;
    /** The box's (or subaccount's) FQDN and user. */
    public readonly server: pulumi.Output<string>;
    public readonly username: pulumi.Output<string>;
    public readonly setup: command.remote.Command;
    /** SHA256 fingerprint of the pinned host key, as the server printed it. */
    public readonly hostKeyFingerprint: pulumi.Output<string>;

    constructor(name: string, args: OffsiteBackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mautic-kit:backup:OffsiteBackup", name, {}, opts);
        const child = { parent: this };
        const t = args.target;
        this.key = new tls.PrivateKey(`${name}-key`, { algorithm: "ED25519" }, child);
        this.resticPassword = new random.RandomPassword(`${name}-restic-password`, { length: 40, special: false }, child);
        // Hetzner's password policy: 12-128 characters with upper and lower case, a digit and a
        // special character from its list (docs/facts/hetzner-storagebox-dns.md).
        this.boxPassword = new random.RandomPassword(
            `${name}-box-password`,
            { length: 32, special: true, overrideSpecial: "-_.", minUpper: 2, minLower: 2, minNumeric: 2, minSpecial: 2 },
            child,
        );
        const publicKey = this.key.publicKeyOpenssh.apply((k) => k.trim());
        if (t.kind === "storagebox") {
            this.box = new hcloud.StorageBox(
                `${name}-box`,
                {
                    name: args.boxName,
                    storageBoxType: t.type,
                    location: t.location,
                    password: this.boxPassword.result,
                    sshKeys: [publicKey],
                    // SSH/SFTP only (port 23), reachable from the server; no Samba, WebDAV or
                    // visible ZFS snapshot folder.
                    accessSettings: { sshEnabled: true, reachableExternally: true, sambaEnabled: false, webdavEnabled: false, zfsEnabled: false },
                    deleteProtection: args.deleteProtection ?? true,
                    labels: args.labels,
                },
                // The API cannot update a box's SSH keys: a change would REPLACE the box and
                // delete every copy in it. The key never changes by itself (tls.PrivateKey).
                { ...child, ignoreChanges: ["sshKeys"], additionalSecretOutputs: ["password"] },
            );
            this.server = this.box.server;
            this.username = this.box.username;
        } else {
            this.subaccount = new hcloud.StorageBoxSubaccount(
                `${name}-subaccount`,
                {
                    storageBoxId: t.storageBoxId,
                    name: args.boxName.slice(0, 32),
                    homeDirectory: args.boxName,
                    password: this.boxPassword.result,
                    description: `mautic-kit off-site backups of ${args.boxName}`,
                    accessSettings: { sshEnabled: true, reachableExternally: true, sambaEnabled: false, webdavEnabled: false, readonly: false },
                    labels: args.labels,
                },
                { ...child, additionalSecretOutputs: ["password"] },
            );
            this.server = this.subaccount.server;
            this.username = this.subaccount.username;
        }
        const create = pulumi
            .all([this.server, this.username])
            .apply(([host, user]) => renderOffsiteSetupCommand({ host, user, hostKey: t.hostKey, installKey: t.kind === "subaccount" }));
        const stdin = pulumi.secret(
            pulumi
                .all([this.key.privateKeyOpenssh, this.resticPassword.result, this.boxPassword.result])
                .apply(([privateKey, resticPassword, boxPassword]) =>
                    renderOffsiteSetupStdin({ privateKey, resticPassword, ...(t.kind === "subaccount" ? { boxPassword } : {}) }),
                ),
        );
        this.setup = new command.remote.Command(
            `${name}-setup`,
            {
                connection: args.connection,
                create,
                stdin,
                // A hash of the secrets (never the secrets) re-runs the setup when one changes.
                triggers: [pulumi.secret(stdin.apply((s) => createHash("sha256").update(s).digest("hex")))],
                ...remoteCommandArgs,
            },
            { ...child, dependsOn: args.after ?? [], additionalSecretOutputs: remoteCommandSecretOutputs },
        );
        // Only the fingerprint the setup prints is taken from its (secret) output: not a secret.
        this.hostKeyFingerprint = pulumi.unsecret(this.setup.stdout.apply(hostKeyFingerprintOf));
        this.registerOutputs({ server: this.server, username: this.username, hostKeyFingerprint: this.hostKeyFingerprint });
    }
}

/**
 * With `storageBoxId`, the agency's box must exist and stand in Germany, in the other location
 * than this site's server (the same rule as for a box the stack orders). RunError otherwise.
 */
export async function checkAgencyStorageBox(settings: OffsiteSettings): Promise<void> {
    const t = offsiteTarget(settings);
    if (t.kind !== "subaccount") return;
    let box: hcloud.GetStorageBoxResult;
    try {
        box = await hcloud.getStorageBox({ id: t.storageBoxId });
    } catch (e) {
        throw new pulumi.RunError(`storageBoxId = ${t.storageBoxId}: no such Storage Box in this Hetzner project (${(e as Error).message}). Fix: give the id the Hetzner Console shows for the agency's box, or remove storageBoxId to order a box for this stack.`);
    }
    const where = box.location;
    if (!(where in germanLocations)) {
        throw new pulumi.RunError(`storageBoxId = ${t.storageBoxId}: the box is in ${where}, not in Germany. Fix: use an agency box in fsn1 or nbg1, or remove storageBoxId to order a box for this stack.`);
    }
    if (where === settings.location) {
        throw new pulumi.RunError(`storageBoxId = ${t.storageBoxId}: the box is in ${where}, the same location as this site's server: one incident there would take the data and its off-site copy. Fix: use an agency box in the other German location, or remove storageBoxId to order a box for this stack (in the other location).`);
    }
}
