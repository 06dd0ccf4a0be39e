import { execFileSync } from "child_process";
import * as fs from "fs";

/**
 * Returns the absolute path of a tool the test needs, or throws. Tests never skip because a
 * tool is missing: `scripts/install-tools.sh` (run by `npm test`) installs them all.
 */
export function requireTool(bin: string): string {
    for (const dir of ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin"]) {
        const p = `${dir}/${bin}`;
        if (fs.existsSync(p)) {
            return p;
        }
    }
    try {
        return execFileSync("bash", ["-c", `command -v ${bin}`], { encoding: "utf8" }).trim();
    } catch {
        throw new Error(
            `required tool '${bin}' is missing: run 'bash scripts/install-tools.sh' as root ` + `(npm test does this first) - this test does not skip`,
        );
    }
}
