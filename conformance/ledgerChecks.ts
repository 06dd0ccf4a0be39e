/**
 * The conformance checks that need Mautic's database and the host's mautic-privacy-maintenance:
 * a known contact stays untouched, a stranger's sign-up of an existing contact's address never
 * deletes that contact, the safety net deletes only never-confirmed sign-ups (4 and 10 days old), and the consent-proof ledger survives unsubscribe minimisation and a DSR erasure.
 * Split from checks.ts by concern.
 */
import { doiFields, doiTags, type JsonObject } from "../components/doi/doiBlueprint";
import { erasePerson, loadSchema } from "../dsr/request";
import type { Transport } from "../dsr/transport";
import { type ConformanceOptions, type Contact, must, type Runner } from "./checks";
import type { PublicResponse, Target } from "./target";

interface Helpers extends ConformanceOptions {
    address(what: string): string;
    signup(email: string, consent?: boolean, tracking?: boolean): Promise<PublicResponse>;
    contactByEmail(email: string): Promise<Contact | undefined>;
    contactById(id: number): Promise<Contact | undefined>;
    pendingId(): number | undefined;
}

/** The conformance target's database as a dsr transport (the same statements `npm run dsr` runs). */
export function sqlTransport(t: Target): Transport {
    return {
        description: "conformance --mysql",
        run: async (statements) => {
            const out: unknown[] = [];
            for (const s of statements) {
                for (const row of await t.sql(s)) {
                    // mysql2 decodes values MariaDB flags as JSON; others arrive as text.
                    const v = Object.values(row)[0];
                    out.push(v !== null && typeof v === "object" && !Buffer.isBuffer(v) ? v : JSON.parse(Buffer.isBuffer(v) ? v.toString("utf8") : String(v)));
                }
            }
            return out;
        },
        close: async () => undefined,
    };
}

