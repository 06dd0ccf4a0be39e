/**
 * `npm run conformance` with the kit's real DOI endpoint (templates/doiEndpoint/, run by php-cli's
 * server) in front of loopback fakes of Mautic: the provisioning API (tests/support/fakeMauticApi.ts)
 * and the API calls the endpoint makes (tests/support/fake-doi-mautic.ts, with the search
 * semantics measured on a real 5.2.1). Mails go through a queue in a real MariaDB
 * (`messenger_messages`, as Mautic's doctrine transport) that a "worker" delivers into a mail
 * directory unless it is stopped, so the endpoint rows run here as they do against a real Mautic
 * (docs/evidence/conformance.md). Rows that need Mautic's own tables or the host's privacy
 * maintenance cannot run against fakes: without --maintenance they are skipped, and the erasure
 * row fails on the missing Mautic schema; the run therefore exits 1.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { main } from "../../conformance/cli";
import { doiEndpointFiles, renderDoiEndpointConfig } from "../../components/doi/doiEndpoint";
import { FakeDoiMautic } from "../support/fake-doi-mautic";
import { FakeMauticApi } from "../support/fakeMauticApi";
import { closeServer, listenInRange } from "../support/loopback";
import { MariaDbServer } from "../support/mariadb";
import { requireTool } from "../support/tools";

const user = "admin";
const password = "Corr3ct-Horse-Battery";
const host = "marketing.client-a.test";
let db: MariaDbServer;
let provisioning: FakeMauticApi;
let contacts: FakeDoiMautic;
let php: ChildProcess;
let router: http.Server;
let routerUrl = "";
let dir: string;
let worker: NodeJS.Timeout;

const hex = (s: string) => Buffer.from(s, "utf8").toString("hex");

/** Mautic's doctrine transport and its worker: queued rows, delivered only while no stop flag exists. */
function deliverQueued(mailDir: string, stopFlag: string): void {
    if (fs.existsSync(stopFlag)) return;
    for (const [id, body] of db.sql("SELECT id, CONVERT(body USING utf8mb4) FROM messenger_messages WHERE delivered_at IS NULL ORDER BY id", "mautic")) {
        const m = JSON.parse(body) as { to: string; subject: string; html: string };
        const eml = `From: Kit Test <news@client-a.test>\r\nTo: <${m.to}>\r\nSubject: ${m.subject}\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${m.html}\r\n`;
        fs.writeFileSync(path.join(mailDir, `.${id}.tmp`), eml);
        fs.renameSync(path.join(mailDir, `.${id}.tmp`), path.join(mailDir, `${Date.now()}-${id}.eml`));
        db.sql(`DELETE FROM messenger_messages WHERE id = ${Number(id)}`, "mautic");
    }
}

/** Forwards a request unchanged (Host included) to a loopback port. */
function forward(req: http.IncomingMessage, res: http.ServerResponse, port: number): void {
    const up = http.request({ host: "127.0.0.1", port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
    });
    up.on("error", (e) => {
        res.writeHead(502);
        res.end(String(e));
    });
    req.pipe(up);
}

beforeAll(async () => {
    const phpBin = requireTool("php");
    db = await MariaDbServer.start();
    db.sql(`CREATE DATABASE mautic; CREATE USER 'mautic'@'localhost' IDENTIFIED BY 'mautic-pw'; GRANT ALL ON mautic.* TO 'mautic'@'localhost';
        CREATE TABLE mautic.messenger_messages (id BIGINT AUTO_INCREMENT PRIMARY KEY, body LONGTEXT NOT NULL, headers LONGTEXT NOT NULL, queue_name VARCHAR(190) NOT NULL,
          created_at DATETIME NOT NULL, available_at DATETIME NOT NULL, delivered_at DATETIME NULL);`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "conformance-endpoint-"));
    fs.mkdirSync(path.join(dir, "mail"));
    fs.mkdirSync(path.join(dir, "kit-doi"));

    provisioning = new FakeMauticApi({ username: user, password, line: "5.2" });
    const provisioningPort = Number(new URL(await provisioning.start()).port);
    contacts = new FakeDoiMautic(user, password, host);
    const contactsPort = await contacts.start();
    // The send puts the provisioned e-mail, its tokens replaced, into the queue (Mautic 5.2.1
    // EmailApiController::sendLeadAction with the kit's doctrine transport).
    contacts.onSend = (mail, contact) => {
        const email = provisioning.store.get("emails")!.get(mail.emailId);
        if (!email) throw new Error(`fake: no e-mail ${mail.emailId}`);
        let html = String(email.customHtml);
        for (const [k, v] of Object.entries(mail.tokens)) html = html.split(`{${k}}`).join(v);
        const body = JSON.stringify({ to: contact.fields.email, subject: String(email.subject), html });
        db.sql(
            `INSERT INTO messenger_messages (body, headers, queue_name, created_at, available_at) VALUES (CONVERT(UNHEX('${hex(body)}') USING utf8mb4), '[]', 'email', UTC_TIMESTAMP(), UTC_TIMESTAMP())`,
            "mautic",
        );
    };
    const stopFlag = path.join(dir, "worker-stopped");
    worker = setInterval(() => deliverQueued(path.join(dir, "mail"), stopFlag), 200);

    for (const f of doiEndpointFiles()) fs.writeFileSync(path.join(dir, "kit-doi", path.basename(f.path)), f.content);
    const phpPort = await new Promise<number>((resolve) => {
        const s = http.createServer();
        void listenInRange(s, 21000, 21999).then(async (p) => {
            await closeServer(s);
            resolve(p);
        });
    });
    // /kit/doi/* -> the endpoint; the endpoint's own API calls -> the contacts fake; the rest of
    // /api -> the provisioning fake.
    router = http.createServer((req, res) => {
        const p = new URL(req.url ?? "/", "http://x").pathname;
        if (p.startsWith("/kit/doi")) return forward(req, res, phpPort);
        if (p.startsWith("/api/contacts") || /^\/api\/emails\/\d+\/contact\/\d+\/send$/.test(p)) return forward(req, res, contactsPort);
        forward(req, res, provisioningPort);
    });
    routerUrl = `http://127.0.0.1:${await listenInRange(router)}`;
    const config = JSON.parse(
        renderDoiEndpointConfig({
            host,
            website: "https://www.example.org",
            controllerName: "Client A GmbH",
            newsletterTopics: "software and training courses",
            secret: "conformance-endpoint-secret-0123456789abcdef",
            apiUser: user,
            apiPassword: password,
            apiBase: routerUrl,
        }),
    );
    Object.assign(config, { db_dsn: `mysql:unix_socket=${db.socket};dbname=mautic;charset=utf8mb4`, db_user: "mautic", db_password: "mautic-pw" });
    fs.writeFileSync(path.join(dir, "doi-config.json"), JSON.stringify(config), { mode: 0o600 });
    php = spawn(phpBin, ["-S", `127.0.0.1:${phpPort}`, path.join(dir, "kit-doi", "doi.php")], {
        env: { ...process.env, KIT_DOI_CONFIG: path.join(dir, "doi-config.json") },
        stdio: "ignore",
    });
    for (let i = 0; i < 50; i++) {
        const ok = await new Promise<boolean>((resolve) =>
            http.get(`http://127.0.0.1:${phpPort}/kit/doi/form`, (r) => resolve(r.statusCode === 200)).on("error", () => resolve(false)),
        );
        if (ok) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("php -S did not answer");
}, 60_000);

