// Runs Mozilla's HTTP Observatory (ESM-only) for audit/observatory.ts in its own Node process.
// Input: one JSON argument {host, connectTo: [{host, port, connectHost, connectPort}]}.
// Output: the scan result as one JSON line on stdout, or {"error": "..."}; exit 0 either way.
//
// `scan()` of @mdn/mdn-http-observatory 1.4.8 always scans http://HOST/ and https://HOST/ on the
// default ports (it drops its options argument). `--connect-to` rules are honoured the curl way:
// the HTTP(S) agents' createConnection is wrapped so that the URL, Host header and TLS server
// name stay the real ones and only the TCP target changes. This patch lives only in this
// short-lived child process. Extra CAs come in through NODE_EXTRA_CA_CERTS, set by the parent.
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import { createRequire } from "node:module";
import path from "node:path";

const input = JSON.parse(process.argv[2] ?? "{}");
const rules = Array.isArray(input.connectTo) ? input.connectTo : [];

function hostMatches(host, pattern) {
    const h = String(host).toLowerCase().replace(/\.$/, "");
    if (pattern.startsWith("*.")) {
        const base = pattern.slice(2);
        return h === base || h.endsWith(`.${base}`);
    }
    return h === pattern;
}

for (const [Agent, defaultPort] of [
    [http.Agent, 80],
    [https.Agent, 443],
]) {
    const original = Agent.prototype.createConnection;
    Agent.prototype.createConnection = function (...args) {
        const opts = args[0];
        if (opts && typeof opts === "object" && opts.host) {
            const port = Number(opts.port || defaultPort);
            const rule = rules.find((r) => r.port === port && hostMatches(opts.host, r.host));
            if (rule) {
                args[0] = {
                    ...opts,
                    host: rule.connectHost,
                    port: rule.connectPort,
                    servername: opts.servername || opts.host,
                };
            }
        }
        return original.apply(this, args);
    };
}

function out(obj) {
    process.stdout.write(`${JSON.stringify(obj)}\n`);
}

try {
    const require = createRequire(import.meta.url);
    const pkgJson = require.resolve("@mdn/mdn-http-observatory/package.json");
    const preload = path.join(path.dirname(pkgJson), "conf", "hsts-preload.json");
    if (!fs.existsSync(preload)) {
        out({
            setupError: `${preload} is missing (the package's download-only postinstall is skipped here): ` + "run 'bash scripts/prepare-deps.sh'",
        });
        process.exit(0);
    }
    const { scan } = await import("@mdn/mdn-http-observatory");
    const result = await scan(input.host);
    out({
        scan: {
            grade: result.scan.grade,
            score: result.scan.score,
            testsFailed: result.scan.testsFailed,
            testsQuantity: result.scan.testsQuantity,
        },
        tests: Object.fromEntries(Object.entries(result.tests).map(([name, t]) => [name, { pass: t.pass, result: t.result }])),
    });
} catch (e) {
    out({ error: e instanceof Error ? e.message : String(e) });
}
