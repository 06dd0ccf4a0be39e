/**
 * What the real engine and providers do that plain mocks cannot show (docs/facts/pulumi.md; provider
 * source read for docs/guide/deploy.md): the options resources.json records, inputs that
 * would diff against the provider's read-back on every `up`, and the order of an upgrade's steps.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { edgePorts } from "../../components/edge/webEdge";
import { isWrappedSecret, RecordedResource, unwrap } from "../../plan/mockRuntime";
import { PlanResult, runPlan } from "../../plan/runPlan";
import { dockerStoredCapabilities, engineSteps, replacedBetween } from "../support/engine";
import { testStack } from "../support/stacks";

let plan: PlanResult;
let home: string;
const saved = { HOME: process.env.HOME, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR };
beforeAll(async () => {
    // A fresh home and runtime dir: the plan must leave nothing in either.
    home = fs.mkdtempSync(path.join(os.tmpdir(), "engine-test-home-"));
    process.env.HOME = home;
    process.env.XDG_RUNTIME_DIR = path.join(home, "run");
    plan = await runPlan(testStack({}));
});
afterAll(() => {
    process.env.HOME = saved.HOME;
    if (saved.XDG_RUNTIME_DIR === undefined) delete process.env.XDG_RUNTIME_DIR;
    else process.env.XDG_RUNTIME_DIR = saved.XDG_RUNTIME_DIR;
    fs.rmSync(home, { recursive: true, force: true });
});

const byType = (t: string) => plan.cloud.byType(t);
const json = () => JSON.parse(plan.files.get("resources.json")!) as Array<{ type: string; name: string; options: Record<string, unknown> }>;

describe("resources.json records the options the engine acts on", () => {
    test("every resource has every option field", () => {
        for (const r of json()) {
            expect(Object.keys(r.options).sort()).toEqual(
                [
                    "additionalSecretOutputs",
                    "aliases",
                    "customTimeouts",
                    "deleteBeforeReplace",
                    "dependsOn",
                    "ignoreChanges",
                    "protect",
                    "provider",
                    "replaceOnChanges",
                ].sort(),
            );
        }
    });

    test("the values are the ones the program registered", () => {
        const o = (name: string) => json().find((r) => r.name === name)!.options;
        expect(o("site-host-data")).toMatchObject({ protect: true, ignoreChanges: ["location"] });
        expect(o("site-host-server").ignoreChanges).toEqual(expect.arrayContaining(["userData", "image", "sshKeys", "location"]));
        expect(o("site-host-cloud-init-done")).toMatchObject({ customTimeouts: { create: "20m" }, replaceOnChanges: ["triggers[*]"] });
        expect(o("site-app-web")).toMatchObject({ provider: "site-docker", deleteBeforeReplace: true });
        expect(o("site-app-web").dependsOn).toContain("site-app-db");
        expect(o("site-host-host-key").additionalSecretOutputs).toContain("privateKeyOpenssh");
        expect(o("site-host-firewall")).toMatchObject({ provider: null, protect: false, customTimeouts: null, aliases: [] });
    });

    test("DoiSetup's type token has the kit's prefix, with the old one as an alias (a deployed stack keeps it, no replacement)", () => {
        const doi = json().filter((r) => r.type.endsWith(":DoiSetup"));
        expect(doi.map((r) => r.type)).toEqual(["mautic-kit:doi:DoiSetup"]);
        expect(doi[0].options.aliases).toEqual([{ type: "mautic-gdpr-kit:mautic:DoiSetup", parent: "site" }]);
        // Every component of the kit has the same prefix; only DoiSetup needed an alias.
        const components = plan.cloud.resources.filter((r) => !r.custom);
        expect(components.length).toBeGreaterThanOrEqual(7);
        for (const r of components) expect(r.type).toMatch(/^mautic-kit:/);
        expect(
            json()
                .filter((r) => (r.options.aliases as unknown[]).length > 0)
                .map((r) => r.name),
        ).toEqual([doi[0].name]);
    });
});

describe("no perpetual diff against the providers' read-back", () => {
    test("every container sets memorySwap = memory (Docker would read back 2 x memory)", () => {
        const containers = byType("docker:index/container:Container");
        expect(containers.length).toBeGreaterThanOrEqual(5);
        for (const c of containers) {
            expect(c.inputs.memory).toBeGreaterThan(0);
            expect(c.inputs.memorySwap).toBe(c.inputs.memory);
        }
    });

    test("every container's capabilities are written as Docker stores them (CAP_*, sorted): the provider reads them back verbatim and replaces on a difference", () => {
        const containers = byType("docker:index/container:Container");
        expect(containers.map((c) => c.inputs.name).sort()).toEqual(["mautic_cron", "mautic_db", "mautic_edge", "mautic_web", "mautic_worker"]);
        for (const c of containers) {
            const caps = unwrap(c.inputs.capabilities) as { adds: string[]; drops: string[] };
            expect(caps.adds.length).toBeGreaterThan(0);
            expect({ name: c.name, adds: caps.adds, drops: caps.drops }).toEqual({
                name: c.name,
                adds: dockerStoredCapabilities(caps.adds),
                drops: dockerStoredCapabilities(caps.drops),
            });
            expect(caps.drops).toEqual(["ALL"]);
        }
        // The rule itself, as in Docker's client: bare names get the prefix, ALL stays, order and case do not matter.
        expect(dockerStoredCapabilities(["setuid", "CHOWN", "CAP_KILL", "chown"])).toEqual(["CAP_CHOWN", "CAP_KILL", "CAP_SETUID"]);
        expect(dockerStoredCapabilities(["all"])).toEqual(["ALL"]);
    });

    test("the Hetzner SSH key is sent trimmed (Hetzner returns it so; a difference replaces it)", () => {
        const key = String(unwrap(plan.cloud.one("hcloud:index/sshKey:SshKey").inputs.publicKey));
        expect(key).toMatch(/^ssh-ed25519 \S+$/);
    });

    test("no remote command sends its previous output as env vars (sshd has no AcceptEnv)", () => {
        const commands = byType("command:remote:Command");
        expect(commands.length).toBeGreaterThanOrEqual(4);
        for (const c of commands) expect({ name: c.name, env: c.inputs.addPreviousOutputInEnv }).toEqual({ name: c.name, env: false });
    });

    test("no remote command streams its output into the update log, keeps it in plain state, or carries a secret in its command text", () => {
        const commands = byType("command:remote:Command");
        expect(commands.map((c) => c.name).sort()).toEqual([
            "site-address-hash-key-write",
            "site-alert-secrets-write",
            "site-app-install",
            "site-app-pre-upgrade-backup",
            "site-host-cloud-init-done",
            "site-host-files-sync",
            "site-offsite-setup",
        ]);
        for (const c of commands) {
            expect({ name: c.name, logging: c.inputs.logging }).toEqual({ name: c.name, logging: "none" });
            expect({ name: c.name, secretOutputs: c.options.additionalSecretOutputs }).toEqual({
                name: c.name,
                secretOutputs: expect.arrayContaining(["stdout", "stderr"]),
            });
            // A failing command's error shows its command text (the provider always does): no secret in it.
            expect({ name: c.name, createIsSecret: isWrappedSecret(c.inputs.create) }).toEqual({ name: c.name, createIsSecret: false });
            const text = String(unwrap(c.inputs.create));
            for (const secret of plan.cloud.secretValues) expect({ name: c.name, leaks: text.includes(secret) }).toEqual({ name: c.name, leaks: false });
        }
        // The ones that need secrets get them on stdin, as secrets.
        expect(isWrappedSecret(plan.cloud.one("command:remote:Command", "site-app-install").inputs.stdin)).toBe(true);
        // The address-hash key: a secret on stdin, on the host before the host files (the privacy job) are synced.
        const hashKey = plan.cloud.one("command:remote:Command", "site-address-hash-key-write");
        expect(isWrappedSecret(hashKey.inputs.stdin)).toBe(true);
        expect(String(unwrap(hashKey.inputs.create))).toContain("/etc/mautic/address-hash.key");
        expect(plan.cloud.one("command:remote:Command", "site-host-files-sync").options.dependsOn).toContain("site-address-hash-key-write");
    });

    test("edge ports: dual-stack, in the provider's read-back order, the list ignored by the engine, a change carried by a label", () => {
        const edge = plan.cloud.one("docker:index/container:Container", "edge-caddy");
        const ports = edge.inputs.ports as Array<{ internal: number; external: number; protocol: string; ip: string }>;
        expect(ports).toEqual(edgePorts);
        // flattenContainerPorts: sorted by internal port; each port's bindings in the order created.
        const sorted = [...ports].sort((a, b) => a.internal - b.internal);
        expect(ports).toEqual(sorted);
        for (const internal of [80, 443]) {
            const ips = ports.filter((p) => p.internal === internal && p.protocol === "tcp").map((p) => p.ip);
            expect(ips).toEqual(["0.0.0.0", "::"]);
        }
        expect(ports.filter((p) => p.protocol === "udp").map((p) => `${p.ip}:${p.internal}`)).toEqual(["0.0.0.0:443", ":::443"]);
        expect(edge.options.ignoreChanges).toContain("ports");
        const label = (edge.inputs.labels as Array<{ label: string; value: string }>).find((l) => l.label === "mautic-kit.ports");
        expect(label?.value).toBe("0.0.0.0:80:80/tcp,[::]:80:80/tcp,0.0.0.0:443:443/tcp,[::]:443:443/tcp,0.0.0.0:443:443/udp,[::]:443:443/udp");
    });
});

describe("an upgrade pulls the new image before any container is deleted", () => {
    let before: PlanResult;
    let after: PlanResult;
    beforeAll(async () => {
        before = await runPlan(testStack({ mauticVersion: "6.0.6-apache" }));
        after = await runPlan(testStack({ mauticVersion: "7.2.1-apache" }));
    });

    test("no image is deleted before its replacement (a bad tag leaves the site running)", () => {
        for (const img of after.cloud.byType("docker:index/remoteImage:RemoteImage"))
            expect({ name: img.name, dbr: img.options.deleteBeforeReplace }).toEqual({ name: img.name, dbr: false });
        const steps = engineSteps(after.cloud.resources, replacedBetween(before.cloud.resources, after.cloud.resources));
        const at = (s: string) => steps.indexOf(s);
        expect(at("create site-app-mautic-image")).toBeGreaterThanOrEqual(0);
        for (const c of ["site-app-web", "site-app-cron", "site-app-worker"]) {
            expect(at(`delete ${c}`)).toBeGreaterThan(at("create site-app-mautic-image"));
        }
        // The old image goes only after every container runs on the new one.
        for (const c of ["site-app-web", "site-app-cron", "site-app-worker"]) expect(at("delete site-app-mautic-image")).toBeGreaterThan(at(`create ${c}`));
    });

    test("the same model shows the cascade deleteBeforeReplace on the image would cause", () => {
        const withDbr: RecordedResource[] = after.cloud.resources.map((r) =>
            r.name === "site-app-mautic-image" ? { ...r, options: { ...r.options, deleteBeforeReplace: true } } : r,
        );
        const steps = engineSteps(withDbr, replacedBetween(before.cloud.resources, after.cloud.resources));
        expect(steps.indexOf("delete site-app-web")).toBeLessThan(steps.indexOf("create site-app-mautic-image"));
    });
});

test("the plan writes the SSH key files into its own temp dir and removes them; nothing in the home or runtime dir", () => {
    const sshOpts = unwrap(plan.cloud.one("pulumi:providers:docker").inputs.sshOpts);
    const opts = (typeof sshOpts === "string" ? JSON.parse(sshOpts) : sshOpts) as string[];
    const keyFile = opts[opts.indexOf("-i") + 1];
    expect(keyFile.startsWith(plan.cloud.sshDir)).toBe(true);
    expect(plan.cloud.sshDir.startsWith(os.tmpdir())).toBe(true);
    expect(fs.existsSync(keyFile)).toBe(false);
    expect(fs.readdirSync(home)).toEqual([]);
});

describe("the version label (ServerLabel) talks to Hetzner's API", () => {
    const realFetch = global.fetch;
    afterEach(() => {
        global.fetch = realFetch;
    });
    test("keeps every other label and moves only its own", async () => {
        const { serverLabelProvider } = await import("../../components/host/serverLabel");
        const calls: Array<{ url: string; method: string; body?: unknown; auth: string }> = [];
        global.fetch = (async (url: string, init: { method?: string; body?: string; headers: Record<string, string> }) => {
            calls.push({ url, method: init.method ?? "GET", body: init.body ? JSON.parse(init.body) : undefined, auth: init.headers.Authorization });
            return { ok: true, status: 200, json: async () => ({ server: { labels: { "managed-by": "mautic-gdpr-kit", "mautic-version": "6.0.6" } } }) };
        }) as unknown as typeof fetch;
        const out = await serverLabelProvider.update!("42/mautic-version", {}, { serverId: 42, key: "mautic-version", value: "7.2.1", token: "tok" });
        expect(out.outs).toEqual({ serverId: 42, key: "mautic-version", value: "7.2.1" });
        expect(calls).toEqual([
            { url: "https://api.hetzner.cloud/v1/servers/42", method: "GET", body: undefined, auth: "Bearer tok" },
            {
                url: "https://api.hetzner.cloud/v1/servers/42",
                method: "PUT",
                body: { labels: { "managed-by": "mautic-gdpr-kit", "mautic-version": "7.2.1" } },
                auth: "Bearer tok",
            },
        ]);
        global.fetch = (async () => ({ ok: false, status: 403, json: async () => ({}) })) as unknown as typeof fetch;
        await expect(serverLabelProvider.create!({ serverId: 42, key: "mautic-version", value: "7.2.1", token: "tok" })).rejects.toThrow(/HTTP 403/);
    });
    test("the token is a secret input, never plain in resources.json", () => {
        const r = json().find((x) => x.name === "site-version-label") as unknown as { inputs: Record<string, unknown> };
        expect(r.inputs.token).toBe("[secret]");
    });
});
