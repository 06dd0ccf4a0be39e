import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { renderAlertSecretFiles, renderAlertSecretsCommand, renderAlertSecretsStdin } from "./alerts";
import { remoteCommandArgs, remoteCommandSecretOutputs } from "../shared/remoteCommand";

export interface AlertSecretsArgs {
    /** SSH connection to the server (pinned host key). Required. */
    connection: pulumi.Input<command.types.input.remote.ConnectionArgs>;
    /** Alert e-mails go here (`adminEmail`). Required. */
    adminEmail: string;
    /** The stack's Symfony mailer DSN (secret); smtp:// and smtps:// are used for alert e-mails. Default: none (no e-mail alerts). */
    mailerDsn?: pulumi.Input<string>;
    /** Healthchecks-style ping URL. Default: none (no pings). */
    alertUrl?: string;
    /** Resources to wait for (the host's cloud-init). Default: none. */
    after?: pulumi.Resource[];
}

/**
 * Writes the alert script's root-only files (curl's SMTP config with the mailer password, the
 * ping URL) from the command's stdin, which Pulumi keeps secret; the command text holds nothing
 * secret. Re-run whenever their content changes.
 */
export class AlertSecrets extends pulumi.ComponentResource {
    public readonly command: command.remote.Command;

    constructor(name: string, args: AlertSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mautic-kit:host:AlertSecrets", name, {}, opts);
        const stdin = pulumi.secret(
            pulumi.output(args.mailerDsn).apply((dsn) => renderAlertSecretsStdin(renderAlertSecretFiles({ adminEmail: args.adminEmail, mailerDsn: dsn, alertUrl: args.alertUrl }))),
        );
        this.command = new command.remote.Command(
            `${name}-write`,
            {
                connection: args.connection,
                create: renderAlertSecretsCommand(),
                stdin,
                // A hash of the content (not the content) re-runs the command when it changes.
                triggers: [pulumi.secret(stdin.apply((s) => createHash("sha256").update(s).digest("hex")))],
                ...remoteCommandArgs,
            },
            { parent: this, dependsOn: args.after ?? [], additionalSecretOutputs: remoteCommandSecretOutputs },
        );
        this.registerOutputs({});
    }
}
