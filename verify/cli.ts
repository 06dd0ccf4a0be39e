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
import { runWebhookCheck } from "./recipients";
import { MauticClient } from "../components/mautic/mauticApi";
import { doiBlueprint } from "../components/doi/doiBlueprint";
import { expectationFromPlan } from "./expected";
import { renderFleetPage, FleetRow, fleetRowFrom } from "./fleet";
import { HostCheckId, hostCheckIds } from "./gather";
import { runHostChecks, SshConnectError } from "./hostChecks";
import { buildVerified, renderVerifiedMarkdown, Verified } from "./report";
import { withSshTarget } from "./ssh";
import { CheckResult, HostExpectation } from "./types";
import { CliIo, CliValues, defineCli, exitCodes, exitWith, intOption, parseCommandLine, processIo, runCli, stackName, UsageError } from "../lib/cli";

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

export const verifyCli = defineCli({
    name: "verify",
    command: "npm run verify --",
    synopsis: "(--stack NAME | --all) [--out DIR] [--host IP --key FILE --host-key KEY [--port N] [--user root]] [--only check,check] [--no-edge]",
    description: `Checks the LIVE server of a stack against what the plan renders for it (SSH with the pinned
host key, the edge from outside, the double opt-in objects through Mautic's API); --all verifies
every Pulumi.<stack>.yaml and writes a fleet page. The connection comes from the stack's outputs
(the Pulumi CLI), or from --host, --key and --host-key without it. Writes
<out>/<stack>/verified.json and verified.md.`,
    options: {
        stack: { type: "string", value: "NAME", help: "the stack to verify (Pulumi.NAME.yaml)" },
        all: { type: "boolean", help: "every stack of the project, plus <out>/fleet.html" },
        out: { type: "string", value: "DIR", help: "where <stack>/verified.* is written (default verified)" },
        host: { type: "string", value: "IP", help: "the server's address (with --key and --host-key; default: the stack's outputs)" },
        port: { type: "string", value: "N", help: "SSH port (default 22)" },
        user: { type: "string", value: "USER", help: "SSH user (default root)" },
        key: { type: "string", value: "FILE", help: "the SSH private key file" },
        "host-key": { type: "string", value: "KEY", help: "the pinned host public key ('ssh-ed25519 AAAA...') or a file holding it" },
        only: { type: "string", value: "CHECKS", help: "run only these host checks, comma-separated ids (an unknown id is refused with the list)" },
        "no-edge": { type: "boolean", help: "skip the checks from outside (edge, DOI through the API)" },
        root: { type: "string", value: "DIR", help: "prefix of the files read on the host (tests, unusual layouts)" },
        "sshd-config": { type: "string", value: "FILE", help: "the sshd config to check (default /etc/ssh/sshd_config)" },
        "fail2ban-socket": { type: "string", value: "FILE", help: "fail2ban's socket (default its own)" },
        "edge-connect": { type: "string", value: "HOST:PORT", help: "reach the edge there instead of through DNS" },
        "edge-ca": { type: "string", value: "FILE", help: "trust this CA for the edge (a test CA)" },
    },
    examples: [
        "npm run verify -- --stack client-a                 # through the stack's outputs",
        "npm run verify -- --all --out verified             # every stack, plus verified/fleet.html",
        'npm run verify -- --stack client-a --host 203.0.113.7 --key id_ed25519 --host-key "$(cat host_key.pub)"',
    ],
    exitCodes: { 0: "every check passed", 1: "a check failed or a stack could not be verified (named on the output)", 2: "usage error" },
});

/** verify's options from its command line's values (throws UsageError naming the option and the fix). */
export function verifyOptions(v: CliValues<typeof verifyCli.options>): VerifyCli {
    const cli: VerifyCli = {
        all: v.all ?? false,
        out: v.out ?? "verified",
        user: v.user ?? "root",
        noEdge: v["no-edge"] ?? false,
        ...(v.stack !== undefined ? { stack: stackName("stack", v.stack) } : {}),
        ...(v.host !== undefined ? { host: v.host } : {}),
        ...(v.port !== undefined ? { port: intOption("port", v.port, 22, 1, 65535, "a TCP port") } : {}),
        ...(v.key !== undefined ? { key: v.key } : {}),
        ...(v["host-key"] !== undefined ? { hostKey: v["host-key"] } : {}),
        ...(v.only !== undefined ? { only: v.only.split(",") as HostCheckId[] } : {}),
        ...(v.root !== undefined ? { root: v.root } : {}),
        ...(v["sshd-config"] !== undefined ? { sshdConfig: v["sshd-config"] } : {}),
        ...(v["fail2ban-socket"] !== undefined ? { fail2banSocket: v["fail2ban-socket"] } : {}),
        ...(v["edge-connect"] !== undefined ? { edgeConnect: v["edge-connect"] } : {}),
        ...(v["edge-ca"] !== undefined ? { edgeCa: v["edge-ca"] } : {}),
    };
    if (!cli.all && !cli.stack) throw new UsageError("--stack NAME or --all is required. Fix: e.g. --stack prod");
    if (cli.all && cli.stack) throw new UsageError("--stack and --all exclude each other. Fix: give one of them");
    for (const c of cli.only ?? [])
        if (!hostCheckIds.includes(c)) throw new UsageError(`--only: unknown check "${c}". Fix: use checks from ${hostCheckIds.join(", ")}`);
    const manual = [cli.host, cli.key, cli.hostKey].filter((x) => x !== undefined).length;
    if (manual > 0 && manual < 3)
        throw new UsageError(
            "--host, --key and --host-key go together (the host key is pinned: there is no trust on first use). Fix: give all three, or none to use the stack's outputs",
        );
    if (cli.all && manual > 0)
        throw new UsageError("--all reads every stack's outputs: --host/--key/--host-key verify one stack only. Fix: use --stack NAME with them");
    return cli;
}

