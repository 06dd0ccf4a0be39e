import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { SiteSettings } from "./config";
import { baseContainerArgs, capabilitySets } from "./containerDefaults";
import { containerNames, dataMountPoint, images } from "./defaults";
import { renderCaddyfile } from "./render/caddyfile";
import { memoryBudget } from "./sizing";

/** Where the Caddyfile is uploaded in the edge container. */
export const caddyfilePathInContainer = "/etc/caddy/Caddyfile";

export interface WebEdgeArgs {
    /** Validated site settings (domain, website, adminEmail, adminUiCidrs, log retention). Required. */
    settings: SiteSettings;
    /** Docker provider connected to the site's server. Required. */
    provider: docker.Provider;
    /** The Docker network shared with Mautic's web container. Required. */
    network: docker.Network;
    /** Resources the edge starts after (Mautic's web container). Default: none. */
    after?: pulumi.Resource[];
    /** Caddy image. Default `images.caddy` (an exact tag of the official image). */
    caddyImage?: string;
}

/**
 * The only container with published ports: Caddy terminates TLS (automatic ACME certificates,
 * HTTP->HTTPS, HTTP/3), sets the path-aware security headers and writes masked access logs.
 */
export class WebEdge extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    /** The Caddyfile exactly as uploaded. */
    public readonly caddyfile: string;

    constructor(name: string, args: WebEdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mautic-kit:edge:WebEdge", name, {}, opts);
        const s = args.settings;
        // The container has a fixed name: a replacement must delete the old one first.
        const child = { parent: this, provider: args.provider, deleteBeforeReplace: true };

        this.caddyfile = renderCaddyfile({
            domain: s.domain,
            website: s.website,
            adminEmail: s.adminEmail,
            adminUiCidrs: s.adminUiCidrs,
            accessLogRetentionDays: s.accessLogRetentionDays,
            upstream: `${containerNames.web}:80`,
        });

        const image = new docker.RemoteImage(`${name}-caddy-image`, { name: args.caddyImage ?? images.caddy, keepLocally: true }, child);
        this.container = new docker.Container(
            `${name}-caddy`,
            {
                ...baseContainerArgs(capabilitySets.caddy),
                name: containerNames.edge,
                image: image.imageId,
                // IPv4 and IPv6 (the stack publishes an AAAA record): Docker binds an explicit
                // 0.0.0.0, the provider's default, to IPv4 only.
                ports: ["0.0.0.0", "::"].flatMap((ip) => [
                    { internal: 80, external: 80, protocol: "tcp", ip },
                    { internal: 443, external: 443, protocol: "tcp", ip },
                    { internal: 443, external: 443, protocol: "udp", ip },
                ]),
                networksAdvanced: [{ name: args.network.name }],
                volumes: [
                    { hostPath: `${dataMountPoint}/caddy/data`, containerPath: "/data" },
                    { hostPath: `${dataMountPoint}/caddy/config`, containerPath: "/config" },
                    { hostPath: `${dataMountPoint}/logs/caddy`, containerPath: "/var/log/caddy" },
                ],
                uploads: [{ file: caddyfilePathInContainer, content: this.caddyfile, permissions: "0644" }],
                memory: memoryBudget(s.serverType).edge,
                healthcheck: { tests: ["CMD", "nc", "-z", "127.0.0.1", "443"], interval: "30s", timeout: "5s", retries: 3, startPeriod: "30s" },
                envs: [`TZ=${s.timezone}`],
            },
            { ...child, dependsOn: args.after ?? [] },
        );
        this.registerOutputs({ container: this.container.name });
    }
}
