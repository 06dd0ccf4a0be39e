/**
 * The campaign scenario of the Mautic bench (docs/guide/bench.md): N contacts in a segment, a
 * campaign with that segment as its source and one immediate "send e-mail" action (what a
 * marketer's welcome campaign does), then the two cron jobs as the Mautic's crontab runs them:
 * `mautic:campaigns:update` (contacts into the campaign) and `mautic:campaigns:trigger` (the
 * kickoff: the action for every contact), each run after run until it adds nothing, and the
 * e-mail queue drained. Users report campaigns:trigger exhausting memory around 10,000 contacts:
 * the cron role's peak and whether anything was killed are the point.
 */
import type { CommandResult } from "./exec";
import { sqlNumber } from "./exec";
import { Ctx, consoleCmd, drain, mysqlDate, rebuild, sinkCount } from "./scenarios";

export interface CampaignFigures {
    contacts: number;
    /** Contacts in the campaign after the campaigns:update runs. */
    members: number;
    updateSeconds: number;
    updateRuns: number;
    /** Contacts the action ran for (campaign_lead_event_log rows). */
    executed: number;
    triggerSeconds: number;
    triggerRuns: number;
    triggerCode: number | null;
    /** From the first trigger run until the e-mail queue was empty and the sink had every message. */
    drainSeconds?: number;
    delivered: number;
}

/** Largest number of runs of each command (the crontab runs them every 5 / 15 minutes). */
export const maxCampaignRuns = 10;

async function repeat(
    ctx: Ctx,
    args: string[],
    what: string,
    count: () => Promise<number>,
    want: number,
): Promise<{ n: number; seconds: number; runs: number; last?: CommandResult }> {
    let n = 0;
    let seconds = 0;
    let runs = 0;
    let last: CommandResult | undefined;
    while (runs < maxCampaignRuns) {
        last = await consoleCmd(ctx, args, `${what} run ${runs + 1}`);
        runs++;
        seconds += last.seconds;
        const now = await count();
        ctx.log(`  ${what} run ${runs}: exit ${last.code ?? last.signal}, ${last.seconds.toFixed(0)} s, ${now} of ${want}`);
        const progress = now > n;
        n = now;
        if (n >= want || !progress) break;
    }
    return { n, seconds, runs, last };
}

export async function campaign(ctx: Ctx): Promise<CampaignFigures> {
    const seg = await rebuild(ctx, ctx.a.campaignContacts, "camp");
    const want = seg.members;
    const email = (await ctx.api.api("POST", "emails/new", {
        name: `bench ${ctx.run} campaign`,
        subject: "Welcome",
        emailType: "template",
        isPublished: true,
        template: "mautic_code_mode",
        publishUp: mysqlDate(Date.now() - 86400_000),
        customHtml: "<!DOCTYPE html><html><body><p>Welcome {contactfield=firstname}</p></body></html>",
    })) as { email?: { id?: number } };
    const emailId = email.email?.id;
    if (!emailId) throw new Error(`emails/new gave no id: ${JSON.stringify(email).slice(0, 200)}`);
    const created = (await ctx.api.api("POST", "campaigns/new", {
        name: `bench ${ctx.run}`,
        isPublished: true,
        lists: [{ id: seg.id }],
        events: [
            {
                id: "new1",
                name: "Welcome e-mail",
                type: "email.send",
                eventType: "action",
                order: 1,
                properties: { email: emailId, email_type: "marketing", priority: 2, attempts: 3 },
                triggerMode: "immediate",
                triggerInterval: 0,
                triggerIntervalUnit: "d",
                decisionPath: null,
                parent: null,
            },
        ],
        canvasSettings: {
            nodes: [
                { id: "new1", positionX: "100", positionY: "200" },
                { id: "lists", positionX: "100", positionY: "50" },
            ],
            connections: [{ sourceId: "lists", targetId: "new1", anchors: { source: "leadsource", target: "top" } }],
        },
    })) as { campaign?: { id?: number; events?: Array<{ id?: number }> } };
    const id = created.campaign?.id;
    if (!id || !created.campaign?.events?.length) throw new Error(`campaigns/new gave no id or no event: ${JSON.stringify(created).slice(0, 300)}`);
    const sinkBefore = sinkCount(ctx.t.mailDir);
    const upd = await repeat(
        ctx,
        ["mautic:campaigns:update", `--campaign-id=${id}`],
        "campaigns:update",
        () => sqlNumber(ctx.t.mysql, `SELECT COUNT(*) FROM campaign_leads WHERE campaign_id = ${id} AND manually_removed = 0;`),
        want,
    );
    if (upd.n < want) ctx.failures.push(`campaigns:update: ${upd.n} of ${want} contacts in the campaign after ${upd.runs} run(s)`);
    ctx.sampler.setPhase("campaign-trigger");
    const t0 = Date.now();
    const trig = await repeat(
        ctx,
        ["mautic:campaigns:trigger", `--campaign-id=${id}`],
        "campaigns:trigger",
        () => sqlNumber(ctx.t.mysql, `SELECT COUNT(*) FROM campaign_lead_event_log WHERE campaign_id = ${id};`),
        upd.n,
    );
    if (trig.n < upd.n) ctx.failures.push(`campaigns:trigger: the action ran for ${trig.n} of ${upd.n} contacts after ${trig.runs} run(s)`);
    const drainSeconds = await drain(ctx, t0, async () => !ctx.t.mailDir || sinkCount(ctx.t.mailDir) - sinkBefore >= trig.n);
    const delivered = ctx.t.mailDir
        ? sinkCount(ctx.t.mailDir) - sinkBefore
        : await sqlNumber(ctx.t.mysql, `SELECT COUNT(*) FROM email_stats WHERE email_id = ${emailId};`);
    if (drainSeconds === undefined) ctx.failures.push(`campaign: e-mail queue not drained within ${ctx.a.drainTimeoutSeconds} s (${delivered} delivered)`);
    return {
        contacts: want,
        members: upd.n,
        updateSeconds: upd.seconds,
        updateRuns: upd.runs,
        executed: trig.n,
        triggerSeconds: trig.seconds,
        triggerRuns: trig.runs,
        triggerCode: trig.last?.code ?? null,
        drainSeconds,
        delivered,
    };
}
