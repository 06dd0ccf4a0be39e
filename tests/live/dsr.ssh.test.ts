/**
 * The `--stack` transport: how the ssh command is built (pinned host key, key-only, the password
 * only inside the container), how the key material is taken from the stack, and the same
 * export/erase over a real OpenSSH (Debian's sshd on 127.0.0.1) into a stand-in `docker exec`
 * that runs the real mariadb client with the password from the "container" environment.
 */
import { keyedHash } from "../../components/shared/addressHash";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { doiEndpointFiles } from "../../components/doi/doiEndpoint";
import { HostJournal } from "../../dsr/journal";
import { ledgerKey } from "../../dsr/ledger";
import { erasePerson, exportPerson, loadSchema } from "../../dsr/request";
import { fingerprint, stackAccess } from "../../dsr/stack";
import { MysqlTransport, remoteClientCommand, sshArgs, SshTransport } from "../../dsr/transport";
import { MariaDbServer } from "../support/mariadb";
import { bystander, createMauticSchema, plantPerson, subject } from "../support/mautic-person";
import { startSshd, Sshd } from "../support/sshd";
import { requireTool } from "../support/tools";

describe("command construction", () => {
    const target = { host: "203.0.113.10", keyFile: "/run/k/id", knownHostsFile: "/run/k/kh", dbContainer: "mautic_db", database: "mautic" };

    test("ssh: the pinned host key only, key authentication only, no agent, no tty", () => {
        const args = sshArgs(target, "REMOTE");
        const opts = args.flatMap((a, i) => (args[i - 1] === "-o" ? [a] : []));
        expect(opts).toEqual(
            expect.arrayContaining([
                "IdentitiesOnly=yes",
                "IdentityAgent=none",
                "UserKnownHostsFile=/run/k/kh",
                "GlobalKnownHostsFile=/dev/null",
                "StrictHostKeyChecking=yes",
                "BatchMode=yes",
                "PasswordAuthentication=no",
            ]),
        );
        expect(args.slice(args.indexOf("-i"), args.indexOf("-i") + 2)).toEqual(["-i", "/run/k/id"]);
        expect(args).toContain("-T");
        expect(args.slice(-4)).toEqual(["-l", "root", "--", "203.0.113.10", "REMOTE"].slice(-4));
        expect(args[args.length - 1]).toBe("REMOTE");
        expect(() => sshArgs({ ...target, host: "-oProxyCommand=x" }, "R")).toThrow(/is not an address/);
        expect(() => sshArgs({ ...target, host: "a b" }, "R")).toThrow(/is not an address/);
    });

    test("the remote command: the client in the database container, the password from its environment", () => {
        const cmd = remoteClientCommand(target);
        expect(cmd).toBe(
            `docker exec -i mautic_db sh -c 'MYSQL_PWD="\${MARIADB_ROOT_PASSWORD:-}"; export MYSQL_PWD; exec mariadb --user=root --batch --raw --skip-column-names --default-character-set=utf8mb4 "$0"' mautic`,
        );
        // The host's shell sees one single-quoted word: nothing is expanded on the host.
        const words = execFileSync("bash", ["-c", `for w in ${cmd.replace(/^docker /, "")}; do printf '%s\\n' "$w"; done`], { encoding: "utf8" })
            .trim()
            .split("\n");
        expect(words).toContain(
            'MYSQL_PWD="${MARIADB_ROOT_PASSWORD:-}"; export MYSQL_PWD; exec mariadb --user=root --batch --raw --skip-column-names --default-character-set=utf8mb4 "$0"',
        );
        expect(() => remoteClientCommand({ dbContainer: "db;rm -rf /", database: "mautic" })).toThrow(/not a container name/);
        expect(() => remoteClientCommand({ dbContainer: "mautic_db", database: "m$(id)" })).toThrow(/not a database name/);
    });
});