export async function ledgerChecks(run: Runner, t: Target, h: Helpers): Promise<void> {
    const ledgerOf = async (contactId: number) =>
        t.sql("SELECT signup_id, outcome, contact_created, signed_up_at, confirmed_at FROM kit_consent_ledger WHERE contact_id = ? ORDER BY signed_up_at", [
            contactId,
        ]);

    let known: Contact | undefined;
    await run(
        "known-contact-untouched",
        "a sign-up with a confirmed contact's address changes nothing and sends no mail",
        async () => {
            const email = h.address("known");
            const created = await t.api("POST", "contacts/new", {
                email,
                tags: [doiTags.confirmed],
                [doiFields.consentDate]: "2026-01-02 03:04:05",
                [doiFields.consentTextVersion]: "v0",
            });
            const id = Number((created.contact as JsonObject).id);
            await t.api("POST", `contacts/${id}/dnc/email/add`, { reason: 3, comments: "conformance: objected before" });
            const before = await h.contactById(id);
            must((await h.signup(email)).status === 200, "sign-up failed");
            known = await h.contactById(id);
            must(known && known.tags.includes(doiTags.confirmed) && !known.tags.includes(doiTags.pending), `tags ${JSON.stringify(known?.tags)}`);
            for (const f of [doiFields.consentDate, doiFields.consentTextVersion])
                must(String(known!.fields[f] ?? "") === String(before!.fields[f] ?? ""), `${f} changed`);
            must(
                known!.dnc.some((d) => d.channel === "email"),
                "DNC entry gone",
            );
            const rows = await ledgerOf(id);
            must(rows.length === 1 && rows[0].outcome === "already-confirmed" && Number(rows[0].contact_created) === 0, `ledger ${JSON.stringify(rows)}`);
            must(t.mailsTo(email).length === 0, "a confirmation mail went to the known contact");
            return `contact ${id} unchanged, DNC kept, ledger row 'already-confirmed', no mail`;
        },
        { mysql: true, mail: true },
    );

    await run(
        "stranger-keeps-contact",
        "a stranger signs up an existing contact's address and never confirms: past unconfirmedContactDays the safety net leaves the contact and its data",
        async () => {
            const email = h.address("customer");
            const created = await t.api("POST", "contacts/new", { email, firstname: "Erika", lastname: "Kundin", company: "Kundin KG", tags: ["customer"] });
            const id = Number((created.contact as JsonObject).id);
            await t.api("POST", "notes/new", { lead: id, text: "conformance: met at the trade fair", type: "general" });
            await t.sql("UPDATE leads SET points = 42 WHERE id = ?", [id]);
            const state = async () => {
                const c = await h.contactById(id);
                const [row] = await t.sql("SELECT points, (SELECT COUNT(*) FROM lead_notes n WHERE n.lead_id = l.id) AS notes FROM leads l WHERE l.id = ?", [
                    id,
                ]);
                return c && row
                    ? JSON.stringify({
                          fields: ["email", "firstname", "lastname", "company", doiFields.consentDate].map((f) => c.fields[f] ?? null),
                          tags: [...c.tags].sort(),
                          points: Number(row.points),
                          notes: Number(row.notes),
                      })
                    : undefined;
            };
            const before = await state();
            must(before, `contact ${id} not readable`);
            // The stranger's sign-up (the address's owner gets a confirmation mail and ignores it).
            must((await h.signup(email)).status === 200, "sign-up failed");
            const rows = await ledgerOf(id);
            must(rows.length === 1 && Number(rows[0].contact_created) === 0 && !rows[0].confirmed_at, `ledger ${JSON.stringify(rows)}`);
            must((await state()) === before, `the sign-up changed the contact: ${await state()} (before ${before})`);
            // Backdate the sign-up AND the contact past unconfirmedContactDays, so that the contact
            // looks created with the sign-up: only contact_created = 0 keeps it.
            const days = h.unconfirmedContactDays + 7;
            await t.sql(
                `UPDATE kit_consent_ledger SET signed_up_at = signed_up_at - INTERVAL ${days} DAY, mail_sent_at = mail_sent_at - INTERVAL ${days} DAY WHERE contact_id = ?`,
                [id],
            );
            await t.sql(`UPDATE leads SET date_added = date_added - INTERVAL ${days} DAY WHERE id = ?`, [id]);
            const out = await t.shell("maintenance");
            const after = await state();
            must(after === before, `after the safety net: ${after ?? "contact deleted"} (before ${before})`);
            must((await ledgerOf(id)).length === 1, "the sign-up's ledger row is gone");
            return `contact ${id} (name, company, tag customer, 42 points, 1 note) unchanged by the sign-up and by the safety net ${days} days later; ledger row contact_created = 0, unconfirmed; ${(/unconfirmed double-opt-in contacts deleted: \d+/.exec(out) ?? ["(no count)"])[0]}`;
        },
        { mysql: true, maintenance: true },
    );

    await run(
        "safety-net",
        `mautic-privacy-maintenance deletes the never-confirmed sign-ups 4 and 10 days old, and only those (unconfirmedContactDays ${h.unconfirmedContactDays})`,
        async () => {
            must(h.unconfirmedContactDays < 4, "--days must be below 4 for the 4-day-old sign-up to be due");
            const old: Record<number, Contact> = {};
            for (const days of [4, 10]) {
                const email = h.address(`unconfirmed${days}d`);
                must((await h.signup(email)).status === 200, "sign-up failed");
                const c = await h.contactByEmail(email);
                must(c, `no contact for the ${days}-day sign-up`);
                old[days] = c!;
                await t.sql(
                    `UPDATE kit_consent_ledger SET signed_up_at = signed_up_at - INTERVAL ${days} DAY, mail_sent_at = mail_sent_at - INTERVAL ${days} DAY WHERE contact_id = ?`,
                    [c!.id],
                );
                await t.sql(`UPDATE leads SET date_added = date_added - INTERVAL ${days} DAY WHERE id = ?`, [c!.id]);
            }
            // The confirmed sign-up and the known contact's sign-up, backdated the same way, must stay.
            const keep = [h.pendingId(), known?.id].filter((x): x is number => x !== undefined);
            must(keep.length === 2, "the confirmed or the known contact is missing (earlier checks failed)");
            for (const id of keep) await t.sql("UPDATE kit_consent_ledger SET signed_up_at = signed_up_at - INTERVAL 10 DAY WHERE contact_id = ?", [id]);
            const out = await t.shell("maintenance");
            for (const days of [4, 10]) must(!(await h.contactById(old[days].id)), `the ${days}-day-old unconfirmed contact ${old[days].id} is still there`);
            for (const id of keep) must(await h.contactById(id), `contact ${id} (confirmed or pre-existing) was deleted`);
            for (const days of [4, 10]) must((await ledgerOf(old[days].id)).length === 1, `the ledger row of the deleted ${days}-day sign-up is gone`);
            return `deleted ${old[4].id} (4 d) and ${old[10].id} (10 d); kept ${keep.join(", ")}; their ledger rows stay; ${(/unconfirmed double-opt-in contacts deleted: \d+/.exec(out) ?? ["(no count)"])[0]}`;
        },
        { mysql: true, maintenance: true },
    );

    await run(
        "ledger-after-unsubscribe",
        "after an unsubscribe and the minimisation the contact is gone and its ledger rows stay",
        async () => {
            const id = h.pendingId();
            must(id !== undefined, "no confirmed contact");
            await t.api("POST", `contacts/${id}/dnc/email/add`, { reason: 1, comments: "conformance: unsubscribed" });
            const days = (h.unsubscribedMinimiseDays ?? 30) + 1;
            await t.sql(`UPDATE lead_donotcontact SET date_added = date_added - INTERVAL ${days} DAY WHERE lead_id = ?`, [id]);
            await t.shell("maintenance");
            must(!(await h.contactById(id!)), `contact ${id} not minimised ${days} days after the unsubscribe`);
            const rows = await ledgerOf(id!);
            must(
                rows.some((r) => r.outcome === "confirmed" && r.confirmed_at),
                `ledger rows ${JSON.stringify(rows)}`,
            );
            return `contact ${id} minimised; ledger keeps ${rows.length} row(s), confirmed at ${rows.find((r) => r.confirmed_at)!.confirmed_at} UTC`;
        },
        { mysql: true, maintenance: true },
    );

    await run(
        "ledger-after-erase",
        "`npm run dsr -- erase` deletes the contact and keeps its ledger rows (restricted)",
        async () => {
            must(known, "no known contact");
            const email = String(known!.fields.email);
            const tr = sqlTransport(t);
            const r = await erasePerson(tr, await loadSchema(tr), email, true);
            must(r.deleted.leads === 1, `erase deleted ${JSON.stringify(r.deleted)}`);
            must(r.deleted.kit_consent_ledger === undefined, "erase deleted ledger rows");
            must(!(await h.contactById(known!.id)), "the contact is still there");
            const rows = await ledgerOf(known!.id);
            must(rows.length === 1, `ledger rows after the erasure: ${rows.length}`);
            return `contact ${known!.id} erased (${Object.keys(r.deleted).length} tables); its ledger row stays`;
        },
        { mysql: true },
    );
}
