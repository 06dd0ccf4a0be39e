/** Storage: the data volume's mount, the backup sets, the off-site copy and the disk use. */
import { Section } from "./gather";
import { HostExpectation } from "./types";
import { Verdict, hours, kv } from "./verdict";

export function evalVolume(s: Section, e: HostExpectation): Verdict {
    const first = s.output.split("\n")[0]?.trim() ?? "";
    if (s.rc !== 0 || !first) return { ok: false, evidence: `${e.volume.mountPoint} is not a mount point` };
    const [source, fstype] = first.split(/\s+/);
    if (e.volume.device) {
        const device = kv(s.output).device;
        if (device !== source) return { ok: false, evidence: `${e.volume.mountPoint} is ${source} (${fstype}), not the volume ${e.volume.device} (${device})` };
    }
    return { ok: true, evidence: `${e.volume.mountPoint} mounted from ${source} (${fstype})` };
}

export function evalBackup(s: Section, now: number, e: HostExpectation): Verdict {
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

export function evalOffsite(s: Section, now: number, e: HostExpectation): Verdict {
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

export function evalDisk(s: Section, e: HostExpectation): Verdict {
    const rows = parseDf(s.output);
    if (rows.length === 0) return { ok: false, evidence: `df failed (exit ${s.rc}): ${s.output.split("\n")[0]}` };
    const over = rows.filter((r) => r.usePercent > e.disk.maxUsePercent);
    const text = rows.map((r) => `${r.mount} ${r.usePercent}%`).join(", ");
    return over.length
        ? { ok: false, evidence: `over ${e.disk.maxUsePercent} %: ${over.map((r) => `${r.mount} ${r.usePercent}%`).join(", ")}` }
        : { ok: true, evidence: `${text} (limit ${e.disk.maxUsePercent} %)` };
}
