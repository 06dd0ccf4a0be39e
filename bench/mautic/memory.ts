/**
 * Peak memory per container role, sampled from /proc: each role is the process tree under a
 * root pid (a pid file per long-running role; the cron role is the commands the bench itself
 * runs). Every sample sums VmRSS over the tree; each process's VmHWM (the kernel's own high-water
 * mark) catches the peaks between samples. Linux only.
 */
import * as fs from "fs";
import type { Role } from "./args";

export interface ProcInfo {
    pid: number;
    ppid: number;
    rssKiB: number;
    hwmKiB: number;
}

/** ppid, VmRSS and VmHWM of /proc/<pid>/status text (kernel threads have no Vm* lines: 0). */
export function parseStatus(pid: number, text: string): ProcInfo {
    const field = (name: string) => {
        const m = new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text);
        return m ? Number(m[1]) : 0;
    };
    return { pid, ppid: field("PPid"), rssKiB: field("VmRSS"), hwmKiB: field("VmHWM") };
}

export function readProcs(procRoot = "/proc"): ProcInfo[] {
    const out: ProcInfo[] = [];
    for (const name of fs.readdirSync(procRoot)) {
        if (!/^\d+$/.test(name)) continue;
        try {
            out.push(parseStatus(Number(name), fs.readFileSync(`${procRoot}/${name}/status`, "utf8")));
        } catch {
            /* exited between readdir and read */
        }
    }
    return out;
}

/** The processes in the trees under the given roots (roots included). */
export function treeOf(procs: ProcInfo[], roots: number[]): ProcInfo[] {
    const children = new Map<number, ProcInfo[]>();
    for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
    const byPid = new Map(procs.map((p) => [p.pid, p]));
    const seen = new Set<number>();
    const stack = roots.filter((r) => byPid.has(r));
    const out: ProcInfo[] = [];
    while (stack.length) {
        const pid = stack.pop()!;
        if (seen.has(pid)) continue;
        seen.add(pid);
        out.push(byPid.get(pid)!);
        for (const c of children.get(pid) ?? []) stack.push(c.pid);
    }
    return out;
}

export interface RolePeak {
    /** Largest sum of VmRSS over the role's tree at one sample, MiB. */
    sumMiB: number;
    /** Largest VmHWM of one process of the role, MiB. */
    processMiB: number;
    samples: number;
}

const emptyPeak = (): RolePeak => ({ sumMiB: 0, processMiB: 0, samples: 0 });

/** Samples every `intervalMs` until stop(); peaks per role for the whole run and per phase. */
export class MemorySampler {
    private timer?: NodeJS.Timeout;
    private phase = "setup";
    readonly total = new Map<Role, RolePeak>();
    readonly byPhase = new Map<string, Map<Role, RolePeak>>();
    /** Root pids of the commands running now (the cron role). */
    readonly cronRoots = new Set<number>();

    constructor(
        private readonly pidfiles: Partial<Record<Role, string>>,
        private readonly intervalMs = 250,
        private readonly procRoot = "/proc",
    ) {}

    /** Called on every phase change (the cgroup meter resets its peaks there). */
    onPhase?: (name: string) => void;

    setPhase(name: string): void {
        this.sample();
        this.phase = name;
        this.onPhase?.(name);
    }

    private rootsOf(role: Role): number[] {
        if (role === "cron") return [...this.cronRoots];
        const file = this.pidfiles[role];
        if (!file) return [];
        try {
            const pid = Number(fs.readFileSync(file, "utf8").trim());
            return Number.isInteger(pid) && pid > 0 ? [pid] : [];
        } catch {
            return [];
        }
    }

    sample(): void {
        const procs = readProcs(this.procRoot);
        for (const role of ["web", "worker", "db", "cron"] as Role[]) {
            const roots = this.rootsOf(role);
            if (roots.length === 0) continue;
            const tree = treeOf(procs, roots);
            if (tree.length === 0) continue;
            const sumMiB = tree.reduce((a, p) => a + p.rssKiB, 0) / 1024;
            const processMiB = Math.max(...tree.map((p) => p.hwmKiB)) / 1024;
            const phaseMap = this.byPhase.get(this.phase) ?? new Map<Role, RolePeak>();
            this.byPhase.set(this.phase, phaseMap);
            for (const m of [this.total, phaseMap]) {
                const cur = m.get(role) ?? emptyPeak();
                m.set(role, { sumMiB: Math.max(cur.sumMiB, sumMiB), processMiB: Math.max(cur.processMiB, processMiB), samples: cur.samples + 1 });
            }
        }
    }

    start(): void {
        this.sample();
        this.timer = setInterval(() => this.sample(), this.intervalMs);
    }

    stop(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        this.sample();
    }
}
