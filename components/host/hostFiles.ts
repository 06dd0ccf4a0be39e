import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { HostFile } from "./cloudInit";
import { remoteCommandArgs, remoteCommandSecretOutputs } from "../shared/remoteCommand";

export interface HostFilesArgs {
    /** SSH connection to the server (pinned host key). Required. */
    connection: pulumi.Input<command.types.input.remote.ConnectionArgs>;
    /** Files to keep in place on the host. Must hold no secrets (the command is stored in plain state). Required. */
    files: HostFile[];
    /** Shell commands run after the files are written (e.g. systemctl daemon-reload). Default: none. */
    commands?: string[];
    /** Resources to wait for (the host's cloud-init). Default: none. */
    after?: pulumi.Resource[];
}

/** Marker line before each file in the command; the plan reads the files back from it. */
export const hostFileMarker = "# mautic-kit file:";

/**
 * Renders the remote shell command that writes each file atomically (base64, so any content is
 * safe in the command line) with its mode and owner, then runs the follow-up commands.
 */
export function renderHostFilesCommand(files: HostFile[], commands: string[] = []): string {
    const lines = ["set -eu", 'tmp=$(mktemp)', "trap 'rm -f \"$tmp\"' EXIT"];
    for (const f of files) {
        if (!/^\/[A-Za-z0-9._@/-]+$/.test(f.path)) throw new Error(`host file path ${JSON.stringify(f.path)} is not a plain absolute path`);
        if (!/^0[0-7]{3}$/.test(f.permissions)) throw new Error(`host file ${f.path}: permissions ${f.permissions} are not octal like 0644`);
        const [owner, group] = (f.owner ?? "root:root").split(":");
        lines.push(`${hostFileMarker} ${f.path} ${f.permissions}`);
        lines.push(`printf '%s' '${Buffer.from(f.content, "utf8").toString("base64")}' | base64 -d > "$tmp"`);
        lines.push(`install -D -m ${f.permissions} -o ${owner} -g ${group ?? owner} "$tmp" '${f.path}'`);
    }
    lines.push(...commands);
    return `${lines.join("\n")}\n`;
}

/** Reads the files back out of a command rendered by `renderHostFilesCommand`. */
export function parseHostFilesCommand(cmd: string): HostFile[] {
    const out: HostFile[] = [];
    const lines = cmd.split("\n");
    for (let i = 0; i < lines.length; i++) {
        if (!lines[i].startsWith(hostFileMarker)) continue;
        const [p, permissions] = lines[i].slice(hostFileMarker.length).trim().split(" ");
        const b64 = /^printf '%s' '([A-Za-z0-9+/=]*)'/.exec(lines[i + 1])?.[1] ?? "";
        out.push({ path: p, permissions, content: Buffer.from(b64, "base64").toString("utf8") });
    }
    return out;
}

/**
 * Files the kit keeps current on the host after first boot (backup and restore scripts, their
 * systemd units, the edge's log rotation). Unlike the user data, which only runs on first boot
 * and whose edits are ignored so the server is never recreated, these are rewritten on every
 * deploy whose content changed.
 */
export class HostFiles extends pulumi.ComponentResource {
    public readonly command: command.remote.Command;

    constructor(name: string, args: HostFilesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mautic-kit:host:HostFiles", name, {}, opts);
        const create = renderHostFilesCommand(args.files, args.commands);
        this.command = new command.remote.Command(
            `${name}-sync`,
            { connection: args.connection, create, triggers: [createHash("sha256").update(create).digest("hex")], ...remoteCommandArgs },
            { parent: this, dependsOn: args.after ?? [], additionalSecretOutputs: remoteCommandSecretOutputs },
        );
        this.registerOutputs({ files: args.files.map((f) => f.path) });
    }
}
