/**
 * The optional off-site copy with restic (Debian's restic, offline, to a local repository that
 * stands in for the SFTP Storage Box): every verified set is copied with its backup time, the
 * same retention runs there, a restic restore gives back identical files, and a missing or
 * badly protected password is a reported failure that leaves the local set good and latest.
 */
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { BackupHost, DAY, idAt } from "../support/backup-host";
import { fillFiles } from "../support/backup-data";
import { requireTool } from "../support/tools";

const fakeDump = `printf -- '-- fake dump\\nCREATE TABLE t (id INT);\\n-- Dump completed on 2030-01-01  0:00:00\\n'`;
let restic: string;
let host: BackupHost;
let repo: string;
const password = "correct horse battery staple";
/** 2025-01-15T03:00:00Z: in the past on purpose, restic's --keep-within ignores future-dated snapshots. */
const T0 = Date.UTC(2025, 0, 15, 3, 0, 0) / 1000;

beforeAll(() => {
    restic = requireTool("restic");
    host = new BackupHost({ dumpScript: fakeDump, offsite: { kind: "restic-sftp", repository: "sftp://u1@u1.your-storagebox.de:23/mautic" } });
    repo = path.join(host.root, "restic-repo");
    // The rendered repository is the SFTP one; the test points it at a local directory.
    host.writeConf(`OFFSITE_REPOSITORY=${repo}`);
    fillFiles(host.filesRoot);
});
afterAll(() => host?.cleanup());

function snapshots(): { time: string; paths: string[]; tags: string[]; id: string }[] {
    const out = execFileSync(restic, ["--repo", repo, "--no-cache", "snapshots", "--json"], {
        env: { ...process.env, RESTIC_PASSWORD: password },
        encoding: "utf8",
    });
    return JSON.parse(out);
}

const envFile = () => path.join(host.root, "offsite.env");

test("configured but restic is not installed: reported, the local set is still good and latest", () => {
    host.writeConf(`OFFSITE_REPOSITORY=${repo}\nRESTIC_BIN=/nonexistent/restic`);
    const r = host.run("backup", [], { now: T0 - DAY });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/off-site: \/nonexistent\/restic is not installed \(apt-get install restic\)/);
    expect(host.latest()).toBe(idAt(T0 - DAY));
    expect(host.status()).toMatchObject({ result: "failed", stage: "offsite", offsite: "failed", last_good_id: idAt(T0 - DAY) });
    host.writeConf(`OFFSITE_REPOSITORY=${repo}`);
});

test("configured but no password: reported as an off-site failure, the local set is still good and latest", () => {
    const r = host.run("backup", [], { now: T0 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no restic password is set: put RESTIC_PASSWORD=\.\.\. into/);
    expect(host.latest()).toBe(idAt(T0));
    expect(host.status()).toMatchObject({ result: "failed", stage: "offsite", offsite: "failed", backup_id: idAt(T0), last_good_id: idAt(T0) });
});

test("a password file that others can read is refused", () => {
    fs.writeFileSync(envFile(), `# restic repository password\nRESTIC_PASSWORD="${password}"\n`, { mode: 0o644 });
    fs.chmodSync(envFile(), 0o644);
    const r = host.run("backup", [], { now: T0 + DAY });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/offsite.env holds secrets but is readable by others \(mode 644\): chmod 600/);
    expect(r.stderr).not.toContain(password);
});

test("each verified set is copied with its backup time; retention applies off-site too; restic restore is identical", () => {
    fs.chmodSync(envFile(), 0o600);
    const first = host.run("backup", [], { now: T0 + 2 * DAY });
    expect(first.stderr).not.toMatch(/ERROR/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/initialising the restic repository/);
    expect(host.status()).toMatchObject({ result: "ok", offsite: "ok" });
    let snaps = snapshots();
    expect(snaps.map((s) => [s.time.replace(/\.\d+/, "").replace(/\+00:00$/, "Z"), s.paths, s.tags])).toEqual([
        ["2025-01-17T03:00:00Z", [path.join(host.backupDir, idAt(T0 + 2 * DAY))], ["mautic-backup"]],
    ]);
    expect(snaps.flatMap((s) => s.tags)).not.toContain(password);

    // 20 days later: the first copy is past the 14 days, here and off-site.
    const later = T0 + 22 * DAY;
    const second = host.run("backup", [], { now: later });
    expect(second.code).toBe(0);
    expect(host.sets()).toEqual([idAt(later)]);
    snaps = snapshots();
    expect(snaps.map((s) => s.paths[0])).toEqual([path.join(host.backupDir, idAt(later))]);

    const target = path.join(host.root, "restored");
    execFileSync(restic, ["--repo", repo, "--no-cache", "restore", snaps[0].id, "--target", target], { env: { ...process.env, RESTIC_PASSWORD: password } });
    const original = path.join(host.backupDir, idAt(later));
    const copy = path.join(target, original);
    for (const f of ["db.sql.gz", "files.tar.gz", "manifest", "SHA256SUMS"]) {
        const sha = (p: string) => createHash("sha256").update(fs.readFileSync(p)).digest("hex");
        expect(sha(path.join(copy, f))).toBe(sha(path.join(original, f)));
    }
});
