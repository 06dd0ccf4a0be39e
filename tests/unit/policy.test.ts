/**
 * The policy pack (policy/policies.ts). Each policy is called directly with a hand-built args
 * object shaped like the one @pulumi/policy's server builds (props behind its unknown-checking
 * proxy, `getConfig`, `isType`, ...), as pulumi-policy tests itself; `PolicyPack` is never
 * constructed here (it starts a gRPC server). Then the policies run over the resources the kit
 * and the example program really register (under Pulumi's mocks), which must pass.
 */
import * as grpc from "@grpc/grpc-js";
import { PolicyResource, ResourceValidationPolicy } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as path from "path";
import { baseContainerArgs, capabilitySets } from "../../components/app/containerDefaults";
import { containerNames, germanLocations as kitGermanLocations, nonGermanLocations } from "../../components/config/defaults";
import { MauticSite } from "../../components/site/mauticSite";
import { MockCloud, RecordedResource, unwrap } from "../../plan/mockRuntime";
import { projectRoot, runPlan } from "../../plan/runPlan";
import {
    allowedRestartPolicies,
    containerLogRotationPolicy,
    containerRestartPolicy,
    databaseEvidence,
    germanLocationPolicy,
    germanLocations,
    isMauticWeb,
    kitContainerNames,
    knownForeignLocations,
    mauticInstances,
    noPublishedDatabasePortPolicy,
    noWorldSshPolicy,
    oneMauticPerStackPolicy,
    peek,
    policies,
    portCoversSsh,
    types,
    UNKNOWN,
} from "../../policy/policies";
import { testStack } from "../support/stacks";
import { check, checkStack, evaluate, policyResource, resourceArgs, sdk, stackResources, unknownValue, urnOf } from "../../plan/policyCheck";
import { storageBoxLocationPolicy, zoneRecordNamePolicy } from "../../policy/offsiteDns";

// ---------------------------------------------------------------------------------------------
// Harness: args as @pulumi/policy's server builds them (plan/policyCheck.ts)

const run = (policy: ResourceValidationPolicy, type: string, props: Record<string, unknown>, o: { name?: string; config?: object } = {}) =>
    check(policy, resourceArgs(type, props, o));

const container = (extra: Record<string, unknown> = {}) => ({
    ...baseContainerArgs(capabilitySets.mautic),
    name: "app",
    image: "sha256:0123",
    ...extra,
});

// ---------------------------------------------------------------------------------------------