afterAll(async () => {
    clearInterval(worker);
    php?.kill();
    if (router) await closeServer(router);
    await contacts?.stop();
    await provisioning?.stop();
    await db?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("the endpoint rows pass against the endpoint with fakes of Mautic's API, queue and worker; the rows that need Mautic's tables or the maintenance do not", async () => {
    const lines: string[] = [];
    const json = path.join(dir, "r.json");
    const code = await main(
        [
            "--mautic-url",
            routerUrl,
            "--host-header",
            host,
            "--line",
            "5.2",
            "--mail-dir",
            path.join(dir, "mail"),
            "--mail-timeout",
            "20",
            "--mysql",
            `mysql://mautic:mautic-pw@localhost/mautic?socket=${encodeURIComponent(db.socket)}`,
            "--worker-stop",
            `touch ${path.join(dir, "worker-stopped")}`,
            "--worker-start",
            `rm -f ${path.join(dir, "worker-stopped")}`,
            "--expect-from",
            "news@client-a.test",
            "--json",
            json,
        ],
        { MAUTIC_API_USER: user, MAUTIC_API_PASSWORD: password },
        (s) => lines.push(s),
    );
    const rows = (JSON.parse(fs.readFileSync(json, "utf8")) as { rows: { id: string; status: string; detail: string }[] }).rows;
    const status = Object.fromEntries(rows.map((r) => [r.id, r.status]));
    const detail = Object.fromEntries(rows.map((r) => [r.id, r.detail]));
    expect(status).toEqual({
        provision: "pass",
        idempotent: "pass",
        "form-page": "pass",
        "refuse-without-consent": "pass",
        signup: "pass",
        mail: "pass",
        "get-confirms-nothing": "pass",
        "forged-post": "pass",
        "confirm-worker-stopped": "pass",
        // The fake has neither Mautic's e-mail sending with {unsubscribe_text} nor its points and page-hit tables.
        "profiling-link": "fail",
        "profiling-withdraw": "fail",
        "dsr-withdraw-profiling": "fail",
        "known-contact-untouched": "pass",
        "stranger-keeps-contact": "skip",
        "safety-net": "skip",
        "ledger-after-unsubscribe": "skip",
        "ledger-after-erase": "fail",
        "failed-queue-purge": "skip",
        // The fake API has no /api/hooks: a failure, never a silent pass.
        "webhook-recipient": "fail",
    });
    expect(detail["form-page"]).toMatch(/no placeholder in the consent label/);
    expect(detail.signup).toMatch(/the look-alike \d+ included\), the endpoint took the exact one/);
    expect(detail["confirm-worker-stopped"]).toMatch(
        /confirmed with \d+ messages queued and no worker.*the 3 queued mails arrived only after the worker started again/,
    );
    expect(detail["forged-post"]).toBe("4 forged tokens refused with 403");
    expect(detail["safety-net"]).toBe("needs --maintenance");
    expect(detail["profiling-withdraw"]).toBe("no link (previous check failed)");
    expect(detail["profiling-link"]).toMatch(/^no \/kit\/doi\/profiling link in the mail/);
    expect(detail["dsr-withdraw-profiling"]).toMatch(/no route POST contacts\/\d+\/points\/plus\/7/);
    expect(code).toBe(1);
    expect(lines.join("\n")).not.toContain(password);
    // The queue really held the mails while the worker was stopped, and is empty now.
    expect(db.value("SELECT COUNT(*) FROM messenger_messages", "mautic")).toBe("0");
    // 4 confirmation mails and the profiling check's newsletter (the fake sends it without a footer).
    expect(fs.readdirSync(path.join(dir, "mail")).filter((f) => f.endsWith(".eml")).length).toBe(5);
}, 120_000);
