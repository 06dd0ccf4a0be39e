/**
 * `npm run plan -- [--stack NAME] [--out DIR]`: the offline plan. Runs the real program under
 * Pulumi's mock runtime with the config of Pulumi.<stack>.yaml, prints the resource tree and a
 * summary, and writes every rendered file to <out>/<stack>/. No credentials, no cloud.
 * The command line (`--help`, exit codes) is `planCli`, parsed by lib/cli.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { ComplianceReport, renderComplianceScreen } from "../components/compliance/compliance";
import { ServerTypeChoice } from "../components/host/serverTypeChoice";
import { dnsRecordTtl } from "../components/config/defaults";
import { describeOffsite, offsiteTarget, siteDnsRecords, zoneFileLines } from "../components/config/offsiteDns";
import { PlanConfigError, PlanResult, projectRoot, runPlan } from "./runPlan";
import { readStackConfig } from "./stackFile";
import { evaluate } from "./policyCheck";
import { policies } from "../policy/policies";
import { CliIo, CliValues, defineCli, exitCodes, exitWith, processIo, runCli, stackName } from "../lib/cli";

export const planCli = defineCli({
    name: "plan",
    command: "npm run plan --",
    synopsis: "[--stack NAME] [--out DIR] [--dir PROJECT_DIR] [--policy]",
    description: `The offline plan: runs the real program under Pulumi's mock runtime with the config of
Pulumi.<stack>.yaml, prints the resource tree, the server type, the monthly cost and the
compliance report, and writes every rendered file to <out>/<stack>/. No credentials, no cloud.`,
    options: {
        stack: { type: "string", value: "NAME", help: "the stack file Pulumi.NAME.yaml (default prod)" },
        out: { type: "string", value: "DIR", help: "where <stack>/ is written (default out)" },
        dir: { type: "string", value: "PROJECT_DIR", help: "where Pulumi.yaml and the stack file are read (default the kit's root)" },
        policy: { type: "boolean", help: "also run the policy pack (policy/) over the plan's resources; a violation exits 1" },
    },
    examples: [
        "npm run plan                                  # the example stack Pulumi.prod.yaml, files to out/prod/",
        "npm run plan -- --stack client-a --out /tmp/p # Pulumi.client-a.yaml, files to /tmp/p/client-a/",
        "npm run plan -- --stack client-a --policy     # and the policy pack (the pull-request check)",
    ],
    exitCodes: { 0: "planned, files written", 1: "the stack was not planned (its config is invalid; nothing written), or --policy found a violation", 2: "usage error" },
});

interface Cli {
    stack: string;
    out: string;
    /** Where Pulumi.yaml and the stack file are read. Default: the kit's root. */
    dir?: string;
    /** Also run the policy pack (policy/) over the plan's resources; violations fail the plan. */
    policy?: boolean;
}

/** The plan's options from its command line's values (throws UsageError). */
export function planOptions(v: CliValues<typeof planCli.options>): Cli {
    return { stack: stackName("stack", v.stack ?? "prod"), out: v.out ?? "out", ...(v.dir ? { dir: v.dir } : {}), ...(v.policy ? { policy: true } : {}) };
}

/** Writes the plan's files under <out>/<stack>/, replacing an earlier plan of that stack. */
export function writePlan(result: PlanResult, outDir: string): string {
    const dir = path.resolve(outDir, result.stack.stack);
    fs.rmSync(dir, { recursive: true, force: true });
    for (const [rel, content] of result.files) {
        const file = path.join(dir, rel);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, content);
    }
    return dir;
}

export function renderTree(result: PlanResult): string {
    const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
    const children = new Map<string | null, PlanResult["cloud"]["resources"]>();
    for (const r of result.cloud.resources) {
        const list = children.get(r.parentKey) ?? [];
        list.push(r);
        children.set(r.parentKey, list);
    }
    const lines: string[] = [];
    const walk = (parent: string | null, prefix: string) => {
        const list = children.get(parent) ?? [];
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            lines.push(`${prefix}${last ? "└─ " : "├─ "}${r.name}  (${r.type})`);
            walk(key(r), `${prefix}${last ? "   " : "│  "}`);
        });
    };
    walk(null, "");
    return lines.join("\n");
}

