/**
 * The withdrawal of the profiling consent (Art. 7(3)) on a live Mautic: the confirmed contact
 * carries its link token; a mail with {unsubscribe_text} carries the one-click link; GET shows
 * a button and changes nothing, a forged POST gets 403, the POST clears tracking_consent, the
 * points and the derived rows and keeps the subscription; `npm run dsr -- withdraw-profiling`
 * (the same function) does the same for another contact. Split from checks.ts by concern.
 */
import { doiFields, doiTags, trackingConsentValue, type JsonObject } from "../components/doi/doiBlueprint";
import { loadSchema } from "../dsr/request";
import { withdrawProfiling } from "../dsr/profiling";
import { type Contact, must, type Runner } from "./checks";
import { sqlTransport } from "./ledgerChecks";
import { mailHtml, tagsOf, type Target } from "./target";

interface Helpers {
    address(what: string): string;
    contactById(id: number): Promise<Contact | undefined>;
    confirmedId(): number | undefined;
    version: string;
}

/** Derived rows of a contact that the withdrawal deletes (a real page hit needs a tracked browser: planted by SQL). */
async function plantDerived(t: Target, id: number): Promise<void> {
    await t.api("POST", `contacts/${id}/points/plus/7`, { eventName: "conformance", actionName: "profiling check" });
    await t.sql("INSERT INTO page_hits (lead_id, date_hit, url, code, tracking_id) VALUES (?, UTC_TIMESTAMP(), 'https://www.example.org/p', 200, ?)", [
        id,
        `conf${id}`,
    ]);
}

async function derivedCounts(t: Target, id: number): Promise<{ hits: number; pointLog: number; points: number; consent: unknown }> {
    const n = async (sql: string) => Number((await t.sql(sql, [id]))[0].n);
    const lead = (await t.sql(`SELECT points, \`${doiFields.trackingConsent}\` AS consent FROM leads WHERE id = ?`, [id]))[0];
    return {
        hits: await n("SELECT COUNT(*) AS n FROM page_hits WHERE lead_id = ?"),
        pointLog: await n("SELECT COUNT(*) AS n FROM lead_points_change_log WHERE lead_id = ?"),
        points: Number(lead.points),
        consent: lead.consent,
    };
}

