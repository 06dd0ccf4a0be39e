/**
 * Mozilla's HTTP Observatory (@mdn/mdn-http-observatory, its library `scan()`) against the live
 * edge: every response the edge gives itself scores A+ with no failed test; Mautic's admin login
 * scores >= 80 and fails only content-security-policy ('unsafe-inline', documented relaxation 1).
 * The scanner trusts Caddy's local CAs through NODE_EXTRA_CA_CERTS.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RunningEdge, startEdge } from "../support/edge-caddy";
import { EdgeStub, startEdgeStub } from "../support/edge-stub";
import { failedTests, ObservatoryResult, runObservatory } from "../support/observatory";

let stub: EdgeStub;
let open: RunningEdge;
/** adminUiCidrs exclude loopback: the admin login is answered by the edge (403). */
let restricted: RunningEdge;
let results: ObservatoryResult[];
let tmp: string;

const openPaths = ["/", "/vendor/autoload.php", "/.env", "/s/login", "/api/contacts", "/mtc.js", "/form/1", "/spring-offer"];

beforeAll(async () => {
    stub = await startEdgeStub();
    // One after the other, so a failed start leaves nothing unassigned for afterAll to miss.
    open = await startEdge({ upstream: `127.0.0.1:${stub.port}` });
    restricted = await startEdge({ upstream: `127.0.0.1:${stub.port}`, adminUiCidrs: ["203.0.113.0/24"] });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "edge-observatory-"));
    const roots = path.join(tmp, "roots.pem");
    fs.writeFileSync(roots, fs.readFileSync(open.caCertPath, "utf8") + "\n" + fs.readFileSync(restricted.caCertPath, "utf8"));
    const target = (e: RunningEdge, p: string) => ({ host: e.domain, path: p, httpPort: e.httpPort, httpsPort: e.httpsPort });
    results = await runObservatory([...openPaths.map((p) => target(open, p)), target(restricted, "/s/login")], roots);
}, 120000);

afterAll(async () => {
    await Promise.all([open?.stop(), restricted?.stop()]);
    await stub?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function result(edge: RunningEdge, p: string): ObservatoryResult {
    const r = results.find((x) => x.target.httpsPort === edge.httpsPort && x.target.path === p);
    if (!r) throw new Error(`no scan of ${p}`);
    if (r.error) throw new Error(`scan of ${p} failed: ${r.error}`);
    return r;
}

test("each scan ran on the given path and ports, from HTTP to HTTPS on the same host", () => {
    for (const [edge, p] of [...openPaths.map((x) => [open, x] as const), [restricted, "/s/login"] as const]) {
        const r = result(edge, p);
        expect(r.route).toEqual([`http://${edge.domain}:${edge.httpPort}${p}`, `https://${edge.domain}:${edge.httpsPort}${p}`]);
        expect(r.tests.redirection.result).toBe("redirection-to-https");
    }
});

test.each([
    ["the bare host /", "/", 200],
    ["a blocked path", "/vendor/autoload.php", 403],
    ["a dotfile", "/.env", 403],
])("the edge's own response for %s scores A+ with 0 failed tests", (_name, p, status) => {
    const r = result(open, p);
    expect(r.statusCode).toBe(status);
    expect(failedTests(r)).toEqual([]);
    expect(r.testsFailed).toBe(0);
    expect(r.score).toBeGreaterThanOrEqual(100);
    expect(r.grade).toBe("A+");
});

test("the edge's 403 for the admin UI outside adminUiCidrs scores A+ with 0 failed tests", () => {
    const r = result(restricted, "/s/login");
    expect(r.statusCode).toBe(403);
    expect(failedTests(r)).toEqual([]);
    expect(r.score).toBeGreaterThanOrEqual(100);
});

test("Mautic's admin login scores >= 80 and fails only the CSP test, for 'unsafe-inline'", () => {
    const r = result(open, "/s/login");
    expect(r.statusCode).toBe(200);
    expect(failedTests(r)).toEqual(["content-security-policy"]);
    expect(r.tests["content-security-policy"].result).toBe("csp-implemented-with-unsafe-inline");
    expect(r.score).toBeGreaterThanOrEqual(80);
    // Everything else passes: HSTS, framing, nosniff, referrer, the session cookie, redirect, CORS, CORP.
    expect(r.tests.cookies.result).toBe("cookies-secure-with-httponly-sessions-and-samesite");
    expect(r.tests["strict-transport-security"].pass).toBe(true);
    expect(r.tests["x-frame-options"].pass).toBe(true);
});

test("the API (JSON, strict set) and the tracking script score A+ with 0 failed tests", () => {
    for (const p of ["/api/contacts", "/mtc.js"]) {
        const r = result(open, p);
        expect(failedTests(r)).toEqual([]);
        expect(r.score).toBeGreaterThanOrEqual(100);
    }
});

test("forms and landing pages fail only the CSP test (documented relaxation 6) and score >= 80", () => {
    for (const p of ["/form/1", "/spring-offer"]) {
        const r = result(open, p);
        expect(failedTests(r)).toEqual(["content-security-policy"]);
        expect(r.score).toBeGreaterThanOrEqual(80);
    }
});
