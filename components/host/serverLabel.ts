/**
 * One label on a Hetzner server, set through Hetzner's API (PUT /v1/servers/{id}) by a dynamic
 * resource, so it can move at a point of the deploy the Server resource cannot choose: the
 * `mautic-version` label moves only after the new Mautic web container is healthy. The Server
 * resource sets the label once, at creation, and ignores later changes of it
 * (`ignoreChanges: ['labels["mautic-version"]']`), so the two never fight.
 */
import * as pulumi from "@pulumi/pulumi";
import { hcloudEndpoint, hcloudToken } from "./hcloudApi";

interface LabelInputs {
    serverId: number;
    key: string;
    value: string;
    token: string;
    /** The stack's `hcloud:endpoint` ("" when unset: then HCLOUD_ENDPOINT, then Hetzner's API). */
    endpoint?: string;
}

/** Sets the label, keeping every other label. Module-level: serialized with the provider. */
async function putServerLabel(inputs: LabelInputs): Promise<{ serverId: number; key: string; value: string }> {
    // Module-level imports are serialized with the provider; the provider host's env is the CLI's.
    const url = `${hcloudEndpoint(inputs.endpoint)}/servers/${inputs.serverId}`;
    const token = hcloudToken(inputs.token);
    if (!token) throw new Error("no Hetzner token for the server label. Fix: `pulumi config set --secret hcloud:token` (or HCLOUD_TOKEN).");
    const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    const got = await fetch(url, { headers });
    if (!got.ok) throw new Error(`GET /v1/servers/${inputs.serverId} answered HTTP ${got.status}`);
    const labels = ((await got.json()) as { server?: { labels?: Record<string, string> } }).server?.labels ?? {};
    const put = await fetch(url, { method: "PUT", headers, body: JSON.stringify({ labels: { ...labels, [inputs.key]: inputs.value } }) });
    if (!put.ok) throw new Error(`PUT /v1/servers/${inputs.serverId} (label ${inputs.key}) answered HTTP ${put.status}`);
    return { serverId: inputs.serverId, key: inputs.key, value: inputs.value };
}

export const serverLabelProvider: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: LabelInputs, news: LabelInputs): Promise<pulumi.dynamic.DiffResult> {
        const changed = (["serverId", "key", "value"] as const).filter((k) => olds[k] !== news[k]);
        return { changes: changed.length > 0, replaces: changed.filter((k) => k !== "value"), deleteBeforeReplace: false };
    },
    async create(inputs: LabelInputs): Promise<pulumi.dynamic.CreateResult> {
        return { id: `${inputs.serverId}/${inputs.key}`, outs: await putServerLabel(inputs) };
    },
    async update(_id: string, _olds: LabelInputs, news: LabelInputs): Promise<pulumi.dynamic.UpdateResult> {
        return { outs: await putServerLabel(news) };
    },
    async delete(): Promise<void> {
        // Nothing: the label goes with the server.
    },
};

export interface ServerLabelArgs {
    /** The server's id. Required. */
    serverId: pulumi.Input<number>;
    /** Label key. Required. */
    key: string;
    /** Label value (a Hetzner label value). Required. */
    value: pulumi.Input<string>;
    /** Hetzner API token. Default: the stack's `hcloud:token` (or HCLOUD_TOKEN). Always a secret. */
    token?: pulumi.Input<string>;
    /**
     * Hetzner Cloud API base URL. Default: the stack's `hcloud:endpoint`, else HCLOUD_ENDPOINT,
     * else https://api.hetzner.cloud/v1 (as the hcloud provider).
     */
    endpoint?: pulumi.Input<string>;
}

export class ServerLabel extends pulumi.dynamic.Resource {
    declare readonly value: pulumi.Output<string>;

    constructor(name: string, args: ServerLabelArgs, opts?: pulumi.CustomResourceOptions) {
        // Missing here (e.g. an explicit hcloud provider): the provider falls back to HCLOUD_TOKEN.
        const config = pulumi.runtime.allConfig();
        const token = args.token ?? config["hcloud:token"] ?? "";
        const endpoint = args.endpoint ?? config["hcloud:endpoint"] ?? "";
        super(
            serverLabelProvider,
            name,
            { serverId: args.serverId, key: args.key, value: args.value, token: pulumi.secret(token), endpoint },
            { ...opts, additionalSecretOutputs: ["token"] },
            "mautic-kit-server-label",
        );
    }
}
