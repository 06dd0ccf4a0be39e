/**
 * Pure evaluation of the gathered facts (see gather.ts) against the expectation: one
 * CheckResult per check. Tested on real tools' output (sshd -T, df, findmnt, fail2ban-client).
 */
import { createHash } from "crypto";
import { ChecklistId } from "./checklist";
import { HostCheckId, Section } from "./gather";
import { CheckResult, HostExpectation } from "./types";
import { Verdict, hours, kv } from "./verdict";
import { evalSshd } from "./evaluateSshd";
import { evalContainerFiles, evalContainers, evalMauticConfig } from "./evaluateContainers";
import { evalBackup, evalDisk, evalOffsite, evalVolume } from "./evaluateStorage";

// Split by concern (issue 17); re-exported so that importers keep this one path.
export { expectedSshdFrom, normaliseSshdValue, sshdOptionsOf } from "./evaluateSshd";
export { matchesRedacted } from "./evaluateContainers";
export { parseDf } from "./evaluateStorage";

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

const meta: Record<HostCheckId, { title: string; items: ChecklistId[] }> = {
    "cloud-init": { title: "cloud-init finished without errors", items: ["C12"] },
    sshd: { title: "effective sshd configuration (sshd -T) is the kit's hardening", items: ["C12"] },
    fail2ban: { title: "fail2ban's sshd jail is up", items: ["C12"] },
    "unattended-upgrades": { title: "unattended-upgrades ran recently without errors", items: ["C12"] },
    "reboot-pending": { title: "no reboot pending longer than the reboot window allows", items: ["C12"] },
    "forward-policy": { title: "iptables FORWARD policy is DROP", items: ["C12", "C15"] },
    "metadata-block": { title: "containers cannot reach the metadata service", items: ["C12"] },
    volume: { title: "the data volume is mounted", items: ["C12"] },
    "host-files": { title: "every host file equals the rendered one", items: ["C07", "C12"] },
    containers: { title: "containers run, healthy, pinned images, the kit's caps and limits", items: ["C12", "C15"] },
    "container-files": { title: "crontab and parameters_local.php in the containers equal the plan", items: ["C07", "C09", "C10"] },
    "mautic-config": { title: "Mautic's effective config (its console) has the kit's privacy values", items: ["C09", "C10", "C11"] },
    backup: { title: "last good backup set is recent and verifies", items: ["C12"] },
    offsite: { title: "off-site backup copy is recent", items: ["C12"] },
    disk: { title: "disk use under the threshold", items: ["C12"] },
    "logs-pii": { title: "host logs hold no full client IP and no e-mail address", items: ["C09", "C12"] },
};

export function checkMeta(id: HostCheckId) {
    return meta[id];
}

function evalFail2ban(s: Section): Verdict {
    if (s.rc !== 0 || !/Status for the jail: sshd/.test(s.output)) {
        return { ok: false, evidence: `fail2ban-client status sshd failed (exit ${s.rc}): ${s.output.split("\n").find((l) => l.trim()) ?? "no output"}` };
    }
    const banned = /Currently banned:\s*(\d+)/.exec(s.output)?.[1];
    return { ok: true, evidence: `jail sshd up${banned !== undefined ? `, ${banned} banned` : ""}` };
}

function evalCloudInit(s: Section): Verdict {
    const status = /^status:\s*(\S+)/m.exec(s.output)?.[1];
    // cloud-init >= 23.4 exits 2 for "done with recoverable errors": reported, not accepted.
    if (status === "done" && s.rc === 0) return { ok: true, evidence: "cloud-init status: done" };
    const detail = s.output
        .split("\n")
        .filter((l) => /error|detail|status/i.test(l))
        .slice(0, 3)
        .join(" | ");
    return { ok: false, evidence: `cloud-init status: ${status ?? "unknown"} (exit ${s.rc}) ${detail}`.trim() };
}

function evalUpdates(s: Section, now: number, e: HostExpectation): Verdict {
    const f = kv(s.output);
    if (!/^\d+$/.test(f.stamp ?? "")) return { ok: false, evidence: "unattended-upgrades has never run (no stamp file)" };
    const age = now - Number(f.stamp);
    const problems: string[] = [];
    if (age > e.updates.maxAgeHours * 3600) problems.push(`last run ${hours(age)} ago (limit ${e.updates.maxAgeHours} h)`);
    if (f.errors !== "0" && f.errors !== "nolog") problems.push(`${f.errors} error(s) in the last run's log`);
    if (f.timer && f.timer !== "enabled") problems.push(`apt-daily-upgrade.timer is ${f.timer || "not enabled"}`);
    const pending = /^\d+$/.test(f.pending ?? "") ? `; ${f.pending} update(s) pending` : "";
    return problems.length
        ? { ok: false, evidence: `${problems.join("; ")}${pending}` }
        : { ok: true, evidence: `last run ${hours(age)} ago, no errors${pending}` };
}

function evalReboot(s: Section, now: number, e: HostExpectation): Verdict {
    const since = kv(s.output).since;
    if (since === "missing") return { ok: true, evidence: "no reboot pending" };
    if (!/^\d+$/.test(since ?? "")) return { ok: false, evidence: `cannot read /var/run/reboot-required: ${s.output}` };
    const age = now - Number(since);
    const ok = age <= e.updates.rebootPendingMaxHours * 3600;
    return {
        ok,
        evidence: `reboot pending for ${hours(age)}${ok ? " (within the reboot window)" : ` (limit ${e.updates.rebootPendingMaxHours} h: the automatic reboot did not happen)`}`,
    };
}

