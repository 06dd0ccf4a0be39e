/**
 * DoiSetup's dynamic provider run exactly as Pulumi's dynamic-provider host does: the serialized
 * text from the resource's `__provider` input (captured under Pulumi's mocks), loaded with
 * require-from-string in a plain Node process (no ts-jest, no TypeScript), against the fake Mautic
 * API on loopback. The component under mocks: tests/unit/doi.setup.test.ts.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DoiSetup } from "../../components/doi/doiSetup";
import { doiBlueprint } from "../../components/doi/doiBlueprint";
import { args, captured, dynamicType, password, setDoiSetupMocks, value } from "../support/doi-setup-mocks";
import { FakeMauticApi } from "../support/fakeMauticApi";

setDoiSetupMocks();

describe("the serialized provider, in a separate Node process", () => {
    const fake = new FakeMauticApi({ username: "admin", password });
    let dir: string;
    let providerFile: string;

    const runChild = (steps: unknown[]): Promise<{ code: number; out: string; err: string }> => {
        const stepsFile = path.join(dir, `steps-${Math.random().toString(36).slice(2)}.json`);
        fs.writeFileSync(stepsFile, JSON.stringify(steps));
        const rfsPath = require.resolve("require-from-string", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] });
        const script = `
            const rfs = require(${JSON.stringify(rfsPath)});
            const fs = require("fs");
            const provider = rfs(fs.readFileSync(process.argv[1], "utf8")).handler();
            const steps = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
            (async () => {
                const results = [];
                for (const s of steps) {
                    try { results.push({ ok: await provider[s.op](...s.args) }); }
                    catch (e) { results.push({ error: String(e && e.message) }); }
                }
                process.stdout.write(JSON.stringify(results));
            })();`;
        return new Promise((resolve) => {
            execFile(process.execPath, ["-e", script, providerFile, stepsFile], { cwd: path.join(__dirname, "..", ".."), timeout: 20000 }, (error, out, err) =>
                resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
            );
        });
    };

    beforeAll(async () => {
        await value(new DoiSetup("doi", args).ids);
        await fake.start();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "doi-provider-"));
        providerFile = path.join(dir, "provider.js");
        const dyn = captured.find((c) => c.type === dynamicType)!;
        fs.writeFileSync(providerFile, dyn.inputs.__provider as string);
    });
    afterAll(async () => {
        await fake.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    test("create sets everything up, a second run (update) creates nothing, diff follows the hash; no password in outputs", async () => {
        const bp = doiBlueprint({ mauticUrl: "https://marketing.client-a.de", website: "https://www.client-a.de", unconfirmedContactDays: 4 });
        const inputs = {
            apiUrl: fake.baseUrl,
            username: "admin",
            password,
            blueprint: bp,
            blueprintHash: bp.hash,
            waitForApiSeconds: 5,
            requestTimeoutSeconds: 5,
            rerunToken: "",
        };
        const r = await runChild([
            { op: "create", args: [inputs] },
            { op: "update", args: ["id", {}, inputs] },
            { op: "diff", args: ["id", { apiUrl: fake.baseUrl, username: "admin", blueprintHash: bp.hash, rerunToken: "" }, inputs] },
            { op: "diff", args: ["id", { apiUrl: fake.baseUrl, username: "admin", blueprintHash: "old", rerunToken: "" }, inputs] },
            { op: "create", args: [{ ...inputs, password: "Wr0ng-Pass-999" }] },
        ]);
        expect(r.err).toBe("");
        expect(r.code).toBe(0);
        const [create, update, same, changed, wrong] = JSON.parse(r.out);
        expect(create.ok.id).toBe(`doi:127.0.0.1:${new URL(fake.baseUrl).port}`);
        expect(create.ok.outs.created).toEqual(bp.objects.map((o) => o.key));
        expect(update.ok.outs.created).toEqual([]);
        expect(update.ok.outs.ids).toEqual(create.ok.outs.ids);
        // The drift checks run inside the serialized provider too.
        expect(create.ok.outs.drift).toEqual([]);
        expect(update.ok.outs.drift).toEqual([]);
        expect(fake.posts()).toHaveLength(bp.objects.length);
        expect(same.ok.changes).toBe(false);
        expect(changed.ok).toMatchObject({ changes: true, replaces: [] });
        expect(wrong.error).toMatch(/HTTP 401/);
        expect(wrong.error).not.toContain("Wr0ng-Pass-999");
        for (const outs of [create.ok.outs, update.ok.outs]) {
            expect(Object.keys(outs).sort()).toEqual(["apiUrl", "blueprintHash", "created", "drift", "ids", "rerunToken", "username"]);
            expect(JSON.stringify(outs)).not.toContain(password);
        }
    });
});
