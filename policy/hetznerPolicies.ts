/**
 * Hetzner policies: servers and volumes only in German locations; no SSH open to the world
 * (firewall rules, servers without a firewall), unless waived.
 */
import { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { germanLocations, knownForeignLocations, types } from "./kitFacts";
import { UNKNOWN, describe, peek, show } from "./previewValues";

// ---------------------------------------------------------------------------------------------
// 1. Servers (and their volumes) only in German locations

function locationOfDatacenter(dc: string): string {
    const m = /^([a-z]+\d*)-dc\d+$/.exec(dc);
    return m ? m[1] : dc;
}

function whereIs(location: string): string {
    return germanLocations[location] ?? knownForeignLocations[location] ?? "not a known Hetzner location in Germany";
}

const locationFix = `Fix: set location to "fsn1" (Falkenstein) or "nbg1" (Nuremberg), e.g. \`pulumi config set location nbg1\` for the kit's stack.`;

export const germanLocationPolicy: ResourceValidationPolicy = {
    name: "hetzner-location-germany",
    description: "Hetzner servers and volumes are created only in German locations (fsn1, nbg1), so personal data stays in Germany.",
    enforcementLevel: "mandatory",
    severity: "critical",
    tags: ["gdpr", "data-residency", "hcloud"],
    remediationSteps: 'Set `location: "fsn1"` or `location: "nbg1"` (and drop `datacenter`, which is deprecated).',
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type !== types.server && args.type !== types.volume) return;
        const kind = args.type === types.server ? "Hetzner server" : "Hetzner volume";
        const what = describe(kind, args.name, args.props);
        const location = args.props.location as string | undefined;
        const datacenter = args.type === types.server ? (args.props.datacenter as string | undefined) : undefined;

        if (location !== undefined && !(location in germanLocations)) {
            reportViolation(`${what}: location ${show(location)} is outside Germany (${whereIs(location)}). ${locationFix}`);
        }
        if (datacenter !== undefined) {
            const dcLocation = locationOfDatacenter(datacenter);
            if (!(dcLocation in germanLocations)) {
                reportViolation(`${what}: datacenter ${show(datacenter)} is outside Germany (${whereIs(dcLocation)}). ${locationFix}`);
            }
        }
        // A server without either lands wherever Hetzner has room. A volume without a location
        // is created next to its server (checked above), so only servers need one.
        if (args.type === types.server && location === undefined && datacenter === undefined) {
            reportViolation(`${what}: no location or datacenter is set, so Hetzner picks one, possibly outside Germany. ${locationFix}`);
        }
    },
};

// ---------------------------------------------------------------------------------------------
// 2. No SSH open to the world, unless waived

export interface WorldSshConfig {
    /** Waiver: accept SSH (port 22) open to 0.0.0.0/0 or ::/0. Default false. */
    allowWorldSsh?: boolean;
}

const isWorld = (cidr: string): boolean => /\/0$/.test(cidr.trim());

/** Whether a Hetzner firewall `port` ("22", "20-30", "any", unset) includes 22. */
export function portCoversSsh(port: string | number | undefined): boolean {
    if (port === undefined || port === null) return true; // no port on a tcp rule: every port
    const p = String(port).trim().toLowerCase();
    if (p === "any" || p === "") return true;
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(p);
    if (range) return Number(range[1]) <= 22 && 22 <= Number(range[2]);
    return Number(p) === 22;
}

const sshFix =
    "Fix: allow port 22 only from your admin networks (the kit's `adminCidrs`, e.g. `pulumi config set --path 'adminCidrs[0]' 203.0.113.0/24`), " +
    'or waive this check for the stack with the policy config `{ "no-world-ssh": { "allowWorldSsh": true } }` (see policy/README.md).';

export const noWorldSshPolicy: ResourceValidationPolicy = {
    name: "no-world-ssh",
    description: "No Hetzner firewall rule opens SSH (tcp/22) to 0.0.0.0/0 or ::/0, and no server goes without a firewall, unless waived with allowWorldSsh.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["security", "hcloud"],
    remediationSteps: "Restrict the sourceIps of the port 22 rule to admin networks, or set the policy config allowWorldSsh: true to waive.",
    configSchema: {
        properties: {
            allowWorldSsh: {
                type: "boolean",
                default: false,
                description: "Waiver: accept SSH open to the world (0.0.0.0/0, ::/0). Document why in the stack's README.",
            },
        },
    },
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type !== types.firewall && args.type !== types.server) return;
        const { allowWorldSsh } = args.getConfig<WorldSshConfig>();
        if (allowWorldSsh === true) return;

        if (args.type === types.firewall) {
            const what = describe("Hetzner firewall", args.name, args.props);
            const rules = (args.props.rules as Array<Record<string, unknown>> | undefined) ?? [];
            rules.forEach((rule, i) => {
                const direction = String(rule.direction ?? "in").toLowerCase();
                const protocol = String(rule.protocol ?? "").toLowerCase();
                if (direction !== "in" || protocol !== "tcp") return;
                const port = rule.port as string | undefined;
                if (!portCoversSsh(port)) return;
                const sources = ((rule.sourceIps as string[] | undefined) ?? []).filter(isWorld);
                if (sources.length === 0) return;
                reportViolation(`${what}: rule ${i} (in tcp port ${show(port ?? "any")}) opens SSH to the world from ${sources.join(", ")}. ${sshFix}`);
            });
            return;
        }

        // A Hetzner server without a Cloud Firewall has every port open, sshd's included.
        const what = describe("Hetzner server", args.name, args.props);
        const firewallIds = peek<unknown[]>(args.props, "firewallIds");
        if (firewallIds === UNKNOWN || (Array.isArray(firewallIds) && firewallIds.length > 0)) return;
        // The documented way to attach firewalls with hcloud.FirewallAttachment.
        if (peek(args.props, "ignoreRemoteFirewallIds") === true) return;
        const nets = peek<Array<Record<string, unknown>>>(args.props, "publicNets");
        if (Array.isArray(nets) && nets.length > 0 && nets.every((n) => n.ipv4Enabled === false && n.ipv6Enabled === false)) return;
        reportViolation(
            `${what}: firewallIds is ${show(firewallIds)}; without a Hetzner Cloud Firewall the server's SSH port 22 is open to the world. ` +
                `Fix: create an hcloud.Firewall that allows 22 only from admin networks and pass its id in firewallIds ` +
                `(or attach it with hcloud.FirewallAttachment and set ignoreRemoteFirewallIds: true), or waive with allowWorldSsh (policy/README.md).`,
        );
    },
};
