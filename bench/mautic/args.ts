/**
 * Arguments of `npm run bench -- --mautic-url URL ... [--vs --mautic-url URL2 ...]` (the Mautic
 * bench; docs/guide/bench.md). Options before `--vs` describe the first Mautic (label "kit"),
 * options after it the second (label "defaults"); ratios are first / second. Scale and scenario
 * options are shared and may stand on either side. Same style as conformance/cli.ts:
 * `--name value` or `--name=value`, unknown names are an error that prints the usage.
 */
import { serverTypes } from "../../components/config/defaults";

export const roles = ["web", "worker", "cron", "db"] as const;
export type Role = (typeof roles)[number];
export const scenarioNames = ["tracking", "forms", "send", "segment", "campaign", "cleanup"] as const;
export type ScenarioName = (typeof scenarioNames)[number];

export interface TargetArgs {
    label: string;
    mauticUrl: string;
    hostHeader?: string;
    /** bin/console prefix, split on spaces (run as the cron role, e.g. `docker exec -u www-data mautic_cron php /var/www/html/bin/console`). */
    console: string;
    /** SQL client prefix reading SQL on stdin, tab-separated output without column names. */
    mysql: string;
    /** The kit's privacy job (optional; docker-mautic has none). */
    privacyJob?: string;
    /** Root pid of each long-running role: a pid file per role (web, worker, db). */
    pidfiles: Partial<Record<Role, string>>;
    /** Memory cgroup (v1) directory per role: the kernel's peak per container role, as Docker counts it. */
    cgroups: Partial<Record<Role, string>>;
    workerLog?: string;
    mailDir?: string;
    /** Extra arguments of segments:update, as the Mautic's crontab gives them (the kit: --max-contacts=...). */
    segmentsUpdateArgs: string[];
    /**
     * Extra arguments of broadcasts:send as the crontab gives them (the kit: --limit=2000): run
     * after run until every recipient is queued. Empty: one run with --limit = the segment's size.
     */
    broadcastArgs: string[];
    apiUser: string;
    apiPasswordFile?: string;
}

export interface BenchArgs {
    targets: TargetArgs[];
    contacts: number;
    segmentContacts: number;
    campaignContacts: number;
    hits: number;
    stepSeconds: number;
    maxConcurrency: number;
    p95Ms: number;
    drainTimeoutSeconds: number;
    serverType: string;
    scenarios: ScenarioName[];
    json?: string;
}

export const usage = `usage: npm run bench -- --mautic-url URL --console "PREFIX" --mysql "PREFIX" [--host-header HOST] [--label NAME]
    [--privacy-job "CMD"] [--pidfile web=FILE --pidfile worker=FILE --pidfile db=FILE] [--worker-log FILE] [--mail-dir DIR]
    [--api-user USER] [--api-password-file FILE] [--segments-update-args "ARGS"] [--broadcast-args "ARGS"] (as the crontab runs them)
    [--cgroup web=DIR --cgroup worker=DIR --cgroup cron=DIR --cgroup db=DIR (memory cgroups v1 per role)]
    [--vs --mautic-url URL2 ... (the same options for the baseline)]
    [--contacts 10000] [--segment-contacts 50000] [--campaign-contacts 10000] [--hits 200000] [--step-seconds 10] [--max-concurrency 8]
    [--p95-ms 300] [--drain-timeout 1800] [--server-type cx23] [--scenarios tracking,forms,send,segment,campaign,cleanup] [--json FILE]`;

const targetKeys = [
    "segments-update-args",
    "broadcast-args",
    "cgroup",
    "mautic-url",
    "host-header",
    "label",
    "console",
    "mysql",
    "privacy-job",
    "pidfile",
    "worker-log",
    "mail-dir",
    "api-user",
    "api-password-file",
];
const sharedKeys = [
    "contacts",
    "segment-contacts",
    "campaign-contacts",
    "hits",
    "step-seconds",
    "max-concurrency",
    "p95-ms",
    "drain-timeout",
    "server-type",
    "scenarios",
    "json",
];

function int(v: string | undefined, name: string, dflt: number, min: number, max: number): number {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
    return n;
}

