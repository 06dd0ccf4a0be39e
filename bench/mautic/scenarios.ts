/**
 * The scenarios of the Mautic bench against one Mautic (docs/guide/bench.md):
 *   tracking  mtracking.gif hits/s at p95 under the bound, then the hit queue's drain
 *   forms     form submissions/s at p95 under the bound (a standalone form made over the API)
 *   segment   N contacts seeded by SQL, a filter segment, mautic:segments:update timed
 *   send      N contacts, a segment e-mail, mautic:broadcasts:send, the queue drained by the worker
 *   cleanup   N page hits seeded by SQL; mautic:maintenance:cleanup, then the kit's privacy job
 * Seeded rows carry the run id (company / url), so runs do not see each other's data. The SQL
 * uses MariaDB's sequence tables (seq_1_to_N), as the kit's database is MariaDB.
 */
import * as fs from "fs";
import type { Target } from "../../conformance/target";
import type { BenchArgs, TargetArgs } from "./args";
import { CommandResult, runCommand, sql, sqlNumber } from "./exec";
import { HttpRequestSpec, StepResult, rampUp } from "./load";
import type { MemorySampler } from "./memory";

export interface Ctx {
    t: TargetArgs;
    a: BenchArgs;
    api: Target;
    sampler: MemorySampler;
    run: string;
    log: (s: string) => void;
    /** Commands that did not exit 0 (a kill shows here as 137 or a signal). */
    failures: string[];
}

