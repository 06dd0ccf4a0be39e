/**
 * The kernel's own memory figures per container role: a memory cgroup (v1) per role, as Docker
 * gives each container one (`--cgroup web=DIR`; scripts/local-mautic puts every role of an
 * instance into `/sys/fs/cgroup/memory/local-mautic-NAME-ROLE`). The peak is the cgroup's
 * memory.max_usage_in_bytes (what Docker's `--memory` is held against: anonymous memory plus page
 * cache, each page counted once however many processes share it), reset at the start of every
 * phase, so each phase has its own peak. Kills: memory.oom_control's oom_kill counter, and
 * memory.failcnt (how often the usage hit the limit and the kernel had to reclaim).
 */
import * as fs from "fs";
import type { Role } from "./args";

export interface CgroupPeak {
    /** Largest memory.max_usage_in_bytes of the role's cgroup over the phases, MiB. */
    maxMiB: number;
    /** The cgroup's limit, MiB (undefined: no limit). */
    limitMiB?: number;
    /** OOM kills in the cgroup during the run (memory.oom_control oom_kill). */
    oomKills: number;
    /** Times the usage hit the limit during the run (memory.failcnt). */
    failcnt: number;
}

/** A cgroup v1 limit above this is "no limit" (the kernel's unlimited is about 2^63 rounded down to a page). */
const unlimited = 2 ** 60;

/** The `oom_kill N` line of memory.oom_control (0 when the kernel has none). */
export function parseOomKills(text: string): number {
    const m = /^oom_kill\s+(\d+)$/m.exec(text);
    return m ? Number(m[1]) : 0;
}

export class CgroupMeter {
    readonly total = new Map<Role, CgroupPeak>();
    readonly byPhase = new Map<string, Map<Role, number>>();
    private readonly start = new Map<Role, { oom: number; failcnt: number }>();
    private phase?: string;

    constructor(private readonly dirs: Partial<Record<Role, string>>) {}

    private read(dir: string, file: string): string {
        return fs.readFileSync(`${dir}/${file}`, "utf8");
    }

    private roles(): Array<[Role, string]> {
        return Object.entries(this.dirs) as Array<[Role, string]>;
    }

    /** Checks every directory is a memory cgroup and records the kill counters. */
    begin(): void {
        for (const [role, dir] of this.roles()) {
            let text: string;
            try {
                text = this.read(dir, "memory.max_usage_in_bytes");
            } catch (e) {
                throw new Error(`--cgroup ${role}=${dir}: not a memory cgroup (v1) directory: ${(e as Error).message}`, { cause: e });
            }
            if (!/^\d+\s*$/.test(text)) throw new Error(`--cgroup ${role}=${dir}: memory.max_usage_in_bytes reads ${JSON.stringify(text)}`);
            this.start.set(role, { oom: parseOomKills(this.read(dir, "memory.oom_control")), failcnt: Number(this.read(dir, "memory.failcnt")) });
        }
    }

    /** Ends the current phase (its peaks recorded) and starts the next with the peaks reset. */
    setPhase(name: string): void {
        this.closePhase();
        this.phase = name;
        for (const [, dir] of this.roles()) {
            try {
                fs.writeFileSync(`${dir}/memory.max_usage_in_bytes`, "0");
            } catch {
                /* not writable (not root): the peak then runs over the phases, still a true maximum */
            }
        }
    }

    private closePhase(): void {
        if (!this.phase) return;
        const m = new Map<Role, number>();
        for (const [role, dir] of this.roles()) {
            const maxMiB = Number(this.read(dir, "memory.max_usage_in_bytes")) / 1024 ** 2;
            m.set(role, maxMiB);
            const limit = Number(this.read(dir, "memory.limit_in_bytes"));
            const s = this.start.get(role) ?? { oom: 0, failcnt: 0 };
            const cur = this.total.get(role);
            this.total.set(role, {
                maxMiB: Math.max(cur?.maxMiB ?? 0, maxMiB),
                limitMiB: limit >= unlimited ? undefined : limit / 1024 ** 2,
                oomKills: parseOomKills(this.read(dir, "memory.oom_control")) - s.oom,
                failcnt: Number(this.read(dir, "memory.failcnt")) - s.failcnt,
            });
        }
        this.byPhase.set(this.phase, m);
    }

    end(): void {
        this.closePhase();
        this.phase = undefined;
    }
}
