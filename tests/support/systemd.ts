import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { requireTool } from "./tools";

export interface RootFile {
    /** Absolute path as on the host. */
    path: string;
    content: string;
    /** Octal mode, e.g. "0644". Default "0644". */
    permissions?: string;
}

/**
 * Runs `systemd-analyze verify` on units in a fresh root under `dir`: the host's own unit files
 * (for the targets the units refer to), the given files at their host paths, and `/bin/sh` when
 * an ExecStart needs it. Returns the verifier's combined output and exit status.
 */
export function verifyUnitsInRoot(dir: string, files: RootFile[], units: string[]): { output: string; status: number | null; root: string } {
    const analyze = requireTool("systemd-analyze");
    const root = path.join(dir, "systemd-root");
    for (const d of ["etc/systemd/system", "usr/local/sbin", "usr/lib/systemd", "bin"]) fs.mkdirSync(path.join(root, d), { recursive: true });
    const hostUnits = ["/usr/lib/systemd/system", "/lib/systemd/system"].find((p) => fs.existsSync(p));
    if (hostUnits) fs.cpSync(hostUnits, path.join(root, "usr/lib/systemd/system"), { recursive: true, dereference: false });
    fs.copyFileSync("/bin/sh", path.join(root, "bin/sh"));
    fs.chmodSync(path.join(root, "bin/sh"), 0o755);
    for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(root, f.path)), { recursive: true });
        fs.writeFileSync(path.join(root, f.path), f.content, { mode: parseInt(f.permissions ?? "0644", 8) });
    }
    const r = spawnSync(analyze, ["verify", `--root=${root}`, ...units], { encoding: "utf8" });
    return { output: `${r.stdout}${r.stderr}`, status: r.status, root };
}
