/**
 * The policy pack as the Pulumi CLI runs it (`--policy-pack policy`): @pulumi/pulumi's
 * run-policy-pack in a child process (ts-node compiles the pack), serving the Analyzer over gRPC
 * on loopback; the test plays the engine. Each policy alone: tests/unit/policy.test.ts.
 */
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as path from "path";
import { baseContainerArgs, capabilitySets } from "../../components/app/containerDefaults";
import { projectRoot } from "../../plan/runPlan";
import { policies, types } from "../../policy/policies";
import { unknownValue, urnOf } from "../../plan/policyCheck";

/** A container's props as the kit builds them. */
const container = (extra: Record<string, unknown> = {}) => ({
    ...baseContainerArgs(capabilitySets.mautic),
    name: "app",
    image: "sha256:0123",
    ...extra,
});

// ---------------------------------------------------------------------------------------------

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