describe("stack access", () => {
    const hostPub = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMx2Y0Gmm6n1P4rwZJ6oNqIGDrEyoZ5ZxTtW7Jv7V0n2";
    const state = (pub = hostPub) =>
        JSON.stringify({
            deployment: {
                resources: [
                    {
                        urn: "urn:pulumi:prod::mautic-gdpr-kit::mautic-kit:host:HardenedHost$tls:index/privateKey:PrivateKey::site-host-deploy-key",
                        type: "tls:index/privateKey:PrivateKey",
                        outputs: {
                            privateKeyOpenssh: {
                                "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                                plaintext: JSON.stringify("-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n-----END OPENSSH PRIVATE KEY-----"),
                            },
                        },
                    },
                    {
                        urn: "urn:pulumi:prod::mautic-gdpr-kit::mautic-kit:host:HardenedHost$tls:index/privateKey:PrivateKey::site-host-host-key",
                        type: "tls:index/privateKey:PrivateKey",
                        outputs: { publicKeyOpenssh: `${pub}\n` },
                    },
                ],
            },
        });
    const runner =
        (outputs: object, st = state()) =>
        (args: string[]) =>
            args[1] === "output" ? JSON.stringify(outputs) : st;

    test("writes the deploy key and a known_hosts with only the pinned key, private, and removes them", () => {
        const calls: string[][] = [];
        const run = runner({ serverIpv4: "203.0.113.10", hostKeyFingerprint: fingerprint(hostPub) });
        const a = stackAccess("prod", (args) => (calls.push(args), run(args)));
        expect(calls).toEqual([
            ["stack", "output", "--json", "--show-secrets", "--stack", "prod"],
            ["stack", "export", "--show-secrets", "--stack", "prod"],
        ]);
        expect(a.target).toMatchObject({ host: "203.0.113.10", dbContainer: "mautic_db", database: "mautic" });
        expect(fs.readFileSync(a.target.knownHostsFile, "utf8")).toBe(`203.0.113.10 ${hostPub}\n`);
        expect(fs.readFileSync(a.target.keyFile, "utf8")).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n/);
        expect(fs.statSync(a.target.keyFile).mode & 0o777).toBe(0o600);
        expect(fs.statSync(path.dirname(a.target.keyFile)).mode & 0o777).toBe(0o700);
        a.cleanup();
        expect(fs.existsSync(path.dirname(a.target.keyFile))).toBe(false);
    });

    test("refuses a host key that does not match the stack's fingerprint, and a stack that is not deployed", () => {
        const other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFq1tM4X2w2J7pWcF8qY0nX9rL3kD5vB6hG1sA2eZ7cT";
        expect(() => stackAccess("prod", runner({ serverIpv4: "203.0.113.10", hostKeyFingerprint: fingerprint(other) }))).toThrow(
            /does not match the output hostKeyFingerprint/,
        );
        expect(() => stackAccess("prod", runner({}))).toThrow(/has no serverIpv4 output: is it deployed/);
        expect(() => stackAccess("prod; rm", runner({}))).toThrow(/is not a stack name/);
    });

    test("fingerprint() agrees with ssh-keygen -lf", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsr-fp-"));
        execFileSync(requireTool("ssh-keygen"), ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "k")]);
        const pub = fs.readFileSync(path.join(dir, "k.pub"), "utf8");
        const lf = execFileSync(requireTool("ssh-keygen"), ["-lf", path.join(dir, "k.pub")], { encoding: "utf8" }).split(" ")[1];
        expect(fingerprint(pub)).toBe(lf);
        fs.rmSync(dir, { recursive: true });
    });
});

