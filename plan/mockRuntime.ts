/**
 * Runs the real program under Pulumi's mock runtime (the official unit-test mechanism) and
 * records every resource with its type, name, parent and inputs. Used by `npm run plan` and by
 * the tests. Mock values stand in for what the cloud would return; every secret the mocks make
 * (passwords, private keys, secret config) is registered so it can be redacted and searched for.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Alias } from "@pulumi/pulumi/proto/alias_pb";
import type { RegisterResourceRequest } from "@pulumi/pulumi/proto/resource_pb";
import { createHash } from "crypto";
import * as fs from "fs";
import { serverTypes } from "../components/config/defaults";
import { PriceSource, setPriceSource } from "../components/host/serverTypeChoice";
import { bundledPriceSource } from "./prices";
import { currentMockSshDir, mockSshDir, removeMockSshDir } from "./mockSshDir";

const secretSig = "4dabf18193072939515e22adb298388d";

export interface RecordedResource {
    type: string;
    name: string;
    /** Name of the parent resource, or null at the top of the stack. */
    parent: string | null;
    /** "type::name" of the parent (names alone are not unique across types). */
    parentKey: string | null;
    custom: boolean;
    /** Inputs as the provider would receive them; secrets still wrapped (see `redact`). */
    inputs: Record<string, unknown>;
    /** The id the mock returned. */
    id: string;
    /** Resource options as registered (what the engine, not the provider, acts on). */
    options: ResourceOptionsRecord;
}

/**
 * The options the engine acts on, as the program registered them (resources.json shows them next
 * to the inputs, so a reviewer sees what a replacement or a failed step will do).
 */
export interface ResourceOptionsRecord {
    protect: boolean;
    ignoreChanges: string[];
    /** True when the resource is deleted before its replacement is created. */
    deleteBeforeReplace: boolean;
    replaceOnChanges: string[];
    /** Names of the resources this one waits for (explicit `dependsOn` and input dependencies). */
    dependsOn: string[];
    /** Name of the explicit provider resource, or null for the default provider. */
    provider: string | null;
    customTimeouts: { create?: string; update?: string; delete?: string } | null;
    additionalSecretOutputs: string[];
    /**
     * The earlier identities the engine matches before creating anew (a type token or name that
     * changed): an alias URN as is, a spec as its set fields, its parent by name.
     */
    aliases: Array<string | { type?: string; name?: string; stack?: string; project?: string; parent?: string | null }>;
}

const noOptions: ResourceOptionsRecord = {
    protect: false,
    ignoreChanges: [],
    deleteBeforeReplace: false,
    replaceOnChanges: [],
    dependsOn: [],
    provider: null,
    customTimeouts: null,
    additionalSecretOutputs: [],
    aliases: [],
};

/** The options of one RegisterResourceRequest (the protobuf message the SDK sends the engine). */
function optionsOf(req: RegisterResourceRequest): ResourceOptionsRecord {
    const timeouts = req.getCustomtimeouts?.();
    const t = timeouts ? { create: timeouts.getCreate(), update: timeouts.getUpdate(), delete: timeouts.getDelete() } : undefined;
    const customTimeouts = t && (t.create || t.update || t.delete) ? Object.fromEntries(Object.entries(t).filter(([, v]) => v)) : null;
    // A provider reference is "<provider urn>::<id>"; the urn ends with the provider's name.
    const providerRef: string = req.getProvider?.() ?? "";
    const provider = providerRef ? (providerRef.split("::").slice(-2, -1)[0] ?? null) : null;
    return {
        protect: Boolean(req.getProtect()),
        ignoreChanges: req.getIgnorechangesList(),
        deleteBeforeReplace: Boolean(req.getDeletebeforereplace()),
        replaceOnChanges: req.getReplaceonchangesList(),
        dependsOn: [...new Set((req.getDependenciesList() as string[]).map((u) => u.split("::").pop()!))],
        provider,
        customTimeouts,
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        aliases: (req.getAliasesList?.() ?? []).map(aliasOf),
    };
}

/** One Alias protobuf message (a URN, or a spec whose empty fields mean "as the resource's"). */
function aliasOf(a: Alias): ResourceOptionsRecord["aliases"][number] {
    if (a.hasUrn?.()) return a.getUrn();
    const spec = a.getSpec();
    if (!spec) return {};
    const out: Exclude<ResourceOptionsRecord["aliases"][number], string> = {};
    for (const [k, v] of [
        ["type", spec.getType()],
        ["name", spec.getName()],
        ["stack", spec.getStack()],
        ["project", spec.getProject()],
    ] as const)
        if (v) out[k] = v;
    if (spec.getNoparent()) out.parent = null;
    else if (spec.getParenturn()) out.parent = String(spec.getParenturn()).split("::").pop()!;
    return out;
}

