/**
 * The program writes the Docker provider's SSH key files (HardenedHost.writeSshMaterial). Under
 * mocks (mockRuntime.ts) they go to one private temp dir, removed after each plan
 * (`MockCloud.dispose`), by `removeMockSshDir` (jest runs it after every test file:
 * tests/support/jest-cleanup.ts) and at exit: never to the user's cache or runtime dir.
 *
 * Kept apart from mockRuntime.ts so that jest's cleanup after every test file does not load
 * `@pulumi/pulumi` into suites that never plan (about a CPU second each).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

let processSshDir: string | undefined;
let exitHookInstalled = false;

/** This process's SSH key dir for the mocks, made (private, this user's) when absent. */
export function mockSshDir(): string {
    if (!processSshDir || !fs.existsSync(processSshDir)) {
        // One path per process, so two plans in one process send the Docker provider the same
        // sshOpts (an upgrade diff must not show a provider change that only the temp dir made).
        sweepDeadSshDirs();
        const dir = path.join(os.tmpdir(), `mautic-kit-plan-ssh-${process.pid}`);
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        if (typeof process.getuid === "function" && fs.statSync(dir).uid !== process.getuid()) throw new Error(`${dir} belongs to another user`);
        processSshDir = dir;
        // One exit hook per process (a bench plans dozens of stacks in one process).
        if (!exitHookInstalled) {
            exitHookInstalled = true;
            process.once("exit", () => {
                if (processSshDir) fs.rmSync(processSshDir, { recursive: true, force: true });
            });
        }
    }
    return processSshDir;
}

/** The dir `mockSshDir` made and nobody removed yet, if any. */
export function currentMockSshDir(): string | undefined {
    return processSshDir;
}

/** Removes the dirs of earlier processes that ended without cleaning up (jest kills its workers). */
function sweepDeadSshDirs(): void {
    for (const name of fs.readdirSync(os.tmpdir())) {
        const m = /^mautic-kit-plan-ssh-(\d+)$/.exec(name);
        if (!m || Number(m[1]) === process.pid) continue;
        try {
            process.kill(Number(m[1]), 0);
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code === "ESRCH") fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
        }
    }
}

/** Removes the mocks' SSH key dir (a later MockCloud makes a new one). */
export function removeMockSshDir(): void {
    if (processSshDir) fs.rmSync(processSshDir, { recursive: true, force: true });
    processSshDir = undefined;
}
