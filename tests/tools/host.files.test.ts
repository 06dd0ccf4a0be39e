/**
 * Every file the host's user data carries, checked by the real tool that will consume it.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { HostFile, renderCloudInit, renderDaemonJson, renderHostFiles } from "../../components/host/cloudInit";
import { renderInstallScript } from "../../components/app/mautic";
import { verifyUnitsInRoot } from "../support/systemd";
import { hostInput } from "../support/host-input";
import { requireTool } from "../support/tools";

const input = hostInput;
const userData = renderCloudInit(input);
const files = renderHostFiles(input);
const file = (p: string): HostFile => {
    const f = files.find((x) => x.path === p);
    if (!f) throw new Error(`no rendered file ${p}`);
    return f;
};

let tmp: string;
beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kit-host-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function run(bin: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
    const r = spawnSync(requireTool(bin), args, { encoding: "utf8", input: opts.input, env: { ...process.env, ...opts.env } });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("cloud-init user data", () => {
    test("passes `cloud-init schema`", () => {
        const f = path.join(tmp, "user-data.yaml");
        fs.writeFileSync(f, userData);
        const r = run("cloud-init", ["schema", "--config-file", f]);
        expect(r.out).toMatch(/Valid cloud-config/);
        expect(r.code).toBe(0);
    });

    test("is far below Hetzner's 32 KiB", () => {
        expect(Buffer.byteLength(userData)).toBeLessThan(24 * 1024);
    });

    test("installs the pinned host key only and disables password login", () => {
        const doc = parse(userData);
        expect(doc.ssh_keys.ed25519_public).toBe(input.hostKey.publicKeyOpenssh.trim());
        expect(doc.ssh_genkeytypes).toBeUndefined();
        expect(doc.ssh_deletekeys).toBe(true);
        expect(doc.ssh_pwauth).toBe(false);
    });

    test("hardens in order: volume, Docker, then the ready marker", () => {
        const doc = parse(userData);
        // One sh script (see host.hardening.test.ts): `set -eu`, then each step with its guard.
        expect(doc.runcmd[0]).toBe("set -eu");
        expect(doc.runcmd.slice(1).map((c: string) => c.split(" ")[0])).toEqual([
            "/usr/local/sbin/mautic-kit-mount-volume",
            "/usr/local/sbin/mautic-kit-install-docker",
            "/usr/local/sbin/mautic-kit-host-ready",
        ]);
        expect(doc.packages).toEqual(expect.arrayContaining(["fail2ban", "python3-systemd", "unattended-upgrades"]));
        expect(doc.ntp).toMatchObject({ enabled: true, ntp_client: "chrony" });
    });

    test("rejects a bad reboot time or volume device", () => {
        expect(() => renderCloudInit({ ...input, rebootTime: "4:30am" })).toThrow(/rebootTime/);
        expect(() => renderCloudInit({ ...input, volumeDevice: "/dev/sdb" })).toThrow(/volumeDevice/);
    });

    test("matches the snapshot", () => {
        expect(userData).toMatchSnapshot();
    });
});

describe("files in the user data, each checked by its consumer", () => {
    test("sshd drop-in passes `sshd -t` and enforces key-only login", () => {
        const dropIn = path.join(tmp, "10-mautic-kit-hardening.conf");
        fs.writeFileSync(
            dropIn,
            file("/etc/ssh/sshd_config.d/10-mautic-kit-hardening.conf").content.replace("/etc/ssh/ssh_host_ed25519_key", path.join(tmp, "hostkey")),
        );
        execFileSync(requireTool("ssh-keygen"), ["-q", "-t", "ed25519", "-N", "", "-f", path.join(tmp, "hostkey")]);
        const main = path.join(tmp, "sshd_config");
        // Debian's layout: the drop-ins are included first, then the distribution's defaults.
        fs.writeFileSync(main, `Include ${dropIn}\nPasswordAuthentication yes\nPermitRootLogin yes\n`);
        fs.mkdirSync("/run/sshd", { recursive: true });
        const t = run("sshd", ["-t", "-f", main]);
        expect(t.out).toBe("");
        expect(t.code).toBe(0);
        const eff = run("sshd", ["-T", "-f", main, "-C", "user=root,host=x,addr=203.0.113.5"]);
        expect(eff.code).toBe(0);
        expect(eff.out).toMatch(/^passwordauthentication no$/m);
        expect(eff.out).toMatch(/^permitrootlogin without-password$/m);
        expect(eff.out).toMatch(/^authenticationmethods publickey$/m);
        expect(eff.out).toMatch(/^maxauthtries 2$/m);
        expect(eff.out).toMatch(/^allowtcpforwarding no$/m);
        expect(eff.out).toMatch(/^x11forwarding no$/m);
        expect(eff.out).toMatch(/^authorizedkeysfile \.ssh\/authorized_keys \/etc\/ssh\/mautic-kit-authorized-keys\/%u$/m);
    });

    test("admin keys are written to the file sshd reads, one per line", () => {
        const keys = renderHostFiles({
            ...input,
            adminPublicKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA one@x", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB two@y "],
        });
        const f = keys.find((x) => x.path === "/etc/ssh/mautic-kit-authorized-keys/root")!;
        expect(f.content.split("\n").filter((l) => l && !l.startsWith("#"))).toEqual([
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA one@x",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB two@y",
        ]);
        expect(f.permissions).toBe("0644");
    });

    test("the metadata-service block unit passes systemd-analyze verify and re-applies with Docker", () => {
        const unit = file("/etc/systemd/system/mautic-kit-block-metadata.service");
        // The unit needs docker.service to exist in the root; a stand-in is enough for the verifier.
        const docker = { path: "/etc/systemd/system/docker.service", content: "[Service]\nExecStart=/bin/true\n" };
        const { output } = verifyUnitsInRoot(tmp, [docker, unit], [unit.path]);
        expect(output).toBe("");
        expect(unit.content).toMatch(/-d 169\.254\.169\.254\/32 -j DROP/);
        expect(unit.content).toMatch(/^ExecStart=\/bin\/sh -c 'iptables -P FORWARD DROP && ip6tables -P FORWARD DROP'$/m);
        expect(unit.content).toMatch(/^PartOf=docker\.service$/m);
    });

    test("host-ready refuses an unmounted volume and waits for fail2ban", () => {
        const c = file("/usr/local/sbin/mautic-kit-host-ready").content;
        expect(c).toMatch(/if ! mountpoint -q "\/srv\/mautic"; then/);
        expect(c).toMatch(/fail2ban-client ping/);
        expect(c.indexOf("fail2ban-client ping")).toBeLessThan(c.indexOf("fail2ban-client status sshd"));
    });

    test("fail2ban jail passes `fail2ban-client -t` with the systemd backend", () => {
        const conf = path.join(tmp, "fail2ban");
        fs.cpSync("/etc/fail2ban", conf, { recursive: true });
        fs.writeFileSync(path.join(conf, "jail.d", "sshd.local"), file("/etc/fail2ban/jail.d/sshd.local").content);
        fs.writeFileSync(path.join(conf, "filter.d", "sshd.local"), file("/etc/fail2ban/filter.d/sshd.local").content);
        for (const f of fs.readdirSync(path.join(conf, "jail.d"))) if (f !== "sshd.local") fs.rmSync(path.join(conf, "jail.d", f));
        const r = run("fail2ban-client", ["-c", conf, "-t"]);
        expect(r.out).toMatch(/OK: configuration test is successful/);
        expect(r.code).toBe(0);
        const dump = run("fail2ban-client", ["-c", conf, "-d"]);
        expect(dump.out).toMatch(/\['add', 'sshd', 'systemd'\]/);
    });

    test("logrotate file passes `logrotate -d`", () => {
        const f = path.join(tmp, "logrotate-mautic-kit");
        const logDir = path.join(tmp, "logs");
        fs.mkdirSync(logDir);
        fs.writeFileSync(path.join(logDir, "install.log"), "x\n");
        fs.writeFileSync(
            f,
            file("/etc/logrotate.d/mautic-kit")
                .content.replace("/var/log/mautic-kit", logDir)
                .replace("su root adm", "su root root")
                .replace("create 0640 root adm", "create 0640 root root"),
        );
        fs.chmodSync(f, 0o644);
        const r = run("logrotate", ["-d", "-s", path.join(tmp, "logrotate.state"), f]);
        expect(r.code).toBe(0);
        expect(r.out).toMatch(/rotating pattern: .*logs\/\*\.log/);
        expect(r.out).not.toMatch(/error:/);
        expect(file("/etc/logrotate.d/mautic-kit").content).toMatch(/rotate 7/);
    });

    test("apt configuration parses with `apt-config` and enables daily security upgrades with a reboot window", () => {
        for (const p of ["/etc/apt/apt.conf.d/20auto-upgrades", "/etc/apt/apt.conf.d/52unattended-upgrades-mautic-kit"]) {
            const f = path.join(tmp, path.basename(p));
            fs.writeFileSync(f, file(p).content);
            const r = run("apt-config", ["-c", f, "dump"]);
            expect(r.code).toBe(0);
            expect(r.out).not.toMatch(/^E:/m);
        }
        const dump = run("apt-config", ["-c", path.join(tmp, "20auto-upgrades"), "-c", path.join(tmp, "52unattended-upgrades-mautic-kit"), "dump"]).out;
        expect(dump).toMatch(/APT::Periodic::Unattended-Upgrade "1";/);
        expect(dump).toMatch(/Unattended-Upgrade::Automatic-Reboot "true";/);
        expect(dump).toMatch(/Unattended-Upgrade::Automatic-Reboot-Time "04:30";/);
        expect(dump).toMatch(/origin=Docker,label=Docker CE/);
    });

    test("daemon.json: rotated logs (string values), live-restore, no-new-privileges", () => {
        const d = JSON.parse(renderDaemonJson());
        expect(d).toEqual({
            "log-driver": "json-file",
            "log-opts": { "max-size": "10m", "max-file": "5" },
            "live-restore": true,
            "no-new-privileges": true,
            icc: false,
            "userland-proxy": false,
        });
        expect(file("/etc/docker/daemon.json").content).toBe(renderDaemonJson());
    });

    test("sysctl leaves IP forwarding to Docker (which then sets FORWARD DROP) and parses with `sysctl -p` syntax", () => {
        const content = file("/etc/sysctl.d/90-mautic-kit.conf").content;
        expect(content).not.toMatch(/^\s*net\.ipv4\.ip_forward\b/m);
        for (const line of content.split("\n").filter((l) => l && !l.startsWith("#"))) {
            expect(line).toMatch(/^[a-z0-9_.]+ = \S+$/);
        }
    });

    test("journald drop-in bounds size and retention", () => {
        const c = file("/etc/systemd/journald.conf.d/10-mautic-kit.conf").content;
        expect(c).toMatch(/^\[Journal\]$/m);
        expect(c).toMatch(/^SystemMaxUse=500M$/m);
        expect(c).toMatch(/^MaxRetentionSec=7day$/m);
        expect(c).toMatch(/^MaxFileSec=1day$/m);
    });

    test("Docker waits for the data volume", () => {
        expect(file("/etc/systemd/system/docker.service.d/10-mautic-kit-volume.conf").content).toMatch(/^RequiresMountsFor=\/srv\/mautic$/m);
    });

    test.each(["mautic-kit-mount-volume", "mautic-kit-install-docker", "mautic-kit-host-ready"])("%s passes shellcheck", (name) => {
        const f = file(`/usr/local/sbin/${name}`);
        const p = path.join(tmp, name);
        fs.writeFileSync(p, f.content);
        const r = run("shellcheck", ["-s", "bash", p]);
        expect(r.out).toBe("");
        expect(r.code).toBe(0);
        expect(f.content).not.toMatch(/\{\{\s*[a-zA-Z]/);
    });

    test("the Mautic install script passes shellcheck and uses -f", () => {
        const script = renderInstallScript({
            domain: "marketing.client-a.de",
            adminEmail: "ops@agency.example",
            adminUsername: "admin",
            adminFirstName: "Mautic",
            adminLastName: "Administrator",
            dbName: "mautic",
            dbUser: "mautic",
        });
        const p = path.join(tmp, "install.sh");
        fs.writeFileSync(p, script);
        const r = run("shellcheck", ["-s", "bash", p]);
        expect(r.out).toBe("");
        expect(script).toMatch(/mautic:install "\$0" -f --no-interaction/);
        expect(script).toMatch(/IFS= read -r db_password/);
    });
});