export interface MockOptions {
    project: string;
    stack: string;
    /** Servers `hcloud.getServers` returns (to simulate another stack owning the site). */
    existingServers?: Array<{ id: number; name: string; serverType?: string; labels: Record<string, string> }>;
    /** Prices for serverType auto and the cost summary. Default: the bundled list (bench/prices.json). */
    prices?: PriceSource;
    /** Extra invoke mocks by token. */
    calls?: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>>;
    preview?: boolean;
    /**
     * Replaces a resource's mock outputs (merged over the defaults) when it returns an object,
     * e.g. real key pairs for a plan whose user data is booted (tests/vm/vm.firstboot.test.ts).
     */
    outputs?: (type: string, name: string, inputs: Record<string, unknown>) => Record<string, unknown> | undefined;
}

// The SSH key dir of the Docker provider under mocks: plan/mockSshDir.ts.
export { removeMockSshDir } from "./mockSshDir";

export class MockCloud {
    readonly resources: RecordedResource[] = [];
    readonly invokes: Array<{ token: string; inputs: Record<string, unknown> }> = [];
    /** Every secret value the mocks produced or were configured with. */
    readonly secretValues = new Set<string>();
    private nextId = 1000;
    private readonly parents = new Map<string, string>();
    private readonly options = new Map<string, RecordedResource["options"]>();

    /** Where the program writes the Docker provider's SSH key files under these mocks. */
    readonly sshDir: string;

    constructor(private readonly opts: MockOptions) {
        this.sshDir = mockSshDir();
        process.env.MAUTIC_KIT_SSH_DIR = this.sshDir;
    }

    /** Removes the SSH key files the program wrote under mocks, and their dir. */
    dispose(): void {
        if (currentMockSshDir() === this.sshDir) removeMockSshDir();
        else fs.rmSync(this.sshDir, { recursive: true, force: true });
    }

    /** A deterministic fake secret, remembered for redaction. */
    secret(label: string, alphabet: "alnum" | "key" = "alnum"): string {
        const clean = label.replace(/[^a-zA-Z0-9]/g, "");
        const v = alphabet === "key" ? `MOCKSECRETKEY${clean}` : `MockSecret${clean}X9`;
        this.secretValues.add(v);
        return v;
    }

