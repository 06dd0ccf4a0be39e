/**
 * The conformance checks: the kit's real DOI provisioner against a live Mautic, then what a
 * visitor and an auditor see. Each check is one row; later checks use what earlier ones found
 * (a failed prerequisite fails its dependants with the reason, it never skips silently).
 */
import { ensureDoiSetup } from "../components/doi/doiProvisioner";
import {
    DoiBlueprint, DoiLanguage, doiBlueprint, doiFields, doiFormFields, doiKeys, doiTags,
    trackingConsentValue, withdrawalContactPlaceholder, type JsonObject, type MauticLine,
} from "../components/doi/doiBlueprint";
import { htmlText, mailHeader, mailHtml, tagsOf, Target } from "./target";

export interface CheckRow {
    id: string;
    title: string;
    status: "pass" | "fail" | "skip";
    detail: string;
}

export interface ConformanceOptions {
    website: string;
    unconfirmedContactDays: number;
    mauticLine: MauticLine;
    languages: DoiLanguage[];
    /** Sender the confirmation mail must come from; default: anything but Mautic's placeholder. */
    expectFrom?: string;
    /** Database table prefix (for the time travel). Default "". */
    tablePrefix?: string;
    /** Unique part of the test addresses. Default: the current time. */
    runId?: string;
    log?: (line: string) => void;
}

class CheckFailed extends Error {}
const must = (cond: unknown, message: string): void => {
    if (!cond) throw new CheckFailed(message);
};

interface Contact {
    id: number;
    fields: Record<string, unknown>;
    tags: string[];
    ips: string[];
    dnc: { channel: string; reason: number }[];
}

function asContact(raw: JsonObject): Contact {
    const all = ((raw.fields as JsonObject | undefined)?.all ?? {}) as Record<string, unknown>;
    const tags = (Array.isArray(raw.tags) ? raw.tags : Object.values((raw.tags ?? {}) as JsonObject)).map((t) => (t && typeof t === "object" ? String((t as JsonObject).tag) : String(t)));
    const ipList = Array.isArray(raw.ipAddresses) ? raw.ipAddresses : Object.values((raw.ipAddresses ?? {}) as JsonObject);
    const ips = ipList.map((i) => (i && typeof i === "object" ? String((i as JsonObject).ipAddress ?? (i as JsonObject).ip) : String(i)));
    const dncRaw = Array.isArray(raw.doNotContact) ? raw.doNotContact : Object.values((raw.doNotContact ?? {}) as JsonObject);
    const dnc = dncRaw.map((d) => ({ channel: String((d as JsonObject).channel), reason: Number((d as JsonObject).reason) }));
    return { id: Number(raw.id), fields: all, tags, ips, dnc };
}

