/**
 * The expectation `verify` checks a live host against is derived from the plan, and the
 * evaluation of checks the loopback host cannot run for real (iptables, docker, findmnt on the
 * volume) is pinned on the tools' output formats.
 */
import { spawnSync } from "child_process";
/* eslint-disable @typescript-eslint/no-require-imports */
import { runPlan, PlanResult, findUpload } from "../../plan/runPlan";
import { expectationFromPlan } from "../../verify/expected";
import { evaluateHostChecks, matchesRedacted } from "../../verify/evaluate";
import { Section } from "../../verify/gather";
import { HostExpectation } from "../../verify/types";
import { testStack } from "../support/stacks";

let plan: PlanResult;
let e: HostExpectation;
beforeAll(async () => {
    plan = await runPlan(testStack({ backupOffsiteRepository: "sftp://u1@u1.your-storagebox.de:23/mautic" }));
    e = expectationFromPlan(plan, { volumeId: "4242", serverAddresses: ["203.0.113.10"] });
}, 120_000);

const run = (sections: Record<string, Section>, only: Parameters<typeof evaluateHostChecks>[2], exp = e) =>
    evaluateHostChecks(new Map(Object.entries({ now: { output: String(Math.floor(Date.now() / 1000)), rc: 0 }, ...sections })), exp, only, new Date().toISOString());

test("the expectation covers the user data's files and the synced ones, with the real volume id", () => {
    const paths = e.hostFiles.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining([
        "/etc/ssh/sshd_config.d/10-mautic-kit-hardening.conf", "/etc/fail2ban/jail.d/sshd.local", "/etc/docker/daemon.json",
        "/usr/local/sbin/mautic-backup", "/etc/systemd/system/mautic-backup.timer", "/usr/local/sbin/mautic-kit-mount-volume",
    ]));
    const mount = e.hostFiles.find((f) => f.path === "/usr/local/sbin/mautic-kit-mount-volume")!;
    expect(mount.content).toContain("scsi-0HC_Volume_4242");
    expect(e.volume).toEqual({ mountPoint: "/srv/mautic", device: "/dev/disk/by-id/scsi-0HC_Volume_4242" });
    expect(e.sshd).toMatchObject({ passwordauthentication: "no", permitrootlogin: "without-password", logingracetime: "30", maxauthtries: "2" });
    expect(e.backup.offsiteRepository).toBe("sftp://u1@u1.your-storagebox.de:23/mautic");
    // A host that only booted (the VM test) has the user data's files, not the deploy's.
    const firstBoot = expectationFromPlan(plan, { volumeId: "4242", firstBootOnly: true }).hostFiles.map((f) => f.path);
    expect(firstBoot).toContain("/etc/ssh/sshd_config.d/10-mautic-kit-hardening.conf");
    expect(firstBoot).not.toContain("/usr/local/sbin/mautic-backup");
    // Without the volume id the mount script cannot be compared: it is left out, not guessed.
    expect(expectationFromPlan(plan).hostFiles.map((f) => f.path)).not.toContain("/usr/local/sbin/mautic-kit-mount-volume");
});