function parseTarget(v: Record<string, string[]>, index: number): TargetArgs {
    const one = (k: string) => v[k]?.[v[k].length - 1];
    const side = index === 0 ? "before --vs" : "after --vs";
    for (const k of ["mautic-url", "console", "mysql"]) if (!one(k)) throw new Error(`--${k} is required ${side}\n${usage}`);
    const url = one("mautic-url")!;
    if (!/^https?:\/\//.test(url)) throw new Error(`--mautic-url ${JSON.stringify(url)}: give http(s)://host[:port]`);
    const pidfiles: Partial<Record<Role, string>> = {};
    for (const p of v.pidfile ?? []) {
        const m = /^([a-z]+)=(.+)$/.exec(p);
        if (!m || !(roles as readonly string[]).includes(m[1]) || m[1] === "cron")
            throw new Error(`--pidfile ${JSON.stringify(p)}: use web=FILE, worker=FILE or db=FILE (cron is measured on the commands the bench runs)`);
        pidfiles[m[1] as Role] = m[2];
    }
    const cgroups: Partial<Record<Role, string>> = {};
    for (const c of v.cgroup ?? []) {
        const m = /^([a-z]+)=(.+)$/.exec(c);
        if (!m || !(roles as readonly string[]).includes(m[1])) throw new Error(`--cgroup ${JSON.stringify(c)}: use web=DIR, worker=DIR, cron=DIR or db=DIR`);
        cgroups[m[1] as Role] = m[2];
    }
    const words = (k: string) => (one(k) ?? "").split(/\s+/).filter(Boolean);
    return {
        label: one("label") ?? (index === 0 ? "kit" : "defaults"),
        mauticUrl: url.replace(/\/+$/, ""),
        hostHeader: one("host-header"),
        console: one("console")!,
        mysql: one("mysql")!,
        privacyJob: one("privacy-job"),
        pidfiles,
        cgroups,
        workerLog: one("worker-log"),
        mailDir: one("mail-dir"),
        segmentsUpdateArgs: words("segments-update-args"),
        broadcastArgs: words("broadcast-args"),
        apiUser: one("api-user") ?? "admin",
        apiPasswordFile: one("api-password-file"),
    };
}

export function parseBenchArgs(argv: string[]): BenchArgs {
    const groups: Array<Record<string, string[]>> = [{}];
    const shared: Record<string, string> = {};
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--vs") {
            if (groups.length === 2) throw new Error(`--vs may be given once (two Mautics)\n${usage}`);
            groups.push({});
            continue;
        }
        const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(argv[i]);
        if (!m || (!targetKeys.includes(m[1]) && !sharedKeys.includes(m[1]))) throw new Error(`unknown argument ${JSON.stringify(argv[i])}\n${usage}`);
        const value = m[2] ?? argv[++i];
        if (value === undefined) throw new Error(`--${m[1]} needs a value\n${usage}`);
        if (sharedKeys.includes(m[1])) shared[m[1]] = value;
        else (groups[groups.length - 1][m[1]] ??= []).push(value);
    }
    const targets = groups.map(parseTarget);
    if (targets.length === 2 && targets[0].label === targets[1].label)
        throw new Error(`--label: the two Mautics need different labels (both are ${JSON.stringify(targets[0].label)})`);
    const serverType = shared["server-type"] ?? "cx23";
    if (!serverTypes[serverType]) throw new Error(`--server-type ${JSON.stringify(serverType)}: use one of ${Object.keys(serverTypes).join(", ")}`);
    const scenarios = (shared.scenarios ?? scenarioNames.join(",")).split(",").map((s) => s.trim());
    const bad = scenarios.filter((s) => !(scenarioNames as readonly string[]).includes(s));
    if (bad.length || scenarios.length === 0) throw new Error(`--scenarios: unknown ${bad.join(", ")}; use some of ${scenarioNames.join(",")}`);
    return {
        targets,
        contacts: int(shared.contacts, "contacts", 10000, 1, 1000000),
        segmentContacts: int(shared["segment-contacts"], "segment-contacts", 50000, 1, 5000000),
        campaignContacts: int(shared["campaign-contacts"], "campaign-contacts", 10000, 1, 1000000),
        hits: int(shared.hits, "hits", 200000, 10, 50000000),
        stepSeconds: int(shared["step-seconds"], "step-seconds", 10, 1, 600),
        maxConcurrency: int(shared["max-concurrency"], "max-concurrency", 8, 1, 64),
        p95Ms: int(shared["p95-ms"], "p95-ms", 300, 1, 60000),
        drainTimeoutSeconds: int(shared["drain-timeout"], "drain-timeout", 1800, 5, 86400),
        serverType,
        scenarios: scenarios as ScenarioName[],
        json: shared.json,
    };
}
