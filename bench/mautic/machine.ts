/**
 * The machine a bench ran on (cores, RAM, CPU model from /proc/cpuinfo, load average), printed
 * with every figure: absolute numbers mean little without it.
 */
import * as fs from "fs";
import * as os from "os";

export interface Machine {
    cores: number;
    ramGiB: number;
    cpuModel: string;
    kernel: string;
}

/** The first `model name` of /proc/cpuinfo text (os.cpus() as a fallback). */
export function cpuModelFrom(cpuinfo: string): string | undefined {
    const m = /^model name\s*:\s*(.+)$/m.exec(cpuinfo);
    return m?.[1].trim();
}

export function machine(): Machine {
    let cpuinfo = "";
    try {
        cpuinfo = fs.readFileSync("/proc/cpuinfo", "utf8");
    } catch {
        /* not Linux: os.cpus() below */
    }
    return {
        cores: os.cpus().length,
        ramGiB: os.totalmem() / 1024 ** 3,
        cpuModel: cpuModelFrom(cpuinfo) ?? os.cpus()[0]?.model ?? "unknown",
        kernel: `${os.type()} ${os.release()}`,
    };
}

export function loadAverage(): [number, number, number] {
    const [a, b, c] = os.loadavg();
    return [a, b, c];
}

export function formatMachine(m: Machine): string {
    return `${m.cores} cores, ${m.ramGiB.toFixed(1)} GiB RAM, ${m.cpuModel}, ${m.kernel}`;
}

export function formatLoad(l: [number, number, number]): string {
    return l.map((x) => x.toFixed(2)).join(" / ") + " (1/5/15 min)";
}
