// Runs Mozilla's HTTP Observatory (ESM-only, so it runs here and not inside jest) against hosts
// given as JSON on argv[2]: [{ "host": "localhost", "path": "/s/login", "httpPort": 18080,
// "httpsPort": 18443 }, ...]. Prints one JSON array: per target the scan summary, every test's
// pass/result/score modifier and the HTTP redirect route (which proves path and ports were used).
// The caller sets NODE_EXTRA_CA_CERTS to the local CA that signed the test certificate.
import { register } from "node:module";

register("./observatory-hooks.mjs", import.meta.url);
const { scan } = await import("@mdn/mdn-http-observatory");

const targets = JSON.parse(process.argv[2]);
const out = [];
for (const t of targets) {
    try {
        const r = await scan(t.host, { path: t.path, httpPort: String(t.httpPort), httpsPort: String(t.httpsPort) });
        const tests = {};
        for (const [name, v] of Object.entries(r.tests)) {
            tests[name] = { pass: v.pass, result: v.result, scoreModifier: v.scoreModifier };
        }
        out.push({
            target: t,
            score: r.scan.score,
            grade: r.scan.grade,
            statusCode: r.scan.statusCode,
            testsFailed: r.scan.testsFailed,
            testsPassed: r.scan.testsPassed,
            route: r.tests.redirection?.route ?? [],
            tests,
        });
    } catch (e) {
        out.push({ target: t, error: e instanceof Error ? e.message : String(e) });
    }
}
process.stdout.write(JSON.stringify(out));
