import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { SiteSettings } from "../config/config";
import { baseContainerArgs, capabilitySets } from "../app/containerDefaults";
import { containerNames, dataMountPoint, images } from "../config/defaults";
import { edgeHostLogDir, renderCaddyfile } from "./caddyfile";
import { memoryBudget } from "../host/sizing";

/** Where the Caddyfile is uploaded in the edge container. */
export const caddyfilePathInContainer = "/etc/caddy/Caddyfile";

/**
 * The edge's published ports, IPv4 and IPv6 (the stack publishes an AAAA record; Docker binds an
 * explicit 0.0.0.0, the provider's default, to IPv4 only). In the order the Docker provider reads
 * them back (`flattenContainerPorts`: sorted by internal port, each port's bindings in Docker's
 * order). Two protocols on one internal port (443 tcp/udp) come back in Go's map order, which
 * changes from read to read, and the provider's diff suppression compares each old entry with the
 * first new one of that port (so the `::` entries never match): hence `ignoreChanges: ["ports"]`
 * plus a label that replaces the container when this list changes. docs/guide/deploy.md.
 */
export const edgePorts = [80, 443].flatMap((internal) =>
    (internal === 80 ? ["tcp"] : ["tcp", "udp"]).flatMap((protocol) => ["0.0.0.0", "::"].map((ip) => ({ internal, external: internal, protocol, ip }))),
);
export const edgePortsLabel = edgePorts.map((p) => `${p.ip === "::" ? "[::]" : p.ip}:${p.external}:${p.internal}/${p.protocol}`).join(",");

export interface WebEdgeArgs {
    /** Validated site settings (domain, website, acmeEmail, adminUiCidrs, log retention). Required. */
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
            acmeEmail: s.acmeEmail,
            adminUiCidrs: s.adminUiCidrs,
            accessLogRetentionDays: s.accessLogRetentionDays,
            upstream: `${containerNames.web}:80`,
            gravatar: s.gravatar,
        });

        // No deleteBeforeReplace on the image: the new one is pulled before the container goes.
        const image = new docker.RemoteImage(
            `${name}-caddy-image`,
            { name: args.caddyImage ?? images.caddy, keepLocally: true },
            { parent: this, provider: args.provider },
        );
        this.container = new docker.Container(
            `${name}-caddy`,
            {
                ...baseContainerArgs(capabilitySets.caddy),
                name: containerNames.edge,
                image: image.imageId,
                ports: edgePorts,
                // Not read back by the provider: a change of the published ports replaces the container.
                labels: [{ label: "mautic-kit.ports", value: edgePortsLabel }],
                networksAdvanced: [{ name: args.network.name }],
                volumes: [
                    { hostPath: `${dataMountPoint}/caddy/data`, containerPath: "/data" },
                    { hostPath: `${dataMountPoint}/caddy/config`, containerPath: "/config" },
                    { hostPath: edgeHostLogDir(dataMountPoint), containerPath: "/var/log/caddy" },
                ],
                uploads: [{ file: caddyfilePathInContainer, content: this.caddyfile, permissions: "0644" }],
                memory: memoryBudget(s.serverType).edge,
                memorySwap: memoryBudget(s.serverType).edge,
                healthcheck: { tests: ["CMD", "nc", "-z", "127.0.0.1", "443"], interval: "30s", timeout: "5s", retries: 3, startPeriod: "30s" },
                envs: [`TZ=${s.timezone}`],
            },
            // The provider reads the ports back in an order of its own (see edgePorts), so the engine
            // ignores the list; the label above carries a deliberate change.
            { ...child, dependsOn: args.after ?? [], ignoreChanges: ["ports"] },
        );
        this.registerOutputs({ container: this.container.name });
    }
}
