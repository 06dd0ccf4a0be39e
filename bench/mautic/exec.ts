/**
 * The bench's commands against one Mautic: console commands (the cron role, timed, their process
 * tree sampled as "cron"), SQL through the given client, and the checks that no process was
 * killed (exit codes, the kernel log, the worker's supervisord log).
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import { performance } from "perf_hooks";
import type { MemorySampler } from "./memory";

export interface CommandResult {
    code: number | null;
    signal: NodeJS.Signals | null;
    seconds: number;
    stdout: string;
    stderr: string;
}

/** Splits a prefix on spaces (no shell: like conformance's --console). */
export function splitPrefix(prefix: string): string[] {
    const words = prefix.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) throw new Error("empty command prefix");
    return words;
}

/** Runs prefix + args, optionally with stdin; a cron-role command registers its pid with the sampler. */
export function runCommand(prefix: string, args: string[], opts: { stdin?: string; sampler?: MemorySampler; timeoutMs?: number } = {}): Promise<CommandResult> {
    const words = splitPrefix(prefix);
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
        const child = spawn(words[0], [...words.slice(1), ...args], { stdio: ["pipe", "pipe", "pipe"] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (c: Buffer) => out.push(c));
        child.stderr.on("data", (c: Buffer) => err.push(c));
        if (child.pid && opts.sampler) opts.sampler.cronRoots.add(child.pid);
        const timer = opts.timeoutMs ? setTimeout(() => child.kill("SIGTERM"), opts.timeoutMs) : undefined;
        child.on("error", reject);
        child.on("close", (code, signal) => {
            if (timer) clearTimeout(timer);
            if (opts.sampler) {
                opts.sampler.sample();
                if (child.pid) opts.sampler.cronRoots.delete(child.pid);
            }
            resolve({
                code,
                signal,
                seconds: (performance.now() - t0) / 1000,
                stdout: Buffer.concat(out).toString("utf8"),
                stderr: Buffer.concat(err).toString("utf8"),
            });
        });
        // A command that exits without reading its stdin closes the pipe: not an error here.
        child.stdin.on("error", () => undefined);
        child.stdin.end(opts.stdin ?? "");
    });
}

export class CommandFailed extends Error {}

export function must(r: CommandResult, what: string): CommandResult {
    if (r.code !== 0) throw new CommandFailed(`${what} exited ${r.code ?? `by signal ${r.signal}`}: ${(r.stderr || r.stdout).trim().slice(-400)}`);
    return r;
}

/** SQL through the --mysql prefix: rows of tab-separated values. */
export async function sql(prefix: string, text: string): Promise<string[][]> {
    const r = must(await runCommand(prefix, [], { stdin: text, timeoutMs: 1800_000 }), "SQL client");
    return r.stdout
        .split("\n")
        .filter((l) => l.length > 0)
        .map((l) => l.split("\t"));
}

/** One number from a query (the last row's first column). */
export async function sqlNumber(prefix: string, text: string): Promise<number> {
    const rows = await sql(prefix, text);
    const v = Number(rows[rows.length - 1]?.[0]);
    if (!Number.isFinite(v)) throw new Error(`SQL ${JSON.stringify(text.slice(0, 80))} gave no number (is the client's output --batch --skip-column-names?)`);
    return v;
}

/** Lines of the kernel log that report an OOM kill (dmesg; undefined when it cannot be read). */
export function kernelOomLines(): string[] | undefined {
    const r = spawnSync("dmesg", [], { encoding: "utf8" });
    if (r.status !== 0) return undefined;
    // One "Killed process" line per kill (the oom-killer also logs "invoked oom-killer" and "oom-kill:" lines).
    return r.stdout.split("\n").filter((l) => /Killed process/.test(l));
}

export interface WorkerLogCounts {
    /** Consumers that ended by a signal (SIGKILL from the OOM killer, ...). */
    killed: number;
    /** Consumers that ended on their own (exit status 0: --memory-limit/--time-limit reached). */
    recycled: number;
    /** Consumers that ended with another exit status. */
    failed: number;
}

/** supervisord's "exited: NAME (terminated by SIGKILL)" / "(exit status N; ...)" lines. */
export function countWorkerExits(log: string): WorkerLogCounts {
    const c = { killed: 0, recycled: 0, failed: 0 };
    for (const line of log.split("\n")) {
        if (!/exited: /.test(line)) continue;
        if (/terminated by SIG/.test(line)) c.killed++;
        else if (/exit status 0\b/.test(line)) c.recycled++;
        else if (/exit status \d+/.test(line)) c.failed++;
    }
    return c;
}

/** The part of a log file written after `offset` bytes (the bench's own run). */
export function logSince(file: string, offset: number): string {
    try {
        const fd = fs.openSync(file, "r");
        try {
            const size = fs.fstatSync(fd).size;
            const buf = Buffer.alloc(Math.max(0, size - offset));
            fs.readSync(fd, buf, 0, buf.length, offset);
            return buf.toString("utf8");
        } finally {
            fs.closeSync(fd);
        }
    } catch {
        return "";
    }
}

export function fileSize(file: string): number {
    try {
        return fs.statSync(file).size;
    } catch {
        return 0;
    }
}
