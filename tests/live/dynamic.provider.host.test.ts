/**
 * The kit's two dynamic resources (ServerLabel, DoiSetup) under the real dynamic-provider host
 * (`@pulumi/pulumi/cmd/dynamic-provider`, a child process), driven over gRPC as the engine drives
 * it: Configure, then Check/Create, Check/Diff/Update and Delete with the provider code the
 * program serialized (`__provider`) and the inputs it registered, against loopback fakes of
 * Hetzner's Cloud API and Mautic's API. The host answers Configure with acceptSecrets=false, so
 * the engine sends secret inputs (the Hetzner token, the Mautic password) as plain values; the
 * test does the same, and checks that no secret comes back in the resource's state.
 */
import * as grpc from "@grpc/grpc-js";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/provider_pb";
import { ChildProcess, spawn } from "child_process";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as path from "path";
import { isWrappedSecret, RecordedResource, unwrap } from "../../plan/mockRuntime";
import { runPlan } from "../../plan/runPlan";
import { FakeHcloudApi } from "../support/fakeHcloudApi";
import { FakeMauticApi } from "../support/fakeMauticApi";
import { testStack } from "../support/stacks";

jest.setTimeout(120_000);

type Props = Record<string, unknown>;
const secretSig = "4dabf18193072939515e22adb298388d";

let host: ChildProcess;
let client: ResourceProviderClient;
const hostErr: string[] = [];
let hcloud: FakeHcloudApi;
let mautic: FakeMauticApi;
let label: RecordedResource;
let doi: RecordedResource;
let hcloudToken: string;

