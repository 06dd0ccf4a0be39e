/**
 * `runHostChecks` against a real sshd on loopback (pinned host key, OpenSSH client) with a real
 * fail2ban-server, real `sshd -T`, `df`, `sha256sum`, `cloud-init status`: passes on a prepared
 * host and fails, naming the check, when something is broken.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { renderHostFiles } from "../../components/host/cloudInit";
import { renderBackupFiles } from "../../components/host/backup";
import { expectedSshdFrom, HostCheckId, HostExpectation, runHostChecks, renderGatherScript, withSshTarget } from "../../verify/hostChecks";
import { parseDf } from "../../verify/evaluate";
import { LoopbackHost, startLoopbackHost } from "../support/loopback-host";
import { requireTool } from "../support/tools";

const hostFiles = [
    ...renderHostFiles({
        timezone: "Europe/Berlin",
        volumeDevice: "/dev/disk/by-id/scsi-0HC_Volume_1234567",
        hostKey: { privateKeyOpenssh: "unused", publicKeyOpenssh: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests\n" },
        rebootTime: "04:30",
        logRetentionDays: 7,
    }),
    ...renderBackupFiles({ retentionDays: 14, dataDir: "/srv/mautic", dbContainer: "mautic_db", database: "mautic" }),
];
const hardening = hostFiles.find((f) => f.path === "/etc/ssh/sshd_config.d/10-mautic-kit-hardening.conf")!.content;

const realChecks: HostCheckId[] = ["sshd", "fail2ban", "unattended-upgrades", "reboot-pending", "host-files", "backup", "disk", "logs-pii"];

let host: LoopbackHost;
let expected: HostExpectation;

function writeRoot(rel: string, content: string | Buffer, mtime?: Date) {
    const p = path.join(host.root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
    if (mtime) fs.utimesSync(p, mtime, mtime);
}

function setId(d: Date) {
    return d
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "Z");
}

function makeBackupSet(at: Date) {
    const id = setId(at);
    const dir = path.join(host.root, "srv/mautic/backups", id);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "db.sql.gz"), "dump");
    fs.writeFileSync(path.join(dir, "files.tar.gz"), "files");
    fs.writeFileSync(path.join(dir, "manifest"), `id=${id}\n`);
    spawnSync("sh", ["-c", "sha256sum db.sql.gz files.tar.gz manifest > SHA256SUMS"], { cwd: dir });
    const latest = path.join(host.root, "srv/mautic/backups/latest");
    fs.rmSync(latest, { force: true });
    fs.symlinkSync(id, latest);
    writeRoot("srv/mautic/backups/status.json", `{"result":"ok","stage":"finished","message":"backup set ${id} verified","last_good_id":"${id}"}\n`);
    return id;
}

function usedPercent(): number {
    const r = spawnSync("df", ["-P", host.root], { encoding: "utf8" });
    return parseDf(r.stdout)[0].usePercent;
}

beforeAll(async () => {
    host = await startLoopbackHost(hostFiles);
    const now = new Date();
    writeRoot("var/lib/apt/periodic/unattended-upgrades-stamp", "", new Date(now.getTime() - 3 * 3600_000));
    writeRoot(
        "var/log/unattended-upgrades/unattended-upgrades.log",
        "2026-12-02 06:10:01,123 INFO Starting unattended upgrades script\n2026-12-02 06:10:09,001 INFO No packages found that can be upgraded unattended\n",
    );
    makeBackupSet(new Date(now.getTime() - 5 * 3600_000));
    // Caddy's access log as the kit writes it: client address masked to /24.
    writeRoot("srv/mautic/logs/caddy/access.log", `{"request":{"remote_ip":"198.51.100.0","uri":"/mtc.js"},"status":200}\n`);
    expected = {
        root: host.root,
        sshdConfig: host.sshdConfig,
        fail2banSocket: host.fail2banSocket,
        sshd: expectedSshdFrom(hardening),
        hostFiles: hostFiles.map((f) => ({ path: f.path, content: f.content, permissions: f.permissions })),
        volume: { mountPoint: "/srv/mautic" },
        containers: [],
        containerFiles: [],
        backup: { dir: "/srv/mautic/backups", maxAgeHours: 26 },
        disk: { paths: ["/"], maxUsePercent: Math.min(99, usedPercent() + 1) },
        updates: { maxAgeHours: 48, rebootPendingMaxHours: 26 },
        logs: { paths: ["/srv/mautic/logs", "/var/log"], journalUnits: [] },
    };
}, 60_000);

afterAll(async () => {
    await host?.stop();
});

const byId = (rs: Array<{ id: string; status: string; evidence: string }>) => Object.fromEntries(rs.map((r) => [r.id, r]));

test("the gather script passes shellcheck", () => {
    const file = path.join(host.dir, "gather.sh");
    fs.writeFileSync(
        file,
        renderGatherScript({
            ...expected,
            backup: { ...expected.backup, offsiteRepository: "sftp:u1@example.invalid:/m" },
            containers: [{ name: "mautic_web", image: "mautic/mautic:5.2.1-apache", capAdd: [], healthcheck: true, restart: "unless-stopped" }],
            containerFiles: [{ container: "mautic_cron", path: "/opt/mautic/cron/mautic", content: "x" }],
            mauticConfig: { anonymize_ip: true, site_url: "https://x.example" },
            logs: { paths: ["/var/log"], journalUnits: ["docker.service"] },
        }),
    );
    const r = spawnSync(requireTool("shellcheck"), ["-s", "sh", "-S", "warning", file], { encoding: "utf8" });
    expect(r.stdout).toBe("");
    expect(r.status).toBe(0);
});

test("expectedSshdFrom matches what the real `sshd -T` prints for the kit's drop-in", async () => {
    const r = spawnSync(requireTool("sshd"), ["-T", "-f", host.sshdConfig], { encoding: "utf8" });
    expect(r.status).toBe(0);
    const live = new Set(r.stdout.split("\n"));
    for (const [k, v] of Object.entries(expectedSshdFrom(hardening))) expect([...live]).toContain(`${k} ${v}`);
});

test("a prepared host passes every real check over SSH with the pinned host key", async () => {
    const results = await runHostChecks(host.target, expected, { only: realChecks });
    const bad = results.filter((r) => r.status !== "pass");
    expect(bad).toEqual([]);
    expect(results.map((r) => r.id)).toEqual(realChecks);
    for (const r of results) {
        expect(Date.parse(r.seenAt)).not.toBeNaN();
        expect(r.items.length).toBeGreaterThan(0);
    }
}, 60_000);

test("cloud-init on a machine it never ran on fails the cloud-init check (real `cloud-init status`)", async () => {
    const [r] = await runHostChecks(host.target, expected, { only: ["cloud-init"] });
    expect(r).toMatchObject({ id: "cloud-init", status: "fail" });
    expect(r.evidence).toMatch(/cloud-init status: (?!done)/);
});

test("a wrong pinned host key is refused (StrictHostKeyChecking)", async () => {
    const other = path.join(host.dir, "other_known_hosts");
    fs.writeFileSync(other, `[127.0.0.1]:${host.target.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOfhzG6X0Dm1k0kJ8j3eZbH2b7f5qHjv3cJ3pX1U2x9y\n`);
    await expect(runHostChecks({ ...host.target, knownHostsFile: other }, expected, { only: ["disk"] })).rejects.toThrow(
        /ssh root@127\.0\.0\.1:\d+ failed.*(Host key verification failed|REMOTE HOST IDENTIFICATION)/s,
    );
}, 30_000);

test("withSshTarget builds the key files in a private dir and removes them", async () => {
    let seen = "";
    const results = await withSshTarget(
        { host: "127.0.0.1", port: host.target.port, privateKey: host.privateKey, hostPublicKey: host.hostPublicKey },
        async (t) => {
            seen = path.dirname(t.keyFile);
            expect(fs.statSync(seen).mode & 0o777).toBe(0o700);
            expect(fs.statSync(t.keyFile).mode & 0o777).toBe(0o600);
            return runHostChecks(t, expected, { only: ["disk"] });
        },
    );
    expect(results[0].status).toBe("pass");
    expect(fs.existsSync(seen)).toBe(false);
}, 30_000);

describe("breaking the host fails the check that names it", () => {
    test("an edited host file", async () => {
        const p = path.join(host.root, "etc/fail2ban/jail.d/sshd.local");
        const orig = fs.readFileSync(p, "utf8");
        fs.writeFileSync(p, orig.replace("maxretry = 4", "maxretry = 40"));
        try {
            const [r] = await runHostChecks(host.target, expected, { only: ["host-files"] });
            expect(r).toMatchObject({ id: "host-files", status: "fail" });
            expect(r.evidence).toBe("/etc/fail2ban/jail.d/sshd.local differs from the rendered file");
        } finally {
            fs.writeFileSync(p, orig);
        }
    });

    test("a weakened sshd drop-in shows in the effective `sshd -T`", async () => {
        const p = path.join(host.root, "etc/ssh/sshd_config.d/10-mautic-kit-hardening.conf");
        const orig = fs.readFileSync(p, "utf8");
        fs.writeFileSync(p, orig.replace("PasswordAuthentication no", "PasswordAuthentication yes").replace("MaxAuthTries 2", "MaxAuthTries 6"));
        try {
            const rs = byId(await runHostChecks(host.target, expected, { only: ["sshd", "host-files"] }));
            expect(rs.sshd.status).toBe("fail");
            expect(rs.sshd.evidence).toMatch(/passwordauthentication = yes \(want no\)/);
            expect(rs.sshd.evidence).toMatch(/maxauthtries = 6 \(want 2\)/);
            expect(rs["host-files"].status).toBe("fail");
        } finally {
            fs.writeFileSync(p, orig);
        }
    });

    test("fail2ban stopped", async () => {
        host.stopFail2ban();
        try {
            const [r] = await runHostChecks(host.target, expected, { only: ["fail2ban"] });
            expect(r).toMatchObject({ id: "fail2ban", status: "fail" });
            expect(r.evidence).toMatch(/fail2ban-client status sshd failed/);
        } finally {
            host.startFail2ban();
        }
        const [again] = await runHostChecks(host.target, expected, { only: ["fail2ban"] });
        expect(again.status).toBe("pass");
    }, 60_000);

    test("a full disk (threshold below the real use)", async () => {
        const [r] = await runHostChecks(host.target, { ...expected, disk: { ...expected.disk, maxUsePercent: 0 } }, { only: ["disk"] });
        expect(r).toMatchObject({ id: "disk", status: "fail" });
        expect(r.evidence).toMatch(/^over 0 %: .+ \d+%$/);
    });

    test("an old backup, and a set whose files no longer match SHA256SUMS", async () => {
        const old = makeBackupSet(new Date(Date.now() - 30 * 3600_000));
        let [r] = await runHostChecks(host.target, expected, { only: ["backup"] });
        expect(r.status).toBe("fail");
        expect(r.evidence).toMatch(new RegExp(`last good set ${old} is 30\\.0 h old \\(limit 26 h\\)`));
        const fresh = makeBackupSet(new Date(Date.now() - 3600_000));
        fs.writeFileSync(path.join(host.root, "srv/mautic/backups", fresh, "db.sql.gz"), "tampered");
        [r] = await runHostChecks(host.target, expected, { only: ["backup"] });
        expect(r.status).toBe("fail");
        expect(r.evidence).toBe(`set ${fresh} fails its SHA256SUMS check`);
        makeBackupSet(new Date(Date.now() - 3600_000 - 1000));
    });

    test("unattended-upgrades that has not run for days, or logged errors", async () => {
        const stamp = "var/lib/apt/periodic/unattended-upgrades-stamp";
        writeRoot(stamp, "", new Date(Date.now() - 72 * 3600_000));
        let [r] = await runHostChecks(host.target, expected, { only: ["unattended-upgrades"] });
        expect(r.status).toBe("fail");
        expect(r.evidence).toMatch(/last run 72\.0 h ago \(limit 48 h\)/);
        writeRoot(stamp, "", new Date());
        fs.appendFileSync(
            path.join(host.root, "var/log/unattended-upgrades/unattended-upgrades.log"),
            "2026-12-03 06:10:01,000 INFO Starting unattended upgrades script\n2026-12-03 06:10:05,000 ERROR An error occurred: dpkg was interrupted\n",
        );
        [r] = await runHostChecks(host.target, expected, { only: ["unattended-upgrades"] });
        expect(r.status).toBe("fail");
        expect(r.evidence).toMatch(/1 error\(s\) in the last run's log/);
    });

    test("a reboot pending longer than the window", async () => {
        writeRoot("var/run/reboot-required", "*** System restart required ***\n", new Date(Date.now() - 50 * 3600_000));
        try {
            const [r] = await runHostChecks(host.target, expected, { only: ["reboot-pending"] });
            expect(r.status).toBe("fail");
            expect(r.evidence).toMatch(/reboot pending for 50\.0 h/);
        } finally {
            fs.rmSync(path.join(host.root, "var/run/reboot-required"));
        }
    });

    test("a log with a full client IP and an e-mail address (counted, never echoed)", async () => {
        writeRoot("srv/mautic/logs/caddy/leak.log", `{"remote_ip":"198.51.100.23","uri":"/email/unsubscribe/abc/jane.doe%40example.org/x"}\n`);
        try {
            const [r] = await runHostChecks(host.target, expected, { only: ["logs-pii"] });
            expect(r.status).toBe("fail");
            expect(r.evidence).toBe("/srv/mautic/logs/caddy/leak.log: 1 full IP(s), 1 e-mail address(es)");
            expect(r.evidence).not.toMatch(/198\.51\.100\.23|jane/);
        } finally {
            fs.rmSync(path.join(host.root, "srv/mautic/logs/caddy/leak.log"));
        }
    });
});