    async install(): Promise<void> {
        // Never Hetzner's API under mocks: the bundled (or the test's fake) price list.
        setPriceSource(this.opts.prices ?? bundledPriceSource);
        await pulumi.runtime.setMocks(
            {
                newResource: (a) => this.newResource(a),
                call: (a) => this.call(a),
            },
            this.opts.project,
            this.opts.stack,
            this.opts.preview ?? false,
        );
        // The mock monitor does not pass a resource's parent to newResource: record it here.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const settings = require("@pulumi/pulumi/runtime/settings");
        const monitor = settings.getMonitor();
        const orig = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req: RegisterResourceRequest, cb: unknown) => {
            const parentUrn: string = req.getParent();
            const key = `${req.getType()}::${req.getName()}`;
            this.parents.set(key, parentUrn ? `${parentUrn.split("::")[2].split("$").pop()}::${parentUrn.split("::").pop()}` : "");
            this.options.set(key, optionsOf(req));
            return orig(req, cb);
        };
    }

    /** Waits until every registration the program started has been answered. */
    async settle(): Promise<void> {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const settings = require("@pulumi/pulumi/runtime/settings");
        let last = -1;
        while (last !== this.resources.length) {
            last = this.resources.length;
            await settings.waitForRPCs();
            await new Promise((r) => setTimeout(r, 20));
        }
    }

    private newResource(a: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
        const id = String(this.nextId++);
        const key = `${a.type}::${a.name}`;
        const parentKey = this.parents.get(key) || null;
        const parent = parentKey ? parentKey.split("::").pop()! : null;
        const options = this.options.get(key) ?? noOptions;
        this.resources.push({ type: a.type, name: a.name, parent, parentKey, custom: a.custom ?? true, inputs: a.inputs, id, options });
        const state = this.outputsFor(a, id);
        const override = this.opts.outputs?.(a.type, a.name, a.inputs);
        return { id, state: override ? { ...state, ...override } : state };
    }

    private outputsFor(a: pulumi.runtime.MockResourceArgs, id: string): Record<string, unknown> {
        const i = a.inputs;
        if (a.type.startsWith("pulumi-nodejs:dynamic")) {
            // The DOI setup: no Mautic to ask offline, so no ids yet (as after a fresh install).
            return { ...i, ids: {}, created: [], drift: [] };
        }
        switch (a.type) {
            case "random:index/randomPassword:RandomPassword":
                return { ...i, result: pulumi.secret(this.secret(a.name)) };
            case "tls:index/privateKey:PrivateKey": {
                const tag = Buffer.from(`mock-${a.name}`).toString("base64").replace(/=+$/, "");
                return {
                    ...i,
                    privateKeyOpenssh: pulumi.secret(`-----BEGIN OPENSSH PRIVATE KEY-----\n${this.secret(a.name, "key")}\n-----END OPENSSH PRIVATE KEY-----\n`),
                    privateKeyPem: pulumi.secret(`-----BEGIN PRIVATE KEY-----\n${this.secret(`${a.name}pem`, "key")}\n-----END PRIVATE KEY-----\n`),
                    publicKeyOpenssh: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${tag}\n`,
                    publicKeyFingerprintSha256: `SHA256:mock${tag}`,
                };
            }
            case "hcloud:index/server:Server":
                return { ...i, ipv4Address: "203.0.113.10", ipv6Address: "2001:db8::1", status: "running" };
            case "hcloud:index/volume:Volume":
                return { ...i, linuxDevice: `/dev/disk/by-id/scsi-0HC_Volume_${id}` };
            case "docker:index/remoteImage:RemoteImage": {
                // Like the registry: the image id follows the pulled tag.
                const digest = createHash("sha256").update(String(i.name)).digest("hex");
                return { ...i, imageId: `sha256:${digest}`, repoDigest: `${i.name}@sha256:${digest}` };
            }
            case "docker:index/network:Network":
                return { ...i, name: i.name };
            case "command:remote:Command":
                // mautic-offsite-setup prints the pinned host key's fingerprint (known only at deploy).
                return {
                    ...i,
                    stdout: /mautic-offsite-setup/.test(String(i.create ?? "")) ? "host-key-fingerprint: SHA256:(pinned-at-deploy)\n" : "",
                    stderr: "",
                };
            case "hcloud:index/storageBox:StorageBox":
                // Hetzner names a box's user and host after its id (u<id>.your-storagebox.de).
                return { ...i, server: `u${id}.your-storagebox.de`, username: `u${id}`, system: "FSN1-BX123" };
            case "hcloud:index/storageBoxSubaccount:StorageBoxSubaccount":
                return { ...i, server: `u${i.storageBoxId}-sub1.your-storagebox.de`, username: `u${i.storageBoxId}-sub1` };
            case "hcloud:index/zoneRrset:ZoneRrset":
                return { ...i, changeProtection: false };
            default:
                return { ...i };
        }
    }

    private call(a: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        this.invokes.push({ token: a.token, inputs: a.inputs });
        const custom = this.opts.calls?.[a.token];
        if (custom) return custom(a.inputs);
        if (a.token === "hcloud:index/getServers:getServers") {
            const selector = String(a.inputs.withSelector ?? "");
            const want = Object.fromEntries(
                selector
                    .split(",")
                    .filter(Boolean)
                    .map((kv) => kv.split("=")),
            );
            const servers = (this.opts.existingServers ?? []).filter((s) => Object.entries(want).every(([k, v]) => s.labels[k] === v));
            return { id: "servers", servers };
        }
        if (a.token === "hcloud:index/getStorageBox:getStorageBox") {
            // An agency box in fsn1 (override with `calls` for other locations).
            const id = Number(a.inputs.id ?? 100001);
            return {
                id,
                name: "agency-backups",
                location: "fsn1",
                storageBoxType: "bx21",
                server: `u${id}.your-storagebox.de`,
                username: `u${id}`,
                labels: {},
                deleteProtection: true,
            };
        }
        if (a.token === "hcloud:index/getServerType:getServerType") {
            // Every current type orderable in both German locations (override with `calls`).
            const info = serverTypes[String(a.inputs.name)];
            const loc = (name: string) => ({
                name,
                available: true,
                isDeprecated: false,
                recommended: true,
                deprecationAnnounced: "",
                unavailableAfter: "",
                id: name === "fsn1" ? 1 : 2,
            });
            return { name: a.inputs.name, isDeprecated: false, memory: info?.memoryGb ?? 0, cores: info?.vcpus ?? 0, locations: [loc("fsn1"), loc("nbg1")] };
        }
        throw new Error(`no mock for invoke ${a.token}`);
    }

    byType(type: string): RecordedResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    one(type: string, nameSuffix = ""): RecordedResource {
        const found = this.resources.filter((r) => r.type === type && r.name.endsWith(nameSuffix));
        if (found.length !== 1) throw new Error(`expected one ${type} named *${nameSuffix}, found ${found.length}`);
        return found[0];
    }
}

/** True for a secret value as the mock monitor delivers it. */
export function isWrappedSecret(v: unknown): v is { value: unknown } {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[secretSig] !== undefined;
}

/** The plain value under any secret wrappers (for the tests and the plan's file extraction). */
export function unwrap(v: unknown): unknown {
    if (isWrappedSecret(v)) return unwrap(v.value);
    if (Array.isArray(v)) return v.map(unwrap);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
    return v;
}

/** Replaces secret-wrapped values with "[secret]" and known secret strings inside text. */
export function redact(v: unknown, secrets: Set<string>): unknown {
    if (isWrappedSecret(v)) return "[secret]";
    if (Array.isArray(v)) return v.map((x) => redact(x, secrets));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redact(x, secrets)]));
    if (typeof v === "string") return redactText(v, secrets);
    return v;
}

export function redactText(text: string, secrets: Set<string>): string {
    let out = text;
    for (const s of secrets) out = out.split(s).join("[secret]");
    return out;
}
