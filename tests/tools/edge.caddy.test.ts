/**
 * The production Caddyfile against the real tools, without serving traffic: Caddy 2.6 adapts,
 * validates (every module provisions) and formats it unchanged; the adapted JSON carries the
 * TLS and logging promises; the host's logrotate rule rotates and expires a live log the way
 * the README says.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CaddyfileInput, edgeDefaults, renderCaddyfile, renderEdgeLogrotate } from "../../components/edge/caddyfile";
import { requireTool } from "../support/tools";

const production: CaddyfileInput = {
    domain: "marketing.client-a.de",
    website: "https://www.client-a.de",
    acmeEmail: "ops@client-a.de",
    adminUiCidrs: ["203.0.113.0/24", "2001:db8::/32"],
    accessLogRetentionDays: 7,
    upstream: "mautic_web:80",
};

let dir: string;
beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "edge-caddy-tool-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function caddy(args: string[], extraEnv: Record<string, string> = {}) {
    const r = spawnSync(requireTool("caddy"), args, {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, HOME: dir, XDG_DATA_HOME: path.join(dir, "data"), XDG_CONFIG_HOME: path.join(dir, "config"), ...extraEnv },
        timeout: 30000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Caddy's adapted JSON config, read loosely. */
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function adapt(caddyfile: string, name: string): Json {
    const file = path.join(dir, name);
    fs.writeFileSync(file, caddyfile);
    const r = caddy(["adapt", "--config", file, "--adapter", "caddyfile"]);
    expect(r.stderr).not.toMatch(/"level":"(warn|error)"/);
    expect(r.status).toBe(0);
    return JSON.parse(r.stdout);
}

describe("production Caddyfile on Caddy 2.6", () => {
    let json: Json;
    beforeAll(() => {
        json = adapt(renderCaddyfile(production), "Caddyfile.prod");
    });

    test("validates: every module provisions (ACME issuer offline; only the log file is redirected into a temp dir)", () => {
        // Provisioning opens the log file, so only its path is swapped for a temp file; the next
        // line pins that the production file names /var/log/caddy/access.log, without rolling.
        const writer = json.logging.logs.log0.writer;
        expect(writer).toEqual({ output: "file", filename: edgeDefaults.accessLogPath, roll: false });
        const copy = JSON.parse(JSON.stringify(json));
        copy.logging.logs.log0.writer.filename = path.join(dir, "access.log");
        fs.writeFileSync(path.join(dir, "prod.json"), JSON.stringify(copy));
        const r = caddy(["validate", "--config", path.join(dir, "prod.json")]);
        expect(r.stdout + r.stderr).toContain("Valid configuration");
        expect(r.status).toBe(0);
    });

    test("is already in `caddy fmt` form", () => {
        const file = path.join(dir, "Caddyfile.prod");
        const r = caddy(["fmt", file]);
        expect(r.status).toBe(0);
        expect(r.stdout).toBe(fs.readFileSync(file, "utf8"));
    });

    test("TLS: ACME issuers with the admin email, TLS 1.2-1.3, AEAD ECDHE suites only", () => {
        const policies = json.apps.tls.automation.policies;
        expect(policies).toHaveLength(1);
        expect(policies[0].subjects).toEqual(["marketing.client-a.de"]);
        expect(policies[0].issuers.map((i: Json) => i.module)).toEqual(["acme", "zerossl"]);
        for (const issuer of policies[0].issuers) expect(issuer.email).toBe("ops@client-a.de");
        const https = Object.values(json.apps.http.servers).find((s: Json) => s.listen.includes(":443")) as Json;
        const tls = https.tls_connection_policies[0];
        expect(tls.match.sni).toEqual(["marketing.client-a.de"]);
        expect([tls.protocol_min, tls.protocol_max]).toEqual(["tls1.2", "tls1.3"]);
        for (const suite of tls.cipher_suites) expect(suite).toMatch(/^TLS_ECDHE_(ECDSA|RSA)_WITH_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/);
        expect(https.protocols).toEqual(["h1", "h2", "h3"]);
        expect(https.strict_sni_host).toBe(true);
        expect(json.admin).toEqual({ disabled: true });
    });

    test("listens on 80 and 443 of every interface (production), on loopback with the test ports in test mode", () => {
        const listens = Object.values(json.apps.http.servers).map((s: Json) => s.listen).flat().sort();
        expect(listens).toEqual([":443", ":80"]);
        const test = adapt(renderCaddyfile({ ...production, test: { bindHost: "127.0.0.1", httpPort: 18080, httpsPort: 18443 } }), "Caddyfile.test");
        const testListens = Object.values(test.apps.http.servers).map((s: Json) => s.listen).flat().sort();
        expect(testListens).toEqual(["127.0.0.1:18080", "127.0.0.1:18443"]);
        expect(test.apps.tls.automation.policies[0].issuers).toEqual([{ module: "internal" }]);
        expect(test.apps.pki.certificate_authorities.local.install_trust).toBe(false);
    });

    test("both logs mask client addresses and drop headers, ports, queries and email hashes", () => {
        for (const name of ["default", "log0"]) {
            const fields = json.logging.logs[name].encoder.fields;
            expect(json.logging.logs[name].encoder.format).toBe("filter");
            for (const ip of ["request>remote_ip", "request>client_ip"]) {
                expect(fields[ip]).toEqual({ filter: "ip_mask", ipv4_cidr: 24, ipv6_cidr: 32 });
            }
            for (const gone of ["request>headers", "resp_headers", "request>remote_port"]) expect(fields[gone]).toEqual({ filter: "delete" });
            expect(fields["request>uri"].filter).toBe("regexp");
        }
        expect(json.logging.logs.default.exclude).toEqual(["http.log.access.log0"]);
        expect(json.logging.logs.log0.include).toEqual(["http.log.access.log0"]);
    });
});

describe("host logrotate rule for the access log", () => {
    test("rotates daily by copy-and-truncate (same file, same inode) and keeps only retention-1 rotated files", () => {
        const logrotate = requireTool("logrotate");
        const logDir = path.join(dir, "logs");
        fs.mkdirSync(logDir, { recursive: true, mode: 0o750 });
        const conf = path.join(dir, "edge.logrotate");
        fs.writeFileSync(conf, renderEdgeLogrotate({ hostLogDir: logDir, accessLogRetentionDays: 3 }));
        const log = path.join(logDir, "access.log");
        fs.writeFileSync(log, "");
        const inode = fs.statSync(log).ino;
        for (let day = 1; day <= 5; day++) {
            fs.appendFileSync(log, `{"day":${day}}\n`);
            execFileSync(logrotate, ["--force", "--state", path.join(dir, "logrotate.state"), conf], { stdio: "pipe" });
            expect(fs.statSync(log).ino).toBe(inode);
            expect(fs.statSync(log).size).toBe(0);
        }
        // retention 3 days = the live file + 2 rotated files (the newest uncompressed: delaycompress).
        expect(fs.readdirSync(logDir).sort()).toEqual(["access.log", "access.log.1", "access.log.2.gz"]);
        expect(fs.readFileSync(path.join(logDir, "access.log.1"), "utf8")).toBe('{"day":5}\n');
    });
});
