/**
 * The policy pack (policy/policies.ts) over the resources the kit and the example program really
 * register under Pulumi's mocks (and as a first preview sees them): the kit's own stacks pass,
 * the same resources made worse are refused. Each policy alone: policy.test.ts,
 * policy.containers.test.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { containerNames } from "../../components/config/defaults";
import { MauticSite } from "../../components/site/mauticSite";
import { MockCloud, RecordedResource, unwrap } from "../../plan/mockRuntime";
import { projectRoot, runPlan } from "../../plan/runPlan";
import { databaseEvidence, isMauticWeb, mauticInstances, types } from "../../policy/policies";
import { testStack } from "../support/stacks";
import { checkStack, evaluate, policyResource, stackResources } from "../../plan/policyCheck";
import { storageBoxLocationPolicy, zoneRecordNamePolicy } from "../../policy/offsiteDns";

// ---------------------------------------------------------------------------------------------
// The kit's real resources (and the example program's) under Pulumi's mocks

/**
 * Runs the stack program (index.ts) as a first `pulumi preview` sees it: the mocks return no
 * computed outputs and no ids, so everything derived from them stays unknown.
 */
async function previewRun(stack: ReturnType<typeof testStack>): Promise<RecordedResource[]> {
    const cloud = new MockCloud({ project: stack.project, stack: stack.stack, preview: true });
    const mock = cloud as unknown as { newResource(a: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } };
    const record = mock.newResource.bind(cloud);
    mock.newResource = (a) => {
        record(a);
        return { id: "", state: { ...a.inputs } };
    };
    await cloud.install();
    pulumi.runtime.setAllConfig(stack.config, stack.secretKeys);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program: () => Promise<unknown> = require(path.join(projectRoot, "index"));
    await program();
    await cloud.settle();
    return cloud.resources;
}