/** Parses verify's command line (without --help; throws UsageError). */
export function parseVerifyArgs(argv: string[]): VerifyCli {
    const parsed = parseCommandLine(verifyCli, argv);
    if (parsed.help) throw new UsageError("--help is handled by main");
    return verifyOptions(parsed.values);
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
    const r = spawnSync("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", stack], {
        cwd: projectRoot,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
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
        if (typeof o[k] !== "string" || !o[k])
            throw new Error(`stack ${stack} has no output '${k}': run \`pulumi up\` with this version of the kit, or pass --host, --key and --host-key`);
        return o[k] as string;
    };
    return {
        host: need("serverIpv4"),
        port: cli.port ?? 22,
        privateKey: need("sshPrivateKey"),
        hostPublicKey: need("hostPublicKey"),
        volumeId: typeof o.volumeId === "string" ? o.volumeId : undefined,
        url: typeof o.url === "string" ? o.url : undefined,
        ...(typeof o.adminUsername === "string" && typeof o.adminPassword === "string"
            ? { admin: { username: o.adminUsername, password: o.adminPassword } }
            : {}),
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
        checks = await withSshTarget(
            { host: conn.host, port: conn.port, user: cli.user, privateKey: conn.privateKey, hostPublicKey: conn.hostPublicKey },
            (t) => runHostChecks(t, expected, { only: cli.only }),
        );
    } catch (e) {
        if (!(e instanceof SshConnectError)) throw e;
        checks = [{ id: "ssh", title: "SSH login with the pinned host key", status: "fail", evidence: e.message, seenAt, items: ["C12"] }];
    }
    if (!cli.noEdge) {
        const url = conn.url ?? `https://${plan.site.settings.domain}`;
        const connectTo = cli.edgeConnect
            ? [
                  {
                      host: new URL(url).hostname,
                      port: 443,
                      connectHost: cli.edgeConnect.split(":")[0],
                      connectPort: Number(cli.edgeConnect.split(":")[1] ?? 443),
                  },
              ]
            : [];
        const ca = cli.edgeCa ? [fs.readFileSync(cli.edgeCa, "utf8")] : undefined;
        checks.push(...(await runEdgeChecks(url, { connectTo, ca, timeoutMs: 15_000 })));
    }
    // Double opt-in objects through the API (needs the admin login from the stack outputs; the
    // API must be reachable from here: adminUiCidrs).
    if (conn.admin && !cli.noEdge) {
        const st = plan.site.settings;
        const url = conn.url ?? `https://${st.domain}`;
        const blueprint = doiBlueprint({
            mauticUrl: url,
            website: st.website,
            unconfirmedContactDays: st.unconfirmedContactDays,
            consentTextVersion: st.consentTextVersion,
            privacyPolicyUrl: st.privacyPolicyUrl,
        });
        const api = new MauticClient({ baseUrl: url, ...conn.admin, timeoutMs: 30_000 });
        checks.push(await runDoiCheck(api, blueprint));
        checks.push(await runWebhookCheck((p) => api.request("GET", p)));
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

export function main(argv: string[], io: CliIo = processIo): Promise<number> {
    return runCli(verifyCli, argv, io, (values) => verify(verifyOptions(values), io));
}

async function verify(cli: VerifyCli, io: CliIo): Promise<number> {
    const stacks = cli.all ? stacksInProject() : [cli.stack!];
    const rows: FleetRow[] = [];
    let failed = false;
    for (const stack of stacks) {
        try {
            const { verified, row } = await verifyStack(cli, stack);
            const dir = writeVerified(cli.out, verified);
            rows.push(row);
            io.out(
                `${stack}: ${verified.ok ? "all checks passed" : `FAILED: ${verified.failed.join(", ")}`} (${path.relative(process.cwd(), dir) || dir}/verified.md)\n`,
            );
            for (const c of verified.checks.filter((x) => x.status === "fail")) io.out(`  FAIL ${c.id}: ${c.evidence}\n`);
            failed ||= !verified.ok;
        } catch (e) {
            failed = true;
            io.err(`verify: stack ${stack} not verified: ${(e as Error).message}\n`);
            rows.push({
                stack,
                domain: "?",
                compliance: "not verified",
                ok: false,
                backupAge: "?",
                certExpiry: "?",
                pendingUpdates: "?",
                mauticVersion: "?",
                failed: [(e as Error).message],
            });
        }
    }
    if (cli.all) {
        const file = path.resolve(cli.out, "fleet.html");
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, renderFleetPage(rows, new Date().toISOString()));
        io.out(`fleet page: ${path.relative(process.cwd(), file)}\n`);
    }
    return failed ? exitCodes.findings : exitCodes.ok;
}

if (require.main === module) exitWith(main(process.argv.slice(2)));