export async function profilingChecks(run: Runner, t: Target, h: Helpers): Promise<void> {
    let token = "";
    let link = "";
    await run(
        "profiling-link",
        "a mail with {unsubscribe_text} carries the one-click withdrawal link with the confirmed contact's token",
        async () => {
            const id = h.confirmedId();
            must(id !== undefined, "no confirmed contact (earlier checks failed)");
            const c = await h.contactById(id!);
            token = String(c?.fields[doiFields.profilingToken] ?? "");
            must(new RegExp(`^${id}\\.[0-9a-f]{32}$`).test(token), `profiling_token ${JSON.stringify(token)} is not <id>.<hmac>`);
            const email = String(c!.fields.email);
            const created = await t.api("POST", "emails/new", {
                name: `conformance newsletter ${id}`,
                subject: "Conformance newsletter",
                emailType: "template",
                isPublished: true,
                template: "mautic_code_mode",
                customHtml: "<html><body><p>Hello</p><p>{unsubscribe_text}</p></body></html>",
            });
            const mailId = Number((created.email as JsonObject).id);
            const before = t.mailsTo(email).length;
            await t.api("POST", `emails/${mailId}/contact/${id}/send`);
            const mail = (await t.waitForMail(email, before + 1))[before];
            const links = tagsOf(mailHtml(mail), "a").map((a) => a.href ?? "");
            link = links.find((l) => l.includes("/kit/doi/profiling?")) ?? "";
            must(link, `no /kit/doi/profiling link in the mail (links: ${links.join(" ")})`);
            const u = new URL(link.replace(/&amp;/g, "&"));
            must(u.searchParams.get("t") === token, `the link's token ${u.searchParams.get("t")} is not the contact's`);
            must(
                links.some((l) => /\/email\/unsubscribe\//.test(l)),
                "no unsubscribe link next to it",
            );
            return `mail ${mailId} to contact ${id}: ${u.origin}${u.pathname}?t=<id>.<hmac>&lang=${u.searchParams.get("lang")} next to Mautic's unsubscribe link`;
        },
        { mail: true, mysql: true },
    );
    await run(
        "profiling-withdraw",
        "GET of the link changes nothing, a forged POST gets 403, the POST clears tracking_consent, points, page hits and the points log and keeps the subscription",
        async () => {
            must(token && link, "no link (previous check failed)");
            const id = h.confirmedId()!;
            await plantDerived(t, id);
            const before = await derivedCounts(t, id);
            must(before.hits > 0 && before.pointLog > 0 && before.points > 0, `nothing planted: ${JSON.stringify(before)}`);
            must(before.consent === trackingConsentValue(h.version), `tracking_consent before: ${JSON.stringify(before.consent)}`);
            const page = await t.visit("GET", link.replace(/&amp;/g, "&"));
            must(page.status === 200, `GET: HTTP ${page.status}`);
            must(
                tagsOf(page.body, "form").some((f) => f.method?.toLowerCase() === "post" && f.action === "/kit/doi/profiling"),
                "no POST form",
            );
            must(JSON.stringify(await derivedCounts(t, id)) === JSON.stringify(before), "the GET changed something");
            const [cid, mac] = token.split(".");
            for (const forged of [`${cid}.${"0".repeat(32)}`, `${Number(cid) + 1}.${mac}`, ""]) {
                const r = await t.visit("POST", "/kit/doi/profiling", [["t", forged]]);
                must(r.status === 403, `forged token ${forged.slice(0, 10)}: HTTP ${r.status}`);
            }
            must(JSON.stringify(await derivedCounts(t, id)) === JSON.stringify(before), "a forged POST changed something");
            const r = await t.visit("POST", "/kit/doi/profiling", [["t", token]]);
            must(r.status === 200, `POST: HTTP ${r.status}`);
            const after = await derivedCounts(t, id);
            must(
                after.hits === 0 && after.pointLog === 0 && after.points === 0 && (after.consent === null || after.consent === ""),
                `after: ${JSON.stringify(after)}`,
            );
            const c = await h.contactById(id);
            must(c && c.tags.includes(doiTags.confirmed) && !c.dnc.some((d) => d.channel === "email"), `subscription changed: ${JSON.stringify(c)}`);
            return `before ${JSON.stringify(before)}; after ${JSON.stringify(after)}; still ${doiTags.confirmed}, no do-not-contact entry`;
        },
        { mail: true, mysql: true },
    );
    await run(
        "dsr-withdraw-profiling",
        "`npm run dsr -- withdraw-profiling`: the dry run changes nothing, the real run clears the same and keeps the subscription",
        async () => {
            const email = h.address("profiling-dsr");
            const created = await t.api("POST", "contacts/new", {
                email,
                tags: [doiTags.confirmed],
                [doiFields.trackingConsent]: trackingConsentValue(h.version),
            });
            const id = Number((created.contact as JsonObject).id);
            await plantDerived(t, id);
            const before = await derivedCounts(t, id);
            const tr = sqlTransport(t);
            const schema = await loadSchema(tr);
            const dry = await withdrawProfiling(tr, schema, email, false);
            must(JSON.stringify(await derivedCounts(t, id)) === JSON.stringify(before), "the dry run changed something");
            const real = await withdrawProfiling(tr, schema, email, true);
            must(JSON.stringify(real) === JSON.stringify(dry), `dry run ${JSON.stringify(dry)} differs from the run ${JSON.stringify(real)}`);
            const after = await derivedCounts(t, id);
            must(after.hits === 0 && after.pointLog === 0 && after.points === 0 && !after.consent, `after: ${JSON.stringify(after)}`);
            const c = await h.contactById(id);
            must(c && c.tags.includes(doiTags.confirmed) && c.dnc.length === 0, "subscription changed");
            return `contact ${id}: ${JSON.stringify(real.changed)}; still ${doiTags.confirmed}, no do-not-contact entry`;
        },
        { mysql: true },
    );
}
