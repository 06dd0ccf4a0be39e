/**
 * sshd: the `sshd -T` values a rendered hardening file implies, and the check of the live
 * `sshd -T` output against them.
 */
import { Section } from "./gather";
import { HostExpectation } from "./types";
import { Verdict } from "./verdict";

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

export function evalSshd(s: Section, e: HostExpectation): Verdict {
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
