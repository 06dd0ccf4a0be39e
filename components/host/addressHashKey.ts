import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { hashKeyPath } from "../shared/addressHash";
import { remoteCommandArgs, remoteCommandSecretOutputs } from "../shared/remoteCommand";

export interface AddressHashKeyArgs {
    /** SSH connection to the server (pinned host key). Required. */
    connection: pulumi.Input<command.types.input.remote.ConnectionArgs>;
    /** The stack's address-hash key (SiteSecrets.addressHashKey, a Pulumi secret). Required. */
    key: pulumi.Input<string>;
    /** Resources to wait for (the host's cloud-init). Default: none. */
    after?: pulumi.Resource[];
}

/** The command that installs the key from stdin (root only, 0600); its text holds nothing secret. `file`: default hashKeyPath. */
export function renderAddressHashKeyCommand(file = hashKeyPath): string {
    if (!/^\/[A-Za-z0-9._/-]+$/.test(file) || file.includes(".."))
        throw new Error(`address-hash key path ${JSON.stringify(file)} must be a plain absolute path`);
    const dir = file.replace(/\/[^/]+$/, "");
    return [
        "set -eu",
        `install -d -m 0755 -o root -g root ${dir}`,
        "umask 077",
        "IFS= read -r key",
        `case $key in *[!A-Za-z0-9]* | '') echo "refusing a malformed key" >&2; exit 1 ;; esac`,
        `printf '%s\\n' "$key" > ${file}.new && chmod 0600 ${file}.new && chown root:root ${file}.new && mv -f ${file}.new ${file}`,
    ].join("\n");
}

/**
 * Writes the stack's address-hash key (components/shared/addressHash.ts) to the server as a root-only file, from
 * the command's stdin, which Pulumi keeps secret. The privacy maintenance job and mautic-restore
 * read it to compute keyed hashes for the suppression list and the erasure journal; `npm run dsr
 * -- --stack` reads it over SSH. Re-run when the key changes (it never does unless replaced).
 */
export class AddressHashKey extends pulumi.ComponentResource {
    public readonly command: command.remote.Command;

    constructor(name: string, args: AddressHashKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mautic-kit:host:AddressHashKey", name, {}, opts);
        const stdin = pulumi.secret(pulumi.output(args.key).apply((k) => `${k}\n`));
        this.command = new command.remote.Command(
            `${name}-write`,
            {
                connection: args.connection,
                create: renderAddressHashKeyCommand(),
                stdin,
                // A hash of the key (not the key) re-runs the command when it changes.
                triggers: [pulumi.secret(stdin.apply((s) => createHash("sha256").update(s).digest("hex")))],
                ...remoteCommandArgs,
            },
            { parent: this, dependsOn: args.after ?? [], additionalSecretOutputs: remoteCommandSecretOutputs },
        );
        this.registerOutputs({});
    }
}
