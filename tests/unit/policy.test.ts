/**
 * The policy pack (policy/policies.ts): the pack itself and the Hetzner policies (German
 * locations, no world-open SSH), each called directly with a hand-built args object shaped like
 * the one @pulumi/policy's server builds (props behind its unknown-checking proxy, `getConfig`,
 * `isType`, ...), as pulumi-policy tests itself; `PolicyPack` is never constructed here (it starts
 * a gRPC server). The container policies and one Mautic per stack: policy.containers.test.ts; the
 * policies over the resources the kit and the example program really register:
 * policy.plan.test.ts; the pack as the Pulumi CLI runs it: tests/live/policy.pack.test.ts.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import * as fs from "fs";
import * as path from "path";
import { baseContainerArgs } from "../../components/app/containerDefaults";
import { containerNames, germanLocations as kitGermanLocations, nonGermanLocations } from "../../components/config/defaults";
import {
    allowedRestartPolicies,
    germanLocationPolicy,
    germanLocations,
    kitContainerNames,
    knownForeignLocations,
    noWorldSshPolicy,
    oneMauticPerStackPolicy,
    policies,
    portCoversSsh,
    types,
} from "../../policy/policies";
import { check, resourceArgs, sdk, unknownValue } from "../../plan/policyCheck";

// ---------------------------------------------------------------------------------------------
// Harness: args as @pulumi/policy's server builds them (plan/policyCheck.ts)

const run = (policy: ResourceValidationPolicy, type: string, props: Record<string, unknown>, o: { name?: string; config?: object } = {}) =>
    check(policy, resourceArgs(type, props, o));

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
        // Every file of the pack (the policies live in files by concern), not only policies.ts.
        const dir = path.join(__dirname, "..", "..", "policy");
        const files = fs.readdirSync(dir).filter((f) => f.endsWith(".ts"));
        expect(files).toEqual(expect.arrayContaining(["policies.ts", "kitFacts.ts", "hetznerPolicies.ts", "containerPolicies.ts", "oneMauticPolicy.ts"]));
        for (const f of files) expect([f, fs.readFileSync(path.join(dir, f), "utf8")]).toEqual([f, expect.not.stringMatching(/from "\.\.\//)]);
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
        expect(v[0].message).toMatch(
            /^Hetzner server 'site-host-server' \(name "client-a-mautic"\): location "hel1" is outside Germany \(Helsinki, Finland\)\./,
        );
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
    const rule = (port: string | undefined, sourceIps: string[], extra: Record<string, unknown> = {}) => ({
        direction: "in",
        protocol: "tcp",
        port,
        sourceIps,
        ...extra,
    });
    const fw = (...rules: Array<Record<string, unknown>>) => ({ name: "client-a-fw", rules });

    test("the kit's rule set passes: web ports from anywhere, SSH from admin networks", async () => {
        const world = ["0.0.0.0/0", "::/0"];
        const v = await run(
            p,
            types.firewall,
            fw(rule("80", world), rule("443", world), rule("443", world, { protocol: "udp" }), rule("22", ["203.0.113.0/24", "2001:db8::/48"])),
        );
        expect(v).toEqual([]);
    });

    test("SSH from 0.0.0.0/0 is refused, naming firewall, rule, sources and both fixes", async () => {
        const v = await run(p, types.firewall, fw(rule("80", ["0.0.0.0/0"]), rule("22", ["203.0.113.0/24", "0.0.0.0/0"])), { name: "site-host-firewall" });
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(
            /^Hetzner firewall 'site-host-firewall' \(name "client-a-fw"\): rule 1 \(in tcp port "22"\) opens SSH to the world from 0\.0\.0\.0\/0\./,
        );
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
        expect(v[0].message).toMatch(
            /^Hetzner server 'bare': firewallIds is \[\]; without a Hetzner Cloud Firewall the server's SSH port 22 is open to the world\. Fix:/,
        );
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
