/**
 * What every `command.remote.Command` of the kit gets (@pulumi/command 1.2, docs/guide/deploy.md):
 * - `addPreviousOutputInEnv: false`: otherwise the provider sends the previous stdout/stderr as
 *   PULUMI_COMMAND_* env vars, which sshd refuses (no AcceptEnv).
 * - `logging: "none"`: the provider's default streams stdout and stderr into the update log
 *   (`pulumi up`'s output, CI logs, Pulumi Cloud's update history). Cloud-init output, the
 *   Mautic install and the pre-upgrade backup must not end up there.
 * - the outputs `stdout`/`stderr` as secrets (`additionalSecretOutputs`): encrypted in the state.
 * A failing command still reports its command text and output in the error (the provider
 * always does), so no command text carries a secret (secrets go on stdin) and no command
 * prints one.
 */
export const remoteCommandArgs = { addPreviousOutputInEnv: false, logging: "none" } as const;

export const remoteCommandSecretOutputs = ["stdout", "stderr"];