describe("off-site Storage Box and DNS record sets", () => {
    const server = (location: string) => policyResource(types.server, "site-host-server", { location });
    const box = (location: string) => policyResource("hcloud:index/storageBox:StorageBox", "site-offsite-box", { location });
    const rrset = (zone: string, name: string) => policyResource("hcloud:index/zoneRrset:ZoneRrset", "site-dns-a", { zone, name, type: "A" });

    test("a box in the other German location passes; the server's location or outside Germany is refused", async () => {
        expect(await checkStack(storageBoxLocationPolicy, [server("nbg1"), box("fsn1")])).toEqual([]);
        const same = await checkStack(storageBoxLocationPolicy, [server("nbg1"), box("nbg1")]);
        expect(same.map((v) => v.message)).toEqual([expect.stringMatching(/location nbg1 is also the server's.*Fix: use fsn1/)]);
        const hel = await checkStack(storageBoxLocationPolicy, [server("nbg1"), box("hel1")]);
        expect(hel.map((v) => v.message)).toEqual([expect.stringMatching(/"hel1" is outside Germany/)]);
    });

    test("record names relative to the zone pass; a fully qualified or doubled name is refused", async () => {
        expect(await checkStack(zoneRecordNamePolicy, [rrset("client-a.de", "marketing"), rrset("client-a.de", "@")])).toEqual([]);
        for (const name of ["marketing.client-a.de", "marketing.client-a.de.", "client-a.de"]) {
            const v = await checkStack(zoneRecordNamePolicy, [rrset("client-a.de", name)]);
            expect(v.map((x) => x.message)).toEqual([expect.stringMatching(/is not relative to zone client-a.de/)]);
        }
    });

    test("the kit's plan with dnsZone passes both", async () => {
        const recorded = (await runPlan(testStack({ location: "nbg1", dnsZone: "client-a.de" }))).cloud.resources;
        const resources = stackResources(recorded);
        expect(resources.filter((r) => r.type === "hcloud:index/storageBox:StorageBox")).toHaveLength(1);
        expect(resources.filter((r) => r.type === "hcloud:index/zoneRrset:ZoneRrset")).toHaveLength(3);
        expect(await checkStack(storageBoxLocationPolicy, resources)).toEqual([]);
        expect(await checkStack(zoneRecordNamePolicy, resources)).toEqual([]);
    });
});

describe("the kit's own plan passes every policy", () => {
    let recorded: RecordedResource[];
    beforeAll(async () => {
        recorded = (await runPlan(testStack({ location: "fsn1" }))).cloud.resources;
    });

    test("zero violations, and every policy had resources to inspect", async () => {
        const e = await evaluate(recorded);
        expect(e.violations).toEqual([]);
        expect(e.undecided).toEqual([]);
        expect(e.inspected["hetzner-location-germany"]).toBeGreaterThanOrEqual(2); // server, volume
        expect(e.inspected["no-world-ssh"]).toBeGreaterThanOrEqual(2); // firewall, server
        expect(e.inspected["container-restart-policy"]).toBeGreaterThanOrEqual(5); // db, web, cron, worker, edge
        expect(mauticInstances(stackResources(recorded)).map((r) => r.type)).toEqual([types.mauticSite]);
    });

    test("the policies recognise the kit's database and web containers as such", () => {
        const resources = stackResources(recorded);
        const db = resources.find((r) => r.type === types.container && r.props.name === containerNames.db)!;
        expect(databaseEvidence(db.props)).toBeDefined();
        const web = resources.filter((r) => r.type === types.container && r.props.name === containerNames.web);
        expect(web).toHaveLength(1);
        // Recognised as Mautic's web role (then attributed to its MauticSite); cron and worker are not.
        expect(resources.filter(isMauticWeb).map((r) => r.name)).toEqual([web[0].name]);
    });

    test("the same resources with the database published, the server in Helsinki, or logs unrotated are refused", async () => {
        const mutate = (pred: (r: RecordedResource) => boolean, change: Record<string, unknown>) =>
            recorded.map((r) => (pred(r) ? { ...r, inputs: { ...r.inputs, ...change } } : r));
        const isDb = (r: RecordedResource) => r.type === types.container && unwrap(r.inputs.name) === containerNames.db;
        const dbOpen = await evaluate(mutate(isDb, { ports: [{ internal: 3306, external: 3306 }] }));
        expect(dbOpen.violations.map((v) => v.policy)).toEqual(["no-published-database-port"]);
        const hel = await evaluate(mutate((r) => r.type === types.server, { location: "hel1" }));
        expect(hel.violations.map((v) => `${v.policy} ${v.resource}`)).toEqual(["hetzner-location-germany site-host-server"]);
        const logs = await evaluate(mutate((r) => r.type === types.container, { logOpts: {} }));
        expect(logs.violations.filter((v) => v.policy === "container-log-rotation")).toHaveLength(5);
    });

    test("during a first preview (ids, image ids, secrets unknown) the policies still decide, with zero violations", async () => {
        const preview = await previewRun(testStack({ location: "nbg1" }));
        // The preview really has unknowns where the policies look.
        const web = preview.find((r) => r.type === types.container && unwrap(r.inputs.name) === containerNames.web)!;
        expect(pulumi.isUnknown(web.inputs.image) && pulumi.isUnknown(web.inputs.envs)).toBe(true);
        expect(pulumi.isUnknown((preview.find((r) => r.type === types.server)!.inputs.firewallIds as unknown[])[0])).toBe(true);
        const e = await evaluate(preview);
        expect(e.violations).toEqual([]);
        expect(e.undecided).toEqual([]);
        expect(mauticInstances(stackResources(preview)).map((r) => r.type)).toEqual([types.mauticSite]);
    });
});

describe("world-open SSH in a real stack, and its waiver", () => {
    let recorded: RecordedResource[];
    beforeAll(async () => {
        // The kit accepts 0.0.0.0/0 when written explicitly (with a warning); the pack refuses it
        // unless the stack's policy config waives it.
        recorded = (await runPlan(testStack({ adminCidrs: ["0.0.0.0/0"] }))).cloud.resources;
    });

    test("refused by default, naming the kit's firewall", async () => {
        const e = await evaluate(recorded);
        expect(e.violations).toHaveLength(1);
        expect(e.violations[0]).toMatchObject({ policy: "no-world-ssh", resource: "site-host-firewall" });
        expect(e.violations[0].message).toMatch(/rule \d \(in tcp port "22"\) opens SSH to the world from 0\.0\.0\.0\/0/);
    });

    test('accepted with { "no-world-ssh": { "allowWorldSsh": true } }', async () => {
        expect((await evaluate(recorded, { "no-world-ssh": { allowWorldSsh: true } })).violations).toEqual([]);
    });
});

describe("two Mautic sites in one program", () => {
    test("are refused by one-mautic-per-stack, naming both", async () => {
        const cloud = new MockCloud({ project: "agency", stack: "all-clients" });
        await cloud.install();
        pulumi.runtime.setAllConfig({});
        // `new MauticSite` needs a concrete type (serverType auto is resolved by MauticSite.create).
        const common = { adminEmail: "ops@agency.example", adminCidrs: ["203.0.113.0/24"], location: "nbg1", serverType: "cx33" };
        new MauticSite("client-a", { ...common, domain: "marketing.client-a.de", website: "https://www.client-a.de" });
        new MauticSite("client-b", { ...common, domain: "marketing.client-b.de", website: "https://www.client-b.de" });
        await cloud.settle();
        const e = await evaluate(cloud.resources);
        expect(e.violations.map((v) => v.policy)).toEqual(["one-mautic-per-stack"]);
        expect(e.violations[0].message).toMatch(/runs 2 Mautic instances: MauticSite 'client-a' .*; MauticSite 'client-b'/);
    });
});

describe("examples/agency-stack", () => {
    test("runs under mocks: one client's Mautic plus reverse DNS, and passes every policy", async () => {
        // The example imports the kit by its package name; resolve it to the sources here.
        jest.doMock("mautic-gdpr-kit", () => jest.requireActual("../../components"), { virtual: true });
        const cloud = new MockCloud({ project: "agency-stack", stack: "client-a" });
        await cloud.install();
        pulumi.runtime.setAllConfig({
            "agency-stack:domain": "marketing.client-a.de",
            "agency-stack:website": "https://www.client-a.de",
        });
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const program: () => Promise<Record<string, unknown>> = require("../../examples/agency-stack");
        const outputs = await program();
        await cloud.settle();

        const rdns = cloud.byType("hcloud:index/rdns:Rdns");
        expect(rdns.map((r) => r.inputs.dnsPtr)).toEqual(["marketing.client-a.de", "marketing.client-a.de"]);
        expect(cloud.byType(types.mauticSite)).toHaveLength(1);
        const server = cloud.one(types.server);
        expect(server.inputs.location).toBe("fsn1"); // the agency's default
        const ssh = (cloud.one(types.firewall).inputs.rules as Array<{ port: string; sourceIps: string[] }>).find((r) => r.port === "22")!;
        expect(ssh.sourceIps).toEqual(["198.51.100.0/24", "2001:db8:a9e::/48"]);
        expect(Object.keys(outputs)).toEqual(expect.arrayContaining(["url", "adminPassword", "dnsRecords", "reverseDns"]));

        const e = await evaluate(cloud.resources);
        expect(e.violations).toEqual([]);
        expect(e.undecided).toEqual([]);
    });
});