const unary = <Req, Res>(method: string, req: Req) =>
    new Promise<Res>((resolve, reject) =>
        (client as unknown as Record<string, (r: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => void>)[method].call(client, req, (e, r) => (e ? reject(e) : resolve(r))),
    );
const struct = (v: Props) => Struct.fromJavaScript(v as never);

/** The engine's side, for one resource: secrets sent plain because the host does not accept them. */
class Engine {
    acceptSecrets = true;
    constructor(private readonly type: string, private readonly name: string) {}
    get urn() {
        return `urn:pulumi:test::mautic-gdpr::${this.type}::${this.name}`;
    }
    /** What the engine marshals for the provider: without secret wrappers unless it accepts them. */
    wire(v: Props): Props {
        return (this.acceptSecrets ? v : unwrap(v)) as Props;
    }
    async check(olds: Props, news: Props): Promise<Props> {
        const req = new pb.CheckRequest();
        req.setUrn(this.urn);
        req.setOlds(struct(this.wire(olds)));
        req.setNews(struct(this.wire(news)));
        const res = await unary<pb.CheckRequest, pb.CheckResponse>("check", req);
        expect(res.getFailuresList()).toEqual([]);
        return res.getInputs()!.toJavaScript() as Props;
    }
    async create(inputs: Props): Promise<{ id: string; state: Props }> {
        const req = new pb.CreateRequest();
        req.setUrn(this.urn);
        req.setProperties(struct(this.wire(inputs)));
        const res = await unary<pb.CreateRequest, pb.CreateResponse>("create", req);
        return { id: res.getId(), state: res.getProperties()!.toJavaScript() as Props };
    }
    async diff(id: string, state: Props, inputs: Props): Promise<{ changes: number; replaces: string[] }> {
        const req = new pb.DiffRequest();
        req.setId(id);
        req.setUrn(this.urn);
        req.setOlds(struct(this.wire(state)));
        req.setNews(struct(this.wire(inputs)));
        const res = await unary<pb.DiffRequest, pb.DiffResponse>("diff", req);
        return { changes: res.getChanges(), replaces: res.getReplacesList() };
    }
    async update(id: string, state: Props, inputs: Props): Promise<Props> {
        const req = new pb.UpdateRequest();
        req.setId(id);
        req.setUrn(this.urn);
        req.setOlds(struct(this.wire(state)));
        req.setNews(struct(this.wire(inputs)));
        const res = await unary<pb.UpdateRequest, pb.UpdateResponse>("update", req);
        return res.getProperties()!.toJavaScript() as Props;
    }
    async delete(id: string, state: Props): Promise<void> {
        const req = new pb.DeleteRequest();
        req.setId(id);
        req.setUrn(this.urn);
        req.setProperties(struct(this.wire(state)));
        await unary("delete", req);
    }
}

beforeAll(async () => {
    hcloud = await new FakeHcloudApi({ token: "placeholder" }).start();
    // The plan of a stack whose hcloud:endpoint is the fake: the inputs exactly as the program registers them.
    const stack = testStack({});
    stack.config["hcloud:endpoint"] = hcloud.endpoint;
    const plan = await runPlan(stack);
    label = plan.cloud.one("pulumi-nodejs:dynamic/mautic-kit-server-label:Resource");
    doi = plan.cloud.one("pulumi-nodejs:dynamic/mautic-doi:Resource");
    hcloudToken = String(unwrap(label.inputs.token));
    hcloud.opts.token = hcloudToken;
    mautic = new FakeMauticApi({ username: String(unwrap(doi.inputs.username)), password: String(unwrap(doi.inputs.password)) });
    await mautic.start();

    const entry = path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "cmd", "dynamic-provider", "index.js");
    // The engine starts the host with its own address; the kit's providers never call back.
    host = spawn(process.execPath, [entry, "127.0.0.1:1"], { stdio: ["ignore", "pipe", "pipe"] });
    host.stderr!.on("data", (d) => hostErr.push(String(d)));
    const port = await new Promise<string>((resolve, reject) => {
        let out = "";
        host.stdout!.on("data", (d) => {
            out += String(d);
            const m = /^(\d+)\s*$/m.exec(out);
            if (m) resolve(m[1]);
        });
        host.on("exit", (code) => reject(new Error(`dynamic-provider host exited with ${code}: ${hostErr.join("")}`)));
    });
    client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    // What the engine sends first: the provider's config (a secret config value wrapped).
    const configure = new pb.ConfigureRequest();
    configure.setArgs(struct({ "mautic-gdpr:domain": "marketing.client-a.de", "hcloud:token": { [secretSig]: "1b47061264138c4ac30d75fd1eb44270", value: hcloudToken } }));
    configure.setAcceptsecrets(true);
    configure.setAcceptresources(true);
    const res = await unary<pb.ConfigureRequest, pb.ConfigureResponse>("configure", configure);
    acceptSecrets = res.getAcceptsecrets();
});

let acceptSecrets = true;

afterAll(async () => {
    client?.close();
    if (host?.exitCode === null) host.kill();
    await hcloud?.stop();
    await mautic?.stop();
});

test("Configure: the host does not accept secrets, so the engine sends secret inputs as plain values", () => {
    expect(acceptSecrets).toBe(false);
    // The program registered them as secrets.
    expect(isWrappedSecret(label.inputs.token)).toBe(true);
    expect(isWrappedSecret(doi.inputs.password)).toBe(true);
    expect(typeof label.inputs.__provider).toBe("string");
    expect(typeof doi.inputs.__provider).toBe("string");
});

