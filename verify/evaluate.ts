/**
 * Pure evaluation of the gathered facts (see gather.ts) against the expectation: one
 * CheckResult per check. Tested on real tools' output (sshd -T, df, findmnt, fail2ban-client).
 */
import { createHash } from "crypto";
import { ChecklistId } from "./checklist";
import { HostCheckId, Section } from "./gather";
import { CheckResult, HostExpectation } from "./types";

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

type Verdict = { ok: boolean; evidence: string };

function kv(output: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of output.split("\n")) {
        const i = line.indexOf("=");
        if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    return out;
}

const hours = (sec: number) => `${(sec / 3600).toFixed(1)} h`;

/** Lower-cased `keyword value` pairs of an sshd_config text (first value wins, as in sshd). */
export function sshdOptionsOf(configText: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const raw of configText.split("\n")) {
        const line = raw.trim();
        if (!line || line.startsWith("#")) continue;
        const m = /^(\S+)\s+(.*)$/.exec(line);
        if (!m) continue;
        const key = m[1].toLowerCase();
        if (key === "match") break;
        if (!(key in out)) out[key] = m[2].trim();
    }
    return out;
}

/** How `sshd -T` prints a value (times in seconds, prohibit-password as without-password). */
export function normaliseSshdValue(key: string, value: string): string {
    let v = value.trim().replace(/\s+/g, " ");
    const time = /^(\d+)([smhdw]?)$/i.exec(v);
    if (time && ["logingracetime", "clientaliveinterval"].includes(key)) {
        const mul: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
        v = String(Number(time[1]) * mul[time[2].toLowerCase()]);
    }
    if (key === "permitrootlogin" && v === "prohibit-password") v = "without-password";
    return v;
}

/** The `sshd -T` values a rendered hardening file implies. */
export function expectedSshdFrom(configText: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(sshdOptionsOf(configText))) out[k] = normaliseSshdValue(k, v);
    return out;
}

