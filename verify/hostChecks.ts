/**
 * The host-level checks of `npm run verify`, with a stable API for the VM test layer:
 *
 *   runHostChecks(target, expected, { only }) -> CheckResult[]
 *
 * One SSH session (OpenSSH, pinned host key) runs a read-only script (gather.ts); the facts are
 * evaluated against `expected` (expected.ts derives it from the plan's rendered files).
 */
import { evaluateHostChecks } from "./evaluate";
import { HostCheckId, hostCheckIds, parseSections, renderGatherScript } from "./gather";
import { runRemote } from "./ssh";
import { CheckResult, HostExpectation, SshTarget } from "./types";

export { hostCheckIds, renderGatherScript } from "./gather";
export type { HostCheckId } from "./gather";
export { expectedSshdFrom, evaluateHostChecks } from "./evaluate";
export { withSshTarget, runRemote, knownHostsLine } from "./ssh";
export type { CheckResult, HostExpectation, SshTarget, ExpectedContainer, ExpectedFile, ExpectedContainerFile } from "./types";

export interface HostCheckOptions {
    /** Run only these checks (default: all; `offsite` only when an off-site repository is expected). */
    only?: readonly HostCheckId[];
    /** Overall time limit for the SSH session in ms. Default 300000. */
    timeoutMs?: number;
}

export class SshConnectError extends Error {}

export async function runHostChecks(target: SshTarget, expected: HostExpectation, opts: HostCheckOptions = {}): Promise<CheckResult[]> {
    const only = opts.only ?? hostCheckIds;
    for (const id of only) if (!hostCheckIds.includes(id)) throw new Error(`unknown host check "${id}"; known: ${hostCheckIds.join(", ")}`);
    const script = renderGatherScript(expected, only);
    const seenAt = new Date().toISOString();
    const r = await runRemote(target, script, opts.timeoutMs);
    const sections = parseSections(r.stdout);
    if (!sections.has("now")) {
        throw new SshConnectError(
            `ssh ${target.user ?? "root"}@${target.host}:${target.port ?? 22} failed (exit ${r.code}): ${r.stderr.trim() || "no output"}. ` +
                "Check the key (--key), the pinned host key (--host-key) and that your address may reach port 22 (adminCidrs).",
        );
    }
    return evaluateHostChecks(sections, expected, only, seenAt);
}
