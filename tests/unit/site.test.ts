/**
 * The component tree under Pulumi's mocks: what `pulumi up` would create for one site.
 */
import { memoryBudget } from "../../components/host/sizing";
import { isWrappedSecret, unwrap } from "../../plan/mockRuntime";
import { PlanResult, PlanRunError, runPlan } from "../../plan/runPlan";
import { testStack } from "../support/stacks";

let plan: PlanResult;
const T = {
    server: "hcloud:index/server:Server",
    firewall: "hcloud:index/firewall:Firewall",
    volume: "hcloud:index/volume:Volume",
    attachment: "hcloud:index/volumeAttachment:VolumeAttachment",
    sshKey: "hcloud:index/sshKey:SshKey",
    container: "docker:index/container:Container",
    command: "command:remote:Command",
    dockerProvider: "pulumi:providers:docker",
};

beforeAll(async () => {
    plan = await runPlan(testStack({ location: "fsn1", serverType: "cx33", sshPublicKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample admin@x"] }));
});

const containers = () => plan.cloud.byType(T.container);
const container = (name: string) => containers().find((c) => unwrap(c.inputs.name) === name)!;

describe("Hetzner resources", () => {
    test("server and volume are in the configured German location, with backups", () => {
        const server = plan.cloud.one(T.server);
        expect(server.inputs.location).toBe("fsn1");
        expect(server.inputs.backups).toBe(true);
        expect(server.inputs.serverType).toBe("cx33");
        expect(server.inputs.image).toBe("debian-12");
        expect(plan.cloud.one(T.volume).inputs.location).toBe("fsn1");
    });

    test("firewall: 80/443 (and UDP 443 for HTTP/3) from anywhere, 22 from adminCidrs only, nothing else", () => {
        const rules = plan.cloud.one(T.firewall).inputs.rules as Array<Record<string, unknown>>;
        const simple = rules.map((r) => `${r.direction} ${r.protocol}/${r.port} from ${(r.sourceIps as string[]).join(",")}`).sort();
        expect(simple).toEqual([
            "in tcp/22 from 203.0.113.0/24",
            "in tcp/443 from 0.0.0.0/0,::/0",
            "in tcp/80 from 0.0.0.0/0,::/0",
            "in udp/443 from 0.0.0.0/0,::/0",
        ]);
        const server = plan.cloud.one(T.server);
        expect(server.inputs.firewallIds).toEqual([Number(plan.cloud.one(T.firewall).id)]);
    });

    test("every Hetzner resource carries managed-by, site and stack labels", () => {
        const labelled = plan.cloud.resources.filter((r) => [T.server, T.firewall, T.volume, T.sshKey].includes(r.type));
        expect(labelled.length).toBe(4); // server, firewall, volume, the deploy key
        for (const r of labelled) {
            expect(r.inputs.labels).toMatchObject({ "managed-by": "mautic-gdpr-kit", site: "www.client-a.de", stack: "test", project: "mautic-gdpr" });
        }
    });

    test("the data volume is protected against deletion (Hetzner and Pulumi)", () => {
        const volume = plan.cloud.one(T.volume);
        expect(volume.inputs.deleteProtection).toBe(true);
        expect(volume.options.protect).toBe(true);
        expect(volume.inputs.format).toBe("ext4");
        const server = plan.cloud.one(T.server);
        expect(server.inputs.deleteProtection).toBe(true);
        expect(server.inputs.rebuildProtection).toBe(server.inputs.deleteProtection);
    });

    test("edits that would recreate the server are ignored deliberately", () => {
        // ...and the version label, which moves after the new web container is healthy (ServerLabel).
        expect(plan.cloud.one(T.server).options.ignoreChanges.sort()).toEqual(["image", 'labels["mautic-version"]', "location", "sshKeys", "userData"]);
    });

    test("Hetzner gets only the deploy key; admin keys are a file the kit rewrites (revocable, no duplicate-key clash across stacks)", () => {
        const keys = plan.cloud.byType(T.sshKey);
        expect(keys.map((k) => k.name)).toEqual(["site-host-deploy"]);
        expect(plan.cloud.one(T.server).inputs.sshKeys as string[]).toHaveLength(1);
        const adminKeys = plan.files.get("host/etc/ssh/mautic-kit-authorized-keys/root")!;
        expect(adminKeys).toContain("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample admin@x");
        expect(String(unwrap(plan.cloud.one(T.server).inputs.userData))).toContain("/etc/ssh/mautic-kit-authorized-keys/root");
    });

    test("the volume ignores location edits too (the server does), and the root disk keeps its size on a resize", () => {
        expect(plan.cloud.one(T.volume).options.ignoreChanges).toEqual(["location"]);
        expect(plan.cloud.one(T.server).inputs.keepDisk).toBe(true);
    });

    test("user data is a secret (it carries the host key) and fits Hetzner's 32 KiB", () => {
        const ud = plan.cloud.one(T.server).inputs.userData;
        expect(isWrappedSecret(ud)).toBe(true);
        const text = String(unwrap(ud));
        expect(text.startsWith("#cloud-config\n")).toBe(true);
        expect(Buffer.byteLength(text)).toBeLessThanOrEqual(32 * 1024);
        expect(text).toContain(`scsi-0HC_Volume_${plan.cloud.one(T.volume).id}`);
    });
});

describe("ordering: nothing talks to Docker before cloud-init is done", () => {
    test("the wait command runs after the volume is attached, pinned to the generated host key", () => {
        const wait = plan.cloud.resources.find((r) => r.type === T.command && r.name.endsWith("cloud-init-done"))!;
        expect(wait.options.dependsOn).toContain("site-host-data-attachment");
        expect(String(wait.inputs.create)).toMatch(/cloud-init status --wait/);
        const conn = unwrap(wait.inputs.connection) as Record<string, string>;
        expect(conn.hostKey).toMatch(/^ssh-ed25519 AAAA/);
        expect(conn.user).toBe("root");
        expect(isWrappedSecret(wait.inputs.connection) || isWrappedSecret((wait.inputs.connection as Record<string, unknown>).privateKey)).toBe(true);
    });

    test("the Docker provider depends on the wait and checks the pinned host key", () => {
        const provider = plan.cloud.one(T.dockerProvider);
        expect(provider.options.dependsOn).toContain("site-host-cloud-init-done");
        expect(provider.inputs.host).toBe("ssh://root@203.0.113.10");
        const opts = JSON.parse(String(provider.inputs.sshOpts)) as string[];
        expect(opts).toContain("StrictHostKeyChecking=yes");
        expect(opts.join(" ")).toMatch(/UserKnownHostsFile=\S+known_hosts/);
        expect(opts.join(" ")).not.toMatch(/StrictHostKeyChecking=no/);
    });

    test("Mautic is installed once the web container is up, secrets on stdin only", () => {
        const install = plan.cloud.resources.find((r) => r.type === T.command && r.name.endsWith("-install"))!;
        expect(install.options.dependsOn).toEqual(expect.arrayContaining(["site-app-web", "site-app-db"]));
        expect(isWrappedSecret(install.inputs.stdin)).toBe(true);
        const create = String(install.inputs.create);
        expect(create).toMatch(/mautic:install "\$0" -f/);
        for (const s of plan.cloud.secretValues) expect(create).not.toContain(s);
    });
});

describe("after boot: host files, double opt-in", () => {
    test("backup scripts, units and the edge log rotation are synced after cloud-init, then the timer is enabled", () => {
        const sync = plan.cloud.resources.find((r) => r.name === "site-host-files-sync")!;
        expect(sync.options.dependsOn).toContain("site-host-cloud-init-done");
        const create = String(sync.inputs.create);
        for (const p of [
            "/usr/local/sbin/mautic-backup",
            "/usr/local/sbin/mautic-restore",
            "/etc/systemd/system/mautic-backup.timer",
            "/etc/logrotate.d/mautic-kit-edge",
            "/usr/local/sbin/mautic-kit-security",
            "/etc/systemd/system/mautic-kit-security.timer",
        ]) {
            expect(create).toContain(`# mautic-kit file: ${p} `);
        }
        expect(create).toMatch(
            /systemctl enable --now mautic-backup\.timer\nsystemctl enable --now mautic-privacy-maintenance\.timer\nsystemctl enable --now mautic-kit-health\.timer\nsystemctl enable --now mautic-kit-security\.timer\n$/,
        );
        // hardening files follow the config on every deploy, and are applied safely
        expect(create).toContain("# mautic-kit file: /etc/systemd/journald.conf.d/10-mautic-kit.conf ");
        expect(create).toContain("sshd -t && systemctl try-reload-or-restart ssh.service");
        expect(create).toMatch(/resize2fs "\$\(findmnt -no SOURCE \/srv\/mautic\)".*# volumeSizeGb=20/);
        expect(plan.files.get("host/etc/logrotate.d/mautic-kit-edge")).toMatch(/maxage 7/);
    });

    test("DOI is set up through the API after the install, with the admin password as a secret", () => {
        const doi = plan.cloud.resources.find((r) => r.type.startsWith("pulumi-nodejs:dynamic") && r.name === "site-doi")!;
        expect(plan.cloud.resources.find((r) => r.name === "site-doi" && !r.custom)!.options.dependsOn).toEqual(
            expect.arrayContaining(["site-app-install", "site-edge-caddy"]),
        );
        expect(isWrappedSecret(doi.inputs.password)).toBe(true);
        expect(doi.inputs.apiUrl).toBe("https://marketing.client-a.de");
    });
});

describe("containers", () => {
    test("db, web, cron, worker and the edge exist, from pinned images", () => {
        expect(
            containers()
                .map((c) => unwrap(c.inputs.name))
                .sort(),
        ).toEqual(["mautic_cron", "mautic_db", "mautic_edge", "mautic_web", "mautic_worker"]);
        const images = plan.cloud.byType("docker:index/remoteImage:RemoteImage").map((i) => String(i.inputs.name));
        expect(images.sort()).toEqual(["caddy:2.10.2", "mariadb:11.4.8", "mautic/mautic:6.0.6-apache"]);
    });

    test("only the edge publishes ports; the database is on an internal network only", () => {
        for (const c of containers()) {
            const ports = (c.inputs.ports as unknown[] | undefined) ?? [];
            if (unwrap(c.inputs.name) === "mautic_edge")
                expect((ports as Array<{ ip: string }>).map((p) => p.ip).sort()).toEqual(["0.0.0.0", "0.0.0.0", "0.0.0.0", "::", "::", "::"]);
            else expect(ports).toHaveLength(0);
        }
        const db = container("mautic_db");
        expect((db.inputs.networksAdvanced as Array<{ name: string }>).map((n) => n.name)).toEqual(["mautic-backend"]);
        const backend = plan.cloud.byType("docker:index/network:Network").find((n) => n.inputs.name === "mautic-backend")!;
        expect(backend.inputs.internal).toBe(true);
    });

    test.each(["mautic_db", "mautic_web", "mautic_cron", "mautic_worker", "mautic_edge"])(
        "%s: restart, rotated logs, no new privileges, reduced capabilities, memory limit",
        (name) => {
            const c = container(name);
            expect(c.inputs.restart).toBe("unless-stopped");
            expect(c.inputs.logDriver).toBe("json-file");
            expect(c.inputs.logOpts).toEqual({ "max-size": "10m", "max-file": "5" });
            expect(c.inputs.securityOpts).toEqual(["no-new-privileges:true"]);
            expect((c.inputs.capabilities as { drops: string[] }).drops).toEqual(["ALL"]);
            expect(c.inputs.memory).toBeGreaterThan(0);
        },
    );

    test("healthchecks where the image allows (db, web, cron, edge)", () => {
        for (const name of ["mautic_db", "mautic_web", "mautic_cron", "mautic_edge"]) {
            expect((container(name).inputs.healthcheck as { tests: string[] }).tests.length).toBeGreaterThan(0);
        }
    });

    test("memory limits fit the server type and leave the host room", () => {
        const total = containers().reduce((sum, c) => sum + Number(c.inputs.memory), 0);
        expect(total).toBeLessThan(8 * 1024);
        expect(memoryBudget("cx23").hostReserve).toBeGreaterThanOrEqual(512);
        expect(memoryBudget("cx33").hostReserve).toBeGreaterThanOrEqual(1024);
    });

    test("database passwords reach containers only as secrets", () => {
        for (const name of ["mautic_db", "mautic_web", "mautic_cron", "mautic_worker"]) {
            expect(isWrappedSecret(container(name).inputs.envs)).toBe(true);
        }
        // The pinned settings carry the secret key and the mailer DSN: the upload is a secret.
        expect(isWrappedSecret(container("mautic_web").inputs.uploads)).toBe(true);
    });

    test("cron and worker are replaced with web when the pinned settings change (config fingerprint)", () => {
        for (const name of ["mautic_cron", "mautic_worker"]) {
            expect((unwrap(container(name).inputs.envs) as string[]).some((e) => /^KIT_CONFIG_SHA256=[0-9a-f]{64}$/.test(e))).toBe(true);
        }
    });

    test("the web healthcheck asks for Mautic's own host name (trusted_hosts would refuse localhost)", () => {
        expect((container("mautic_web").inputs.healthcheck as { tests: string[] }).tests[1]).toContain("-H 'Host: marketing.client-a.de'");
        const uploads = unwrap(container("mautic_web").inputs.uploads) as Array<{ file: string; content: string }>;
        expect(uploads.map((u) => u.file)).toEqual([
            "/var/www/html/config/parameters_local.php",
            "/etc/apache2/sites-available/000-default.conf",
            "/etc/apache2/conf-available/other-vhosts-access-log.conf",
            "/var/www/kit-doi/doi.php",
            "/var/www/kit-doi/lib.php",
            "/var/www/kit-doi/flow.php",
            "/var/www/kit-doi/pages.php",
            "/var/www/kit-doi/profiling.php",
            "/var/www/kit-doi/schema.sql",
            "/etc/mautic-kit/doi-config.json",
        ]);
        // The DOI endpoint's config holds the HMAC key and the API password: root-owned, www-data may read it.
        const cfg = (unwrap(container("mautic_web").inputs.uploads) as Array<{ file: string; permissions: string; owner?: string; group?: string }>).find(
            (u) => u.file === "/etc/mautic-kit/doi-config.json",
        )!;
        expect([cfg.permissions, cfg.owner, cfg.group]).toEqual(["0640", "0", "33"]);
    });

    test("the cron container gets the kit's crontab at the image's crontab path", () => {
        const uploads = unwrap(container("mautic_cron").inputs.uploads) as Array<{ file: string; content: string }>;
        expect(uploads[0].file).toBe("/opt/mautic/cron/mautic");
        expect(uploads[0].content).toMatch(/mautic:maintenance:cleanup --days-old=21 --no-interaction/);
    });
});

describe("outputs and secrets", () => {
    test("URL, admin login; the password is a secret", () => {
        expect(plan.exports.url).toBe("https://marketing.client-a.de");
        expect(plan.exports.adminUsername).toBe("admin");
        expect(plan.exports.adminPassword).toMatchObject({ secret: true });
    });

    test("random secrets use character sets safe for env, PHP, YAML and shell", () => {
        for (const r of plan.cloud.byType("random:index/randomPassword:RandomPassword")) {
            if (r.inputs.special) expect(r.inputs.overrideSpecial).toBe("-_.");
            else expect(r.inputs.special).toBe(false);
        }
    });

    test("no secret value appears in resources.json", () => {
        const json = plan.files.get("resources.json")!;
        for (const s of plan.cloud.secretValues) expect(json).not.toContain(s);
        expect(json).toContain("[secret]");
    });
});

describe("server type availability (asked of the API before anything is created)", () => {
    const typeMock = (patch: Record<string, unknown>) => ({
        "hcloud:index/getServerType:getServerType": (i: Record<string, unknown>) => ({
            name: i.name,
            isDeprecated: false,
            locations: [
                { name: "fsn1", available: true, isDeprecated: false },
                { name: "nbg1", available: false, isDeprecated: false },
            ],
            ...patch,
        }),
    });

    test("a type sold out in the chosen location is refused with the fix", async () => {
        await expect(runPlan(testStack({ location: "nbg1", serverType: "cx33" }), { calls: typeMock({}) })).rejects.toThrow(
            /serverType = "cx33" is not available in nbg1 right now\. Fix: choose another type .* or the other German location/,
        );
        const ok = await runPlan(testStack({ location: "fsn1", serverType: "cx33" }), { calls: typeMock({}) });
        expect(ok.cloud.byType("hcloud:index/server:Server")).toHaveLength(1);
    });

    test("a deprecated type is refused", async () => {
        await expect(runPlan(testStack({ location: "fsn1", serverType: "cx33" }), { calls: typeMock({ isDeprecated: true }) })).rejects.toThrow(
            /serverType = "cx33" is deprecated by Hetzner/,
        );
    });

    test("a running server of the same type is not re-checked (a sold-out type never blocks its own stack)", async () => {
        const p = await runPlan(testStack({ location: "nbg1", serverType: "cx33" }), {
            calls: typeMock({ isDeprecated: true }),
            existingServers: [
                {
                    id: 3,
                    name: "x",
                    serverType: "cx33",
                    labels: {
                        "managed-by": "mautic-gdpr-kit",
                        project: "mautic-gdpr",
                        stack: "test",
                        site: "www.client-a.de",
                        "mautic-domain": "marketing.client-a.de",
                    },
                },
            ],
        });
        expect(p.cloud.invokes.map((i) => i.token)).not.toContain("hcloud:index/getServerType:getServerType");
    });
});

describe("1 website = 1 Mautic across stacks", () => {
    const foreign = (labels: Record<string, string>) => [
        { id: 42, name: "marketing-client-a-de-mautic", labels: { "managed-by": "mautic-gdpr-kit", project: "mautic-gdpr", ...labels } },
    ];

    test("refuses when another stack's server is labelled with the same site, and creates nothing", async () => {
        let error: PlanRunError | undefined;
        try {
            await runPlan(testStack({}, { stack: "second" }), {
                existingServers: foreign({ site: "www.client-a.de", "mautic-domain": "other-marketing.client-a.de", stack: "first" }),
            });
        } catch (e) {
            error = e as PlanRunError;
        }
        expect(error).toBeInstanceOf(PlanRunError);
        expect(error!.message).toMatch(
            /already has a Mautic: server 'marketing-client-a-de-mautic' \(id 42\) of stack 'mautic-gdpr\/first'.*1 website = 1 Mautic/,
        );
        // Nothing at all was registered: the check runs before the site component exists.
        expect(error!.cloud.resources).toEqual([]);
        expect(error!.cloud.invokes.map((i) => i.token)).toEqual(["hcloud:index/getServers:getServers"]);
    });

    test("accepts the stack's own server (a re-run of the same stack)", async () => {
        const again = await runPlan(testStack({}, { stack: "first" }), {
            existingServers: foreign({ site: "www.client-a.de", "mautic-domain": "marketing.client-a.de", stack: "first" }),
        });
        expect(again.cloud.byType(T.server)).toHaveLength(1);
        expect(again.cloud.invokes.filter((i) => i.token === "hcloud:index/getServers:getServers").map((i) => i.inputs.withSelector)).toEqual([
            "managed-by=mautic-gdpr-kit,site=www.client-a.de",
            "managed-by=mautic-gdpr-kit,mautic-domain=marketing.client-a.de",
        ]);
    });
});
