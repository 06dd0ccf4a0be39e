/**
 * `npm run plan -- [--stack NAME] [--out DIR]`: the offline plan. Runs the real program under
 * Pulumi's mock runtime with the config of Pulumi.<stack>.yaml, prints the resource tree and a
 * summary, and writes every rendered file to <out>/<stack>/. No credentials, no cloud.
 */
import * as fs from "fs";
import * as path from "path";
import { ComplianceReport, renderComplianceScreen } from "../components/compliance/compliance";
import { ServerTypeChoice } from "../components/host/serverTypeChoice";
import { dnsRecordTtl } from "../components/config/defaults";
import { describeOffsite, offsiteTarget, siteDnsRecords, zoneFileLines } from "../components/config/offsiteDns";
import { PlanConfigError, PlanResult, projectRoot, runPlan } from "./runPlan";
import { readStackConfig } from "./stackFile";

interface Cli {
    stack: string;
    out: string;
    /** Where Pulumi.yaml and the stack file are read. Default: the kit's root. */
    dir?: string;
}

export function parseArgs(argv: string[]): Cli {
    const cli: Cli = { stack: "prod", out: "out" };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new Error(`${a} needs a value`);
            return v;
        };
        if (a === "--stack") cli.stack = value();
        else if (a === "--out") cli.out = value();
        else if (a === "--dir") cli.dir = value();
        else if (a.startsWith("--stack=")) cli.stack = a.slice(8);
        else if (a.startsWith("--out=")) cli.out = a.slice(6);
        else if (a === "--help" || a === "-h") {
            process.stdout.write("usage: npm run plan -- [--stack NAME] [--out DIR] [--dir PROJECT_DIR]   (defaults: prod, out, the kit's root)\n");
            process.exit(0);
        } else throw new Error(`unknown argument ${a}; usage: npm run plan -- [--stack NAME] [--out DIR]`);
    }
    if (!/^[A-Za-z0-9._-]+$/.test(cli.stack)) throw new Error(`--stack ${cli.stack}: a stack name is letters, digits, '.', '_', '-'`);
    return cli;
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

async function main(): Promise<number> {
    let cli: Cli;
    try {
        cli = parseArgs(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`plan: ${(e as Error).message}\n`);
        return 1;
    }
    let result: PlanResult;
    try {
        result = await runPlan(readStackConfig(cli.dir ? path.resolve(cli.dir) : projectRoot, cli.stack));
    } catch (e) {
        const msg = e instanceof PlanConfigError ? e.message : ((e as Error).stack ?? String(e));
        process.stderr.write(`plan: stack '${cli.stack}' not planned, nothing written.\n${msg}\n`);
        return 1;
    }
    const dir = writePlan(result, cli.out);
    const report = result.exports.compliance as ComplianceReport | undefined;
    process.stdout.write(`${renderTree(result)}\n\n${renderSummary(result, dir)}\n`);
    if (report) process.stdout.write(`\n${renderComplianceScreen(report)}\n`);
    return 0;
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (e) => {
            process.stderr.write(`plan: ${e?.stack ?? e}\n`);
            process.exit(1);
        },
    );
}
