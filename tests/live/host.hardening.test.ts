/**
 * The three defects the first real boot found (issue 12), each checked with the real tool:
 * - a failed runcmd step must stop the first boot visibly (cloud-init's own shellify + sh);
 * - one plain `ssh-keyscan` must not ban the admin, brute force must (a real sshd on loopback
 *   with the kit's drop-in, the real ssh-keyscan/ssh clients, fail2ban-regex with the jail);
 * - `dockerSource` renders an install script shellcheck accepts, for both sources.
 * The FORWARD policy after boot and reboot is checked in the VM (vm.firstboot.test.ts).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { dockerPackages, renderCloudInit, renderHostFiles, renderRuncmd } from "../../components/host/cloudInit";
import { validateSiteArgs } from "../../components/config/config";
import { hostInput } from "../support/host-input";
import { startSshd, Sshd } from "../support/sshd";
import { requireTool } from "../support/tools";

const input = hostInput;
const hostFile = (p: string, extra: Partial<Parameters<typeof renderHostFiles>[0]> = {}) => {
    const f = renderHostFiles({ ...input, ...extra }).find((x) => x.path === p);
    if (!f) throw new Error(`no rendered file ${p}`);
    return f.content;
};

let tmp: string;
beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kit-hardening-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The script cloud-init's runcmd module writes, made by cloud-init's own code. */
function cloudInitRuncmdScript(runcmd: unknown[]): string {
    // cloud-init runs on the system python (its modules are not on other interpreters' paths).
    const py = fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : requireTool("python3");
    requireTool("cloud-init");
    const r = spawnSync(py, ["-c", "import json,sys; from cloudinit.util import shellify; sys.stdout.write(shellify(json.load(sys.stdin)))"], {
        input: JSON.stringify(runcmd),
        encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`cloud-init's shellify failed: ${r.stderr}`);
    return r.stdout;
}

describe("runcmd: a failed first-boot step is visible and stops the boot", () => {
    test("the real user data starts with set -eu and guards every step", () => {
        const doc = parse(renderCloudInit({ ...input, extraCommands: [["/usr/local/sbin/extra", "a b"]] }));
        expect(doc.runcmd[0]).toBe("set -eu");
        for (const line of doc.runcmd.slice(1))
            expect(line).toMatch(/ \|\| \{ rc=\$\?; echo "mautic-kit: first-boot step failed \(exit \$rc\): .*" >&2; exit "\$rc"; \}$/);
        expect(doc.runcmd).toHaveLength(5);
    });

    test("under sh, a failing step stops the script with its exit code and names itself", () => {
        const log = path.join(tmp, "steps.log");
        const script = path.join(tmp, "runcmd");
        fs.writeFileSync(
            script,
            cloudInitRuncmdScript(
                renderRuncmd([
                    ["sh", "-c", `echo "one $1" >> ${log}`, "sh", "it's a b"],
                    ["sh", "-c", "exit 7"],
                    ["sh", "-c", `echo three >> ${log}`],
                ]),
            ),
            { mode: 0o700 },
        );
        const r = spawnSync(script, [], { encoding: "utf8" });
        expect(r.status).toBe(7);
        expect(r.stderr).toMatch(/^mautic-kit: first-boot step failed \(exit 7\): sh -c exit 7$/m);
        // Arguments survive the quoting; the step after the failure never ran.
        expect(fs.readFileSync(log, "utf8")).toBe("one it's a b\n");
    });

    test("all steps succeeding exits 0 (the ready marker is written)", () => {
        const script = path.join(tmp, "runcmd-ok");
        fs.writeFileSync(script, cloudInitRuncmdScript(renderRuncmd([["true"], ["sh", "-c", "exit 0"]])), { mode: 0o700 });
        expect(spawnSync(script, [], { encoding: "utf8" }).status).toBe(0);
    });
});

describe("fail2ban: ssh-keyscan does not ban, brute force does", () => {
    let sshd: Sshd;

    function syslogLines(text: string): string {
        // fail2ban-regex wants the journal's syslog shape: "<date> <host> sshd[<pid>]: <message>".
        return text
            .split("\n")
            .filter((l) => l.trim())
            .map((l) => `Dec  3 12:00:00 mautic sshd[4242]: ${l}`)
            .join("\n");
    }

    /** Runs `fn`, then returns the sshd log lines it caused (sshd logs asynchronously). */
    async function logOf(fn: () => void): Promise<string> {
        const from = sshd.log().length;
        fn();
        await new Promise((r) => setTimeout(r, 700));
        return sshd.log().slice(from);
    }

    /** fail2ban's failure count for `log`, with the kit's jail and filter (or the stock filter). */
    function failures(log: string, opts: { stock?: string } = {}): number {
        const conf = path.join(tmp, opts.stock ? "f2b-stock" : "f2b-kit");
        if (!fs.existsSync(conf)) {
            fs.cpSync("/etc/fail2ban", conf, { recursive: true });
            if (!opts.stock) {
                fs.writeFileSync(path.join(conf, "jail.d", "sshd.local"), hostFile("/etc/fail2ban/jail.d/sshd.local"));
                fs.writeFileSync(path.join(conf, "filter.d", "sshd.local"), hostFile("/etc/fail2ban/filter.d/sshd.local"));
            }
        }
        const mode = opts.stock ?? /^mode\s*=\s*(\S+)$/m.exec(hostFile("/etc/fail2ban/jail.d/sshd.local"))![1];
        const file = path.join(tmp, `auth-${Math.random().toString(36).slice(2)}.log`);
        fs.writeFileSync(file, `${syslogLines(log)}\n`);
        const r = spawnSync(requireTool("fail2ban-regex"), ["-c", conf, "-o", "ip", file, `sshd[mode=${mode}]`], { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`fail2ban-regex failed: ${r.stderr}`);
        return r.stdout.split("\n").filter((l) => l.trim() === "127.0.0.1").length;
    }

    const maxretry = () => Number(/^maxretry\s*=\s*(\d+)$/m.exec(hostFile("/etc/fail2ban/jail.d/sshd.local"))![1]);

    beforeAll(async () => {
        requireTool("fail2ban-regex");
        // The kit's drop-in read first, as Debian's sshd_config includes it (its values win). Its
        // only HostKey names the host's ed25519 key; the helper serves a temp ed25519 key instead.
        const kit = hostFile("/etc/ssh/sshd_config.d/10-mautic-kit-hardening.conf");
        const hostKeyLine = /^HostKey \/etc\/ssh\/ssh_host_ed25519_key\n/m;
        if (kit.match(/^HostKey /gm)?.length !== 1 || !hostKeyLine.test(kit)) throw new Error("the kit's sshd drop-in no longer has one ed25519 HostKey");
        const dropIn = path.join(tmp, "sshd-hardening.conf");
        fs.writeFileSync(dropIn, kit.replace(hostKeyLine, ""));
        sshd = await startSshd({ dir: tmp, head: [`Include ${dropIn}`], portRange: [21000, 22999] });
    }, 30000);
    afterAll(() => sshd?.stop());

    const sshOpts = (...extra: string[]) => [
        "-p",
        String(sshd.port),
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        `UserKnownHostsFile=${path.join(tmp, "kh")}`,
        "-o",
        "ConnectTimeout=5",
        ...extra,
    ];

    test("one plain ssh-keyscan: banned with the old aggressive jail, not counted with the kit's", async () => {
        const log = await logOf(() => {
            const r = spawnSync(requireTool("ssh-keyscan"), ["-p", String(sshd.port), "127.0.0.1"], { encoding: "utf8", timeout: 20000 });
            expect(r.stdout).toMatch(/^\[127\.0\.0\.1\]:\d+ ssh-ed25519 /m);
        });
        // The scan asks once per key type; all but ED25519 end in a host-key-type mismatch.
        expect(log.match(/no matching host key type found/g)?.length ?? 0).toBeGreaterThanOrEqual(3);
        expect(failures(log, { stock: "aggressive" })).toBeGreaterThanOrEqual(maxretry());
        expect(failures(log)).toBe(0);
    }, 30000);

    test("a key-exchange mismatch is not counted either", async () => {
        const log = await logOf(() => {
            spawnSync(requireTool("ssh"), [...sshOpts("-o", "KexAlgorithms=diffie-hellman-group14-sha1"), "root@127.0.0.1", "true"], {
                encoding: "utf8",
                timeout: 20000,
            });
        });
        expect(log).toMatch(/no matching key exchange method found/);
        expect(failures(log)).toBe(0);
    }, 30000);

    test("brute force (invalid users, a valid user without a usable key) reaches maxretry within two tries each", async () => {
        const wrongKey = path.join(tmp, "wrong");
        spawnSync(requireTool("ssh-keygen"), ["-q", "-t", "ed25519", "-N", "", "-f", wrongKey]);
        const log = await logOf(() => {
            for (let i = 0; i < 2; i++) {
                spawnSync(requireTool("ssh"), [...sshOpts("-i", wrongKey, "-o", "IdentitiesOnly=yes"), "admin@127.0.0.1", "true"], { timeout: 20000 });
                spawnSync(requireTool("ssh"), [...sshOpts("-i", wrongKey, "-o", "IdentitiesOnly=yes"), "root@127.0.0.1", "true"], { timeout: 20000 });
            }
        });
        expect(log).toMatch(/Invalid user admin from 127\.0\.0\.1/);
        expect(log).toMatch(/Connection closed by authenticating user root 127\.0\.0\.1/);
        expect(failures(log)).toBeGreaterThanOrEqual(maxretry());
        // Two tries of a password bot against root alone already reach the ban.
        const rootOnly = log
            .split("\n")
            .filter((l) => / user root /.test(l))
            .join("\n");
        expect(failures(rootOnly)).toBe(2);
    }, 60000);
});

describe("dockerSource", () => {
    test("both install scripts pass shellcheck; debian installs docker.io, docker Docker's packages", () => {
        for (const source of ["docker", "debian"] as const) {
            const script = hostFile("/usr/local/sbin/mautic-kit-install-docker", { dockerSource: source });
            const f = path.join(tmp, `install-docker-${source}.sh`);
            fs.writeFileSync(f, script);
            const r = spawnSync(requireTool("shellcheck"), ["-s", "bash", f], { encoding: "utf8" });
            expect(r.stdout + r.stderr).toBe("");
            expect(r.status).toBe(0);
            expect(script).toContain(`source="${source}"`);
        }
        const debian = hostFile("/usr/local/sbin/mautic-kit-install-docker", { dockerSource: "debian" });
        expect(debian).toContain(`apt-get install -y -q ${dockerPackages.debian.join(" ")}`);
        // Default: Docker's repository, key checked against the published fingerprint.
        expect(hostFile("/usr/local/sbin/mautic-kit-install-docker")).toContain('source="docker"');
        expect(hostFile("/usr/local/sbin/mautic-kit-install-docker")).toMatch(/fingerprint="9DC858229FC7DD38854AE2D88D81803C0EBFCD88"/);
    });

    test("the setting defaults to docker and rejects anything else naming the fix", () => {
        const base = { domain: "marketing.client-a.de", website: "https://www.client-a.de", adminEmail: "ops@agency.example", adminCidrs: ["203.0.113.0/24"] };
        expect(validateSiteArgs(base).settings.dockerSource).toBe("docker");
        expect(validateSiteArgs({ ...base, dockerSource: "debian" }).settings.dockerSource).toBe("debian");
        expect(() => validateSiteArgs({ ...base, dockerSource: "ubuntu" })).toThrow(
            /dockerSource = "ubuntu" must be "docker" .* or "debian" .*Fix: `pulumi config set dockerSource docker`/,
        );
        expect(() => renderCloudInit({ ...input, dockerSource: "snap" as never })).toThrow(/dockerSource/);
    });
});