test("containers carry the pinned image tags, the caps and memory limits of the plan", () => {
    const byName = Object.fromEntries(e.containers.map((c) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual(["mautic_cron", "mautic_db", "mautic_edge", "mautic_web", "mautic_worker"]);
    expect(byName.mautic_web.image).toMatch(/^mautic\/mautic:\d+\.\d+\.\d+-apache$/);
    expect(byName.mautic_db.image).toMatch(/^mariadb:\d+\.\d+\.\d+$/);
    expect(byName.mautic_edge.capAdd).toEqual(["CAP_NET_BIND_SERVICE"]);
    expect(byName.mautic_worker.healthcheck).toBe(false);
    expect(byName.mautic_web.memoryMiB).toBeGreaterThan(0);
});

test("container files: the plan's redacted secrets match any value, anything else must be equal", () => {
    const params = e.containerFiles.find((f) => f.path.endsWith("parameters_local.php"))!;
    expect(params.content).toContain("'secret_key' => '[secret]'");
    const live = findUpload(plan.cloud.resources, params.path)!; // as sent, with the (mock) secrets
    expect(matchesRedacted(params.content, live)).toBe(true);
    expect(matchesRedacted(params.content, live.replace("'anonymize_ip' => true", "'anonymize_ip' => false"))).toBe(false);
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const out = e.containerFiles.map((f) => `${f.container} ${f.path} ${b64(f.path === params.path ? live : f.content)}`).join("\n");
    expect(run({ "container-files": { output: out, rc: 0 } }, ["container-files"])[0].status).toBe("pass");
    const cron = e.containerFiles.find((f) => f.container === "mautic_cron")!;
    const edited = out.replace(b64(cron.content), b64(`${cron.content}* * * * * www-data curl http://x\n`));
    const [r] = run({ "container-files": { output: edited, rc: 0 } }, ["container-files"]);
    expect(r).toMatchObject({ status: "fail", evidence: `mautic_cron:${cron.path} differs from the plan` });
});

test("FORWARD policy and the metadata block, on iptables -S output", () => {
    const rs = run({
        "forward-policy": { output: "-P FORWARD ACCEPT\n-N DOCKER-USER\n-A FORWARD -j DOCKER-USER", rc: 0 },
        "metadata-block": { output: "-N DOCKER-USER\n-A DOCKER-USER -j RETURN", rc: 0 },
    }, ["forward-policy", "metadata-block"]);
    expect(rs.map((r) => [r.id, r.status, r.evidence])).toEqual([
        ["forward-policy", "fail", "FORWARD policy ACCEPT"],
        ["metadata-block", "fail", "no DROP rule for 169.254.169.254 in DOCKER-USER (exit 0)"],
    ]);
    const ok = run({
        "forward-policy": { output: "-P FORWARD DROP\n-A FORWARD -j DOCKER-USER", rc: 0 },
        "metadata-block": { output: "-N DOCKER-USER\n-A DOCKER-USER -d 169.254.169.254/32 -j DROP\n-A DOCKER-USER -j RETURN", rc: 0 },
    }, ["forward-policy", "metadata-block"]);
    expect(ok.map((r) => r.status)).toEqual(["pass", "pass"]);
});

test("volume: real findmnt output; an unmounted volume or another device fails", () => {
    const real = spawnSync("findmnt", ["-n", "-o", "SOURCE,FSTYPE", "--mountpoint", "/"], { encoding: "utf8" });
    const exp = { ...e, volume: { mountPoint: "/" } };
    expect(run({ volume: { output: real.stdout.trim(), rc: real.status ?? 1 } }, ["volume"], exp)[0].status).toBe("pass");
    expect(run({ volume: { output: "", rc: 1 } }, ["volume"])[0]).toMatchObject({ status: "fail", evidence: "/srv/mautic is not a mount point" });
    expect(run({ volume: { output: "/dev/sda1 ext4\ndevice=/dev/sdb", rc: 0 } }, ["volume"])[0].status).toBe("fail");
    expect(run({ volume: { output: "/dev/sdb ext4\ndevice=/dev/sdb", rc: 0 } }, ["volume"])[0].status).toBe("pass");
});

test("containers: docker inspect shapes; a stopped, unhealthy or re-capped container is named", () => {
    const inspect = e.containers.map((c, i) => ({
        Name: `/${c.name}`,
        Image: `sha256:${i}`,
        State: { Running: true, Status: "running", ...(c.healthcheck ? { Health: { Status: "healthy" } } : {}) },
        HostConfig: { Memory: (c.memoryMiB ?? 0) * 1048576, CapAdd: [...c.capAdd], CapDrop: ["ALL"], SecurityOpt: ["no-new-privileges:true"], RestartPolicy: { Name: "unless-stopped" } },
    }));
    const images = e.containers.map((c, i) => ({ Id: `sha256:${i}`, RepoTags: [c.image], RepoDigests: [] }));
    const sections = (list: unknown[]) => ({ containers: { output: JSON.stringify(list), rc: 0 }, images: { output: JSON.stringify(images), rc: 0 } });
    expect(run(sections(inspect), ["containers"])[0].status).toBe("pass");
    const broken = structuredClone(inspect);
    broken[1].State = { Running: false, Status: "exited" };
    broken[0].HostConfig.CapAdd.push("CAP_SYS_ADMIN");
    const [r] = run(sections(broken), ["containers"]);
    expect(r.status).toBe("fail");
    expect(r.evidence).toContain(`${e.containers[1].name}: exited`);
    expect(r.evidence).toMatch(new RegExp(`${e.containers[0].name}: CapAdd .*SYS_ADMIN`));
});

test("offsite: restic snapshots --json; stale or unreadable fails", () => {
    const at = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
    expect(run({ offsite: { output: JSON.stringify([{ time: at(2), short_id: "ab12" }]), rc: 0 } }, ["offsite"])[0].status).toBe("pass");
    expect(run({ offsite: { output: JSON.stringify([{ time: at(40) }]), rc: 0 } }, ["offsite"])[0]).toMatchObject({ status: "fail", evidence: "latest off-site snapshot 40.0 h old (limit 26 h)" });
    expect(run({ offsite: { output: "Fatal: wrong password", rc: 1 } }, ["offsite"])[0].status).toBe("fail");
});

test("a check whose section never arrived fails rather than passing silently", () => {
    expect(run({}, ["disk"])[0]).toMatchObject({ id: "disk", status: "fail", evidence: "not gathered (the SSH session ended early)" });
});

test("Mautic's effective config: the real php filter keeps only the expected keys; a changed value fails", () => {
    const { mauticConfigFilterPhp } = require("../../verify/gather") as typeof import("../../verify/gather");
    expect(e.mauticConfig).toMatchObject({ anonymize_ip: true, track_contact_by_ip: false, cookie_secure: true, site_url: "https://marketing.client-a.de" });
    expect(Object.keys(e.mauticConfig!)).not.toContain("secret_key");
    // What `bin/console debug:container --parameters --format=json` prints: every parameter, secrets included.
    const all: Record<string, unknown> = { "mautic.secret_key": "s3cr3t", "mautic.db_password": "pw" };
    for (const [k, v] of Object.entries(e.mauticConfig!)) all[`mautic.${k}`] = v;
    const php = spawnSync("php", ["-r", mauticConfigFilterPhp, JSON.stringify(Object.keys(e.mauticConfig!))], { input: JSON.stringify(all), encoding: "utf8" });
    expect(php.status).toBe(0);
    expect(php.stdout).not.toMatch(/s3cr3t|pw/);
    expect(run({ "mautic-config": { output: php.stdout, rc: 0 } }, ["mautic-config"])[0]).toMatchObject({ id: "mautic-config", status: "pass" });
    all["mautic.anonymize_ip"] = false;
    delete all["mautic.stats_update_url"];
    const changed = spawnSync("php", ["-r", mauticConfigFilterPhp, JSON.stringify(Object.keys(e.mauticConfig!))], { input: JSON.stringify(all), encoding: "utf8" });
    const [r] = run({ "mautic-config": { output: changed.stdout, rc: 0 } }, ["mautic-config"]);
    expect(r.status).toBe("fail");
    expect(r.evidence).toContain("anonymize_ip = false (want true)");
    expect(r.evidence).toContain('stats_update_url: not set (want "")');
});
