/**
 * The conformance command (conformance/cli.ts) against the fake Mautic API: every check that
 * needs no console passes on the kit's own payloads, each fails loudly when the Mautic under
 * test misbehaves, the console checks are reported as skipped without --console, and the
 * password never appears in the output.
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
    const code = await main(["--mautic-url", url, "--host-header", "marketing.client-a.test", "--json", join(dir, "r.json"), ...extra], env, (s) => lines.push(s));
    return { code, out: lines.join("\n"), json: JSON.parse(readFileSync(join(dir, "r.json"), "utf8")), fake };
}
const statusOf = (json: { rows: { id: string; status: string }[] }) => Object.fromEntries(json.rows.map((r) => [r.id, r.status]));

describe("npm run conformance against the fake Mautic API", () => {
    test("the kit's own payloads pass every check that needs no console; console checks are skipped; exit 0", async () => {
        const { code, out, json, fake } = await run();
        expect(statusOf(json)).toEqual({
            provision: "pass", idempotent: "pass", "form-page:de": "pass", "form-page:en": "pass",
            "refuse-without-consent": "pass", "pending-contact": "pass", "known-contact-untouched": "pass",
            "confirmation-mail": "skip", "known-contact-after-trigger": "skip", "get-does-not-confirm": "skip", "button-confirms": "skip", "unconfirmed-deleted": "skip",
        });
        expect(code).toBe(0);
        expect(out).toMatch(/\n7 passed, 0 failed \(5 skipped\)$/);
        expect(out).not.toContain(password);
        expect(JSON.stringify(json)).not.toContain(password);
        // The sign-up forms are left unpublished, as the kit creates them.
        expect(fake.all("forms").filter((f) => String(f.name).includes("sign-up")).map((f) => f.isPublished)).toEqual([false, false]);
    });

    test.each(["5.2", "7.2"] as const)("line %s passes too", async (line) => {
        const { code } = await run({ line }, ["--line", line]);
        expect(code).toBe(0);
    });

    test("a Mautic that knows no checkbox list switch (consent box not rendered) fails the page checks; exit 1", async () => {
        const { code, json, out } = await run({}, [], (fake) => {
            // Strip syncList from every stored checkbox group, as a Mautic that drops the key would.
            const store = fake.store.get("forms")!;
            const set = store.set.bind(store);
            store.set = (id, form) => {
                for (const f of (form.fields ?? []) as Record<string, unknown>[]) if (f.type === "checkboxgrp") delete (f.properties as Record<string, unknown>).syncList;
                return set(id, form);
            };
        });
        expect(statusOf(json)["form-page:de"]).toBe("fail");
        expect(json.rows.find((r: { id: string }) => r.id === "form-page:de").detail).toContain("no consent checkbox");
        expect(code).toBe(1);
        expect(out).toMatch(/\d+ passed, [1-9]\d* failed/);
    });

    test("a Mautic that merges a known contact away on sign-up fails the known-contact check", async () => {
        const { json } = await run({}, [], (fake) => {
            const submit = (fake as unknown as { visitorSubmit: (id: number, b: URLSearchParams) => number }).visitorSubmit.bind(fake);
            (fake as unknown as { visitorSubmit: unknown }).visitorSubmit = (id: number, b: URLSearchParams) => {
                const email = String(b.get("mauticform[email]"));
                for (const c of fake.contacts.values()) if (c.email === email && c.dnc.length > 0) fake.contacts.delete(c.id);
                return submit(id, b);
            };
        });
        expect(statusOf(json)["known-contact-untouched"]).toBe("fail");
    });

    test("usage errors exit 2 and name the fix; the password comes only from the environment", async () => {
        const lines: string[] = [];
        expect(await main([], env, (s) => lines.push(s))).toBe(2);
        expect(lines.join()).toContain("--mautic-url is required");
        expect(await main(["--mautic-url", "http://127.0.0.1:1"], {}, (s) => lines.push(s))).toBe(2);
        expect(lines.join()).toContain("MAUTIC_API_PASSWORD");
        expect(() => parseArgs(["--mautic-url", "x", "--days", "0"])).toThrow(/--days/);
        expect(() => parseArgs(["--mautic-url", "x", "--line", "7.1"])).toThrow(/--line/);
        expect(() => parseArgs(["--mautic-url", "x", "--password", "p"])).toThrow(/unknown option --password/);
        expect(parseArgs(["--mautic-url", "x", "--console", "php bin/console", "--host-header", "m.example.de"])).toMatchObject({ console: "php bin/console", hostHeader: "m.example.de", line: "6.0", days: 3 });
        expect(formatRows([{ id: "a", title: "t", status: "fail", detail: "d" }])).toBe("FAIL  a  t: d\n0 passed, 1 failed");
    });
});