export interface RampFigures {
    steps: StepResult[];
    best?: StepResult;
}
export interface TrackingFigures extends RampFigures {
    /** The same load as `POST /mtc/event` (what mtc.js sends on a page view). */
    event?: RampFigures;
    backlog: number;
    drainSeconds?: number;
}
export interface SegmentFigures {
    contacts: number;
    members: number;
    /** Total time of the runs until the segment was complete (or no run added more). */
    seconds: number;
    /** segments:update runs it took (the crontab runs it every 15 minutes). */
    runs: number;
    /** Exit status of the last run. */
    code: number | null;
}
export interface SendFigures {
    contacts: number;
    queueSeconds: number;
    /** broadcasts:send runs until every recipient was queued (the crontab runs it every 15 minutes). */
    queueRuns: number;
    /** Seconds from the end of the last broadcasts:send run until the queue was empty. */
    drainAfterLastRunSeconds?: number;
    drainSeconds?: number;
    delivered: number;
    failedMessages: number;
    code: number | null;
}
export interface CleanupFigures {
    hits: number;
    cleanupSeconds: number;
    cleanupCode: number | null;
    hitsLeft: number;
    privacySeconds?: number;
    privacyCode?: number | null;
    orphansLeft?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const q = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;

export async function consoleCmd(ctx: Ctx, args: string[], what: string): Promise<CommandResult> {
    const r = await runCommand(ctx.t.console, [...args, "--no-interaction", "--no-ansi"], {
        sampler: ctx.sampler,
        timeoutMs: ctx.a.drainTimeoutSeconds * 1000,
    });
    if (r.code !== 0) {
        const text = `${r.stderr}\n${r.stdout}`;
        const reason = /^.*(Allowed memory size[^\n]*)$/m.exec(text)?.[1] ?? text.trim().slice(-200);
        ctx.failures.push(`${what}: exit ${r.code ?? r.signal} ${reason}`);
    }
    return r;
}

/** Messages waiting in the doctrine queues other than 'failed' (the email and hit transports). */
export const queueSql = "SELECT COUNT(*) FROM messenger_messages WHERE queue_name <> 'failed';";
const failedSql = "SELECT COUNT(*) FROM messenger_messages WHERE queue_name = 'failed';";

/** Polls until the queue is empty; seconds taken, or undefined on timeout. */
export async function drain(ctx: Ctx, t0: number, extraDone: () => Promise<boolean> = async () => true): Promise<number | undefined> {
    const deadline = t0 + ctx.a.drainTimeoutSeconds * 1000;
    while (Date.now() < deadline) {
        if ((await sqlNumber(ctx.t.mysql, queueSql)) === 0 && (await extraDone())) return (Date.now() - t0) / 1000;
        await sleep(1000);
    }
    return undefined;
}

function ramp(ctx: Ctx, next: (i: number) => HttpRequestSpec, accept: (s: number) => boolean, what: string): Promise<RampFigures> {
    return rampUp({ baseUrl: ctx.t.mauticUrl, hostHeader: ctx.t.hostHeader }, ctx.a.maxConcurrency, ctx.a.stepSeconds, ctx.a.p95Ms, next, accept, (s) =>
        ctx.log(
            `  ${what} c=${s.concurrency}: ${s.perSecond.toFixed(1)}/s p50 ${s.p50Ms.toFixed(0)} ms p95 ${s.p95Ms.toFixed(0)} ms, ${s.errors} errors${s.firstError ? ` (${s.firstError})` : ""}`,
        ),
    );
}

export async function tracking(ctx: Ctx): Promise<TrackingFigures> {
    const next = (i: number): HttpRequestSpec => ({
        method: "GET",
        path: `/mtracking.gif?page_url=${encodeURIComponent(`https://www.example.org/bench-${ctx.run}/${i}`)}&page_title=Bench`,
    });
    const r = await ramp(ctx, next, (s) => s === 200, "tracking");
    const event = await ramp(
        ctx,
        (i) => ({
            method: "POST",
            path: "/mtc/event",
            body: new URLSearchParams([
                ["page_url", `https://www.example.org/bench-${ctx.run}/e${i}`],
                ["page_title", "Bench"],
                ["counter", "0"],
                ["resolution", "1920x1080"],
                ["timezone_offset", "-60"],
            ]).toString(),
        }),
        (s) => s === 200,
        "mtc/event",
    );
    const backlog = await sqlNumber(ctx.t.mysql, queueSql);
    const t0 = Date.now();
    const drainSeconds = await drain(ctx, t0);
    return { ...r, event, backlog, drainSeconds };
}

export async function forms(ctx: Ctx): Promise<RampFigures> {
    const created = (await ctx.api.api("POST", "forms/new", {
        name: `bench ${ctx.run}`,
        formType: "standalone",
        isPublished: true,
        postAction: "message",
        postActionProperty: "ok",
        fields: [
            { label: "Email", alias: "email", type: "email", isRequired: true, mappedObject: "contact", mappedField: "email", order: 1 },
            { label: "Submit", alias: "submit", type: "button", order: 2 },
        ],
    })) as { form?: { id?: number; alias?: string } };
    const id = created.form?.id;
    const alias = created.form?.alias;
    if (!id || !alias) throw new Error(`forms/new gave no id/alias: ${JSON.stringify(created).slice(0, 200)}`);
    const next = (i: number): HttpRequestSpec => ({
        method: "POST",
        path: `/form/submit?formId=${id}`,
        body: new URLSearchParams([
            ["mauticform[formId]", String(id)],
            ["mauticform[return]", ""],
            ["mauticform[formName]", alias],
            ["mauticform[email]", `bench-${ctx.run}-f${i}@example.net`],
            ["mauticform[submit]", "1"],
        ]).toString(),
    });
    const r = await ramp(ctx, next, (s) => s >= 200 && s < 400, "forms");
    const stored = await sqlNumber(ctx.t.mysql, `SELECT COUNT(*) FROM form_submissions WHERE form_id = ${id};`);
    const sent = r.steps.reduce((a, s) => a + s.ok, 0);
    if (stored < sent) ctx.failures.push(`forms: ${sent} submissions answered, ${stored} stored`);
    return r;
}

async function seedContacts(ctx: Ctx, n: number, tag: string): Promise<void> {
    await sql(
        ctx.t.mysql,
        `INSERT INTO leads (is_published, date_added, date_identified, last_active, points, firstname, email, company)
SELECT 1, UTC_TIMESTAMP(), UTC_TIMESTAMP(), UTC_TIMESTAMP(), 0, 'Bench', CONCAT(${q(`bench-${ctx.run}-${tag}-`)}, seq, '@example.net'), ${q(`bench-${ctx.run}-${tag}`)} FROM seq_1_to_${n};`,
    );
}

async function filterSegment(ctx: Ctx, tag: string): Promise<number> {
    const created = (await ctx.api.api("POST", "segments/new", {
        name: `bench ${ctx.run} ${tag}`,
        isPublished: true,
        filters: [{ glue: "and", field: "company", object: "lead", type: "text", operator: "=", properties: { filter: `bench-${ctx.run}-${tag}` } }],
    })) as { list?: { id?: number } };
    const id = created.list?.id;
    if (!id) throw new Error(`segments/new gave no id: ${JSON.stringify(created).slice(0, 200)}`);
    return id;
}

/** Largest number of segments:update runs one rebuild may take (as cron runs it, again and again). */
export const maxSegmentRuns = 12;

export async function rebuild(ctx: Ctx, n: number, tag: string): Promise<SegmentFigures & { id: number }> {
    await seedContacts(ctx, n, tag);
    const id = await filterSegment(ctx, tag);
    let members = 0;
    let seconds = 0;
    let runs = 0;
    let code: number | null = 0;
    // Like the crontab: run after run until the segment is complete or a run adds nothing.
    while (runs < maxSegmentRuns) {
        const r = await consoleCmd(ctx, ["mautic:segments:update", `--list-id=${id}`, ...ctx.t.segmentsUpdateArgs], `segments:update (${n}) run ${runs + 1}`);
        runs++;
        seconds += r.seconds;
        code = r.code;
        const now = await sqlNumber(ctx.t.mysql, `SELECT COUNT(*) FROM lead_lists_leads WHERE leadlist_id = ${id};`);
        const progress = now > members;
        members = now;
        ctx.log(`  segments:update run ${runs}: exit ${r.code ?? r.signal}, ${r.seconds.toFixed(0)} s, ${members} of ${n} in the segment`);
        if (members >= n || !progress) break;
    }
    if (members !== n) ctx.failures.push(`segments:update: ${members} of ${n} contacts in the segment after ${runs} run(s)`);
    return { id, contacts: n, members, seconds, runs, code };
}

export async function segment(ctx: Ctx): Promise<SegmentFigures> {
    const { id: _id, ...figures } = await rebuild(ctx, ctx.a.segmentContacts, "seg");
    return figures;
}

export const mysqlDate = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

export function sinkCount(dir: string | undefined): number {
    if (!dir) return 0;
    return fs.readdirSync(dir).filter((f) => f.endsWith(".eml")).length;
}

export async function send(ctx: Ctx): Promise<SendFigures> {
    const seg = await rebuild(ctx, ctx.a.contacts, "send");
    const created = (await ctx.api.api("POST", "emails/new", {
        name: `bench ${ctx.run}`,
        subject: "Bench",
        emailType: "list",
        isPublished: true,
        template: "mautic_code_mode",
        lists: [seg.id],
        // A broadcast is sent only inside its publish window (5.2.1 found none without both ends).
        publishUp: mysqlDate(Date.now() - 86400_000),
        publishDown: mysqlDate(Date.now() + 2 * 86400_000),
        customHtml: '<!DOCTYPE html><html><body><p>Hello {contactfield=firstname}</p><p><a href="https://www.example.org/">example</a></p></body></html>',
    })) as { email?: { id?: number } };
    const emailId = created.email?.id;
    if (!emailId) throw new Error(`emails/new gave no id: ${JSON.stringify(created).slice(0, 200)}`);
    const failedBefore = await sqlNumber(ctx.t.mysql, failedSql);
    const sinkBefore = sinkCount(ctx.t.mailDir);
    const t0 = Date.now();
    const want = seg.members;
    // Without --limit one run queues at most 100 recipients (5.2.1 ChannelBroadcastEvent: limit
    // 100, batch 50). With --broadcast-args (the crontab's, e.g. --limit=2000) run after run, as
    // cron would, until every recipient has a stat row; else the whole segment in one run.
    const args = ctx.t.broadcastArgs.length ? ctx.t.broadcastArgs : [`--limit=${want}`];
    const statsSql = `SELECT COUNT(*) FROM email_stats WHERE email_id = ${emailId};`;
    let r: CommandResult | undefined;
    let queueRuns = 0;
    let queued = 0;
    while (queueRuns < maxSendRuns) {
        r = await consoleCmd(ctx, ["mautic:broadcasts:send", `--id=${emailId}`, ...args], `broadcasts:send run ${queueRuns + 1}`);
        queueRuns++;
        const now = await sqlNumber(ctx.t.mysql, statsSql);
        ctx.log(`  broadcasts:send run ${queueRuns}: exit ${r.code ?? r.signal}, ${r.seconds.toFixed(0)} s, ${now} of ${want} queued`);
        const progress = now > queued;
        queued = now;
        if (queued >= want || !progress || r.code !== 0) break;
    }
    const queueSeconds = (Date.now() - t0) / 1000;
    const drainSeconds = await drain(ctx, t0, async () => !ctx.t.mailDir || sinkCount(ctx.t.mailDir) - sinkBefore >= want);
    const delivered = ctx.t.mailDir
        ? sinkCount(ctx.t.mailDir) - sinkBefore
        : await sqlNumber(ctx.t.mysql, `SELECT COUNT(*) FROM email_stats WHERE email_id = ${emailId};`);
    const failedMessages = (await sqlNumber(ctx.t.mysql, failedSql)) - failedBefore;
    if (drainSeconds === undefined) ctx.failures.push(`send: not drained within ${ctx.a.drainTimeoutSeconds} s (${delivered} of ${want} delivered)`);
    if (delivered < want) ctx.failures.push(`send: ${delivered} of ${want} delivered`);
    const drainAfterLastRunSeconds = drainSeconds === undefined ? undefined : Math.max(0, drainSeconds - queueSeconds);
    return { contacts: want, queueSeconds, queueRuns, drainAfterLastRunSeconds, drainSeconds, delivered, failedMessages, code: r?.code ?? null };
}

/** Largest number of broadcasts:send runs one send may take (10,000 at the kit's --limit=2000: 5). */
export const maxSendRuns = 20;

/** Deletable by the cleanup: hits of anonymous visitors last active 60 days ago (10 per visitor). */
export function cleanupSeedSql(run: string, hits: number): string {
    const visitors = Math.ceil(hits / 10);
    const tag = q(`bench-${run}-anon`);
    const url = q(`https://www.example.org/bench-${run}-anon`);
    const orphanUrl = q(`https://www.example.org/bench-${run}-orphan`);
    return `INSERT INTO leads (is_published, date_added, last_active, points, company)
SELECT 1, UTC_TIMESTAMP() - INTERVAL 60 DAY, UTC_TIMESTAMP() - INTERVAL 60 DAY, 0, ${tag} FROM seq_1_to_${visitors};
INSERT INTO page_hits (date_hit, lead_id, code, tracking_id, url)
SELECT UTC_TIMESTAMP() - INTERVAL 60 DAY, l.id, 200, CONCAT('bench', l.id, '-', s.seq), ${url} FROM leads l JOIN seq_1_to_10 s WHERE l.company = ${tag};
INSERT INTO page_hits (date_hit, lead_id, code, tracking_id, url)
SELECT UTC_TIMESTAMP() - INTERVAL 2 HOUR, NULL, 200, CONCAT('bench-orphan-', seq), ${orphanUrl} FROM seq_1_to_${hits};
`;
}

/** The kit's cleanup age (components/config/defaults.ts cleanupDaysOld). */
export const cleanupDaysOld = 21;

export async function cleanup(ctx: Ctx): Promise<CleanupFigures> {
    await sql(ctx.t.mysql, cleanupSeedSql(ctx.run, ctx.a.hits));
    const hitsSql = (kind: string) => `SELECT COUNT(*) FROM page_hits WHERE url = ${q(`https://www.example.org/bench-${ctx.run}-${kind}`)};`;
    const hits = await sqlNumber(ctx.t.mysql, hitsSql("anon"));
    const r = await consoleCmd(ctx, ["mautic:maintenance:cleanup", `--days-old=${cleanupDaysOld}`], "maintenance:cleanup");
    const hitsLeft = await sqlNumber(ctx.t.mysql, hitsSql("anon"));
    if (hitsLeft > 0) ctx.failures.push(`cleanup: ${hitsLeft} of ${hits} old anonymous hits left`);
    const out: CleanupFigures = { hits, cleanupSeconds: r.seconds, cleanupCode: r.code, hitsLeft };
    if (ctx.t.privacyJob) {
        ctx.sampler.setPhase("privacy");
        const p = await runCommand(ctx.t.privacyJob, [], { timeoutMs: ctx.a.drainTimeoutSeconds * 1000 });
        if (p.code !== 0) ctx.failures.push(`privacy job: exit ${p.code ?? p.signal} ${(p.stderr || p.stdout).trim().slice(-200)}`);
        out.privacySeconds = p.seconds;
        out.privacyCode = p.code;
        out.orphansLeft = await sqlNumber(ctx.t.mysql, hitsSql("orphan"));
        if (out.orphansLeft > 0) ctx.failures.push(`privacy job: ${out.orphansLeft} hits of deleted contacts left`);
    } else {
        // Without the kit's job nothing removes them: drop the seed so later runs start equal.
        await sql(ctx.t.mysql, `DELETE FROM page_hits WHERE url = ${q(`https://www.example.org/bench-${ctx.run}-orphan`)};`);
    }
    return out;
}
