/**
 * The conformance command (conformance/cli.ts) against the fake Mautic API, which has the
 * provisioner's endpoints but no DOI endpoint: the provisioning rows pass on the kit's own
 * payloads, the endpoint rows fail loudly (the fake answers /kit/doi with 401), rows whose means
 * are missing are skipped and make the run fail (exit 1), and no password reaches the output.
 * The endpoint rows run against the real endpoint and fakes in tests/live/conformance.endpoint.test.ts,
 * and against a real Mautic in docs/evidence/conformance.md.
 */
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { formatRows, main, parseArgs } from "../../conformance/cli";
import { FakeMauticApi } from "../support/fakeMauticApi";

const user = "admin";
const password = "Corr3ct-Horse-Battery";
const env = { MAUTIC_API_USER: user, MAUTIC_API_PASSWORD: password };
const fakes: FakeMauticApi[] = [];
const dirs: string[] = [];
afterAll(async () => {
    await Promise.all(fakes.map((f) => f.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
async function run(opts: Partial<ConstructorParameters<typeof FakeMauticApi>[0]> = {}, extra: string[] = [], tamper?: (f: FakeMauticApi) => void) {
    const fake = new FakeMauticApi({ username: user, password, ...opts });
    fakes.push(fake);
    tamper?.(fake);
    const url = await fake.start();
    const dir = mkdtempSync(join(tmpdir(), "conformance-"));
    dirs.push(dir);
    const lines: string[] = [];
    const code = await main(["--mautic-url", url, "--host-header", "marketing.client-a.test", "--json", join(dir, "r.json"), ...extra], env, (s) =>
        lines.push(s),
    );
    return { code, out: lines.join("\n"), json: JSON.parse(readFileSync(join(dir, "r.json"), "utf8")), fake };
}
const statusOf = (json: { rows: { id: string; status: string }[] }) => Object.fromEntries(json.rows.map((r) => [r.id, r.status]));

describe("npm run conformance against the fake Mautic API", () => {
    test("provisioning passes, endpoint rows fail without an endpoint, rows without their means are skipped; exit 1; no password", async () => {
        const { code, out, json, fake } = await run();
        const s = statusOf(json);
        expect({ provision: s.provision, idempotent: s.idempotent }).toEqual({ provision: "pass", idempotent: "pass" });
        expect(s["form-page"]).toBe("fail");
        expect(json.rows.find((r: { id: string }) => r.id === "form-page").detail).toBe("HTTP 401"); // the fake asks for API credentials on every path
        expect(s["refuse-without-consent"]).toBe("fail");
        for (const id of [
            "mail",
            "get-confirms-nothing",
            "forged-post",
            "confirm-worker-stopped",
            "profiling-link",
            "profiling-withdraw",
            "dsr-withdraw-profiling",
            "known-contact-untouched",
            "stranger-keeps-contact",
            "safety-net",
            "ledger-after-unsubscribe",
            "ledger-after-erase",
            "failed-queue-purge",
        ])
            expect([id, s[id]]).toEqual([id, "skip"]);
        // The fake has no webhooks endpoint: the check fails loudly, it never passes by default.
        expect(s["webhook-recipient"]).toBe("fail");
        expect(json.rows.find((r: { id: string }) => r.id === "confirm-worker-stopped").detail).toBe("needs --mail-dir");
        expect(json.rows.find((r: { id: string }) => r.id === "ledger-after-erase").detail).toBe("needs --mysql");
        expect(code).toBe(1);
        expect(out).toMatch(/\n\d+ passed, \d+ failed \(13 skipped\)$/);
        expect(out).not.toContain(password);
        expect(JSON.stringify(json)).not.toContain(password);
        // Only what the endpoint needs was created: no form, page or campaign.
        for (const r of ["forms", "pages", "campaigns"] as const) expect(fake.all(r)).toEqual([]);
    });

    test("a Mautic whose e-mail list drops customHtml fails provisioning (the endpoint could not check the link token)", async () => {
        const { json } = await run({}, [], (fake) => {
            const all = fake.all.bind(fake);
            fake.all = (r) => (r === "emails" ? all(r).map((e) => ({ ...e, customHtml: "" })) : all(r));
        });
        expect(json.rows.find((r: { id: string }) => r.id === "provision")).toMatchObject({
            status: "fail",
            detail: expect.stringContaining("returns no customHtml with {kit_doi_confirm_url}"),
        });
    });

    test("usage errors exit 2 and name the fix; the password comes only from the environment", async () => {
        const lines: string[] = [];
        expect(await main([], env, (s) => lines.push(s))).toBe(2);
        expect(lines.join()).toContain("--mautic-url is required");
        expect(await main(["--mautic-url", "http://127.0.0.1:1"], {}, (s) => lines.push(s))).toBe(2);
        expect(lines.join()).toContain("MAUTIC_API_PASSWORD");
        expect(() => parseArgs(["--mautic-url", "x", "--days", "0"])).toThrow(/--days/);
        expect(() => parseArgs(["--mautic-url", "x", "--unsubscribed-days", "0"])).toThrow(/--unsubscribed-days/);
        expect(() => parseArgs(["--mautic-url", "x", "--line", "7.1"])).toThrow(/--line/);
        expect(() => parseArgs(["--mautic-url", "x", "--password", "p"])).toThrow(/unknown option --password/);
        expect(() => parseArgs(["--mautic-url", "x", "--console", "php bin/console"])).toThrow(/unknown option --console/);
        expect(() => parseArgs(["--mautic-url", "x", "--mysql", "not a url"])).toThrow(/--mysql must be a URL/);
        expect(
            parseArgs([
                "--mautic-url",
                "x",
                "--mysql",
                "mysql://u:p@127.0.0.1/m",
                "--worker-stop",
                "a",
                "--worker-start",
                "b",
                "--maintenance",
                "c",
                "--host-header",
                "m.example.de",
            ]),
        ).toMatchObject({
            mysql: "mysql://u:p@127.0.0.1/m",
            workerStop: "a",
            workerStart: "b",
            maintenance: "c",
            hostHeader: "m.example.de",
            line: "6.0",
            days: 3,
            unsubscribedDays: 30,
            mailTimeout: 180,
        });
        expect(formatRows([{ id: "a", title: "t", status: "fail", detail: "d" }])).toBe("FAIL  a  t: d\n0 passed, 1 failed");
    });
});
