/**
 * `npm run bench`: figures measured in ONE run on this machine, printed as ratios where timing
 * noise matters (the machine is shared). Not a test: nothing here passes or fails.
 *   - plan time for 1, 10 and 50 stacks rendered in one process (marginal cost per stack;
 *     `--stacks N` renders N instead of 50, N/5 instead of 10: tests/tools/bench.test.ts uses 10)
 *   - resources per stack, user-data size against Hetzner's 32 KiB
 *   - test-suite time per layer (optional: --with-tests)
 *   - monthly cost per site from bench/prices.json (source and date inside)
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import { runPlan } from "../plan/runPlan";
import { StackConfig, mockSecretFor } from "../plan/stackFile";
import { CliIo, defineCli, exitCodes, exitWith, intOption, processIo, runCli } from "../lib/cli";

const root = path.resolve(__dirname, "..");

function stackConfig(i: number): StackConfig {
    const project = "mautic-gdpr";
    const c = (k: string, v: unknown) => [`${project}:${k}`, typeof v === "string" ? v : JSON.stringify(v)];
    const config = Object.fromEntries([
        c("domain", `marketing.client-${i}.de`),
        c("website", `https://www.client-${i}.de`),
        c("adminEmail", "ops@agency.example"),
        c("adminCidrs", ["203.0.113.0/24"]),
        // A mailer needs a sender (mailerFromEmail/mailerFromName are required with mailerDsn).
        c("mailerFromEmail", `newsletter@client-${i}.de`),
        c("mailerFromName", `Client ${i}`),
        [`${project}:mailerDsn`, mockSecretFor(`${project}:mailerDsn`)],
    ]);
    return { project, stack: `client-${i}`, config, secretKeys: [`${project}:mailerDsn`] };
}

async function planMany(n: number, offset: number): Promise<{ ms: number; resources: number[]; userData: number[] }> {
    const resources: number[] = [];
    const userData: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
        const r = await runPlan(stackConfig(offset + i), {}, "2026-01-01");
        resources.push(r.resourcesJson.length);
        userData.push(Buffer.byteLength(r.files.get("cloud-init.yaml") ?? ""));
    }
    return { ms: performance.now() - t0, resources, userData };
}

function jestLayer(pattern: string): number {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [path.join(root, "node_modules/jest/bin/jest.js"), "--ci", "--silent", pattern], { cwd: root, encoding: "utf8" });
    if (r.status !== 0) process.stderr.write(`bench: jest ${pattern} exited ${r.status}\n`);
    return performance.now() - t0;
}

export const benchCli = defineCli({
    name: "bench",
    command: "npm run bench --",
    synopsis: "[--with-tests] [--stacks N]",
    description: `Figures measured in one run on this machine: plan time for 1, 10 and 50 stacks in one process,
resources per stack, user-data size against Hetzner's 32 KiB, the monthly cost per site, and
(--with-tests) the test time per lane. Not a test: nothing here passes or fails.`,
    options: {
        "with-tests": { type: "boolean", help: "also time each test lane (tests/unit, tools, live, browser; minutes)" },
        stacks: { type: "string", value: "N", help: "render N stacks instead of 50 (and N/5 instead of 10); 5 to 500" },
    },
    examples: ["npm run bench", "npm run bench -- --with-tests"],
    exitCodes: { 0: "measured", 1: "a measurement could not run", 2: "usage error" },
});

function bench(withTests: boolean, many: number, io: CliIo): Promise<number> {
    return measure(withTests, many, (s) => io.out(`${s}\n`)).then(() => exitCodes.ok);
}

async function measure(withTests: boolean, many: number, out: (s: string) => void) {
    const few = Math.max(1, Math.round(many / 5));

    // Warm-up (module loading, first mock install) is reported apart from the steady state.
    const first = await planMany(1, 0);
    const ten = await planMany(few, 100);
    const fifty = await planMany(many, 1000);
    const per10 = ten.ms / few;
    const per50 = fifty.ms / many;
    out("Offline plan (mocked program run + rendering), one process:");
    out(`  1 stack (cold, incl. module load): ${first.ms.toFixed(0)} ms`);
    out(`  ${few} stacks: ${ten.ms.toFixed(0)} ms total, ${per10.toFixed(0)} ms per stack`);
    out(`  ${many} stacks: ${fifty.ms.toFixed(0)} ms total, ${per50.toFixed(0)} ms per stack`);
    out(`  marginal cost ratio ${many}-vs-${few} per stack: ${(per50 / per10).toFixed(2)} (1.00 = linear; > 1 means per-stack cost grows)`);
    out(`  cold first stack / warm stack: ${(first.ms / per50).toFixed(1)}x`);
    out(`Resources per stack: ${Math.min(...fifty.resources)}..${Math.max(...fifty.resources)}`);
    const ud = Math.max(...fifty.userData);
    out(`User data: ${ud} bytes of 32768 (${((ud / 32768) * 100).toFixed(0)}% of Hetzner's limit)`);

    const prices = JSON.parse(fs.readFileSync(path.join(__dirname, "prices.json"), "utf8"));
    out(`Monthly cost per site (${prices.currency}; prices of ${prices.date}, source in bench/prices.json):`);
    for (const type of ["cx23", "cx33", "cax21"]) {
        const server = prices.serverHourly[type] * prices.hoursPerMonth;
        const backups = server * prices.backupShareOfServer;
        const volume = 20 * prices.volumePerGbMonth;
        const total = server + backups + volume + prices.primaryIpv4Month;
        out(
            `  ${type}: server ${server.toFixed(2)} + backups ${backups.toFixed(2)} + 20 GB volume ${volume.toFixed(2)} + IPv4 ${prices.primaryIpv4Month.toFixed(2)} = ${total.toFixed(2)}`,
        );
    }

    if (withTests) {
        const layers: Array<[string, string]> = [
            ["unit: pure renderers, validation, the program under mocks", "tests/unit/"],
            ["tools: real tools on rendered files (cloud-init, sshd, php, caddy), the kit's commands as child processes", "tests/tools/"],
            ["live: servers on loopback (Caddy, MariaDB, sshd)", "tests/live/"],
            ["browser: headless Chromium", "tests/browser/"],
        ];
        const times = layers.map(([name, pattern]) => [name, jestLayer(pattern)] as const);
        const total = times.reduce((a, [, ms]) => a + ms, 0);
        out("Test suite time per layer (share of the total):");
        for (const [name, ms] of times) out(`  ${name}: ${(ms / 1000).toFixed(1)} s (${((ms / total) * 100).toFixed(0)}%)`);
    } else {
        out("Test suite time per layer: run `npm run bench -- --with-tests`");
    }
}

export function main(argv: string[], io: CliIo = processIo): Promise<number> {
    return runCli(benchCli, argv, io, (values) => bench(values["with-tests"] ?? false, intOption("stacks", values.stacks, 50, 5, 500), io));
}

if (require.main === module) {
    const argv = process.argv.slice(2);
    // `--mautic-url` present: the Mautic bench (bench/mautic/, docs/guide/bench.md).
    if (argv.some((a) => a === "--mautic-url" || a.startsWith("--mautic-url="))) {
        exitWith(import("./mautic/main").then((m) => m.mauticBench(argv, process.env, (s) => process.stdout.write(`${s}\n`))));
    } else {
        exitWith(main(argv));
    }
}