export function renderSummary(result: PlanResult, dir: string): string {
    const s = result.site.settings;
    const count = (prefix: string) => result.resourcesJson.filter((r) => r.type.startsWith(prefix)).length;
    const userData = result.files.get("cloud-init.yaml") ?? "";
    const lines = [
        `Stack ${result.stack.project}/${result.stack.stack}: ${s.website} -> Mautic at https://${s.domain}`,
        `  location ${s.location}, server ${s.serverType}, image ${s.image}, Mautic ${s.mauticVersion}, backups ${s.backups ? "on" : "OFF"}`,
        `  resources: ${result.resourcesJson.length} (hcloud ${count("hcloud:")}, docker ${count("docker:")}, command ${count("command:")}, random ${count("random:")}, tls ${count("tls:")}, components ${count("mautic-kit:")})`,
        `  user data: ${Buffer.byteLength(userData)} of 32768 bytes`,
        `  SSH from: ${s.adminCidrs.join(", ")}; admin UI from: ${s.adminUiCidrs.length ? s.adminUiCidrs.join(", ") : "anywhere"}`,
        `  files written to ${path.relative(process.cwd(), dir) || dir}/: ${[...result.files.keys()].join(", ")}`,
    ];
    if (result.stack.standIns?.length) {
        lines.push(`  stand-in secrets (not in the stack file; set them with \`pulumi config set --secret\` before a deploy): ${result.stack.standIns.join(", ")}`);
    }
    const choice = result.exports.serverType as ServerTypeChoice | undefined;
    if (choice) {
        lines.push(`  server type: ${choice.serverType} (${choice.chosenBy === "auto" ? "serverType auto: the cheapest available type with >= 4 GB RAM" : choice.chosenBy})${choice.prices ? `, prices: ${choice.prices.source} of ${choice.prices.date.slice(0, 10)}` : ""}`);
        const c = choice.monthlyCost;
        if (c) {
            const f = (n: number) => n.toFixed(2);
            lines.push(`  monthly cost per site (${choice.prices?.currency}): server ${f(c.server)} + backups ${f(c.backups)} + volume ${f(c.volume)} + IPv4 ${f(c.ipv4)} + off-site ${f(c.offsite)}${c.offsiteNote ? ` (${c.offsiteNote})` : ""} = ${f(c.total)}`);
        }
    }
    lines.push(`  off-site backups: ${describeOffsite(offsiteTarget(s))}`);
    const ip = (k: string, fallback: string) => (typeof result.exports[k] === "string" ? (result.exports[k] as string) : fallback);
    const records = zoneFileLines(siteDnsRecords(s.domain, undefined, ip("serverIpv4", "<server IPv4>"), ip("serverIpv6", "<server IPv6>")), dnsRecordTtl);
    lines.push(
        s.dnsZone
            ? `  DNS: created in the Hetzner zone ${s.dnsZone} (no waiting at the first up):`
            : "  DNS: create these records at the DNS provider (or set dnsZone to a Hetzner zone), plus SPF/DKIM/DMARC for the sender domain as the mail provider gives them:",
        ...records.map((r) => `    ${r}`),
    );
    for (const w of result.site.warnings) lines.push(`  WARNING: ${w}`);
    return lines.join("\n");
}

export function main(argv: string[], io: CliIo = processIo): Promise<number> {
    return runCli(planCli, argv, io, (values) => plan(planOptions(values), io));
}

async function plan(cli: Cli, io: CliIo): Promise<number> {
    let result: PlanResult;
    try {
        result = await runPlan(readStackConfig(cli.dir ? path.resolve(cli.dir) : projectRoot, cli.stack));
    } catch (e) {
        const msg = e instanceof PlanConfigError ? e.message : ((e as Error).stack ?? String(e));
        io.err(`plan: stack '${cli.stack}' not planned, nothing written.\n${msg}\n`);
        return exitCodes.findings;
    }
    const dir = writePlan(result, cli.out);
    const report = result.exports.compliance as ComplianceReport | undefined;
    io.out(`${renderTree(result)}\n\n${renderSummary(result, dir)}\n`);
    if (report) io.out(`\n${renderComplianceScreen(report)}\n`);
    if (cli.policy) {
        // The policy pack over the plan's resources, offline (no engine, no credentials).
        const e = await evaluate(result.cloud.resources);
        const problems = [...e.violations, ...e.undecided];
        io.out(`\npolicy pack (policy/): ${policies.length} policies, ${e.violations.length} violations\n`);
        for (const v of problems) io.out(`  ${v.policy} ${v.resource}: ${v.message}\n`);
        if (problems.length) return exitCodes.findings;
    }
    return exitCodes.ok;
}

if (require.main === module) exitWith(main(process.argv.slice(2)));
