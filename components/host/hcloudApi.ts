/**
 * Where the kit's own calls to Hetzner's Cloud API go, and with which token: the same precedence
 * as the hcloud provider (hetznercloud/terraform-provider-hcloud `hcloud/plugin_provider.go`,
 * Configure; docs/guide/deploy.md): the stack's `hcloud:endpoint` / `hcloud:token`, else
 * the environment's HCLOUD_ENDPOINT / HCLOUD_TOKEN, else (endpoint only) Hetzner's public API.
 */
export const hcloudDefaultEndpoint = "https://api.hetzner.cloud/v1";

/** The API base URL (no trailing slash): configured endpoint, else HCLOUD_ENDPOINT, else the default. */
export function hcloudEndpoint(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
    const endpoint = configured || env.HCLOUD_ENDPOINT || hcloudDefaultEndpoint;
    return endpoint.replace(/\/+$/, "");
}

/** The API token: configured token, else HCLOUD_TOKEN; undefined when neither is set. */
export function hcloudToken(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
    return configured || env.HCLOUD_TOKEN || undefined;
}
