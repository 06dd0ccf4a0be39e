/**
 * The kit's DOI endpoint (templates/doiEndpoint/, PHP) run by php-cli's server against a
 * real MariaDB (the ledger) and a loopback fake of Mautic's REST API: sign-up, the link, the
 * confirmation POST, forged and expired tokens, known contacts, throttling, the CLI.
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import { createHmac } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { doiEndpointFiles, renderDoiEndpointConfig } from "../../components/doi/doiEndpoint";
import { FakeDoiMautic } from "../support/fake-doi-mautic";
import { freePort } from "../support/loopback";
import { MariaDbServer } from "../support/mariadb";
import { requireTool } from "../support/tools";

const secret = "s3cret-for-the-endpoint-test-0123456789abcdef";
const host = "marketing.example.test";
let db: MariaDbServer;
let api: FakeDoiMautic;
let php: ChildProcess;
let port = 0;
let dir: string;
let configFile: string;

beforeAll(async () => {
    const phpBin = requireTool("php");
    db = await MariaDbServer.start();
    db.sql("CREATE DATABASE mautic; CREATE USER 'mautic'@'localhost' IDENTIFIED BY 'mautic-pw'; GRANT ALL ON mautic.* TO 'mautic'@'localhost';");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-doi-"));
    for (const f of doiEndpointFiles()) fs.writeFileSync(path.join(dir, path.basename(f.path)), f.content);
    api = new FakeDoiMautic("kit-api", "api-pw", host);
    const apiPort = await api.start();
    const config = JSON.parse(
        renderDoiEndpointConfig({
            host,
            website: "https://www.example.test",
            secret,
            apiUser: "kit-api",
            apiPassword: "api-pw",
            apiBase: `http://127.0.0.1:${apiPort}`,
            languages: ["de", "en"],
            unconfirmedContactDays: 3,
            withdrawalContact: "privacy@example.test",
        }),
    );
    // In the container the endpoint reads Mautic's config/local.php; here a DSN for the test database.
    Object.assign(config, { db_dsn: `mysql:unix_socket=${db.socket};dbname=mautic;charset=utf8mb4`, db_user: "mautic", db_password: "mautic-pw" });
    configFile = path.join(dir, "doi-config.json");
    fs.writeFileSync(configFile, JSON.stringify(config), { mode: 0o600 });
    port = await freePort(20000, 20999);
    php = spawn(phpBin, ["-S", `127.0.0.1:${port}`, path.join(dir, "doi.php")], {
        env: { ...process.env, KIT_DOI_CONFIG: configFile },
        stdio: ["ignore", "ignore", "pipe"],
    });
    for (let i = 0; i < 50; i++) {
        try {
            await request("GET", "/kit/doi/form?lang=en");
            return;
        } catch {
            await new Promise((r) => setTimeout(r, 100));
        }
    }
    throw new Error("php -S did not answer");
}, 60_000);

afterAll(async () => {
    php?.kill();
    await api?.stop();
    await db?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function request(method: "GET" | "POST", p: string, form?: Record<string, string>): Promise<{ status: number; body: string; location?: string }> {
    return new Promise((resolve, reject) => {
        const body = form ? new URLSearchParams(form).toString() : undefined;
        const req = http.request(
            {
                host: "127.0.0.1",
                port,
                path: p,
                method,
                headers: body ? { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body) } : {},
            },
            (res) => {
                let text = "";
                res.on("data", (d) => (text += d));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, location: res.headers.location }));
            },
        );
        req.on("error", reject);
        if (body) req.write(body);
        req.end();
    });
}

const ledger = (where = "1=1") =>
    db.sql(
        `SELECT signup_id, address_key, contact_id, contact_created, outcome, mail_sent_at IS NOT NULL, confirmed_at IS NOT NULL, tracking_text_sha256 IS NOT NULL, language FROM kit_consent_ledger WHERE ${where} ORDER BY signed_up_at, signup_id`,
        "mautic",
    );
const keyOf = (email: string) => createHmac("sha256", secret).update(`address:${email.trim().toLowerCase()}`).digest("hex");
const signup = (email: string, extra: Record<string, string> = {}) => request("POST", "/kit/doi/signup", { email, consent: "1", lang: "en", ...extra });
const lastLink = () => new URL(api.sent[api.sent.length - 1].tokens.kit_doi_confirm_url);

test("the hosted form: consent box required and unticked, tracking box optional and unticked", async () => {
    const r = await request("GET", "/kit/doi/form?lang=de");
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/<input type="checkbox" name="consent" value="1" required>/);
    expect(r.body).toMatch(/<input type="checkbox" name="tracking" value="1">/);
    expect(r.body).not.toMatch(/checked/);
    expect(r.body).toContain("privacy@example.test");
});

test("a sign-up without the consent box is refused: no contact, no ledger row", async () => {
    const r = await request("POST", "/kit/doi/signup", { email: "noconsent@example.org", lang: "en" });
    expect(r.status).toBe(400);
    expect(api.contacts.size).toBe(0);
    expect(db.value("SELECT COUNT(*) FROM kit_consent_ledger", "mautic")).toBe("0");
});

test("sign-up -> mail with a token link; GET confirms nothing; a forged POST is refused; the right POST confirms", async () => {
    const r = await signup(" New.Person@Example.org ", { tracking: "1", form: "footer" });
    expect(r.status).toBe(200);
    const contact = [...api.contacts.values()].find((c) => c.fields.email === "new.person@example.org")!;
    expect(contact.tags).toEqual(["doi-pending"]);
    const rows = ledger(`address_key = '${keyOf("new.person@example.org")}'`);
    expect(rows).toHaveLength(1);
    const [signupId, , contactId, created, outcome, mailed, confirmed, tracking] = rows[0];
    expect([contactId, created, outcome, mailed, confirmed, tracking]).toEqual([String(contact.id), "1", "mail-sent", "1", "0", "1"]);
    expect(api.sent).toHaveLength(1);
    expect(api.sent[0]).toMatchObject({ emailId: 8, contactId: contact.id });
    const link = lastLink();
    expect(link.origin).toBe(`https://${host}`);
    expect(link.pathname).toBe("/kit/doi/confirm");
    const token = link.searchParams.get("t")!;
    expect(token.startsWith(`${signupId}.`)).toBe(true);
    // The database holds no address: only the keyed hash.
    expect(db.value("SELECT COUNT(*) FROM kit_consent_ledger WHERE address_key LIKE '%example%'", "mautic")).toBe("0");

    const page = await request("GET", `/kit/doi/confirm?t=${token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<input type="hidden" name="t" value="${token}">`);
    expect(ledger(`signup_id = '${signupId}'`)[0][6]).toBe("0");
    expect(contact.tags).toEqual(["doi-pending"]);

    const callsBefore = api.calls.length;
    const forged = [
        `${signupId}.${"0".repeat(64)}`,
        `${signupId}.${createHmac("sha256", "another-secret")
            .update(`confirm:${signupId}:${keyOf("new.person@example.org")}`)
            .digest("hex")}`,
        `${signupId}`,
        "",
    ];
    for (const t of forged) {
        const f = await request("POST", "/kit/doi/confirm", { t });
        expect(f.status).toBe(403);
    }
    expect(api.calls.length).toBe(callsBefore);
    expect(ledger(`signup_id = '${signupId}'`)[0][6]).toBe("0");

    const ok = await request("POST", "/kit/doi/confirm", { t: token });
    expect(ok.status).toBe(200);
    expect(contact.tags).toEqual(["doi-confirmed"]);
    expect(contact.fields).toMatchObject({ consent_text_version: "v1", consent_language: "en", tracking_consent: "tracking-v1" });
    expect(contact.fields.consent_date).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(ledger(`signup_id = '${signupId}'`)[0].slice(4, 7)).toEqual(["confirmed", "1", "1"]);
    expect(db.value(`SELECT confirm_event FROM kit_consent_ledger WHERE signup_id = '${signupId}'`, "mautic")).toBe("button-post");
    // The consent texts are archived by hash.
    const archived = db.sql(
        `SELECT kind, CONVERT(SHA2(body, 256) USING ascii) = sha256 FROM kit_consent_texts t JOIN kit_consent_ledger l ON t.sha256 IN (l.consent_text_sha256, l.notice_sha256, l.tracking_text_sha256) WHERE l.signup_id = '${signupId}' ORDER BY kind`,
        "mautic",
    );
    expect(archived).toEqual([
        ["consent", "1"],
        ["notice", "1"],
        ["tracking", "1"],
    ]);

    const again = await request("POST", "/kit/doi/confirm", { t: token });
    expect(again.status).toBe(200);
});

test("the one-click withdrawal of the profile consent: token set on confirmation; GET changes nothing; a forged POST 403; the POST clears the derived data and keeps the subscription", async () => {
    const contact = [...api.contacts.values()].find((c) => c.fields.email === "new.person@example.org")!;
    const token = String(contact.fields.profiling_token);
    const mac = createHmac("sha256", secret).update(`profiling:${contact.id}`).digest("hex").slice(0, 32);
    expect(token).toBe(`${contact.id}.${mac}`);
    // Mautic's tables, as much of them as the withdrawal touches (the fake API keeps its contacts in memory).
    db.sql(
        "CREATE TABLE IF NOT EXISTS leads (id BIGINT UNSIGNED PRIMARY KEY, email VARCHAR(191), points INT NOT NULL DEFAULT 0, tracking_consent VARCHAR(191) NULL); " +
            "CREATE TABLE IF NOT EXISTS page_hits (id INT AUTO_INCREMENT PRIMARY KEY, lead_id BIGINT UNSIGNED NULL); " +
            "CREATE TABLE IF NOT EXISTS lead_points_change_log (id INT AUTO_INCREMENT PRIMARY KEY, lead_id BIGINT UNSIGNED NOT NULL, delta INT NOT NULL); " +
            "CREATE TABLE IF NOT EXISTS lead_donotcontact (id INT AUTO_INCREMENT PRIMARY KEY, lead_id BIGINT UNSIGNED NULL, reason SMALLINT NOT NULL, channel VARCHAR(191) NOT NULL); " +
            `INSERT INTO leads VALUES (${contact.id}, 'new.person@example.org', 12, 'tracking-v1'), (${contact.id + 1000}, 'other@example.org', 5, 'tracking-v1'); ` +
            `INSERT INTO page_hits (lead_id) VALUES (${contact.id}), (${contact.id}), (${contact.id + 1000}); ` +
            `INSERT INTO lead_points_change_log (lead_id, delta) VALUES (${contact.id}, 12), (${contact.id + 1000}, 5); ` +
            `INSERT INTO lead_donotcontact (lead_id, reason, channel) VALUES (${contact.id}, 2, 'email')`,
        "mautic",
    );
    const state = () =>
        db.sql(
            "SELECT l.id, l.points, IFNULL(l.tracking_consent, 'NULL'), (SELECT COUNT(*) FROM page_hits h WHERE h.lead_id = l.id), " +
                "(SELECT COUNT(*) FROM lead_points_change_log p WHERE p.lead_id = l.id), (SELECT COUNT(*) FROM lead_donotcontact d WHERE d.lead_id = l.id) FROM leads l ORDER BY l.id",
            "mautic",
        );
    const before = state();
    const page = await request("GET", `/kit/doi/profiling?t=${token}&lang=de`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<form method="post" action="/kit/doi/profiling">');
    expect(page.body).toContain(`<input type="hidden" name="t" value="${token}">`);
    expect(page.body).toContain("Einwilligung in das Interessenprofil widerrufen");
    expect(state()).toEqual(before);
    for (const t of [`${contact.id}.${"0".repeat(32)}`, `${contact.id + 1000}.${mac}`, `${contact.id}.${mac}0`, ""]) {
        expect((await request("POST", "/kit/doi/profiling", { t })).status).toBe(403);
    }
    expect(state()).toEqual(before);
    const ok = await request("POST", "/kit/doi/profiling", { t: token, lang: "de" });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain("Ihre Einwilligung in das Interessenprofil ist widerrufen");
    // The contact: consent cleared, points 0, hits and points log gone, its do-not-contact entry kept; the other contact untouched.
    expect(state()).toEqual([[String(contact.id), "0", "NULL", "0", "0", "1"], before[1]]);
    expect(contact.tags).toEqual(["doi-confirmed"]);
    db.sql(`DELETE FROM leads WHERE id = ${contact.id}`, "mautic");
    expect((await request("POST", "/kit/doi/profiling", { t: token })).status).toBe(410);
});

test("a sign-up with a known address changes nothing on that contact; a confirmed one gets no mail", async () => {
    const confirmed = api.add("known@example.org", ["doi-confirmed", "vip"], { consent_date: "2025-01-02 03:04:05", consent_text_version: "v0" }, ["email"]);
    const before = JSON.stringify(confirmed);
    const sentBefore = api.sent.length;
    expect((await signup("KNOWN@example.org")).status).toBe(200);
    expect(JSON.stringify(confirmed)).toBe(before);
    expect(api.sent.length).toBe(sentBefore);
    expect(ledger(`address_key = '${keyOf("known@example.org")}'`)[0].slice(2, 5)).toEqual([String(confirmed.id), "0", "already-confirmed"]);

    const imported = api.add("imported@example.org", ["crm"], { firstname: "Ida" }, ["email"]);
    const importedBefore = JSON.stringify(imported);
    expect((await signup("imported@example.org")).status).toBe(200);
    expect(JSON.stringify(imported)).toBe(importedBefore);
    expect(api.calls.filter((c) => c.startsWith(`PATCH contacts/${imported.id}`))).toEqual([]);
    const row = ledger(`address_key = '${keyOf("imported@example.org")}'`)[0];
    expect(row.slice(2, 5)).toEqual([String(imported.id), "0", "mail-sent"]);
    // Its owner confirms: now, and only now, the contact changes (and is subscribed again).
    expect((await request("POST", "/kit/doi/confirm", { t: lastLink().searchParams.get("t")! })).status).toBe(200);
    expect(imported.tags).toEqual(["crm", "doi-confirmed"]);
    expect(imported.dnc).toEqual([]);
    expect(imported.fields.firstname).toBe("Ida");
});

test("look-alike addresses Mautic's prefix search returns never stand in for the address; the known contact is found behind pages of them", async () => {
    // Mautic's `email:` search is a prefix LIKE with `_` as a wildcard (measured on 5.2.1).
    api.maxPageSize = 10;
    try {
        const wildcardTwin = api.add("axb@example.org", ["doi-confirmed"]);
        expect((await signup("a_b@example.org")).status).toBe(200);
        const created = [...api.contacts.values()].find((c) => c.fields.email === "a_b@example.org");
        expect(created?.tags).toEqual(["doi-pending"]);
        expect(wildcardTwin.tags).toEqual(["doi-confirmed"]);

        // 25 longer addresses with lower ids than the confirmed contact: three pages of 10.
        for (let i = 0; i < 25; i++) api.add(`paged@example.org${i}`);
        const paged = api.add("paged@example.org", ["doi-confirmed"]);
        const sentBefore = api.sent.length;
        expect((await signup("paged@example.org")).status).toBe(200);
        expect(api.sent.length).toBe(sentBefore);
        expect(ledger(`address_key = '${keyOf("paged@example.org")}'`)[0].slice(2, 5)).toEqual([String(paged.id), "0", "already-confirmed"]);
        expect(api.calls.filter((c) => c === "GET contacts").length).toBeGreaterThanOrEqual(3);
    } finally {
        api.maxPageSize = 100;
    }
});

test("a second sign-up within the resend window sends no second mail", async () => {
    await signup("twice@example.org");
    const n = api.sent.length;
    expect((await signup("twice@example.org")).status).toBe(200);
    expect(api.sent.length).toBe(n);
    expect(
        ledger(`address_key = '${keyOf("twice@example.org")}'`)
            .map((r) => r[4])
            .sort(),
    ).toEqual(["mail-sent", "throttled"]);
});

test("an expired link and a deleted contact confirm nothing (410)", async () => {
    await signup("late@example.org");
    const t = lastLink().searchParams.get("t")!;
    db.sql(`UPDATE kit_consent_ledger SET signed_up_at = signed_up_at - INTERVAL 4 DAY WHERE signup_id = '${t.slice(0, 32)}'`, "mautic");
    expect((await request("GET", `/kit/doi/confirm?t=${t}`)).status).toBe(410);
    expect((await request("POST", "/kit/doi/confirm", { t })).status).toBe(410);

    await signup("gone@example.org");
    const t2 = lastLink().searchParams.get("t")!;
    const id = Number(db.value(`SELECT contact_id FROM kit_consent_ledger WHERE signup_id = '${t2.slice(0, 32)}'`, "mautic"));
    api.contacts.delete(id);
    expect((await request("POST", "/kit/doi/confirm", { t: t2 })).status).toBe(410);
    expect(db.value(`SELECT confirmed_at IS NULL FROM kit_consent_ledger WHERE signup_id = '${t2.slice(0, 32)}'`, "mautic")).toBe("1");
});

test("a failed send is answered 503 and recorded; unknown paths and methods are refused", async () => {
    api.failSend = true;
    expect((await signup("fail@example.org")).status).toBe(503);
    api.failSend = false;
    expect(ledger(`address_key = '${keyOf("fail@example.org")}'`)[0][4]).toBe("mail-failed");
    expect((await request("GET", "/kit/doi/signup")).status).toBe(405);
    expect((await request("GET", "/kit/doi/other")).status).toBe(404);
    expect((await signup("not-an-address")).status).toBe(400);
});

test("the CLI prints the ledger key of an address (dsr export) and never the secret", () => {
    const out = execFileSync(requireTool("php"), [path.join(dir, "doi.php"), "address-key"], {
        input: " Known@Example.org\n",
        env: { ...process.env, KIT_DOI_CONFIG: configFile },
        encoding: "utf8",
    });
    expect(out.trim()).toBe(keyOf("known@example.org"));
    expect(out).not.toContain(secret);
});