function evalSshd(s: Section, e: HostExpectation): Verdict {
    if (s.rc !== 0) return { ok: false, evidence: `sshd -T failed (exit ${s.rc}): ${s.output.split("\n")[0]}` };
    const live: Record<string, string[]> = {};
    for (const line of s.output.split("\n")) {
        const m = /^(\S+)\s+(.*)$/.exec(line.trim());
        if (m) (live[m[1].toLowerCase()] ??= []).push(m[2]);
    }
    const bad: string[] = [];
    for (const [k, want] of Object.entries(e.sshd)) {
        const got = live[k];
        if (!got) bad.push(`${k}: missing (want ${want})`);
        else if (!got.some((g) => normaliseSshdValue(k, g) === want)) bad.push(`${k} = ${got.join(",")} (want ${want})`);
    }
    return bad.length
        ? { ok: false, evidence: `sshd -T differs: ${bad.join("; ")}` }
        : { ok: true, evidence: `sshd -T: ${Object.keys(e.sshd).length} hardening options in effect` };
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

function evalVolume(s: Section, e: HostExpectation): Verdict {
    const first = s.output.split("\n")[0]?.trim() ?? "";
    if (s.rc !== 0 || !first) return { ok: false, evidence: `${e.volume.mountPoint} is not a mount point` };
    const [source, fstype] = first.split(/\s+/);
    if (e.volume.device) {
        const device = kv(s.output).device;
        if (device !== source) return { ok: false, evidence: `${e.volume.mountPoint} is ${source} (${fstype}), not the volume ${e.volume.device} (${device})` };
    }
    return { ok: true, evidence: `${e.volume.mountPoint} mounted from ${source} (${fstype})` };
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

interface Inspect {
    Name: string;
    Image: string;
    State?: { Running?: boolean; Status?: string; Health?: { Status?: string } };
    HostConfig?: { Memory?: number; CapAdd?: string[] | null; CapDrop?: string[] | null; SecurityOpt?: string[] | null; RestartPolicy?: { Name?: string } };
}
interface ImageInspect {
    Id: string;
    RepoTags?: string[] | null;
    RepoDigests?: string[] | null;
}

const cap = (c: string) => c.toUpperCase().replace(/^CAP_/, "");

function evalContainers(s: Section, images: Section | undefined, e: HostExpectation): Verdict {
    let list: Inspect[] = [];
    let imgs: ImageInspect[] = [];
    try {
        list = JSON.parse(s.output.slice(s.output.indexOf("[")) || "[]");
    } catch {
        /* reported below */
    }
    try {
        imgs = images ? JSON.parse(images.output.slice(images.output.indexOf("[")) || "[]") : [];
    } catch {
        /* reported below */
    }
    const bad: string[] = [];
    for (const want of e.containers) {
        const c = list.find((x) => x.Name.replace(/^\//, "") === want.name);
        if (!c) {
            bad.push(`${want.name}: not found`);
            continue;
        }
        if (!c.State?.Running) bad.push(`${want.name}: ${c.State?.Status ?? "not running"}`);
        const health = c.State?.Health?.Status;
        if (want.healthcheck && health !== "healthy") bad.push(`${want.name}: health ${health ?? "none"}`);
        const img = imgs.find((i) => i.Id === c.Image);
        const [ref, digest] = want.image.split("@");
        if (!img?.RepoTags?.includes(ref) && !img?.RepoTags?.includes(`docker.io/${ref}`))
            bad.push(`${want.name}: image ${img?.RepoTags?.join(",") || c.Image} (want ${ref})`);
        if (digest && !img?.RepoDigests?.some((d) => d.endsWith(`@${digest}`))) bad.push(`${want.name}: image digest is not ${digest}`);
        const hc = c.HostConfig ?? {};
        if (!(hc.CapDrop ?? []).map(cap).includes("ALL")) bad.push(`${want.name}: capabilities not dropped (CapDrop ${JSON.stringify(hc.CapDrop)})`);
        const adds = [...(hc.CapAdd ?? [])].map(cap).sort().join(",");
        if (adds !== [...want.capAdd].map(cap).sort().join(",")) bad.push(`${want.name}: CapAdd ${adds || "none"} (want ${[...want.capAdd].sort().join(",")})`);
        if (!(hc.SecurityOpt ?? []).some((o) => /^no-new-privileges(:true|=true)?$/.test(o))) bad.push(`${want.name}: no-new-privileges missing`);
        if (want.memoryMiB !== undefined && hc.Memory !== want.memoryMiB * 1024 * 1024)
            bad.push(`${want.name}: memory ${hc.Memory ? hc.Memory / 1048576 : "unlimited"} MiB (want ${want.memoryMiB})`);
        if (hc.RestartPolicy?.Name !== want.restart) bad.push(`${want.name}: restart ${hc.RestartPolicy?.Name ?? "none"} (want ${want.restart})`);
    }
    if (list.length === 0 && s.rc !== 0) return { ok: false, evidence: `docker inspect failed (exit ${s.rc}): ${s.output.split("\n")[0]}` };
    return bad.length
        ? { ok: false, evidence: bad.join("; ") }
        : {
              ok: true,
              evidence: `${e.containers.length} containers running${e.containers.some((c) => c.healthcheck) ? ", healthy" : ""}, pinned images, caps and limits as planned`,
          };
}

/** True when `live` equals the plan's `planned` text, where each "[secret]" in it matches any text within a line. */
export function matchesRedacted(planned: string, live: string): boolean {
    if (!planned.includes("[secret]")) return planned === live;
    const parts = planned.split("[secret]").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    return new RegExp(`^${parts.join("[^\\n]*?")}$`).test(live);
}

function evalContainerFiles(s: Section, e: HostExpectation): Verdict {
    const bad: string[] = [];
    const lines = s.output.split("\n").map((l) => l.trim().split(/\s+/));
    for (const f of e.containerFiles) {
        const got = lines.find((p) => p[0] === f.container && p[1] === f.path);
        if (!got || got[2] === undefined || got[2] === "missing") bad.push(`${f.container}:${f.path} missing`);
        else if (!matchesRedacted(f.content, Buffer.from(got[2], "base64").toString("utf8"))) bad.push(`${f.container}:${f.path} differs from the plan`);
    }
    return bad.length
        ? { ok: false, evidence: bad.join("; ") }
        : { ok: true, evidence: `${e.containerFiles.map((f) => `${f.container}:${f.path}`).join(", ")} equal the plan` };
}

const canon = (v: unknown): string =>
    JSON.stringify(v, (_k, x) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x));

function evalMauticConfig(s: Section, e: HostExpectation): Verdict {
    let live: Record<string, unknown>;
    try {
        live = JSON.parse(s.output.slice(s.output.indexOf("{")));
    } catch {
        return { ok: false, evidence: `Mautic's console gave no parameters (exit ${s.rc}): ${s.output.split("\n")[0] || "no output"}` };
    }
    const bad: string[] = [];
    for (const [k, want] of Object.entries(e.mauticConfig ?? {})) {
        if (live[k] === "__missing__") bad.push(`${k}: not set (want ${canon(want)})`);
        else if (canon(live[k]) !== canon(want)) bad.push(`${k} = ${canon(live[k])} (want ${canon(want)})`);
    }
    return bad.length
        ? { ok: false, evidence: bad.join("; ") }
        : {
              ok: true,
              evidence: `${Object.keys(e.mauticConfig ?? {}).length} values in effect (anonymize_ip, track_contact_by_ip, cookie_secure, site_url, ...)`,
          };
}

function evalBackup(s: Section, now: number, e: HostExpectation): Verdict {
    if (s.rc !== 0) return { ok: false, evidence: `backup directory ${e.backup.dir} missing` };
    const f = kv(s.output);
    let status: { result?: string; last_good_at?: string; message?: string; finished_at?: string } = {};
    try {
        status = JSON.parse(f.status ?? "{}");
    } catch {
        /* none */
    }
    if (!f.latest || f.latest === "none") return { ok: false, evidence: "no good backup set yet (no 'latest')" };
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(f.latest);
    if (!m) return { ok: false, evidence: `'latest' points at ${f.latest}, not a set id` };
    const at = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
    const age = now - at;
    const problems: string[] = [];
    if (age > e.backup.maxAgeHours * 3600) problems.push(`last good set ${f.latest} is ${hours(age)} old (limit ${e.backup.maxAgeHours} h)`);
    if (f.verify !== "ok") problems.push(`set ${f.latest} fails its SHA256SUMS check`);
    if (status.result && status.result !== "ok") problems.push(`last run ${status.result}: ${status.message ?? ""}`.trim());
    return problems.length
        ? { ok: false, evidence: problems.join("; ") }
        : { ok: true, evidence: `last good set ${f.latest}, ${hours(age)} old, SHA256SUMS verified` };
}

function evalOffsite(s: Section, now: number, e: HostExpectation): Verdict {
    let snaps: Array<{ time?: string; short_id?: string }> = [];
    try {
        snaps = JSON.parse(s.output.slice(s.output.indexOf("[")) || "[]");
    } catch {
        /* reported below */
    }
    if (s.rc !== 0 || snaps.length === 0) return { ok: false, evidence: `no off-site snapshot readable (restic exit ${s.rc})` };
    const latest = snaps
        .map((x) => Date.parse(x.time ?? ""))
        .filter((t) => !Number.isNaN(t))
        .sort((a, b) => b - a)[0];
    const age = now - latest / 1000;
    const ok = age <= e.backup.maxAgeHours * 3600;
    return { ok, evidence: `latest off-site snapshot ${hours(age)} old${ok ? "" : ` (limit ${e.backup.maxAgeHours} h)`}` };
}

/** `df -P` -> use per mount point. */
export function parseDf(output: string): Array<{ mount: string; usePercent: number }> {
    return output
        .split("\n")
        .slice(1)
        .map((l) => l.trim().split(/\s+/))
        .filter((p) => p.length >= 6 && /^\d+%$/.test(p[4]))
        .map((p) => ({ mount: p.slice(5).join(" "), usePercent: Number(p[4].slice(0, -1)) }));
}

function evalDisk(s: Section, e: HostExpectation): Verdict {
    const rows = parseDf(s.output);
    if (rows.length === 0) return { ok: false, evidence: `df failed (exit ${s.rc}): ${s.output.split("\n")[0]}` };
    const over = rows.filter((r) => r.usePercent > e.disk.maxUsePercent);
    const text = rows.map((r) => `${r.mount} ${r.usePercent}%`).join(", ");
    return over.length
        ? { ok: false, evidence: `over ${e.disk.maxUsePercent} %: ${over.map((r) => `${r.mount} ${r.usePercent}%`).join(", ")}` }
        : { ok: true, evidence: `${text} (limit ${e.disk.maxUsePercent} %)` };
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