function evalForward(s: Section): Verdict {
    const policy = /^-P FORWARD (\S+)/m.exec(s.output)?.[1];
    if (s.rc !== 0 || !policy) return { ok: false, evidence: `iptables -S FORWARD failed (exit ${s.rc}): ${s.output.split("\n")[0]}` };
    return { ok: policy === "DROP", evidence: `FORWARD policy ${policy}` };
}

function evalMetadata(s: Section): Verdict {
    const ok = s.rc === 0 && /^-A DOCKER-USER -d 169\.254\.169\.254\/32 -j DROP$/m.test(s.output);
    return { ok, evidence: ok ? "DOCKER-USER drops 169.254.169.254" : `no DROP rule for 169.254.169.254 in DOCKER-USER (exit ${s.rc})` };
}

function evalHostFiles(s: Section, e: HostExpectation): Verdict {
    const live = new Map<string, string[]>();
    for (const line of s.output.split("\n")) {
        const parts = line.trim().split(/\s+/);
        if (parts[0]?.startsWith("/")) live.set(parts[0], parts.slice(1));
    }
    const bad: string[] = [];
    for (const f of e.hostFiles) {
        const got = live.get(f.path);
        if (!got || got[0] === "missing") {
            bad.push(`${f.path} missing`);
            continue;
        }
        const [mode, owner, hash] = got;
        if (hash !== sha256(f.content)) bad.push(`${f.path} differs from the rendered file`);
        if (f.permissions && mode !== f.permissions.replace(/^0/, "")) bad.push(`${f.path} mode ${mode} (want ${f.permissions})`);
        if (f.permissions && owner !== (f.owner ?? "root:root")) bad.push(`${f.path} owner ${owner} (want ${f.owner ?? "root:root"})`);
    }
    return bad.length ? { ok: false, evidence: bad.join("; ") } : { ok: true, evidence: `${e.hostFiles.length} files equal the rendered ones` };
}

function evalLogs(s: Section, e: HostExpectation): Verdict {
    const R = e.root ?? "";
    const hits: string[] = [];
    let files = 0;
    for (const line of s.output.split("\n")) {
        const m = /^(\d+) (\d+) (.+)$/.exec(line.trim());
        if (!m) continue;
        files++;
        const name = R && m[3].startsWith(R) ? m[3].slice(R.length) : m[3];
        if (m[1] !== "0" || m[2] !== "0") hits.push(`${name}: ${m[1]} full IP(s), ${m[2]} e-mail address(es)`);
    }
    return hits.length
        ? { ok: false, evidence: hits.join("; ") }
        : { ok: true, evidence: `${files} log sources scanned: no full client IP, no e-mail address` };
}

/** Evaluates every gathered section; a check whose section is absent fails (not gathered = not verified). */
export function evaluateHostChecks(sections: Map<string, Section>, e: HostExpectation, only: readonly HostCheckId[], seenAt: string): CheckResult[] {
    const now = Number(sections.get("now")?.output.trim());
    const results: CheckResult[] = [];
    for (const id of only) {
        if (id === "offsite" && !e.backup.offsiteRepository) continue;
        if ((id === "containers" && e.containers.length === 0) || (id === "container-files" && e.containerFiles.length === 0)) continue;
        if (id === "mautic-config" && (!e.mauticConfig || Object.keys(e.mauticConfig).length === 0)) continue;
        const s = sections.get(id);
        let v: Verdict;
        if (!s) v = { ok: false, evidence: "not gathered (the SSH session ended early)" };
        else {
            switch (id) {
                case "cloud-init":
                    v = evalCloudInit(s);
                    break;
                case "sshd":
                    v = evalSshd(s, e);
                    break;
                case "fail2ban":
                    v = evalFail2ban(s);
                    break;
                case "unattended-upgrades":
                    v = evalUpdates(s, now, e);
                    break;
                case "reboot-pending":
                    v = evalReboot(s, now, e);
                    break;
                case "forward-policy":
                    v = evalForward(s);
                    break;
                case "metadata-block":
                    v = evalMetadata(s);
                    break;
                case "volume":
                    v = evalVolume(s, e);
                    break;
                case "host-files":
                    v = evalHostFiles(s, e);
                    break;
                case "containers":
                    v = evalContainers(s, sections.get("images"), e);
                    break;
                case "container-files":
                    v = evalContainerFiles(s, e);
                    break;
                case "mautic-config":
                    v = evalMauticConfig(s, e);
                    break;
                case "backup":
                    v = evalBackup(s, now, e);
                    break;
                case "offsite":
                    v = evalOffsite(s, now, e);
                    break;
                case "disk":
                    v = evalDisk(s, e);
                    break;
                case "logs-pii":
                    v = evalLogs(s, e);
                    break;
            }
        }
        results.push({ id, title: meta[id].title, status: v.ok ? "pass" : "fail", evidence: v.evidence, seenAt, items: meta[id].items });
    }
    return results;
}
