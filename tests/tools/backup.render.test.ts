/**
 * The pure renderer: which files, where, with which modes; input validation; a snapshot of the
 * default rendering; and the real tools' verdicts: shellcheck (with extra optional checks) and
 * `bash -n` on every rendered script, `systemd-analyze verify` on the units.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import { renderOffsiteSetupScript } from "../../components/host/offsite";
import * as os from "os";
import * as path from "path";
import { BackupInput, backupPackages, backupPaths, renderBackupFiles, validateBackupInput } from "../../components/host/backup";
import { verifyUnitsInRoot } from "../support/systemd";
import { requireTool } from "../support/tools";

const defaults: BackupInput = { retentionDays: 14, dataDir: "/srv/mautic", dbContainer: "mautic_db", database: "mautic" };
const withOffsite: BackupInput = { ...defaults, offsite: { kind: "restic-sftp", repository: "sftp://u123456@u123456.your-storagebox.de:23/mautic" } };

const byPath = (files: ReturnType<typeof renderBackupFiles>) => Object.fromEntries(files.map((f) => [f.path, f]));

test("renders the two scripts and the service + timer, with their modes", () => {
    const files = renderBackupFiles(defaults);
    expect(files.map((f) => [f.path, f.permissions])).toEqual([
        ["/usr/local/sbin/mautic-backup", "0750"],
        ["/usr/local/sbin/mautic-restore", "0750"],
        ["/etc/systemd/system/mautic-backup.service", "0644"],
        ["/etc/systemd/system/mautic-backup.timer", "0644"],
    ]);
    for (const f of files) {
        expect(f.content).not.toMatch(/\{\{/);
        expect(f.content.endsWith("\n")).toBe(true);
    }
    const backup = byPath(files)[backupPaths.backupScript].content;
    expect(backup).toMatch(/^#!\/usr\/bin\/env bash\n/);
    expect(backup).toContain("set -euo pipefail");
    expect(backup).toContain("DATA_DIR='/srv/mautic'");
    expect(backup).toContain("BACKUP_DIR='/srv/mautic/backups'");
    expect(backup).toContain("RETENTION_DAYS=14\n");
    expect(backup).toContain("DB_CONTAINER='mautic_db'");
    expect(backup).toContain("APP_CONTAINERS=(mautic_web mautic_worker mautic_cron)");
    expect(backup).toContain("OFFSITE_REPOSITORY=''");
    expect(backup).toContain("--single-transaction");
    expect(backup).toContain("flock -n 9");
});

test("the settings follow the input; the off-site repository is rendered, its password never", () => {
    const files = byPath(renderBackupFiles({ ...withOffsite, retentionDays: 30, dataDir: "/mnt/vol1", database: "m_db", appContainers: ["web"] }));
    for (const script of [backupPaths.backupScript, backupPaths.restoreScript]) {
        const c = files[script].content;
        expect(c).toContain("RETENTION_DAYS=30\n");
        expect(c).toContain("BACKUP_DIR='/mnt/vol1/backups'");
        expect(c).toContain("DATABASE='m_db'");
        expect(c).toContain("APP_CONTAINERS=(web)");
        expect(c).toContain("OFFSITE_REPOSITORY='sftp://u123456@u123456.your-storagebox.de:23/mautic'");
        expect(c).not.toMatch(/RESTIC_PASSWORD=['"]?[A-Za-z0-9]/);
    }
    expect(files[backupPaths.service].content).toContain("RequiresMountsFor=/mnt/vol1\n");
});

test("restic is needed on the host only with an off-site copy", () => {
    expect(backupPackages(defaults)).toEqual([]);
    expect(backupPackages(withOffsite)).toEqual(["restic"]);
});

test("the default rendering is pinned (review changes to the scripts here)", () => {
    for (const f of renderBackupFiles(withOffsite)) expect(f.content).toMatchSnapshot(f.path);
});

test.each<[string, Partial<BackupInput>, RegExp]>([
    ["retention 0", { retentionDays: 0 }, /^retentionDays = 0 must be a whole number of days from 1 to 90/],
    ["retention fraction", { retentionDays: 1.5 }, /^retentionDays = 1.5/],
    ["retention too long", { retentionDays: 365 }, /^retentionDays = 365/],
    ["relative dataDir", { dataDir: "srv/mautic" }, /^dataDir = "srv\/mautic" must be an absolute path/],
    ["trailing slash", { dataDir: "/srv/mautic/" }, /^dataDir/],
    ["dot-dot", { dataDir: "/srv/../etc" }, /^dataDir/],
    ["quote injection", { dataDir: "/srv/m'; rm -rf /" }, /^dataDir/],
    ["container", { dbContainer: "mautic db" }, /^dbContainer = "mautic db" must be a Docker container name/],
    ["database", { database: "mautic`x`" }, /^database = "mautic`x`" must be a plain MariaDB database name/],
    ["app container is the db", { appContainers: ["mautic_web", "mautic_db"] }, /^appContainers\[1\] = "mautic_db" is the database container/],
    ["offsite kind", { offsite: { kind: "s3" as "restic-sftp", repository: "sftp:h:/x" } }, /^offsite.kind = "s3" is not supported/],
    [
        "offsite not sftp",
        { offsite: { kind: "restic-sftp", repository: "s3:https://s3.example/bucket" } },
        /^offsite.repository = .* must be a restic SFTP repository/,
    ],
    ["offsite with password", { offsite: { kind: "restic-sftp", repository: "sftp://u1:secret@host:23/x" } }, /^offsite.repository/],
    ["offsite with $", { offsite: { kind: "restic-sftp", repository: "sftp:host:/x$(id)" } }, /^offsite.repository/],
])("rejects %s with a message naming the field", (_name, patch, message) => {
    const input = { ...defaults, ...patch } as BackupInput;
    const problems = validateBackupInput(input);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    expect(() => renderBackupFiles(input)).toThrow(/invalid backup settings/);
});

test("accepts the usual SFTP repository spellings", () => {
    for (const repository of ["sftp:storagebox:/mautic", "sftp:user@host.example:/srv/restic/mautic", "sftp://u1@u1.your-storagebox.de:23/./mautic"]) {
        expect(validateBackupInput({ ...defaults, offsite: { kind: "restic-sftp", repository } })).toEqual([]);
    }
});

describe("real tools", () => {
    let dir: string;
    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "mbk-render-"));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test.each([
        ["defaults", defaults],
        ["with off-site", withOffsite],
    ])("shellcheck and bash -n pass on every rendered script (%s)", (_n, input) => {
        const shellcheck = requireTool("shellcheck");
        for (const f of [...renderBackupFiles(input), renderOffsiteSetupScript()].filter((f) => f.path.includes("/sbin/"))) {
            const p = path.join(dir, path.basename(f.path));
            fs.writeFileSync(p, f.content, { mode: 0o750 });
            // Default severity (style) plus optional checks; nothing may be reported.
            const r = spawnSync(
                shellcheck,
                [
                    "--shell=bash",
                    "--severity=style",
                    "--enable=add-default-case,avoid-nullary-conditions,check-unassigned-uppercase,deprecate-which,quote-safe-variables",
                    p,
                ],
                { encoding: "utf8" },
            );
            expect(r.stdout + r.stderr).toBe("");
            expect(r.status).toBe(0);
            expect(spawnSync("bash", ["-n", p], { encoding: "utf8" }).status).toBe(0);
        }
    });

    test("systemd-analyze verify accepts the units (in a root with the host's unit files)", () => {
        const analyze = requireTool("systemd-analyze");
        const { output, status, root } = verifyUnitsInRoot(dir, renderBackupFiles(defaults), [backupPaths.service, backupPaths.timer]);
        expect(output).toBe("");
        expect(status).toBe(0);

        const timer = fs.readFileSync(path.join(root, backupPaths.timer), "utf8");
        const onCalendar = /^OnCalendar=(.*)$/m.exec(timer)![1];
        const cal = execFileSync(analyze, ["calendar", onCalendar], { encoding: "utf8" });
        expect(cal).toMatch(/Normalized form: \*-\*-\* 02:30:00/);
        expect(timer).toMatch(/^Persistent=true$/m);
        expect(timer).toMatch(/^RandomizedDelaySec=45min$/m);
        expect(timer).toMatch(/^WantedBy=timers.target$/m);
        const service = fs.readFileSync(path.join(root, backupPaths.service), "utf8");
        expect(service).toMatch(/^Type=oneshot$/m);
        expect(service).toMatch(/^ExecStart=\/usr\/local\/sbin\/mautic-backup$/m);
        expect(service).toMatch(/^RequiresMountsFor=\/srv\/mautic$/m);
    });
});