export async function runConformance(t: Target, o: ConformanceOptions): Promise<CheckRow[]> {
    const rows: CheckRow[] = [];
    const log = o.log ?? (() => undefined);
    const run = async (id: string, title: string, fn: () => Promise<string>, needs: { console?: boolean; mail?: boolean } = {}): Promise<boolean> => {
        if ((needs.console && !t.hasConsole) || (needs.mail && !t.opts.mailDir)) {
            rows.push({ id, title, status: "skip", detail: `needs ${needs.console && !t.hasConsole ? "--console" : "--mail-dir"}` });
            return false;
        }
        try {
            const detail = await fn();
            rows.push({ id, title, status: "pass", detail });
            log(`PASS ${id}`);
            return true;
        } catch (err) {
            rows.push({ id, title, status: "fail", detail: (err as Error).message.replace(/\s+/g, " ").slice(0, 400) });
            log(`FAIL ${id}: ${(err as Error).message}`);
            return false;
        }
    };
    const origin = new URL(t.opts.hostHeader ? `https://${t.opts.hostHeader}` : t.opts.mauticUrl).origin;
    let bp: DoiBlueprint;
    try {
        bp = doiBlueprint({ mauticUrl: origin, website: o.website, unconfirmedContactDays: o.unconfirmedContactDays, languages: o.languages, mauticLine: o.mauticLine });
    } catch (e) {
        // Mautic's public origin must be https: reach a plain-http port with --host-header <public name>.
        return [{ id: "provision", title: "fresh provisioning with the kit's provisioner succeeds", status: "fail", detail: `${(e as Error).message.replace(/\s+/g, " ")} (give --host-header with Mautic's public name when --mautic-url is a plain-http port)` }];
    }
    let ids: Record<string, number> = {};
    const runId = o.runId ?? String(Date.now());
    const address = (what: string) => `conformance-${what}-${runId}@example.org`;
    const isPlaceholderDrift = (d: string) => Object.values(withdrawalContactPlaceholder).some((p) => d.includes(p));

    const contactByEmail = async (email: string): Promise<Contact | undefined> => {
        const body = await t.api("GET", `contacts?search=${encodeURIComponent(`email:${email}`)}&limit=5`);
        const list = Array.isArray(body.contacts) ? body.contacts : Object.values((body.contacts ?? {}) as JsonObject);
        const found = (list as JsonObject[]).map(asContact).filter((c) => String(c.fields.email ?? "").toLowerCase() === email.toLowerCase());
        return found[0];
    };
    const contactById = async (id: number): Promise<Contact | undefined> => {
        try {
            return asContact((await t.api("GET", `contacts/${id}`)).contact as JsonObject);
        } catch (e) {
            if (/HTTP 404/.test((e as Error).message)) return undefined;
            throw e;
        }
    };
    const lang = o.languages[0];
    const signupId = () => ids[doiKeys.form(lang)];
    const campaignId = () => ids[doiKeys.campaign(lang)];

    // 1. Provisioning.
    const provisioned = await run("provision", "fresh provisioning with the kit's provisioner succeeds", async () => {
        const r = await ensureDoiSetup(t, bp, (m) => log(`  ${m}`));
        ids = r.ids;
        return `${r.created.length} created, ${r.existing.length} already there (Mautic line ${o.mauticLine})`;
    });
    await run("idempotent", "second run: 0 POSTs, no drift", async () => {
        must(provisioned, "provisioning failed");
        const before = t.posts;
        const r = await ensureDoiSetup(t, bp);
        const drift = r.drift.filter((d) => !isPlaceholderDrift(d));
        must(t.posts === before, `${t.posts - before} POSTs on the second run`);
        must(drift.length === 0, `drift: ${drift.join(" | ")}`);
        return `0 POSTs; drift only the withdrawal-address reminder (${r.drift.length - drift.length})`;
    });

    // 2. The public sign-up pages (published for the test, unpublished again at the end).
    const published: number[] = [];
    for (const l of o.languages) {
        await run(`form-page:${l}`, `public /form/ID (${l}) renders the required, unticked consent box and the processing notice`, async () => {
            must(provisioned, "provisioning failed");
            const id = ids[doiKeys.form(l)];
            await t.api("PATCH", `forms/${id}/edit`, { isPublished: true });
            published.push(id);
            const r = await t.visit("GET", `/form/${id}`);
            must(r.status === 200, `GET /form/${id}: HTTP ${r.status}`);
            const boxes = tagsOf(r.body, "input").filter((a) => a.type === "checkbox");
            const consent = boxes.find((a) => a.name === `mauticform[${doiFormFields.consent}][]`);
            const tracking = boxes.find((a) => a.name === `mauticform[${doiFormFields.trackingConsent}][]`);
            must(consent, "no consent checkbox in the page");
            must(!("checked" in consent!), "consent checkbox is pre-ticked");
            must(consent!.value === `consent-${bp.settings.consentTextVersion}`, `consent checkbox value ${consent!.value}`);
            must(new RegExp(`mauticform_${doiFormFields.consent}[^"]*"[^>]*mauticform-required|mauticform-required[^>]*mauticform_${doiFormFields.consent}`).test(r.body) || /data-validate="consent"/.test(r.body), "consent field not marked required");
            must(tracking, "no separate click-measurement checkbox");
            must(!("checked" in tracking!), "click-measurement checkbox is pre-ticked");
            const form = bp.objects.find((x) => x.key === doiKeys.form(l))!;
            const notice = (form.payload.fields as JsonObject[]).find((f) => f.alias === "processing_notice")!;
            const noticeText = htmlText(String((notice.properties as JsonObject).text));
            const page = htmlText(r.body);
            must(page.includes(noticeText.slice(0, 80)), "processing notice missing");
            const label = htmlText(String(((((form.payload.fields as JsonObject[]).find((f) => f.alias === "consent")!.properties as JsonObject).optionlist as JsonObject).list as JsonObject[])[0].label));
            must(page.includes(label.slice(0, 60)), `consent label (${l}) missing`);
            return `consent box required+unticked (value ${consent!.value}), tracking box optional+unticked, notice and label in ${l}`;
        });
    }

    /** Submits the sign-up form as a browser would: the rendered form's own inputs, plus the visitor's entries. */
    const submit = async (email: string, consent: boolean, tracking: boolean) => {
        const id = signupId();
        const page = await t.visit("GET", `/form/${id}`);
        must(page.status === 200, `GET /form/${id}: HTTP ${page.status} (is the form published?)`);
        const html = (/<form\b[\s\S]*?<\/form>/i.exec(page.body) ?? [page.body])[0];
        const action = tagsOf(html, "form")[0]?.action || `/form/submit?formId=${id}`;
        const fields: [string, string][] = tagsOf(html, "input")
            .filter((a) => a.name && (a.type ?? "text") === "hidden")
            .map((a) => [a.name, a.value ?? ""] as [string, string]);
        fields.push(["mauticform[email]", email]);
        if (consent) fields.push([`mauticform[${doiFormFields.consent}][]`, `consent-${bp.settings.consentTextVersion}`]);
        if (tracking) fields.push([`mauticform[${doiFormFields.trackingConsent}][]`, trackingConsentValue(bp.settings.consentTextVersion)]);
        fields.push(["mauticform[submit]", "1"]);
        const r = await t.visit("POST", action, fields);
        must(r.status < 400, `POST ${action}: HTTP ${r.status}`);
    };

    // 3. A visitor's sign-up.
    const pendingEmail = address("pending");
    let pending: Contact | undefined;
    await run("refuse-without-consent", "a submission without the consent box creates no contact", async () => {
        must(provisioned, "provisioning failed");
        const email = address("noconsent");
        await submit(email, false, false);
        must(!(await contactByEmail(email)), "a contact was created without consent");
        return "refused";
    });
    await run("pending-contact", "a sign-up creates a pending contact in the DOI campaign, consent in the form result, anonymised IP", async () => {
        must(provisioned, "provisioning failed");
        await submit(pendingEmail, true, true);
        pending = await contactByEmail(pendingEmail);
        must(pending, "no contact with the submitted address");
        must(pending!.tags.includes(doiTags.pending), `tags ${JSON.stringify(pending!.tags)}: no ${doiTags.pending}`);
        must(!pending!.tags.includes(doiTags.confirmed), "already confirmed");
        must(!pending!.fields[doiFields.consentDate], "consent_date set before confirmation");
        // Kiosk-mode forms attach no IP to the contact; any IP that is there must be anonymised.
        must(pending!.ips.every((ip) => ip.includes("*")), `contact IP not anonymised: ${JSON.stringify(pending!.ips)}`);
        const members = await t.api("GET", `campaigns/${campaignId()}/contacts?limit=200`);
        const list = (Array.isArray(members.contacts) ? members.contacts : Object.values((members.contacts ?? {}) as JsonObject)) as JsonObject[];
        must(list.some((m) => Number(m.lead_id ?? m.leadId ?? (m.lead as JsonObject | undefined)?.id) === pending!.id), "not in the DOI campaign");
        const subs = await t.api("GET", `forms/${signupId()}/submissions?limit=100&orderBy=s.id&orderByDir=DESC`);
        const slist = (Array.isArray(subs.submissions) ? subs.submissions : Object.values((subs.submissions ?? {}) as JsonObject)) as JsonObject[];
        const mine = slist.find((s) => Number(((s.lead ?? {}) as JsonObject).id) === pending!.id);
        must(mine, "no form result for the contact");
        const res = (mine!.results ?? {}) as JsonObject;
        const subIp = String(((mine!.ipAddress ?? {}) as JsonObject).ip ?? ((mine!.ipAddress ?? {}) as JsonObject).ipAddress ?? mine!.ipAddress ?? "");
        must(subIp.includes("*"), `form result IP not anonymised: ${JSON.stringify(subIp)}`);
        must(String(res[doiFormFields.consent]).includes(`consent-${bp.settings.consentTextVersion}`), `form result consent = ${JSON.stringify(res[doiFormFields.consent])}`);
        must(String(res[doiFormFields.consentTextVersion]) === bp.settings.consentTextVersion && String(res[doiFormFields.consentLanguage]) === lang, "form result lacks text version / language");
        return `contact ${pending!.id}: ${doiTags.pending}, contact IPs ${JSON.stringify(pending!.ips)}, form result IP ${subIp}, in campaign ${campaignId()}, form result consent ${res[doiFormFields.consent]}`;
    });

    // 4. A stranger submits a known, confirmed contact's address.
    const knownEmail = address("known");
    let known: Contact | undefined;
    let knownBefore: Contact | undefined;
    await run("known-contact-untouched", "a sign-up with a confirmed contact's address leaves it and its DNC entry untouched", async () => {
        must(provisioned, "provisioning failed");
        const created = await t.api("POST", "contacts/new", { email: knownEmail, tags: [doiTags.confirmed], [doiFields.consentDate]: "2026-01-02 03:04:05", [doiFields.consentTextVersion]: "v0", [doiFields.consentLanguage]: "en" });
        const id = Number((created.contact as JsonObject).id);
        await t.api("POST", `contacts/${id}/dnc/email/add`, { reason: 3, comments: "conformance: unsubscribed before" });
        knownBefore = await contactById(id);
        await submit(knownEmail, true, false);
        known = await contactById(id);
        must(known, "the known contact was deleted");
        const again = await contactByEmail(knownEmail);
        must(again && again.id === id, "the sign-up created a second contact or moved the address");
        must(known!.tags.includes(doiTags.confirmed), "lost doi-confirmed");
        for (const f of [doiFields.consentDate, doiFields.consentTextVersion, doiFields.consentLanguage]) {
            must(String(known!.fields[f] ?? "") === String(knownBefore!.fields[f] ?? ""), `${f} changed from ${knownBefore!.fields[f]} to ${known!.fields[f]}`);
        }
        must(known!.dnc.some((d) => d.channel === "email"), "DNC entry gone");
        return `contact ${id} kept doi-confirmed, consent fields and its email DNC entry`;
    });

    // 5. With the console: the campaign runs.
    const trigger = () => t.console(["mautic:campaigns:trigger", "-i", String(campaignId())]);
    let mail: string | undefined;
    await run("confirmation-mail", "campaigns:trigger sends the confirmation mail from the configured sender, without an open pixel", async () => {
        must(pending, "no pending contact");
        await trigger();
        const mails = t.mailsTo(pendingEmail);
        must(mails.length === 1, `${mails.length} mails to the pending address`);
        mail = mails[0];
        const from = mailHeader(mail, "From") ?? "";
        must(!/email@yoursite\.com/i.test(from), `From is Mautic's placeholder: ${from}`);
        if (o.expectFrom) must(from.toLowerCase().includes(o.expectFrom.toLowerCase()), `From ${from}, expected ${o.expectFrom}`);
        const html = mailHtml(mail);
        must(!/\/email\/[A-Za-z0-9]+\.gif/.test(html), "the mail carries an open-tracking pixel (/email/<hash>.gif): set mailer_append_tracking_pixel to false");
        return `From: ${from}; no open pixel`;
    }, { console: true, mail: true });
    await run("known-contact-after-trigger", "after the trigger the known contact got no mail and no doi-pending, DNC intact", async () => {
        must(known, "no known contact");
        const now = await contactById(known!.id);
        must(now, "the known contact was deleted by the campaign");
        must(!now!.tags.includes(doiTags.pending) && now!.tags.includes(doiTags.confirmed), `tags now ${JSON.stringify(now!.tags)}`);
        must(now!.dnc.some((d) => d.channel === "email"), "DNC entry gone");
        must(t.mailsTo(knownEmail).length === 0, "a confirmation mail went to the known contact");
        return "unchanged";
    }, { console: true, mail: true });

    let landing: { url: string; body: string } | undefined;
    await run("get-does-not-confirm", "opening the mail's link (GET, as a link scanner would) confirms nothing", async () => {
        must(mail, "no confirmation mail");
        const links = tagsOf(mailHtml(mail!), "a").map((a) => a.href).filter((h) => h && /\/r\/|doi-bestaetigung|doi-confirmation/.test(h));
        must(links.length > 0, "no confirmation link in the mail");
        const r = await t.follow(links[0]);
        must(r.status === 200, `the link ends in HTTP ${r.status}`);
        landing = { url: r.url, body: r.body };
        const c = await contactById(pending!.id);
        must(c && !c.tags.includes(doiTags.confirmed) && !c.fields[doiFields.consentDate], "the GET confirmed the contact");
        return `landing page ${new URL(r.url).pathname} shown; contact still pending`;
    }, { console: true, mail: true });
    await run("button-confirms", "pressing the button on the page (a form POST, no cookies) confirms and records consent", async () => {
        must(landing, "no landing page");
        const forms = [...landing!.body.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)].map((m) => m[0]);
        const form = forms.find((f) => f.includes(`mauticform[formId]`) && f.includes(`value="${ids[doiKeys.confirmForm(lang)]}"`));
        must(form, "no confirm form on the landing page");
        const action = tagsOf(form!, "form")[0].action;
        const inputs = tagsOf(form!, "input").filter((a) => a.name).map((a) => [a.name, a.value ?? ""] as [string, string]);
        const email = inputs.find(([n]) => n === "mauticform[email]");
        must(email && email[1] === pendingEmail, `the confirm form's hidden email is ${JSON.stringify(email?.[1])} (Mautic did not identify the contact from the link)`);
        const r = await t.visit("POST", action, [...inputs, ["mauticform[submit]", "1"]]);
        must(r.status < 400, `POST ${action}: HTTP ${r.status}`);
        const c = await contactById(pending!.id);
        must(c, "contact gone");
        must(c!.tags.includes(doiTags.confirmed) && !c!.tags.includes(doiTags.pending), `tags ${JSON.stringify(c!.tags)}`);
        must(c!.fields[doiFields.consentDate], "consent_date not set");
        must(c!.fields[doiFields.consentTextVersion] === bp.settings.consentTextVersion && c!.fields[doiFields.consentLanguage] === lang, "version/language not recorded");
        must(c!.fields[doiFields.trackingConsent] === trackingConsentValue(bp.settings.consentTextVersion), `tracking_consent = ${JSON.stringify(c!.fields[doiFields.trackingConsent])}`);
        return `doi-confirmed; consent_date ${c!.fields[doiFields.consentDate]} (Mautic's default_timezone wall clock); tracking_consent ${c!.fields[doiFields.trackingConsent]}`;
    }, { console: true, mail: true });

    await run("unconfirmed-deleted", `an unconfirmed contact is deleted ${o.unconfirmedContactDays} day(s) after the mail (time travel on the campaign log)`, async () => {
        must(provisioned, "provisioning failed");
        const email = address("unconfirmed");
        await submit(email, true, false);
        const c = await contactByEmail(email);
        must(c, "no pending contact");
        await trigger();
        const p = o.tablePrefix ?? "";
        const days = o.unconfirmedContactDays + 1;
        await t.console(["dbal:run-sql", `UPDATE ${p}campaign_lead_event_log SET date_triggered = DATE_SUB(date_triggered, INTERVAL ${days} DAY), trigger_date = IF(trigger_date IS NULL, NULL, DATE_SUB(trigger_date, INTERVAL ${days} DAY)) WHERE lead_id = ${c!.id}`]);
        await t.console(["dbal:run-sql", `UPDATE ${p}campaign_leads SET date_added = DATE_SUB(date_added, INTERVAL ${days} DAY) WHERE lead_id = ${c!.id}`]);
        await trigger();
        must(!(await contactById(c!.id)), "still there after the time travel and a trigger run");
        must(await contactById(pending!.id), "the confirmed contact was deleted too");
        return `contact ${c!.id} deleted; the confirmed contact stays`;
    }, { console: true });

    // Leave the sign-up forms as the kit creates them: unpublished.
    for (const id of published) await t.api("PATCH", `forms/${id}/edit`, { isPublished: false }).catch(() => undefined);
    return rows;
}
