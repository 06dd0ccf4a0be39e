/**
 * `npm run verify -- --stack NAME [--out DIR]` checks the LIVE server of a stack against what the
 * plan renders for it; `--all` verifies every Pulumi.<stack>.yaml and writes a fleet page.
 * Connection: the stack's outputs (`pulumi stack output --json --show-secrets`), or
 * `--host IP --key FILE --host-key 'ssh-ed25519 AAAA...' [--port N]` without the Pulumi CLI.
 * Writes <out>/<stack>/verified.json and verified.md; exits 1 naming every failed check.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ComplianceReport } from "../components/compliance/compliance";
import { projectRoot, runPlan } from "../plan/runPlan";
import { readStackConfig, stackNames } from "../plan/stackFile";
import { runEdgeChecks } from "./edge";
import { runDoiCheck } from "./doi";
import { MauticClient } from "../components/mautic/mauticApi";
import { doiBlueprint } from "../components/doi/doiBlueprint";
import { expectationFromPlan } from "./expected";
import { renderFleetPage, FleetRow, fleetRowFrom } from "./fleet";
import { HostCheckId, hostCheckIds } from "./gather";
import { runHostChecks, SshConnectError } from "./hostChecks";
import { buildVerified, renderVerifiedMarkdown, Verified } from "./report";
import { withSshTarget } from "./ssh";
import { CheckResult, HostExpectation } from "./types";

export interface VerifyCli {
    stack?: string;
    all: boolean;
    out: string;
    host?: string;
    port?: number;
    user: string;
    key?: string;
    hostKey?: string;
    only?: HostCheckId[];
    /** Skip the edge checks from outside (e.g. a VM without a public name). */
    noEdge: boolean;
    /** Prefix of files read on the host, sshd config and fail2ban socket: for tests and unusual layouts. */
    root?: string;
    sshdConfig?: string;
    fail2banSocket?: string;
    /** Edge: connect to this host:port instead of DNS (like the audit's --connect-to), and trust this CA file. */
    edgeConnect?: string;
    edgeCa?: string;
}

const usage = "usage: npm run verify -- (--stack NAME | --all) [--out DIR] [--host IP --key FILE --host-key 'ssh-ed25519 AAAA...' [--port N] [--user root]] [--only check,check] [--no-edge]";

export function parseVerifyArgs(argv: string[]): VerifyCli {
    const cli: VerifyCli = { all: false, out: "verified", user: "root", noEdge: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new Error(`${a} needs a value; ${usage}`);
            return v;
        };
        switch (a) {
            case "--stack": cli.stack = value(); break;
            case "--all": cli.all = true; break;
            case "--out": cli.out = value(); break;
            case "--host": cli.host = value(); break;
            case "--port": cli.port = Number(value()); break;
            case "--user": cli.user = value(); break;
            case "--key": cli.key = value(); break;
            case "--host-key": cli.hostKey = value(); break;
            case "--only": cli.only = value().split(",") as HostCheckId[]; break;
            case "--no-edge": cli.noEdge = true; break;
            case "--root": cli.root = value(); break;
            case "--sshd-config": cli.sshdConfig = value(); break;
            case "--fail2ban-socket": cli.fail2banSocket = value(); break;
            case "--edge-connect": cli.edgeConnect = value(); break;
            case "--edge-ca": cli.edgeCa = value(); break;
            case "--help": case "-h": process.stdout.write(`${usage}\n`); process.exit(0);
            // falls through (exit)
            default: throw new Error(`unknown argument ${a}; ${usage}`);
        }
    }
    if (!cli.all && !cli.stack) throw new Error(`--stack NAME or --all is required; ${usage}`);
    if (cli.stack && !/^[A-Za-z0-9._-]+$/.test(cli.stack)) throw new Error(`--stack ${cli.stack}: a stack name is letters, digits, '.', '_', '-'`);
    if (cli.port !== undefined && !(Number.isInteger(cli.port) && cli.port > 0 && cli.port < 65536)) throw new Error("--port must be a TCP port number");
    for (const c of cli.only ?? []) if (!hostCheckIds.includes(c)) throw new Error(`--only: unknown check "${c}"; known: ${hostCheckIds.join(", ")}`);
    const manual = [cli.host, cli.key, cli.hostKey].filter((x) => x !== undefined).length;
    if (manual > 0 && manual < 3) throw new Error("--host, --key and --host-key go together (the host key is pinned: there is no trust on first use)");
    if (cli.all && manual > 0) throw new Error("--all reads every stack's outputs: --host/--key/--host-key verify one stack only");
    return cli;
}

interface Connection {
    host: string;
    port: number;
    privateKey: string;
    hostPublicKey: string;
    volumeId?: string;
    url?: string;
    /** Mautic admin login (stack outputs adminUsername/adminPassword): for the DOI check through the API. */
    admin?: { username: string; password: string };
}