describe("over a real sshd on 127.0.0.1", () => {
    let db: MariaDbServer;
    let dir: string;
    let sshd: Sshd;
    let transport: SshTransport;
    let dockerLog: string;
    const ledgerSecret = "ssh-test-ledger-secret-0123456789abcdef";

    beforeAll(async () => {
        const keygen = requireTool("ssh-keygen");
        requireTool("ssh");
        db = await MariaDbServer.start();
        createMauticSchema(db);
        plantPerson(db, bystander, { ip: 1 });
        plantPerson(db, subject, { ip: 2, dnc: true });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsr-ssh-"));
        execFileSync(keygen, ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "client")]);
        const bin = path.join(dir, "bin");
        const home = path.join(dir, "container-home");
        fs.mkdirSync(bin);
        fs.mkdirSync(home);
        fs.writeFileSync(path.join(home, ".my.cnf"), `[client]\nsocket=${db.socket}\n`, { mode: 0o600 });
        dockerLog = path.join(dir, "docker.log");
        // The DOI endpoint as the web container has it (its CLI prints the ledger key).
        fs.mkdirSync(path.join(dir, "kit-doi"));
        for (const f of doiEndpointFiles()) fs.writeFileSync(path.join(dir, "kit-doi", path.basename(f.path)), f.content);
        fs.writeFileSync(path.join(dir, "doi-config.json"), JSON.stringify({ secret: ledgerSecret }), { mode: 0o600 });
        db.sql(fs.readFileSync(path.join(dir, "kit-doi", "schema.sql"), "utf8"), "mautic");
        // Stand-in for `docker exec -i mautic_db CMD...` (runs CMD here with the container's env
        // only) and for `docker exec -i mautic_web php /var/www/kit-doi/doi.php ARGS` (real php).
        const php = requireTool("php");
        fs.writeFileSync(
            path.join(bin, "docker"),
            `#!/bin/bash\nprintf '%s\\n' "$*" >> ${dockerLog}\n` +
                `if [[ $1 == exec && $2 == -i && $3 == mautic_web && $4 == php && $5 == /var/www/kit-doi/doi.php ]]; then shift 5; exec env -i KIT_DOI_CONFIG=${dir}/doi-config.json ${php} ${dir}/kit-doi/doi.php "$@"; fi\n` +
                `[[ $1 == exec && $2 == -i && $3 == mautic_db ]] || exit 99\nshift 3\nexec env -i PATH=/usr/bin:/bin HOME=${home} MARIADB_ROOT_PASSWORD='${db.rootPassword}' "$@"\n`,
            { mode: 0o755 },
        );
        sshd = await startSshd({
            dir,
            authorizedKeys: `environment="PATH=${bin}:/usr/bin:/bin" ${fs.readFileSync(path.join(dir, "client.pub"), "utf8")}`,
            config: ["PermitRootLogin prohibit-password", "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PermitUserEnvironment PATH"],
        });
        sshd.writeKnownHosts(path.join(dir, "known_hosts"));
        transport = new SshTransport({
            host: "127.0.0.1",
            port: sshd.port,
            user: os.userInfo().username,
            keyFile: path.join(dir, "client"),
            knownHostsFile: path.join(dir, "known_hosts"),
            dbContainer: "mautic_db",
            database: "mautic",
        });
    });

    afterAll(async () => {
        await sshd?.stop();
        await db?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    test("export over SSH equals export over mysql2, and the password is on no command line", async () => {
        const schema = await loadSchema(transport);
        const viaSsh = await exportPerson(transport, schema, subject.email, new Date(0));
        const my = await MysqlTransport.connect(`mysql://root:${encodeURIComponent(db.rootPassword)}@localhost/mautic?socket=${encodeURIComponent(db.socket)}`);
        const viaMysql = await exportPerson(my, await loadSchema(my), subject.email, new Date(0));
        await my.close();
        expect(viaSsh.tables).toEqual(viaMysql.tables);
        expect(Object.keys(viaSsh.tables).length).toBeGreaterThan(30);
        const calls = fs.readFileSync(dockerLog, "utf8");
        expect(calls).toMatch(/^exec -i mautic_db sh -c MYSQL_PWD="\$\{MARIADB_ROOT_PASSWORD:-\}"; .* mautic$/m);
        expect(calls).not.toContain(db.rootPassword);
    });

    test("the ledger key comes from the DOI endpoint in the web container, the address on stdin only", async () => {
        const schema = await loadSchema(transport);
        const key = await ledgerKey(transport, schema, subject.email.toLowerCase());
        const local = execFileSync(requireTool("php"), [path.join(dir, "kit-doi", "doi.php"), "address-key"], {
            input: subject.email,
            encoding: "utf8",
            env: { KIT_DOI_CONFIG: path.join(dir, "doi-config.json") },
        }).trim();
        expect(key).toBe(local);
        expect(key).toMatch(/^[0-9a-f]{64}$/);
        const calls = fs.readFileSync(dockerLog, "utf8");
        expect(calls).toMatch(/^exec -i mautic_web php \/var\/www\/kit-doi\/doi\.php address-key$/m);
        expect(calls.toLowerCase()).not.toContain(subject.email.toLowerCase());
    });

    test("a wrong host key is refused before anything runs", async () => {
        const wrong = path.join(dir, "known_hosts_wrong");
        fs.writeFileSync(wrong, `[127.0.0.1]:${sshd.port} ${fs.readFileSync(path.join(dir, "client.pub"), "utf8")}`, { mode: 0o600 });
        const t = new SshTransport({
            host: "127.0.0.1",
            port: sshd.port,
            user: os.userInfo().username,
            keyFile: path.join(dir, "client"),
            knownHostsFile: wrong,
            dbContainer: "mautic_db",
            database: "mautic",
        });
        await expect(t.run(["SELECT JSON_OBJECT('a', 1)"])).rejects.toThrow(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
    });

    test("erase over SSH: journal on the host, the person gone", async () => {
        const schema = await loadSchema(transport);
        const journalDir = path.join(dir, "srv-dsr");
        await new HostJournal(transport, journalDir).write(schema, {
            at: new Date("2030-01-01T00:00:00Z"),
            keyedHash: keyedHash("k".repeat(64), subject.email.toLowerCase()),
            suppressed: true,
        });
        expect(fs.readFileSync(path.join(journalDir, "journal"), "utf8")).toBe(
            `2030-01-01T00:00:00Z hmac:${keyedHash("k".repeat(64), subject.email.toLowerCase())} suppressed\n`,
        );
        expect(fs.statSync(journalDir).mode & 0o777).toBe(0o700);
        expect(fs.statSync(path.join(journalDir, "erase.sql")).mode & 0o777).toBe(0o600);
        const r = await erasePerson(transport, schema, subject.email, true);
        expect(r.deleted.leads).toBe(1);
        expect(r.residue).toEqual({});
        expect(db.value(`SELECT COUNT(*) FROM leads WHERE firstname = 'Zenobia'`, "mautic")).toBe("0");
        expect(db.value(`SELECT COUNT(*) FROM leads WHERE firstname = 'Bertram'`, "mautic")).toBe("1");
    });
});
