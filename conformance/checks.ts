/**
 * The conformance checks of the double opt-in as the kit runs it (docs/evidence/conformance.md):
 * the kit's real provisioner against a live Mautic, then the kit's DOI endpoint (/kit/doi/*,
 * served by that Mautic's Apache) as a visitor, a mailbox, a forger and an auditor see it, with
 * Mautic's queues and worker as the kit configures them. Each check is one row; later checks use
 * what earlier ones found (a failed prerequisite fails its dependants with the reason). A check
 * whose means are missing (--mail-dir, --mysql, --worker-stop/--worker-start, --maintenance) is
 * reported as skipped, and the run is then not a full pass.
 */
import { ensureDoiSetup } from "../components/doi/doiProvisioner";
import {
    consentLabelMarkers,
    DoiBlueprint,
    DoiLanguage,
    doiBlueprint,
    doiFields,
    doiTags,
    trackingConsentValue,
    type JsonObject,
    type MauticLine,
} from "../components/doi/doiBlueprint";
import { ledgerChecks } from "./ledgerChecks";
import { profilingChecks } from "./profilingChecks";
import { queueChecks } from "./queueChecks";
import { webhookChecks } from "./webhookChecks";
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
    unsubscribedMinimiseDays?: number;
    mauticLine: MauticLine;
    languages: DoiLanguage[];
    /** Sender the confirmation mail must come from; default: anything but Mautic's placeholder. */
    expectFrom?: string;
    /** A text the hosted form's consent label must show (e.g. the stack's controllerName); the markers are refused either way. */
    expectLabel?: string;
    /** Unique part of the test addresses. Default: the current time. */
    runId?: string;
    log?: (line: string) => void;
}

export class CheckFailed extends Error {}
export const must = (cond: unknown, message: string): void => {
    if (!cond) throw new CheckFailed(message);
};

export interface Contact {
    id: number;
    fields: Record<string, unknown>;
    tags: string[];
    ips: string[];
    dnc: { channel: string; reason: number }[];
}

function asContact(raw: JsonObject): Contact {
    const all = ((raw.fields as JsonObject | undefined)?.all ?? {}) as Record<string, unknown>;
    const list = (v: unknown) => (Array.isArray(v) ? v : Object.values((v ?? {}) as JsonObject));
    const tags = list(raw.tags).map((t) => (t && typeof t === "object" ? String((t as JsonObject).tag) : String(t)));
    const ips = list(raw.ipAddresses).map((i) => (i && typeof i === "object" ? String((i as JsonObject).ipAddress ?? (i as JsonObject).ip) : String(i)));
    const dnc = list(raw.doNotContact).map((d) => ({ channel: String((d as JsonObject).channel), reason: Number((d as JsonObject).reason) }));
    return { id: Number(raw.id), fields: all, tags, ips, dnc };
}

type Needs = { mail?: boolean; mysql?: boolean; worker?: boolean; maintenance?: boolean };

export type Runner = (id: string, title: string, fn: () => Promise<string>, needs?: Needs) => Promise<boolean>;