test("ServerLabel: check, create, diff, update and delete against the Hetzner API fake at hcloud:endpoint", async () => {
    const engine = new Engine("pulumi-nodejs:dynamic/mautic-kit-server-label:Resource", label.name);
    engine.acceptSecrets = acceptSecrets;
    const serverId = Number(unwrap(label.inputs.serverId));
    hcloud.servers.set(serverId, { id: serverId, name: "site-host-server", labels: { "managed-by": "mautic-gdpr-kit", "mautic-version": "6.0.6" } });
    const inputs = label.inputs;
    expect(unwrap(inputs.endpoint)).toBe(hcloud.endpoint);

    const checked = await engine.check({}, inputs);
    const created = await engine.create(checked);
    expect(created.id).toBe(`${serverId}/mautic-version`);
    const version = String(unwrap(inputs.value));
    expect(hcloud.servers.get(serverId)!.labels).toEqual({ "managed-by": "mautic-gdpr-kit", "mautic-version": version });
    expect(hcloud.requests.map((r) => `${r.method} ${r.path} ${r.auth}`)).toEqual([`GET /v1/servers/${serverId} Bearer ${hcloudToken}`, `PUT /v1/servers/${serverId} Bearer ${hcloudToken}`]);
    // The state holds no token (the engine marks the input secret; the outputs never carry it).
    expect(Object.keys(created.state).sort()).toEqual(["__provider", "key", "serverId", "value"]);
    expect(JSON.stringify(created.state)).not.toContain(hcloudToken);

    // A second up with the same inputs: no change. A new version: an update in place, the other labels kept.
    expect(await engine.diff(created.id, created.state, await engine.check(inputs, inputs))).toEqual({ changes: pb.DiffResponse.DiffChanges.DIFF_NONE, replaces: [] });
    const next = { ...inputs, value: "7.2.1" };
    const checkedNext = await engine.check(inputs, next);
    expect(await engine.diff(created.id, created.state, checkedNext)).toEqual({ changes: pb.DiffResponse.DiffChanges.DIFF_SOME, replaces: [] });
    const updated = await engine.update(created.id, created.state, checkedNext);
    expect(updated).toMatchObject({ serverId, key: "mautic-version", value: "7.2.1" });
    expect(hcloud.servers.get(serverId)!.labels).toEqual({ "managed-by": "mautic-gdpr-kit", "mautic-version": "7.2.1" });
    // Another server: a replacement.
    expect((await engine.diff(created.id, updated, await engine.check(inputs, { ...next, serverId: serverId + 1 }))).replaces).toEqual(["serverId"]);
    const before = hcloud.requests.length;
    await engine.delete(created.id, updated);
    expect(hcloud.requests.length).toBe(before); // the label goes with the server
});

test("DoiSetup: check, create, diff, update and delete against the Mautic API fake; no password in the state", async () => {
    const engine = new Engine("pulumi-nodejs:dynamic/mautic-doi:Resource", doi.name);
    engine.acceptSecrets = acceptSecrets;
    const password = String(unwrap(doi.inputs.password));
    const inputs = { ...doi.inputs, apiUrl: mautic.baseUrl, waitForApiSeconds: 5, requestTimeoutSeconds: 5 };
    const blueprint = unwrap(doi.inputs.blueprint) as { objects: Array<{ key: string }>; hash: string };

    const checked = await engine.check({}, inputs);
    const created = await engine.create(checked);
    expect(created.id).toBe(`doi:${new URL(mautic.baseUrl).host}`);
    expect(created.state.created).toEqual(blueprint.objects.map((o) => o.key));
    expect(mautic.posts()).toHaveLength(blueprint.objects.length);
    expect(JSON.stringify(created.state)).not.toContain(password);

    const again = await engine.check(inputs, inputs);
    expect((await engine.diff(created.id, created.state, again)).changes).toBe(pb.DiffResponse.DiffChanges.DIFF_NONE);
    const rerun = await engine.check(inputs, { ...inputs, rerunToken: "2" });
    expect(await engine.diff(created.id, created.state, rerun)).toEqual({ changes: pb.DiffResponse.DiffChanges.DIFF_SOME, replaces: [] });
    const updated = await engine.update(created.id, created.state, rerun);
    expect(updated.created).toEqual([]);
    expect(updated.ids).toEqual(created.state.ids);
    expect(mautic.posts()).toHaveLength(blueprint.objects.length);
    expect(JSON.stringify(updated)).not.toContain(password);
    await engine.delete(created.id, updated);
    expect(mautic.posts()).toHaveLength(blueprint.objects.length);
});

test("the host logged no error", () => {
    expect(hostErr.join("")).toBe("");
});