/** The stack's outputs through the Pulumi CLI (secrets shown: the login key). */
export function stackOutputs(stack: string): Record<string, unknown> {
    const r = spawnSync("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", stack], { cwd: projectRoot, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (r.error) throw new Error(`cannot run the Pulumi CLI (${r.error.message}): install it and log in, or pass --host, --key and --host-key`);
    if (r.status !== 0) throw new Error(`pulumi stack output --stack ${stack} failed: ${r.stderr.trim().split("\n").pop()}`);
    return JSON.parse(r.stdout) as Record<string, unknown>;
}

function connectionFor(cli: VerifyCli, stack: string): Connection {
    if (cli.host && cli.key && cli.hostKey) {
        const hostKey = fs.existsSync(cli.hostKey) ? fs.readFileSync(cli.hostKey, "utf8") : cli.hostKey;
        return { host: cli.host, port: cli.port ?? 22, privateKey: fs.readFileSync(cli.key, "utf8"), hostPublicKey: hostKey };
    }
    const o = stackOutputs(stack);
    const need = (k: string) => {
        if (typeof o[k] !== "string" || !o[k]) throw new Error(`stack ${stack} has no output '${k}': run \`pulumi up\` with this version of the kit, or pass --host, --key and --host-key`);
        return o[k] as string;
    };
    return { host: need("serverIpv4"), port: cli.port ?? 22, privateKey: need("sshPrivateKey"), hostPublicKey: need("hostPublicKey"), volumeId: typeof o.volumeId === "string" ? o.volumeId : undefined, url: typeof o.url === "string" ? o.url : undefined,
        ...(typeof o.adminUsername === "string" && typeof o.adminPassword === "string" ? { admin: { username: o.adminUsername, password: o.adminPassword } } : {}),
    };
}

export async function verifyStack(cli: VerifyCli, stack: string): Promise<{ verified: Verified; row: FleetRow }> {
    const plan = await runPlan(readStackConfig(projectRoot, stack));
    const conn = connectionFor(cli, stack);
    const expected: HostExpectation = {
        ...expectationFromPlan(plan, { volumeId: conn.volumeId, serverAddresses: [conn.host] }),
        ...(cli.root ? { root: cli.root } : {}),
        ...(cli.sshdConfig ? { sshdConfig: cli.sshdConfig } : {}),
        ...(cli.fail2banSocket ? { fail2banSocket: cli.fail2banSocket } : {}),
    };
    let checks: CheckResult[];
    const seenAt = new Date().toISOString();
    try {
        checks = await withSshTarget({ host: conn.host, port: conn.port, user: cli.user, privateKey: conn.privateKey, hostPublicKey: conn.hostPublicKey }, (t) => runHostChecks(t, expected, { only: cli.only }));
    } catch (e) {
        if (!(e instanceof SshConnectError)) throw e;
        checks = [{ id: "ssh", title: "SSH login with the pinned host key", status: "fail", evidence: e.message, seenAt, items: ["C12"] }];
    }
    if (!cli.noEdge) {
        const url = conn.url ?? `https://${plan.site.settings.domain}`;
        const connectTo = cli.edgeConnect ? [{ host: new URL(url).hostname, port: 443, connectHost: cli.edgeConnect.split(":")[0], connectPort: Number(cli.edgeConnect.split(":")[1] ?? 443) }] : [];
        const ca = cli.edgeCa ? [fs.readFileSync(cli.edgeCa, "utf8")] : undefined;
        checks.push(...(await runEdgeChecks(url, { connectTo, ca, timeoutMs: 15_000 })));
    }
    // Double opt-in objects through the API (needs the admin login from the stack outputs; the
    // API must be reachable from here: adminUiCidrs).
    if (conn.admin && !cli.noEdge) {
        const st = plan.site.settings;
        const url = conn.url ?? `https://${st.domain}`;
        const blueprint = doiBlueprint({ mauticUrl: url, website: st.website, unconfirmedContactDays: st.unconfirmedContactDays, consentTextVersion: st.consentTextVersion, privacyPolicyUrl: st.privacyPolicyUrl });
        checks.push(await runDoiCheck(new MauticClient({ baseUrl: url, ...conn.admin, timeoutMs: 30_000 }), blueprint));
    }
    const verified = buildVerified(stack, `${conn.host}:${conn.port}`, checks, plan.exports.compliance as ComplianceReport | undefined);
    return { verified, row: fleetRowFrom(stack, plan.site.settings.domain, plan.site.settings.mauticVersion, verified) };
}

export function writeVerified(out: string, v: Verified): string {
    const dir = path.resolve(out, v.stack);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "verified.json"), `${JSON.stringify(v, null, 2)}\n`);
    fs.writeFileSync(path.join(dir, "verified.md"), renderVerifiedMarkdown(v));
    return dir;
}

export function stacksInProject(root = projectRoot): string[] {
    return stackNames(root);
}

async function main(): Promise<number> {
    let cli: VerifyCli;
    try {
        cli = parseVerifyArgs(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`verify: ${(e as Error).message}\n`);
        return 2;
    }
    const stacks = cli.all ? stacksInProject() : [cli.stack!];
    const rows: FleetRow[] = [];
    let failed = false;
    for (const stack of stacks) {
        try {
            const { verified, row } = await verifyStack(cli, stack);
            const dir = writeVerified(cli.out, verified);
            rows.push(row);
            process.stdout.write(`${stack}: ${verified.ok ? "all checks passed" : `FAILED: ${verified.failed.join(", ")}`} (${path.relative(process.cwd(), dir) || dir}/verified.md)\n`);
            for (const c of verified.checks.filter((x) => x.status === "fail")) process.stdout.write(`  FAIL ${c.id}: ${c.evidence}\n`);
            failed ||= !verified.ok;
        } catch (e) {
            failed = true;
            process.stderr.write(`verify: stack ${stack} not verified: ${(e as Error).message}\n`);
            rows.push({ stack, domain: "?", compliance: "not verified", ok: false, backupAge: "?", certExpiry: "?", pendingUpdates: "?", mauticVersion: "?", failed: [(e as Error).message] });
        }
    }
    if (cli.all) {
        const file = path.resolve(cli.out, "fleet.html");
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, renderFleetPage(rows, new Date().toISOString()));
        process.stdout.write(`fleet page: ${path.relative(process.cwd(), file)}\n`);
    }
    return failed ? 1 : 0;
}

if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (e) => {
            process.stderr.write(`verify: ${e?.stack ?? e}\n`);
            process.exit(1);
        },
    );
}