describe("the pack", () => {
    test("eight policies, unique names, all mandatory, none named 'all' (PolicyPack would exit)", () => {
        const names = policies.map((p) => p.name);
        expect(names).toEqual([
            "hetzner-location-germany",
            "no-world-ssh",
            "container-restart-policy",
            "container-log-rotation",
            "no-published-database-port",
            "one-mautic-per-stack",
            "offsite-storage-box-location",
            "dns-record-name-in-zone",
        ]);
        expect(new Set(names).size).toBe(names.length);
        for (const p of policies) {
            expect(p.enforcementLevel).toBe("mandatory");
            expect(p.description.length).toBeGreaterThan(20);
            expect(p.name).toMatch(/^[a-z0-9-]+$/);
            expect(p.configSchema?.properties?.enforcementLevel).toBeUndefined();
        }
        expect("validateStack" in oneMauticPerStackPolicy).toBe(true);
    });

    test("the waiver is declared in the SSH policy's config schema, off by default", () => {
        expect(noWorldSshPolicy.configSchema).toEqual({
            properties: { allowWorldSsh: expect.objectContaining({ type: "boolean", default: false }) },
        });
    });

    test("entry point, PulumiPolicy.yaml and the version PolicyPack reads from policy/package.json", () => {
        const dir = path.join(__dirname, "..", "..", "policy");
        const index = fs.readFileSync(path.join(dir, "index.ts"), "utf8");
        expect(index).toMatch(/new PolicyPack\("mautic-gdpr-policies", \{/);
        expect(index).toMatch(/import \{ policies \} from "\.\/policies"/);
        expect(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
        expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(["@pulumi/policy", "@pulumi/pulumi"]));
    });

    test("the pack's own constants match the kit's (the pack imports nothing from components/)", () => {
        expect(Object.keys(germanLocations).sort()).toEqual(Object.keys(kitGermanLocations).sort());
        expect(knownForeignLocations).toEqual(nonGermanLocations);
        expect(kitContainerNames).toEqual({ db: containerNames.db, web: containerNames.web });
        expect(allowedRestartPolicies).toContain(baseContainerArgs([]).restart);
        const policyFile = fs.readFileSync(path.join(__dirname, "..", "..", "policy", "policies.ts"), "utf8");
        expect(policyFile).not.toMatch(/from "\.\.\/components/);
    });
});

describe("hetzner-location-germany", () => {
    const p = germanLocationPolicy;

    test.each([
        ["location fsn1", { location: "fsn1" }],
        ["location nbg1", { location: "nbg1" }],
        ["datacenter fsn1-dc14", { datacenter: "fsn1-dc14" }],
        ["location and datacenter in nbg1", { location: "nbg1", datacenter: "nbg1-dc3" }],
    ])("a server with %s passes", async (_label, props) => {
        expect(await run(p, types.server, { serverType: "cx33", ...props })).toEqual([]);
    });

    test("a server in Helsinki is refused, naming resource, value, country and the fix", async () => {
        const v = await run(p, types.server, { name: "client-a-mautic", location: "hel1" }, { name: "site-host-server" });
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(/^Hetzner server 'site-host-server' \(name "client-a-mautic"\): location "hel1" is outside Germany \(Helsinki, Finland\)\./);
        expect(v[0].message).toMatch(/Fix: set location to "fsn1" \(Falkenstein\) or "nbg1" \(Nuremberg\)/);
    });

    test.each([
        ["ash", /Ashburn/],
        ["sin", /Singapore/],
        ["mars1", /not a known Hetzner location in Germany/],
    ])("location %s is refused", async (location, where) => {
        const v = await run(p, types.server, { location });
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(where);
    });

    test("a datacenter outside Germany is refused, also next to a German location", async () => {
        const v = await run(p, types.server, { datacenter: "hel1-dc2" });
        expect(v.map((x) => x.message)).toEqual([expect.stringMatching(/datacenter "hel1-dc2" is outside Germany \(Helsinki, Finland\)/)]);
        const mixed = await run(p, types.server, { location: "nbg1", datacenter: "ash-dc1" });
        expect(mixed.map((x) => x.message)).toEqual([expect.stringMatching(/datacenter "ash-dc1" is outside Germany \(Ashburn/)]);
    });

    test("a server without location or datacenter is refused: Hetzner would pick one", async () => {
        const v = await run(p, types.server, { serverType: "cx33" });
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(/no location or datacenter is set, so Hetzner picks one, possibly outside Germany/);
    });

    test("volumes: German location passes, a foreign one is refused, none (next to its server) passes", async () => {
        expect(await run(p, types.volume, { location: "fsn1", size: 20 })).toEqual([]);
        expect(await run(p, types.volume, { serverId: 7, size: 20 })).toEqual([]);
        const v = await run(p, types.volume, { location: "hil", size: 20 }, { name: "data" });
        expect(v[0].message).toMatch(/^Hetzner volume 'data': location "hil" is outside Germany \(Hillsboro, Oregon, USA\)/);
    });

    test("other resource types are not its business", async () => {
        expect(await run(p, types.firewall, { location: "hel1" })).toEqual([]);
    });

    test("a location unknown during preview is left to the engine (advisory 'can't run during preview')", async () => {
        await expect(run(p, types.server, { location: unknownValue })).rejects.toBeInstanceOf(sdk.UnknownValueError);
    });
});

describe("no-world-ssh", () => {
    const p = noWorldSshPolicy;
    const rule = (port: string | undefined, sourceIps: string[], extra: Record<string, unknown> = {}) => ({ direction: "in", protocol: "tcp", port, sourceIps, ...extra });
    const fw = (...rules: Array<Record<string, unknown>>) => ({ name: "client-a-fw", rules });

    test("the kit's rule set passes: web ports from anywhere, SSH from admin networks", async () => {
        const world = ["0.0.0.0/0", "::/0"];
        const v = await run(p, types.firewall, fw(rule("80", world), rule("443", world), rule("443", world, { protocol: "udp" }), rule("22", ["203.0.113.0/24", "2001:db8::/48"])));
        expect(v).toEqual([]);
    });

    test("SSH from 0.0.0.0/0 is refused, naming firewall, rule, sources and both fixes", async () => {
        const v = await run(p, types.firewall, fw(rule("80", ["0.0.0.0/0"]), rule("22", ["203.0.113.0/24", "0.0.0.0/0"])), { name: "site-host-firewall" });
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(/^Hetzner firewall 'site-host-firewall' \(name "client-a-fw"\): rule 1 \(in tcp port "22"\) opens SSH to the world from 0\.0\.0\.0\/0\./);
        expect(v[0].message).toMatch(/adminCidrs/);
        expect(v[0].message).toMatch(/\{ "no-world-ssh": \{ "allowWorldSsh": true \} \}/);
    });

    test.each([
        ["::/0 (IPv6 world)", rule("22", ["::/0"])],
        ["a port range over 22", rule("1-1024", ["0.0.0.0/0"])],
        ["port any", rule("any", ["0.0.0.0/0"])],
        ["no port (all tcp ports)", rule(undefined, ["0.0.0.0/0"])],
    ])("%s is refused", async (_label, r) => {
        expect(await run(p, types.firewall, fw(r))).toHaveLength(1);
    });

    test.each([
        ["another port", rule("2222", ["0.0.0.0/0"])],
        ["a range without 22", rule("23-1024", ["0.0.0.0/0"])],
        ["udp", rule("22", ["0.0.0.0/0"], { protocol: "udp" })],
        ["an outbound rule", { direction: "out", protocol: "tcp", port: "22", destinationIps: ["0.0.0.0/0"] }],
        ["icmp", { direction: "in", protocol: "icmp", sourceIps: ["0.0.0.0/0"] }],
    ])("%s from the world passes", async (_label, r) => {
        expect(await run(p, types.firewall, fw(r))).toEqual([]);
    });

    test("waiver: allowWorldSsh: true in the policy config accepts it; false does not", async () => {
        const open = fw(rule("22", ["0.0.0.0/0", "::/0"]));
        expect(await run(p, types.firewall, open, { config: { allowWorldSsh: true } })).toEqual([]);
        expect(await run(p, types.firewall, open, { config: { allowWorldSsh: false } })).toHaveLength(1);
        expect(await run(p, types.firewall, open, { config: {} })).toHaveLength(1);
    });

    test("a server without any firewall is refused (all its ports, SSH too, are open)", async () => {
        const v = await run(p, types.server, { location: "nbg1", firewallIds: [] }, { name: "bare" });
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(/^Hetzner server 'bare': firewallIds is \[\]; without a Hetzner Cloud Firewall the server's SSH port 22 is open to the world\. Fix:/);
        expect(await run(p, types.server, { location: "nbg1" })).toHaveLength(1);
        expect(await run(p, types.server, { location: "nbg1" }, { config: { allowWorldSsh: true } })).toEqual([]);
    });

    test("a server with a firewall, or with one attached elsewhere, or with no public IP, passes", async () => {
        expect(await run(p, types.server, { firewallIds: [1001] })).toEqual([]);
        expect(await run(p, types.server, { firewallIds: [unknownValue] })).toEqual([]); // preview: id not known yet
        expect(await run(p, types.server, { firewallIds: unknownValue })).toEqual([]);
        expect(await run(p, types.server, { ignoreRemoteFirewallIds: true })).toEqual([]);
        expect(await run(p, types.server, { publicNets: [{ ipv4Enabled: false, ipv6Enabled: false }] })).toEqual([]);
    });

    test("portCoversSsh", () => {
        expect(["22", "any", "1-65535", "20-22", "22-22", " 22 "].every((x) => portCoversSsh(x))).toBe(true);
        expect(portCoversSsh(undefined)).toBe(true);
        expect(["2222", "80", "23-80", "1-21", "220"].some((x) => portCoversSsh(x))).toBe(false);
    });
});

describe("container-restart-policy", () => {
    const p = containerRestartPolicy;

    test.each(["unless-stopped", "always"])("restart %s passes", async (restart) => {
        expect(await run(p, types.container, container({ restart }))).toEqual([]);
    });

    test("the kit's baseContainerArgs pass", async () => {
        expect(await run(p, types.container, container())).toEqual([]);
    });

    test("no restart is refused, explaining the provider's default and the fix", async () => {
        const { restart: _r, ...props } = container();
        const v = await run(p, types.container, props, { name: "site-app-web" });
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(/^docker container 'site-app-web' \(name "app"\): restart is not set \(the docker provider then uses "no"\)/);
        expect(v[0].message).toMatch(/Fix: set restart: "unless-stopped"/);
    });

    test.each(["no", "on-failure"])("restart %s is refused, naming the value", async (restart) => {
        const v = await run(p, types.container, container({ restart }));
        expect(v).toHaveLength(1);
        expect(v[0].message).toContain(`restart is "${restart}"`);
    });

    test("other types are ignored", async () => {
        expect(await run(p, types.remoteImage, { name: "mautic/mautic:6.0.6-apache" })).toEqual([]);
    });
});

describe("container-log-rotation", () => {
    const p = containerLogRotationPolicy;

    test("json-file with max-size and max-file (the kit's) passes; so does the default driver with both", async () => {
        expect(await run(p, types.container, container())).toEqual([]);
        expect(await run(p, types.container, container({ logDriver: undefined }))).toEqual([]);
    });

    test('logDriver "local" (rotates by itself) passes', async () => {
        expect(await run(p, types.container, container({ logDriver: "local", logOpts: undefined }))).toEqual([]);
    });

    test("json-file without options is refused, naming what is missing and the fix", async () => {
        const v = await run(p, types.container, container({ logOpts: undefined }), { name: "site-edge-caddy" });
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(/^docker container 'site-edge-caddy' \(name "app"\): logs are not rotated: logDriver "json-file", max-size is not set .*; max-file is not set\./);
        expect(v[0].message).toMatch(/Fix: set logDriver: "json-file" with logOpts: \{ "max-size": "10m", "max-file": "5" \}/);
    });

    test("max-size alone is refused (max-file missing)", async () => {
        const v = await run(p, types.container, container({ logOpts: { "max-size": "10m" } }));
        expect(v.map((x) => x.message)).toEqual([expect.stringMatching(/max-file is not set/)]);
    });

    test("malformed values are refused with the value", async () => {
        const v = await run(p, types.container, container({ logOpts: { "max-size": "10 MB", "max-file": "0" } }));
        expect(v[0].message).toMatch(/max-size "10 MB" is not a size like "10m"; max-file "0" is not a whole number >= 1/);
    });

    test.each(["none", "journald", "syslog"])("logDriver %s is refused", async (logDriver) => {
        const v = await run(p, types.container, container({ logDriver }));
        expect(v).toHaveLength(1);
        expect(v[0].message).toContain(`logDriver "${logDriver}" is not rotated on the host by Docker`);
    });
});

describe("no-published-database-port", () => {
    const p = noPublishedDatabasePortPolicy;
    const port3306 = { internal: 3306, external: 3306, protocol: "tcp" };

    test("the kit's database (mautic_db, internal network, no ports) passes", async () => {
        expect(await run(p, types.container, container({ name: "mautic_db", networksAdvanced: [{ name: "mautic-backend" }] }))).toEqual([]);
    });

    test("mautic_db with a published port is refused, naming the port and the fix", async () => {
        const v = await run(p, types.container, container({ name: "mautic_db", ports: [port3306] }), { name: "site-app-db" });
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(
            /^docker container 'site-app-db' \(name "mautic_db"\) is a database \(its name is "mautic_db"\) and publishes 0\.0\.0\.0:3306->3306\/tcp\. Fix: remove `ports`/,
        );
    });

    test.each([
        ["a MariaDB image", { name: "db1", image: "mariadb:11.4.8" }, /its image is "mariadb:11\.4\.8"/],
        ["a PostgreSQL image from a registry", { name: "store", image: "docker.io/bitnami/postgresql:16" }, /its image is/],
        ["a MySQL name", { name: "client_mysql" }, /its name "client_mysql" names a database/],
        ["a *-db name", { name: "shop-db" }, /its name is "shop-db"/],
        ["the server image's variables", { name: "x", envs: ["TZ=UTC", "MARIADB_ROOT_PASSWORD=s3cret"] }, /it sets MARIADB_ROOT_PASSWORD/],
    ])("%s with ports is refused", async (_label, props, evidence) => {
        const v = await run(p, types.container, container({ ...props, ports: [{ internal: 5432, ip: "127.0.0.1" }] }));
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(evidence);
        expect(v[0].message).not.toContain("s3cret");
    });

    test("host networking on a database is refused", async () => {
        const v = await run(p, types.container, container({ name: "mautic_db", networkMode: "host" }));
        expect(v.map((x) => x.message)).toEqual([expect.stringMatching(/uses networkMode "host"/)]);
    });

    test("non-database containers may publish ports (the edge, phpMyAdmin, an exporter)", async () => {
        expect(await run(p, types.container, container({ name: "mautic_edge", ports: [{ internal: 443, external: 443 }] }))).toEqual([]);
        expect(await run(p, types.container, container({ name: "pma", image: "phpmyadmin:5", envs: ["PMA_HOST=db", "MYSQL_ROOT_PASSWORD=x"], ports: [{ internal: 80 }] }))).toEqual([]);
        expect(await run(p, types.container, container({ name: "mysqld-exporter", image: "prom/mysqld-exporter:v0.15.1", ports: [{ internal: 9104 }] }))).toEqual([]);
    });

    test("during preview an unknown image or env does not hide a database known by name", async () => {
        const v = await run(p, types.container, container({ name: "mautic_db", image: unknownValue, envs: unknownValue, ports: [port3306] }));
        expect(v).toHaveLength(1);
        expect(databaseEvidence(sdk.unknownCheckingProxy({ name: unknownValue, image: unknownValue, envs: [unknownValue] }))).toBeUndefined();
    });

    test("peek returns UNKNOWN for an unknown value instead of throwing", () => {
        const props = sdk.unknownCheckingProxy({ a: unknownValue, b: "x" });
        expect(peek(props, "a")).toBe(UNKNOWN);
        expect(peek(props, "b")).toBe("x");
        expect(() => (props as Record<string, unknown>).a).toThrow(/can't be known during preview/);
    });
});

describe("one-mautic-per-stack", () => {
    const p = oneMauticPerStackPolicy;
    const mauticImage = () => policyResource(types.remoteImage, "mautic-image", { name: "mautic/mautic:6.0.6-apache", imageId: "sha256:abc" });

    /** A site as the kit registers it: component > app component > web, cron containers. */
    function kitSite(name: string): PolicyResource[] {
        const site = policyResource(types.mauticSite, name, {});
        const app = policyResource("mautic-kit:app:MauticApp", `${name}-app`, {}, { parent: site });
        const image = policyResource(types.remoteImage, `${name}-app-mautic-image`, { name: "mautic/mautic:6.0.6-apache" }, { parent: app });
        const web = policyResource(
            types.container,
            `${name}-app-web`,
            { name: "mautic_web", image: "sha256:abc", envs: ["DOCKER_MAUTIC_ROLE=mautic_web"] },
            { parent: app, dependencies: [image], propertyDependencies: { image: [image] } },
        );
        const cron = policyResource(types.container, `${name}-app-cron`, { name: "mautic_cron", image: "sha256:abc", envs: ["DOCKER_MAUTIC_ROLE=mautic_cron"] }, { parent: app, dependencies: [image] });
        return [site, app, image, web, cron];
    }

    test("one kit site passes; its web container is not counted twice", async () => {
        const resources = kitSite("client-a");
        expect(mauticInstances(resources).map((r) => r.name)).toEqual(["client-a"]);
        expect(await checkStack(p, resources)).toEqual([]);
    });

    test("two MauticSites are refused, naming both and the fix", async () => {
        const v = await checkStack(p, [...kitSite("client-a"), ...kitSite("client-b")]);
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(/^this stack runs 2 Mautic instances: MauticSite 'client-a' \(urn:pulumi:test::agency::mautic-kit:site:MauticSite::client-a\); MauticSite 'client-b'/);
        expect(v[0].message).toMatch(/Fix: .*own stack \(`pulumi stack init <client>`\)/);
    });

    test("a hand-made Mautic web container next to a site is refused", async () => {
        const image = mauticImage();
        const extra = policyResource(types.container, "second-web", { name: "mautic2", image: "sha256:abc", envs: [] }, { dependencies: [image], propertyDependencies: { image: [image] } });
        const v = await checkStack(p, [...kitSite("client-a"), image, extra]);
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(/MauticSite 'client-a' .*; Mautic web container 'second-web' \(name "mautic2"\)/);
    });

    test("two hand-made web containers (image by name, role by env) are refused; one passes", async () => {
        const a = policyResource(types.container, "a", { name: "a_web", image: "mautic/mautic:5.2.1-apache" });
        const b = policyResource(types.container, "b", { name: "b_web", image: "sha256:1", envs: ["DOCKER_MAUTIC_ROLE=mautic_web"] });
        expect(await checkStack(p, [a])).toEqual([]);
        expect(await checkStack(p, [a, b])).toHaveLength(1);
    });

    test("cron and worker roles, and other images, are not Mautic instances", async () => {
        const cron = policyResource(types.container, "cron", { name: "c", image: "mautic/mautic:6.0.6-apache", envs: ["DOCKER_MAUTIC_ROLE=mautic_cron"] });
        const worker = policyResource(types.container, "worker", { name: "w", image: "mautic/mautic:6.0.6-apache", envs: ["DOCKER_MAUTIC_ROLE=mautic_worker"] });
        const wp = policyResource(types.container, "wp", { name: "wordpress", image: "wordpress:6" });
        expect(await checkStack(p, [...kitSite("client-a"), cron, worker, wp])).toEqual([]);
    });

    test("during preview (envs and image unknown) a loose mautic_web container still counts", async () => {
        const loose = policyResource(types.container, "loose", { name: "mautic_web", image: unknownValue, envs: unknownValue });
        expect(await checkStack(p, [loose])).toEqual([]);
        expect(await checkStack(p, [...kitSite("client-a"), loose])).toHaveLength(1);
    });
});

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

    test("accepted with { \"no-world-ssh\": { \"allowWorldSsh\": true } }", async () => {
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

describe("the pack as the Pulumi CLI runs it (`--policy-pack policy`)", () => {
    // The engine starts the pack with @pulumi/pulumi's run-policy-pack (ts-node, type-checked) in
    // the pack's directory, reads the gRPC port from stdout and calls the Analyzer service. Done
    // here in a child process: PolicyPack must never be constructed inside the test process.
    let child: ChildProcess;
    let client: AnalyzerClient;
    const stderr: string[] = [];

    beforeAll(async () => {
        const runner = path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "cmd", "run-policy-pack");
        child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: path.join(projectRoot, "policy"), stdio: ["ignore", "pipe", "pipe"] });
        child.stderr!.on("data", (d) => stderr.push(String(d)));
        const port = await new Promise<string>((resolve, reject) => {
            let out = "";
            child.stdout!.on("data", (d) => {
                out += String(d);
                const m = /^(\d+)\s*$/m.exec(out);
                if (m) resolve(m[1]);
            });
            child.on("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${stderr.join("")}`)));
        });
        client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    }, 110_000);

    afterAll(() => {
        client?.close();
        if (child?.pid !== undefined && child.exitCode === null) child.kill();
    });

    const unary = <Req, Res>(fn: (req: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown, req: Req) =>
        new Promise<Res>((resolve, reject) => fn.call(client, req, (e, r) => (e ? reject(e) : resolve(r))));

    async function analyze(type: string, props: Record<string, unknown>): Promise<Array<{ policy: string; level: number; message: string }>> {
        const req = new analyzerPb.AnalyzeRequest();
        req.setType(type);
        req.setName("res");
        req.setUrn(urnOf(type, "res"));
        req.setProperties(Struct.fromJavaScript(props as Record<string, never>));
        req.setOptions(new analyzerPb.AnalyzerResourceOptions());
        const res = await unary<analyzerPb.AnalyzeRequest, analyzerPb.AnalyzeResponse>(client.analyze, req);
        return res.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), level: d.getEnforcementlevel(), message: d.getMessage() }));
    }

    test("announces the pack, its version from policy/package.json and six mandatory policies", async () => {
        const info = await unary<Empty, analyzerPb.AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
        expect(info.getName()).toBe("mautic-gdpr-policies");
        expect(info.getVersion()).toBe(JSON.parse(fs.readFileSync(path.join(projectRoot, "policy", "package.json"), "utf8")).version);
        const listed = info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]);
        expect(listed).toEqual(policies.map((p) => [p.name, analyzerPb.EnforcementLevel.MANDATORY]));
    });

    test("reports world-open SSH as mandatory, and nothing once the policy config waives it", async () => {
        const open = { rules: [{ direction: "in", protocol: "tcp", port: "22", sourceIps: ["0.0.0.0/0"] }] };
        const v = await analyze(types.firewall, open);
        expect(v.map((d) => [d.policy, d.level])).toEqual([["no-world-ssh", analyzerPb.EnforcementLevel.MANDATORY]]);
        expect(v[0].message).toMatch(/opens SSH to the world from 0\.0\.0\.0\/0/);
        expect(await analyze(types.firewall, { rules: [{ ...open.rules[0], sourceIps: ["203.0.113.0/24"] }] })).toEqual([]);

        // What `--policy-pack-config` with { "no-world-ssh": { "allowWorldSsh": true } } sends.
        const waiver = new analyzerPb.ConfigureAnalyzerRequest();
        const cfg = new analyzerPb.PolicyConfig();
        cfg.setEnforcementlevel(analyzerPb.EnforcementLevel.MANDATORY);
        cfg.setProperties(Struct.fromJavaScript({ allowWorldSsh: true }));
        waiver.getPolicyconfigMap().set("no-world-ssh", cfg);
        await unary<analyzerPb.ConfigureAnalyzerRequest, Empty>(client.configure, waiver);
        expect(await analyze(types.firewall, open)).toEqual([]);
    });

    test("during preview a database known by name is still checked; an unknown location becomes advisory", async () => {
        const db = await analyze(types.container, { ...container({ name: "mautic_db", image: unknownValue }), ports: [{ internal: 3306, external: 3306 }] });
        expect(db.map((d) => d.policy)).toEqual(["no-published-database-port"]);
        const server = await analyze(types.server, { location: unknownValue, firewallIds: [1] });
        expect(server.map((d) => [d.policy, d.level])).toEqual([["hetzner-location-germany", analyzerPb.EnforcementLevel.ADVISORY]]);
        expect(server[0].message).toMatch(/can't run policy 'hetzner-location-germany' .* during preview/);
    });
});