export async function runConformance(t: Target, o: ConformanceOptions): Promise<CheckRow[]> {
    const rows: CheckRow[] = [];
    const log = o.log ?? (() => undefined);
    const missing = (n: Needs): string | undefined =>
        n.mail && !t.opts.mailDir
            ? "--mail-dir"
            : n.mysql && !t.opts.mysql
              ? "--mysql"
              : n.worker && !(t.opts.workerStop && t.opts.workerStart)
                ? "--worker-stop/--worker-start"
                : n.maintenance && !t.opts.maintenance
                  ? "--maintenance"
                  : undefined;
    const run: Runner = async (id, title, fn, needs = {}) => {
        const m = missing(needs);
        if (m) {
            rows.push({ id, title, status: "skip", detail: `needs ${m}` });
            return false;
        }
        try {
            rows.push({ id, title, status: "pass", detail: await fn() });
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
        bp = doiBlueprint({
            mauticUrl: origin,
            website: o.website,
            unconfirmedContactDays: o.unconfirmedContactDays,
            languages: o.languages,
            mauticLine: o.mauticLine,
        });
    } catch (e) {
        return [
            {
                id: "provision",
                title: "fresh provisioning with the kit's provisioner succeeds",
                status: "fail",
                detail: `${(e as Error).message.replace(/\s+/g, " ")} (give --host-header with Mautic's public name when --mautic-url is a plain-http port)`,
            },
        ];
    }
    const runId = o.runId ?? String(Date.now());
    const address = (what: string) => `conformance-${what}-${runId}@example.org`;
    const lang = o.languages[0];
    const version = bp.settings.consentTextVersion;

    const contactByEmail = async (email: string): Promise<Contact | undefined> => {
        const body = await t.api("GET", `contacts?search=${encodeURIComponent(`email:${email}`)}&limit=20`);
        const list = Array.isArray(body.contacts) ? body.contacts : Object.values((body.contacts ?? {}) as JsonObject);
        return (list as JsonObject[]).map(asContact).find((c) => String(c.fields.email ?? "").toLowerCase() === email.toLowerCase());
    };
    const contactById = async (id: number): Promise<Contact | undefined> => {
        try {
            return asContact((await t.api("GET", `contacts/${id}`)).contact as JsonObject);
        } catch (e) {
            if (/HTTP 404/.test((e as Error).message)) return undefined;
            throw e;
        }
    };
    const signup = (email: string, consent = true, tracking = false) =>
        t.visit("POST", "/kit/doi/signup", [
            ["email", email],
            ["lang", lang],
            ["form", "conformance"],
            ...(consent ? [["consent", "1"] as [string, string]] : []),
            ...(tracking ? [["tracking", "1"] as [string, string]] : []),
        ]);
    const confirmLink = (mail: string): string | undefined =>
        tagsOf(mailHtml(mail), "a")
            .map((a) => a.href)
            .find((h) => /\/kit\/doi\/confirm\?t=/.test(h ?? ""));
    const tokenOf = (link: string) => new URL(link).searchParams.get("t") ?? "";

    // 1. Provisioning: only what the endpoint needs; a second run changes nothing.
    let emailHtml = "";
    const provisioned = await run("provision", "the kit's provisioner creates the tags, fields, confirmation e-mails and segments", async () => {
        const r = await ensureDoiSetup(t, bp, (m) => log(`  ${m}`));
        // Quoted, as the endpoint searches: unquoted, Mautic reads "DOI: ..." as a filter command.
        const list = await t.api("GET", `emails?search=${encodeURIComponent(`"${bp.objects.find((x) => x.resource === "emails")!.matchValue}"`)}&limit=10`);
        const emails = (Array.isArray(list.emails) ? list.emails : Object.values((list.emails ?? {}) as JsonObject)) as JsonObject[];
        emailHtml = String(emails[0]?.customHtml ?? "");
        must(
            emailHtml.includes("{kit_doi_confirm_url}"),
            "GET /api/emails returns no customHtml with {kit_doi_confirm_url} (the endpoint checks it before sending)",
        );
        return `${r.created.length} created, ${r.existing.length} already there; GET /api/emails lists customHtml with the link token`;
    });
    await run("idempotent", "second run: 0 POSTs, no drift", async () => {
        must(provisioned, "provisioning failed");
        const before = t.posts;
        const r = await ensureDoiSetup(t, bp);
        must(t.posts === before, `${t.posts - before} POSTs on the second run`);
        must(r.drift.length === 0, `drift: ${r.drift.join(" | ")}`);
        return "0 POSTs, no drift, no retired object";
    });

    // 2. The hosted form and a refused sign-up.
    await run("form-page", `GET /kit/doi/form (${lang}): consent box required and unticked, click-measurement box optional and unticked, notice`, async () => {
        const r = await t.visit("GET", `/kit/doi/form?lang=${lang}`);
        must(r.status === 200, `HTTP ${r.status}`);
        const boxes = tagsOf(r.body, "input").filter((a) => a.type === "checkbox");
        const consent = boxes.find((a) => a.name === "consent");
        const tracking = boxes.find((a) => a.name === "tracking");
        must(consent && "required" in consent && !("checked" in consent), "consent box missing, optional or pre-ticked");
        must(tracking && !("required" in tracking) && !("checked" in tracking), "click-measurement box missing, required or pre-ticked");
        must(r.setCookie.length === 0, `the form sets cookies: ${r.setCookie.join("; ")}`);
        // The consent label must name who advertises what (BGH I ZR 169/10): no marker left.
        const text = htmlText(r.body);
        const markers = Object.values(consentLabelMarkers[lang]).filter((m) => text.includes(m));
        must(markers.length === 0, `the consent label still shows ${markers.join(" and ")} (set controllerName and newsletterTopics)`);
        if (o.expectLabel) must(text.includes(o.expectLabel), `the form does not show ${JSON.stringify(o.expectLabel)}`);
        return `both boxes as required, no cookie, no placeholder in the consent label${o.expectLabel ? ` (names ${JSON.stringify(o.expectLabel)})` : ""}; ${text.length} characters of text`;
    });
    await run("refuse-without-consent", "a sign-up without the consent box: 400, no contact", async () => {
        const email = address("noconsent");
        const r = await signup(email, false);
        must(r.status === 400, `HTTP ${r.status}`);
        must(!(await contactByEmail(email)), "a contact was created without consent");
        return "HTTP 400, no contact";
    });

    // 3. A sign-up: the contact, no IP, the mail after the worker sent it.
    const pendingEmail = address("pending");
    let pending: Contact | undefined;
    let link: string | undefined;
    await run(
        "signup",
        "a sign-up creates a pending contact with no IP attached, found exactly (not a look-alike address `search=email:` also returns)",
        async () => {
            must(provisioned, "provisioning failed");
            // Mautic's `email:` search is a prefix match: a contact whose address extends this one is
            // returned too, and the endpoint must neither take it for the sign-up nor touch it.
            const nearMiss = Number(((await t.api("POST", "contacts/new", { email: `${pendingEmail}x` })).contact as JsonObject).id);
            const r = await signup(pendingEmail, true, true);
            must(r.status === 200, `POST /kit/doi/signup: HTTP ${r.status}`);
            const body = await t.api("GET", `contacts?search=${encodeURIComponent(`email:${pendingEmail}`)}&limit=20`);
            const list = (Array.isArray(body.contacts) ? body.contacts : Object.values((body.contacts ?? {}) as JsonObject)) as JsonObject[];
            pending = await contactByEmail(pendingEmail);
            must(pending, "no contact with the address");
            must(pending!.id !== nearMiss, `the sign-up was attached to the look-alike contact ${nearMiss}`);
            must(pending!.tags.includes(doiTags.pending) && !pending!.tags.includes(doiTags.confirmed), `tags ${JSON.stringify(pending!.tags)}`);
            must(pending!.ips.length === 0, `contacts/new attached IPs ${JSON.stringify(pending!.ips)}`);
            must(!pending!.fields[doiFields.consentDate], "consent_date set before confirmation");
            const other = await contactById(nearMiss);
            must(other && other.tags.length === 0, `the look-alike contact ${nearMiss} was changed: tags ${JSON.stringify(other?.tags)}`);
            return `contact ${pending!.id} doi-pending, no IP; \`search=email:\` returned ${list.length} contacts for the address (prefix match: the look-alike ${nearMiss} ${list.some((c) => Number(c.id) === nearMiss) ? "included" : "not included"}), the endpoint took the exact one and left ${nearMiss} untouched`;
        },
    );
    await run(
        "mail",
        "the worker sends the confirmation mail: configured sender, https token link intact, no open pixel, no tracked /r/ links",
        async () => {
            must(pending, "no pending contact");
            const mail = (await t.waitForMail(pendingEmail))[0];
            const from = mailHeader(mail, "From") ?? "";
            must(!/email@yoursite\.com/i.test(from), `From is Mautic's placeholder: ${from}`);
            if (o.expectFrom) must(from.toLowerCase().includes(o.expectFrom.toLowerCase()), `From ${from}, expected ${o.expectFrom}`);
            const html = mailHtml(mail);
            link = confirmLink(mail);
            must(link, "no /kit/doi/confirm?t= link in the mail (did Mautic's input cleaning eat the token?)");
            must(
                link!.startsWith(`${origin}/kit/doi/confirm?t=`) && /^[0-9a-f]{32}\.[0-9a-f]{64}$/.test(tokenOf(link!)),
                `link ${link} is not https://<mautic>/kit/doi/confirm?t=<id>.<mac>`,
            );
            must(!/\/email\/[A-Za-z0-9]+\.gif/.test(html), "open-tracking pixel in the mail");
            const tracked = tagsOf(html, "a")
                .map((a) => a.href ?? "")
                .filter((h) => /\/r\/[A-Za-z0-9]/.test(h));
            must(tracked.length === 0, `tracked redirect links without consent: ${tracked.join(" ")}`);
            return `From: ${from}; link ${link!.replace(/t=.*/, "t=<token>")}; no pixel, no /r/ link`;
        },
        { mail: true },
    );
    await run(
        "get-confirms-nothing",
        "GET of the link (a scanner) shows the button and confirms nothing",
        async () => {
            must(link, "no link");
            const r = await t.visit("GET", link!);
            must(r.status === 200, `HTTP ${r.status}`);
            must(
                tagsOf(r.body, "form").some((f) => f.method?.toLowerCase() === "post" && f.action === "/kit/doi/confirm"),
                "no POST form on the page",
            );
            const c = await contactById(pending!.id);
            must(c && !c.tags.includes(doiTags.confirmed) && !c.fields[doiFields.consentDate], "the GET confirmed the contact");
            return "page with one POST button; contact still pending";
        },
        { mail: true },
    );
    await run(
        "forged-post",
        "a POST without the right token is refused (403) and changes nothing",
        async () => {
            must(link, "no link");
            const [id, mac] = tokenOf(link!).split(".");
            const forged = [`${id}.${mac.replace(/^./, (c) => (c === "0" ? "1" : "0"))}`, `${id}.${"0".repeat(64)}`, "", `${"f".repeat(32)}.${mac}`];
            for (const tok of forged) {
                const r = await t.visit("POST", "/kit/doi/confirm", [["t", tok]]);
                must(r.status === 403, `token ${tok.slice(0, 12)}...: HTTP ${r.status}`);
            }
            const c = await contactById(pending!.id);
            must(c && !c.tags.includes(doiTags.confirmed), "a forged POST confirmed the contact");
            return `${forged.length} forged tokens refused with 403`;
        },
        { mail: true },
    );

    // 4. The confirmation with the worker stopped and the queues full.
    await run(
        "confirm-worker-stopped",
        "with the worker stopped and mails queued, the button confirms at once; consent_date in UTC",
        async () => {
            must(link, "no link");
            await t.shell("workerStop");
            try {
                for (let i = 0; i < 3; i++) must((await signup(address(`queued${i}`))).status === 200, "sign-up while the worker is stopped failed");
                const queued = Number((await t.sql("SELECT COUNT(*) AS n FROM messenger_messages WHERE delivered_at IS NULL"))[0].n);
                must(queued >= 3, `only ${queued} messages waiting in the queue`);
                const before = Date.now();
                const r = await t.visit("POST", "/kit/doi/confirm", [["t", tokenOf(link!)]]);
                must(r.status === 200, `POST /kit/doi/confirm: HTTP ${r.status}`);
                const c = await contactById(pending!.id);
                must(c && c.tags.includes(doiTags.confirmed) && !c.tags.includes(doiTags.pending), `tags ${JSON.stringify(c?.tags)}`);
                must(c!.fields[doiFields.consentTextVersion] === version && c!.fields[doiFields.consentLanguage] === lang, "version/language not recorded");
                must(
                    c!.fields[doiFields.trackingConsent] === trackingConsentValue(version),
                    `tracking_consent ${JSON.stringify(c!.fields[doiFields.trackingConsent])}`,
                );
                const stored = Date.parse(`${String(c!.fields[doiFields.consentDate]).replace(" ", "T")}Z`);
                must(
                    Math.abs(stored - before) < 5 * 60 * 1000,
                    `consent_date ${c!.fields[doiFields.consentDate]} read as UTC is not now (${new Date(before).toISOString()})`,
                );
                const mailedBefore = [0, 1, 2].filter((i) => t.mailsTo(address(`queued${i}`)).length > 0).length;
                must(mailedBefore === 0, `${mailedBefore} of the 3 mails arrived with the worker stopped (not queued?)`);
                await t.shell("workerStart");
                for (let i = 0; i < 3; i++) await t.waitForMail(address(`queued${i}`));
                return `confirmed with ${queued} messages queued and no worker; consent_date ${c!.fields[doiFields.consentDate]} (UTC; Mautic keeps minutes); the 3 queued mails arrived only after the worker started again`;
            } finally {
                await t.shell("workerStart");
            }
        },
        { mail: true, mysql: true, worker: true },
    );

    // Before the ledger checks: they minimise the confirmed contact.
    await profilingChecks(run, t, { address, contactById, confirmedId: () => pending?.id, version });
    await ledgerChecks(run, t, { ...o, address, signup, contactByEmail, contactById, pendingId: () => pending?.id });
    await queueChecks(run, t, { address, signup });
    await webhookChecks(run, t, runId);
    await t.close();
    return rows;
}
