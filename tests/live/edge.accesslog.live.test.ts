/**
 * The edge's access log on a live Caddy (the rendered Caddyfile in test mode): client IPs masked,
 * no cookie, authorization, query or e-mail hash, the consent-withdrawal request logged like any
 * other, and the host's logrotate (copytruncate) keeping Caddy appending to the same file.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderEdgeLogrotate } from "../../components/edge/caddyfile";
import { edgeRequest, RunningEdge } from "../support/edge-caddy";
import { startEdgeSuite, stopEdgeSuite } from "../support/edge-suite";
import { requireTool } from "../support/tools";

let edge: RunningEdge;
beforeAll(async () => {
    ({ edge } = await startEdgeSuite({ edge: {} }));
});
afterAll(stopEdgeSuite);

describe("access log", () => {
    const secrets = {
        cookie: "mautic_session=COOKIE-SECRET-4711",
        authorization: "Bearer TOKEN-SECRET-4712",
    };
    /** The last access log entry whose logged (filtered) URI is exactly `uri`; waits for Caddy to write it. */
    async function logged(uri: string): Promise<Record<string, unknown>> {
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline) {
            const lines = fs.existsSync(edge.accessLogPath) ? fs.readFileSync(edge.accessLogPath, "utf8").split("\n").filter(Boolean) : [];
            const hit = lines.map((l) => JSON.parse(l)).filter((e) => e.request?.uri === uri);
            if (hit.length > 0) return hit.at(-1);
            await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`no access log line with uri ${uri}`);
    }

    test("a request through the edge is logged with a masked IP and without cookie, authorization, query or email hash", async () => {
        await edgeRequest(edge, "/email/view/5f3a9c1d2e?ct=am9obkBleGFtcGxlLm9yZw&email=jane@example.org", {
            headers: { ...secrets, Referer: "https://www.client-a.test/newsletter?email=jane@example.org", "User-Agent": "UA-SECRET-4713" },
        });
        const entry = (await logged("/email/view/REDACTED?REDACTED")) as { request: Record<string, unknown>; status: number };
        expect(entry.request.remote_ip).toBe("127.0.0.0");
        expect(entry.request.uri).toBe("/email/view/REDACTED?REDACTED");
        expect(entry.request.headers).toBeUndefined();
        expect(entry.request.remote_port).toBeUndefined();
        expect((entry as Record<string, unknown>).resp_headers).toBeUndefined();
        expect(entry.status).toBe(200);
        const secretsAnywhere = ["COOKIE-SECRET", "TOKEN-SECRET", "UA-SECRET", "jane", "5f3a9c1d2e", "am9obkBleGFtcGxl"];
        const accessLog = fs.readFileSync(edge.accessLogPath, "utf8");
        for (const s of [...secretsAnywhere, "127.0.0.1"]) expect(accessLog).not.toContain(s);
        for (const s of secretsAnywhere) expect(edge.stderr()).not.toContain(s);
    });

    test("the consent-withdrawal request is logged like any other: masked IP, path, status; no cookie values sent or set", async () => {
        await edgeRequest(edge, "/consent/forget?visitor=jane@example.org", {
            method: "POST",
            headers: { Origin: edge.website, Cookie: "mtc_id=CONTACT-SECRET-4714; mautic_device_id=DEVICE-SECRET-4715", "User-Agent": "UA-SECRET-4716" },
        });
        const entry = (await logged("/consent/forget?REDACTED")) as { request: Record<string, unknown>; status: number };
        expect(entry.status).toBe(204);
        expect(entry.request.method).toBe("POST");
        expect(entry.request.remote_ip).toBe("127.0.0.0");
        expect(entry.request.headers).toBeUndefined();
        expect((entry as Record<string, unknown>).resp_headers).toBeUndefined();
        const accessLog = fs.readFileSync(edge.accessLogPath, "utf8");
        for (const s of ["CONTACT-SECRET", "DEVICE-SECRET", "UA-SECRET", "jane", "Max-Age=0"]) {
            expect(accessLog).not.toContain(s);
            expect(edge.stderr()).not.toContain(s);
        }
    });

    test("the host's logrotate (copytruncate) keeps Caddy appending to the same, now empty file", async () => {
        const logDir = path.dirname(edge.accessLogPath);
        const work = fs.mkdtempSync(path.join(os.tmpdir(), "edge-logrotate-"));
        try {
            const conf = path.join(work, "edge.logrotate");
            fs.writeFileSync(conf, renderEdgeLogrotate({ hostLogDir: logDir, accessLogRetentionDays: 7 }));
            await edgeRequest(edge, "/before-rotation");
            await logged("/before-rotation");
            execFileSync(requireTool("logrotate"), ["--force", "--state", path.join(work, "state"), conf], { stdio: "pipe" });
            expect(fs.statSync(edge.accessLogPath).size).toBe(0);
            await edgeRequest(edge, "/after-rotation");
            await logged("/after-rotation");
            const live = fs.readFileSync(edge.accessLogPath, "utf8");
            expect(live.startsWith("{")).toBe(true); // appended at offset 0, no hole of NUL bytes
            expect(live.trim().split("\n")).toHaveLength(1);
            expect(fs.readFileSync(path.join(logDir, "access.log.1"), "utf8")).toContain('"uri":"/before-rotation"');
        } finally {
            fs.rmSync(work, { recursive: true, force: true });
        }
    });
});
