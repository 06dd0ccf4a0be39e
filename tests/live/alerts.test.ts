/**
 * Alerts, checked by the real tools: shellcheck on the scripts, `systemd-analyze verify` on the
 * units and OnFailure drop-ins, and the scripts run for real: e-mail through curl to a local SMTP
 * sink (Debian's python3-aiosmtpd) and pings to a local HTTP server standing in for alertUrl.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { renderBackupFiles } from "../../components/host/backup";
import { renderPrivacyMaintenanceFiles } from "../../components/host/privacyMaintenance";
import {
    alertedUnits,
    alertPaths,
    mailerForAlerts,
    renderAlertFiles,
    renderAlertSecretFiles,
    renderAlertSecretsCommand,
    renderAlertSecretsStdin,
} from "../../components/host/alerts";
import { closeServer, listenInRange, makeTestCert } from "../support/loopback";
import { verifyUnitsInRoot } from "../support/systemd";
import { requireTool } from "../support/tools";

const input = {
    adminEmail: "ops@agency.example",
    domain: "marketing.client-a.de",
    backupDir: "/srv/mautic/backups",
    offsiteExpected: true,
    containers: ["mautic_web", "mautic_db"],
};
const files = renderAlertFiles(input);
const file = (p: string) => files.find((f) => f.path === p)!;

let tmp: string;
beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kit-alerts-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("scripts pass shellcheck", () => {
    for (const [p, shell] of [
        [alertPaths.alertScript, "sh"],
        [alertPaths.healthScript, "bash"],
    ] as const) {
        const f = path.join(tmp, path.basename(p));
        fs.writeFileSync(f, file(p).content);
        const r = spawnSync(requireTool("shellcheck"), ["-s", shell, f], { encoding: "utf8" });
        expect(r.stdout).toBe("");
        expect(r.status).toBe(0);
    }
});

test("units and OnFailure drop-ins pass systemd-analyze verify and name the alert unit", () => {
    const jobs = [
        ...renderBackupFiles({ retentionDays: 14, dataDir: "/srv/mautic", dbContainer: "mautic_db", database: "mautic" }),
        ...renderPrivacyMaintenanceFiles({ dataDir: "/srv/mautic", dbContainer: "mautic_db", database: "mautic" }),
    ];
    const { output, status, root } = verifyUnitsInRoot(
        tmp,
        [...jobs, ...files],
        [
            alertPaths.healthService,
            alertPaths.healthTimer,
            "/etc/systemd/system/mautic-backup.service",
            "/etc/systemd/system/mautic-privacy-maintenance.service",
        ],
    );
    expect(output).toBe("");
    expect(status).toBe(0);
    // The failed unit's instance of the alert template resolves too.
    const inst = spawnSync(requireTool("systemd-analyze"), ["verify", `--root=${root}`, "mautic-kit-alert@mautic-backup.service.service"], {
        encoding: "utf8",
    });
    expect(`${inst.stdout}${inst.stderr}`).toBe("");
    for (const u of alertedUnits) expect(file(alertPaths.dropIn(u)).content).toMatch(/^OnFailure=mautic-kit-alert@%n\.service$/m);
    const cal = execFileSync(requireTool("systemd-analyze"), ["calendar", /^OnCalendar=(.*)$/m.exec(file(alertPaths.healthTimer).content)![1]], {
        encoding: "utf8",
    });
    expect(cal).toMatch(/Normalized form: \*-\*-\* \*:00:00/);
});

test("mailer DSNs: smtp with STARTTLS required, 465/smtps implicit TLS, provider DSNs unsupported", () => {
    expect(mailerForAlerts("smtp://u%40x.de:p%3Ass@smtp.example.de:587")).toEqual({
        kind: "smtp",
        url: "smtp://smtp.example.de:587",
        user: "u@x.de",
        password: "p:ss",
        requireTls: true,
    });
    expect(mailerForAlerts("smtp://u:p@smtp.example.de:465")).toMatchObject({ url: "smtps://smtp.example.de:465", requireTls: false });
    expect(mailerForAlerts("smtp://127.0.0.1:2525")).toMatchObject({ kind: "smtp", requireTls: false });
    expect(mailerForAlerts("ses+smtp://AKIA:secret@default")).toEqual({ kind: "unsupported", scheme: "ses+smtp" });
    const [conf] = renderAlertSecretFiles({ adminEmail: "ops@agency.example", mailerDsn: "smtp://u%40x.de:pa%22ss@smtp.example.de:587" });
    expect(conf).toMatchObject({ path: alertPaths.smtpCurlConfig, permissions: "0600" });
    expect(conf.content).toContain('user = "u@x.de:pa\\"ss"');
    expect(conf.content).toContain('mail-from = "u@x.de"');
    expect(conf.content).toMatch(/^ssl-reqd$/m);
});

test("bad settings are refused, naming the field", () => {
    expect(() => renderAlertFiles({ ...input, adminEmail: "nobody" })).toThrow(/adminEmail = "nobody" is not an e-mail address/);
    expect(() => renderAlertFiles({ ...input, diskMaxPercent: 100 })).toThrow(/diskMaxPercent = 100 must be a whole number from 1 to 99/);
});

test("the secrets command installs the files from stdin only (nothing secret in its text)", () => {
    const secrets = renderAlertSecretFiles({
        adminEmail: "ops@agency.example",
        mailerDsn: "smtp://user:TopSecret1@smtp.example.de:587",
        alertUrl: "https://hc-ping.com/uuid-1",
    });
    const cmd = renderAlertSecretsCommand();
    expect(cmd).not.toMatch(/TopSecret1|uuid-1/);
    const dir = path.join(tmp, "secrets-root");
    const stdin = renderAlertSecretsStdin(secrets).split(alertPaths.secretDir).join(`${dir}${alertPaths.secretDir}`);
    const local = cmd.split(alertPaths.secretDir).join(`${dir}${alertPaths.secretDir}`).replace("-o root -g root ", "");
    fs.mkdirSync(path.join(dir, "etc/mautic-kit"), { recursive: true });
    const r = spawnSync("sh", ["-c", local], { input: stdin, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const conf = path.join(dir, alertPaths.smtpCurlConfig);
    expect(fs.statSync(conf).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, alertPaths.secretDir)).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(conf, "utf8")).toContain('user = "user:TopSecret1"');
    expect(fs.readFileSync(path.join(dir, alertPaths.pingUrlFile), "utf8")).toBe("https://hc-ping.com/uuid-1\n");
    // Unsetting alertUrl removes its file on the next deploy.
    const again = spawnSync("sh", ["-c", local], {
        input: renderAlertSecretsStdin(secrets.slice(0, 1)).split(alertPaths.secretDir).join(`${dir}${alertPaths.secretDir}`),
        encoding: "utf8",
    });
    expect(again.status).toBe(0);
    expect(fs.existsSync(path.join(dir, alertPaths.pingUrlFile))).toBe(false);
});

describe("alerts arrive: real curl to a local SMTP sink and a local ping server", () => {
    let smtp: ChildProcess;
    let smtpPort: number;
    let maildir: string;
    let ping: http.Server;
    let pingPort: number;
    const pings: Array<{ method: string; url: string; body: string }> = [];
    let alertDir: string;
    let alertBin: string;
    let tls: https.Server | undefined;

    // In arrival order. Python's Maildir names files "<seconds>.M<microseconds>P<pid>Q<n>.<host>"
    // with unpadded microseconds, so a plain sort misorders mails of the same second.
    const arrival = (f: string) => (/^(\d+)\.M(\d+)P\d+Q(\d+)/.exec(f) ?? ["", "0", "0", "0"]).slice(1).map(Number);
    const mails = () => {
        const files: Array<{ file: string; key: number[] }> = [];
        for (const sub of ["new", "cur"]) {
            const d = path.join(maildir, sub);
            if (fs.existsSync(d)) for (const f of fs.readdirSync(d)) files.push({ file: path.join(d, f), key: arrival(f) });
        }
        files.sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2]);
        return files.map((f) => fs.readFileSync(f.file, "utf8"));
    };

    beforeAll(async () => {
        requireTool("curl");
        const python = "/usr/bin/python3"; // Debian's, with python3-aiosmtpd
        if (spawnSync(python, ["-c", "import aiosmtpd"]).status !== 0)
            throw new Error("python3-aiosmtpd is missing: run 'bash scripts/install-tools.sh' as root - this test does not skip");
        maildir = path.join(tmp, "maildir");
        const probe = net.createServer();
        smtpPort = await listenInRange(probe);
        await new Promise<void>((r) => probe.close(() => r()));
        smtp = spawn(python, ["-m", "aiosmtpd", "-n", "-l", `127.0.0.1:${smtpPort}`, "-c", "aiosmtpd.handlers.Mailbox", maildir], { stdio: "ignore" });
        const until = Date.now() + 15000;
        for (;;) {
            const ok = await new Promise<boolean>((resolve) => {
                const s = net.connect(smtpPort, "127.0.0.1", () => {
                    s.end();
                    resolve(true);
                });
                s.on("error", () => resolve(false));
            });
            if (ok) break;
            if (Date.now() > until) throw new Error("aiosmtpd did not start");
            await new Promise((r) => setTimeout(r, 100));
        }
        ping = http.createServer((req, res) => {
            let body = "";
            req.on("data", (d) => (body += d));
            req.on("end", () => {
                pings.push({ method: req.method ?? "", url: req.url ?? "", body });
                res.end("OK");
            });
        });
        pingPort = await listenInRange(ping);
        alertDir = path.join(tmp, "alert-conf");
        fs.mkdirSync(alertDir, { mode: 0o700 });
        for (const f of renderAlertSecretFiles({
            adminEmail: input.adminEmail,
            mailerDsn: `smtp://127.0.0.1:${smtpPort}`,
            alertUrl: `http://127.0.0.1:${pingPort}/ping/abc-123/`,
        })) {
            fs.writeFileSync(path.join(alertDir, path.basename(f.path)), f.content, { mode: 0o600 });
        }
        alertBin = path.join(tmp, "mautic-kit-alert");
        fs.writeFileSync(alertBin, file(alertPaths.alertScript).content);
        fs.chmodSync(alertBin, 0o750);
    }, 30_000);

    afterAll(async () => {
        if (smtp && smtp.exitCode === null) {
            smtp.kill("SIGTERM");
            await new Promise((r) => smtp.once("exit", r));
        }
        if (ping) await closeServer(ping);
        if (tls?.listening) await closeServer(tls);
    });

    // Async: the ping server runs in this process and must answer while the script runs.
    const runAsync = (cmd: string, args: string[], e: NodeJS.ProcessEnv) =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
            const c = spawn(cmd, args, { env: e });
            let stdout = "";
            let stderr = "";
            c.stdout.on("data", (d) => (stdout += d));
            c.stderr.on("data", (d) => (stderr += d));
            c.on("close", (status) => resolve({ status, stdout, stderr }));
        });

    const env = () => ({ ...process.env, MAUTIC_KIT_ALERT_DIR: alertDir, DOCKER_HOST: "unix:///nonexistent/docker.sock" });

    test("a failed unit: e-mail to adminEmail and a ping to alertUrl/fail", async () => {
        const r = await runAsync("sh", [alertBin, "fail", "mautic-backup.service", "mautic-backup.service failed on host1"], env());
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        const [mail] = mails();
        expect(mail).toMatch(/^Subject: \[marketing\.client-a\.de\] fail: mautic-backup\.service$/m);
        expect(mail).toMatch(/^To: ops@agency\.example$/m);
        expect(mail).toMatch(/^X-RcptTo: ops@agency\.example$/m);
        expect(mail).toContain("mautic-backup.service failed on host1");
        expect(pings).toEqual([{ method: "POST", url: "/ping/abc-123/fail", body: "mautic-backup.service: mautic-backup.service failed on host1" }]);
    });

    test("a security event (mautic-kit-security): e-mail with the message and a ping to alertUrl/fail", async () => {
        pings.length = 0;
        const before = mails().length;
        const r = await runAsync("sh", [alertBin, "security", "security:new-admin", "user 'mallory' (id 3) now has an administrator role"], env());
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        const all = mails();
        expect(all).toHaveLength(before + 1);
        const mail = all[all.length - 1];
        expect(mail).toMatch(/^Subject: \[marketing\.client-a\.de\] security: security:new-admin$/m);
        expect(mail).toContain("user 'mallory' (id 3) now has an administrator role");
        expect(pings).toEqual([{ method: "POST", url: "/ping/abc-123/fail", body: "security:new-admin: user 'mallory' (id 3) now has an administrator role" }]);
    });

    function healthRun(conf: string) {
        const confFile = path.join(tmp, "health.conf");
        fs.writeFileSync(confFile, conf, { mode: 0o600 });
        const health = path.join(tmp, "mautic-kit-health");
        fs.writeFileSync(health, file(alertPaths.healthScript).content, { mode: 0o750 });
        return runAsync("bash", [health], { ...env(), MAUTIC_KIT_HEALTH_CONF: confFile });
    }

    test("the hourly health check: alerts once per new problem, pings /fail every run, recovers", async () => {
        const cert = (days: number) => makeTestCert([input.domain], days);
        tls = https.createServer(cert(90), (_q, s) => s.end("ok"));
        let tlsPort = await listenInRange(tls);
        const backupDir = path.join(tmp, "backups");
        fs.mkdirSync(backupDir, { recursive: true });
        const status = (result: string, hoursAgo: number, offsite: string) => {
            const at = new Date(Date.now() - hoursAgo * 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
            fs.writeFileSync(
                path.join(backupDir, "status.json"),
                `{"result":"${result}","stage":"finished","message":"${result === "ok" ? "verified" : "database dump of 'mautic' failed"}","finished_at":"${at}","backup_id":"x","last_good_id":"x","last_good_at":"${at}","retention_days":14,"deleted":[],"offsite":"${offsite}","db_bytes":1,"files_bytes":1}\n`,
            );
        };
        const conf = (over: string) =>
            [
                `BACKUP_STATUS=${backupDir}/status.json`,
                `STATE_DIR=${tmp}/state`,
                `ALERT_BIN=${alertBin}`,
                `DISK_PATHS=(${tmp})`,
                `CERT_CONNECT=127.0.0.1:${tlsPort}`,
                `UU_LOG=${tmp}/uu.log`,
                "FAILED_UNITS=()",
                "CONTAINERS=()",
                over,
                "",
            ].join("\n");
        pings.length = 0;
        const mailsBefore = mails().length;

        status("ok", 3, "ok");
        const uuLog = path.join(tmp, "uu.log");
        fs.writeFileSync(uuLog, "2026-12-02 06:10:01,000 INFO Starting unattended upgrades script\n2026-12-02 06:10:02,000 INFO All upgrades installed\n");
        let r = await healthRun(conf(""));
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(mails().length).toBe(mailsBefore);
        expect(pings.map((p) => p.url)).toEqual(["/ping/abc-123"]);

        // Break everything at once: failed + stale backup, off-site failed, disk over the limit,
        // a container the (real) docker CLI cannot find, a certificate that expires in 2 days.
        await closeServer(tls);
        tls = https.createServer(cert(2), (_q, s) => s.end("ok"));
        tlsPort = await listenInRange(tls);
        status("failed", 30, "failed");
        fs.appendFileSync(
            uuLog,
            "2026-12-03 06:10:01,000 INFO Starting unattended upgrades script\n2026-12-03 06:10:05,000 ERROR An error occurred: dpkg returned an error code (1)\n",
        );
        pings.length = 0;
        r = await healthRun(conf("DISK_MAX_PERCENT=0\nCONTAINERS=(mautic_web)"));
        expect(r.status).toBe(1);
        const subjects = mails()
            .slice(mailsBefore)
            .map((m) => /^Subject: (.*)$/m.exec(m)![1].replace(/disk:\/.*/, "disk:<mount>"))
            .sort();
        expect(subjects).toEqual(
            ["backup", "backup-age", "certificate", "container:mautic_web", "disk:<mount>", "offsite", "unattended-upgrades"].map(
                (c) => `[marketing.client-a.de] fail: ${c}`,
            ),
        );
        const byCheck = (c: string) =>
            mails()
                .slice(mailsBefore)
                .find((m) => new RegExp(`^Subject: .* fail: ${c}\r?$`, "m").test(m))!;
        expect(byCheck("certificate")).toMatch(/the certificate for marketing\.client-a\.de expires in [12] day\(s\)/);
        expect(byCheck("backup")).toContain("the last backup run failed: database dump of 'mautic' failed");
        expect(byCheck("backup-age")).toMatch(/the last good backup is 30 h old \(limit 26 h\)/);
        expect(byCheck("container:mautic_web")).toContain("container mautic_web is missing");
        expect(pings.every((p) => p.url === "/ping/abc-123/fail")).toBe(true);

        // Still broken an hour later: no new e-mail, but the dead man's switch hears /fail.
        const count = mails().length;
        pings.length = 0;
        r = await healthRun(conf("DISK_MAX_PERCENT=0\nCONTAINERS=(mautic_web)"));
        expect(r.status).toBe(1);
        expect(mails().length).toBe(count);
        expect(pings.map((p) => p.url)).toEqual(["/ping/abc-123/fail"]);

        // Repaired: one "recovered" e-mail per problem, and a success ping.
        await closeServer(tls);
        tls = https.createServer(cert(90), (_q, s) => s.end("ok"));
        tlsPort = await listenInRange(tls);
        status("ok", 1, "ok");
        fs.appendFileSync(uuLog, "2026-12-04 06:10:01,000 INFO Starting unattended upgrades script\n");
        pings.length = 0;
        r = await healthRun(conf(""));
        expect(r.status).toBe(0);
        const recovered = mails()
            .slice(count)
            .map((m) => /^Subject: (.*)$/m.exec(m)![1]);
        expect(recovered).toHaveLength(7);
        expect(recovered.filter((s) => !s.startsWith("[marketing.client-a.de] recovered: "))).toEqual([]);
        expect(pings.map((p) => p.url)).toEqual(Array(8).fill("/ping/abc-123"));
        await closeServer(tls);
    }, 60_000);
});

test("alertUrl: a plain https URL; anything else is refused naming the field and the fix", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { validateSiteArgs } = require("../../components/config/config") as typeof import("../../components/config/config");
    const base = { domain: "marketing.client-a.de", website: "https://www.client-a.de", adminEmail: "ops@agency.example", adminCidrs: ["203.0.113.0/24"] };
    expect(validateSiteArgs({ ...base, alertUrl: "https://hc-ping.com/0b6b5c1e" }).settings.alertUrl).toBe("https://hc-ping.com/0b6b5c1e");
    expect(() => validateSiteArgs({ ...base, alertUrl: "http://hc-ping.com/x" })).toThrow(
        /alertUrl = "http:\/\/hc-ping\.com\/x" must be a plain https URL without credentials.*pulumi config set alertUrl/s,
    );
    expect(() => validateSiteArgs({ ...base, alertUrl: "https://u:pw@hc.example/x" })).toThrow(/alertUrl = "\[redacted: contains credentials\]"/);
    expect(validateSiteArgs(base).warnings.join("\n")).toMatch(/neither alertUrl nor mailerDsn is set/);
});
