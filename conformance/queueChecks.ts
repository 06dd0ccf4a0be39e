/**
 * The conformance check of Mautic's failed-message queue (issue 20 item 8): messages that the
 * worker could not process even after Mautic's retries sit in `messenger_messages` with
 * queue_name 'failed' (the kit's `messenger_dsn_failed`), and the host's
 * mautic-privacy-maintenance deletes them once they are `failedMessageDays` old, and nothing else.
 * Real messages: confirmation mails Mautic queued for sign-ups, with the worker stopped.
 */
import { failedMessageDays } from "../components/host/privacyMaintenance";
import { must, type Runner } from "./checks";
import type { PublicResponse, Target } from "./target";

interface Helpers {
    address(what: string): string;
    signup(email: string): Promise<PublicResponse>;
}

export async function queueChecks(run: Runner, t: Target, h: Helpers): Promise<void> {
    await run(
        "failed-queue-purge",
        `mautic-privacy-maintenance deletes messages older than ${failedMessageDays} days from Mautic's failed-message queue, and only those`,
        async () => {
            await t.shell("workerStop");
            const ids: Record<string, number> = {};
            try {
                for (const what of ["failed-old", "failed-young", "queued-old"]) {
                    const [{ n }] = await t.sql("SELECT COALESCE(MAX(id), 0) AS n FROM messenger_messages");
                    must((await h.signup(h.address(what))).status === 200, `sign-up ${what} failed`);
                    const rows = await t.sql("SELECT id FROM messenger_messages WHERE id > ? AND queue_name <> 'failed' ORDER BY id", [n]);
                    must(rows.length === 1, `the sign-up queued ${rows.length} messages, expected its confirmation mail`);
                    ids[what] = Number(rows[0].id);
                }
                // What Symfony Messenger does after the last retry: the message goes to the failed
                // transport (a new row, created_at = then, UTC). Backdated past and short of the period.
                const move = async (id: number, queue: string, days: number) =>
                    t.sql(
                        `UPDATE messenger_messages SET queue_name = ?, created_at = UTC_TIMESTAMP() - INTERVAL ${days} DAY, available_at = UTC_TIMESTAMP() - INTERVAL ${days} DAY WHERE id = ?`,
                        [queue, id],
                    );
                await move(ids["failed-old"], "failed", failedMessageDays + 1);
                await move(ids["failed-young"], "failed", failedMessageDays - 1);
                const [{ q }] = await t.sql("SELECT queue_name AS q FROM messenger_messages WHERE id = ?", [ids["queued-old"]]);
                await move(ids["queued-old"], String(q), failedMessageDays + 1);
                const out = await t.shell("maintenance");
                const left = (await t.sql("SELECT id FROM messenger_messages WHERE id IN (?, ?, ?)", Object.values(ids))).map((r) => Number(r.id));
                must(!left.includes(ids["failed-old"]), `the failed message ${ids["failed-old"]}, ${failedMessageDays + 1} days old, is still there`);
                must(left.includes(ids["failed-young"]), `the failed message ${ids["failed-young"]}, ${failedMessageDays - 1} days old, was deleted`);
                must(left.includes(ids["queued-old"]), `the message ${ids["queued-old"]} waiting in queue ${String(q)} was deleted`);
                const count = new RegExp(`failed-queue messages older than ${failedMessageDays} days deleted: (\\d+)`).exec(out);
                must(count && Number(count[1]) >= 1, `the job did not report the deletion: ${out.trim().slice(0, 300)}`);
                return `deleted the failed message ${ids["failed-old"]} (${failedMessageDays + 1} days old); kept the failed message ${ids["failed-young"]} (${failedMessageDays - 1} days) and the message ${ids["queued-old"]} waiting in queue ${String(q)} (${failedMessageDays + 1} days); ${count![0]}`;
            } finally {
                // The test's own messages are not sent: removed before the worker starts again.
                if (Object.keys(ids).length > 0) await t.sql("DELETE FROM messenger_messages WHERE id IN (?)", [Object.values(ids)]);
                await t.shell("workerStart");
            }
        },
        { mysql: true, worker: true, maintenance: true },
    );
}
