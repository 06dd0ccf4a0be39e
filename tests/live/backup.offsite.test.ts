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

function snapshots(): { time: string; paths: string[]; tags: string[]; id: string; hostname: string }[] {
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

test("off-site retention counts from today, for every host: a replaced server's copies expire too (restic's --keep-within would keep them)", () => {
    const env = { ...process.env, RESTIC_PASSWORD: password };
    const r = (args: string[]) => execFileSync(restic, ["--repo", repo, "--no-cache", ...args], { env, encoding: "utf8" });
    // Two copies of a former server (another host name), 3 and 8 days after T0.
    const src = path.join(host.root, "old-server-set");
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, "db.sql.gz"), "old server");
    for (const d of [3, 8]) {
        const at = new Date((T0 + d * DAY) * 1000)
            .toISOString()
            .replace("T", " ")
            .replace(/\.\d+Z$/, "");
        execFileSync(restic, ["--repo", repo, "--no-cache", "backup", "--host", "old-server", "--tag", "mautic-backup", "--time", at, src], {
            env: { ...env, TZ: "UTC" },
        });
    }
    const now = T0 + 30 * DAY;
    // What restic's own policy (the kit's former command) keeps: counted from each host's newest
    // snapshot, the old server's copies (22 and 27 days before now) stay.
    const policy = JSON.parse(r(["forget", "--tag", "mautic-backup", "--group-by", "host", "--keep-within", "14d", "--dry-run", "--json"])) as {
        host: string;
        keep: unknown[];
    }[];
    expect(policy.find((g) => g.host === "old-server")?.keep).toHaveLength(2);

    const run = host.run("backup", [], { now });
    expect(run.stderr).not.toMatch(/ERROR/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/off-site: forgot 2 snapshot\(s\) older than 14 days/);
    const left = snapshots().map((s) => [s.hostname, s.time.replace(/\.\d+/, "").replace(/\+00:00$/, "Z")]);
    // Kept: the copy 8 days old (T0+22) and today's; the old server's copies are gone.
    expect(left.sort()).toEqual(
        [idAt(T0 + 22 * DAY), idAt(now)].map((id) => [
            expect.any(String),
            `${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T${id.slice(9, 11)}:${id.slice(11, 13)}:${id.slice(13, 15)}Z`,
        ]),
    );
    expect(left.every(([h]) => h !== "old-server")).toBe(true);
    expect(r(["check"])).toMatch(/no errors were found/);
});
