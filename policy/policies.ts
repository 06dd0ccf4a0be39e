/**
 * The kit's rules as Pulumi policies, for everyone who reuses the components in their own
 * program. `index.ts` packs them into the policy pack; the tests import this file and call each
 * policy directly (constructing `PolicyPack` starts a gRPC server).
 *
 * The pack is self-contained (it imports nothing from `components/`), so it can be published to
 * Pulumi Cloud on its own; `tests/unit/policy.test.ts` checks that the constants below still match
 * `components/config/defaults.ts` and the kit's own plan.
 *
 * Types are matched by their type token (`args.type`), so the pack does not load the provider
 * SDKs. Values the engine cannot know yet during a preview (e.g. an image id) throw
 * `UnknownValueError` when read; the engine turns that into an advisory "can't run during
 * preview" note. Where an unknown value only helps to classify a resource (is it a database?),
 * it is read with `peek` and treated as "no evidence" instead.
 */
import * as policySdk from "@pulumi/policy";
import { storageBoxLocationPolicy, zoneRecordNamePolicy } from "./offsiteDns";
import { PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

/** Resource type tokens the policies inspect. */
export const types = {
    server: "hcloud:index/server:Server",
    volume: "hcloud:index/volume:Volume",
    firewall: "hcloud:index/firewall:Firewall",
    container: "docker:index/container:Container",
    remoteImage: "docker:index/remoteImage:RemoteImage",
    /** The kit's component (components/site/mauticSite.ts). */
    mauticSite: "mautic-kit:site:MauticSite",
} as const;

/** Hetzner locations in Germany (network zone eu-central). Same set as components/config/defaults.ts. */
export const germanLocations: Record<string, string> = {
    fsn1: "Falkenstein, Germany",
    nbg1: "Nuremberg, Germany",
};

/** Hetzner locations outside Germany, so that a rejection says where a location is. */
export const knownForeignLocations: Record<string, string> = {
    hel1: "Helsinki, Finland",
    ash: "Ashburn, Virginia, USA",
    hil: "Hillsboro, Oregon, USA",
    sin: "Singapore",
};

/** Container names the kit uses (components/config/defaults.ts `containerNames`). */
export const kitContainerNames = { db: "mautic_db", web: "mautic_web" } as const;

/** Restart policies that bring a container back after a crash and after a reboot. */
export const allowedRestartPolicies = ["unless-stopped", "always"] as const;

// ---------------------------------------------------------------------------------------------
// Reading values that may be unknown during a preview

const UnknownValueError = (policySdk as unknown as { UnknownValueError?: new (...args: never[]) => Error }).UnknownValueError;

function isUnknownError(e: unknown): boolean {
    if (UnknownValueError && e instanceof UnknownValueError) return true;
    return e instanceof Error && /can't be known during preview$/.test(e.message);
}

/** A value that is known, or the marker that the engine does not know it yet. */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Maybe<T> = T | undefined | typeof UNKNOWN;

/** Reads `obj[key]`; an unknown value (preview) yields `UNKNOWN` instead of throwing. */
export function peek<T = unknown>(obj: unknown, key: string): Maybe<T> {
    if (obj === null || typeof obj !== "object") return undefined;
    try {
        return (obj as Record<string, T>)[key];
    } catch (e) {
        if (isUnknownError(e)) return UNKNOWN;
        throw e;
    }
}

/** A string array read element by element; unknown elements are dropped, `unknown` tells whether any was. */
function peekStrings(obj: unknown, key: string): { values: string[]; unknown: boolean } {
    const arr = peek<unknown[]>(obj, key);
    if (arr === UNKNOWN) return { values: [], unknown: true };
    if (!Array.isArray(arr)) return { values: [], unknown: false };
    const values: string[] = [];
    let unknown = false;
    for (let i = 0; i < arr.length; i++) {
        const v = peek(arr, String(i));
        if (v === UNKNOWN) unknown = true;
        else if (typeof v === "string") values.push(v);
    }
    return { values, unknown };
}

const show = (v: unknown): string => (v === undefined ? "not set" : JSON.stringify(v));

/** "docker container 'site-app-db' (name \"mautic_db\")" */
function describe(kind: string, resourceName: string, props: unknown): string {
    const name = peek(props, "name");
    return typeof name === "string" && name !== resourceName ? `${kind} '${resourceName}' (name ${JSON.stringify(name)})` : `${kind} '${resourceName}'`;
}

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

// ---------------------------------------------------------------------------------------------
// 3. Every container restarts on its own

export const containerRestartPolicy: ResourceValidationPolicy = {
    name: "container-restart-policy",
    description: `Every Docker container has restart ${allowedRestartPolicies.map((r) => `"${r}"`).join(" or ")}, so it comes back after a crash or reboot (the provider's default is "no").`,
    enforcementLevel: "mandatory",
    severity: "medium",
    tags: ["availability", "docker"],
    remediationSteps: 'Set `restart: "unless-stopped"`, as `baseContainerArgs()` in components/app/containerDefaults.ts does.',
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type !== types.container) return;
        const restart = args.props.restart as string | undefined;
        if ((allowedRestartPolicies as readonly string[]).includes(restart ?? "")) return;
        const why = restart === undefined ? 'is not set (the docker provider then uses "no")' : `is ${show(restart)}`;
        reportViolation(
            `${describe("docker container", args.name, args.props)}: restart ${why}; the container stays down after a crash or a reboot. ` +
                `Fix: set restart: "unless-stopped" (or "always"), e.g. spread baseContainerArgs() from components/app/containerDefaults.ts.`,
        );
    },
};

// ---------------------------------------------------------------------------------------------
// 4. Every container rotates its logs

const sizeRe = /^[1-9]\d*[kmg]?$/i;
const countRe = /^[1-9]\d*$/;

export const containerLogRotationPolicy: ResourceValidationPolicy = {
    name: "container-log-rotation",
    description:
        'Every Docker container rotates its logs: logDriver "local", or "json-file" (the default) with logOpts max-size and max-file, so logs holding personal data neither fill the disk nor live forever.',
    enforcementLevel: "mandatory",
    severity: "medium",
    tags: ["gdpr", "storage-limitation", "docker"],
    remediationSteps: 'Set `logDriver: "json-file"` and `logOpts: { "max-size": "10m", "max-file": "5" }`, or `logDriver: "local"`.',
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type !== types.container) return;
        const what = describe("docker container", args.name, args.props);
        const driver = args.props.logDriver as string | undefined;
        const fix = 'Fix: set logDriver: "json-file" with logOpts: { "max-size": "10m", "max-file": "5" } (the kit\'s dockerLogOpts), or logDriver: "local".';
        if (driver === "local") return;
        if (driver !== undefined && driver !== "json-file") {
            reportViolation(`${what}: logDriver ${show(driver)} is not rotated on the host by Docker. ${fix}`);
            return;
        }
        const opts = (args.props.logOpts as Record<string, string> | undefined) ?? {};
        const maxSize = opts["max-size"];
        const maxFile = opts["max-file"];
        const problems: string[] = [];
        if (maxSize === undefined) problems.push("max-size is not set (json-file then grows without limit)");
        else if (!sizeRe.test(String(maxSize))) problems.push(`max-size ${show(maxSize)} is not a size like "10m"`);
        if (maxFile === undefined) problems.push("max-file is not set");
        else if (!countRe.test(String(maxFile))) problems.push(`max-file ${show(maxFile)} is not a whole number >= 1`);
        if (problems.length > 0) {
            reportViolation(`${what}: logs are not rotated: logDriver ${show(driver ?? "json-file")}, ${problems.join("; ")}. ${fix}`);
        }
    },
};

// ---------------------------------------------------------------------------------------------
// 5. No published database port

/** The last path segment of an image's repository ("docker.io/bitnami/postgresql:16" -> "postgresql"). */
function imageRepoName(image: string): string {
    const noDigest = image.split("@")[0];
    const last = noDigest.split("/").pop() ?? noDigest;
    return last.split(":")[0].toLowerCase();
}
const dbImageNameRe = /^(mariadb|mysql|mysql-server|postgres|postgresql|postgis|percona|percona-server|timescaledb|timescaledb-ha)$/;
const dbNameRe = /(^|[-_.])(mariadb|mysql|postgres|postgresql)([-_.\d]|$)/i;
/** Variables only the database server images read (client images such as phpMyAdmin use others). */
const dbEnvRe =
    /^(MARIADB_[A-Z_]+|MYSQL_DATABASE|MYSQL_ROOT_HOST|MYSQL_RANDOM_ROOT_PASSWORD|MYSQL_ALLOW_EMPTY_PASSWORD|POSTGRES_DB|POSTGRES_INITDB_ARGS|PGDATA)=/;

/** Why a container is a database, or undefined. Unknown values count as no evidence. */
export function databaseEvidence(props: unknown): string | undefined {
    const name = peek(props, "name");
    if (typeof name === "string") {
        if (name === kitContainerNames.db || /[-_]db$/i.test(name)) return `its name is ${show(name)}`;
        if (dbNameRe.test(name)) return `its name ${show(name)} names a database`;
    }
    const image = peek(props, "image");
    if (typeof image === "string" && dbImageNameRe.test(imageRepoName(image))) return `its image is ${show(image)}`;
    const envs = peekStrings(props, "envs");
    const env = envs.values.find((e) => dbEnvRe.test(e));
    if (env) return `it sets ${env.split("=")[0]}, as database server images do`;
    return undefined;
}

const describePort = (p: Record<string, unknown>): string => `${p.ip ?? "0.0.0.0"}:${p.external ?? "(random)"}->${p.internal}/${p.protocol ?? "tcp"}`;

export const noPublishedDatabasePortPolicy: ResourceValidationPolicy = {
    name: "no-published-database-port",
    description:
        "Database containers (MariaDB, MySQL, PostgreSQL) publish no port and do not use the host network; Mautic reaches them over an internal Docker network.",
    enforcementLevel: "mandatory",
    severity: "critical",
    tags: ["security", "gdpr", "docker"],
    remediationSteps: "Remove `ports` from the database container and attach it to an internal network (as components/app/mauticApp.ts does).",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type !== types.container) return;
        const evidence = databaseEvidence(args.props);
        if (!evidence) return;
        const what = `${describe("docker container", args.name, args.props)} is a database (${evidence})`;
        const fix =
            "Fix: remove `ports` and connect the application over an internal Docker network (networksAdvanced with an `internal: true` network); " +
            "for maintenance use `docker exec` or an SSH tunnel to the host.";
        const ports = (args.props.ports as Array<Record<string, unknown>> | undefined) ?? [];
        if (ports.length > 0) {
            reportViolation(`${what} and publishes ${ports.map(describePort).join(", ")}. ${fix}`);
        }
        const networkMode = args.props.networkMode as string | undefined;
        if (networkMode === "host") {
            reportViolation(`${what} and uses networkMode "host", which exposes its port on every host interface. ${fix}`);
        }
    },
};

// ---------------------------------------------------------------------------------------------
// 6. At most one Mautic per stack

const mauticImageRe = /^(?:(?:docker\.io|registry-1\.docker\.io)\/)?mautic\/mautic(?:[:@]|$)/;

function roleOf(r: PolicyResource): Maybe<string> {
    const envs = peekStrings(r.props, "envs");
    const role = envs.values.find((e) => e.startsWith("DOCKER_MAUTIC_ROLE="));
    if (role) return role.slice("DOCKER_MAUTIC_ROLE=".length);
    return envs.unknown ? UNKNOWN : undefined;
}

/** The image reference of a container: its own `image`, or the name of the RemoteImage it came from. */
function imageRefs(r: PolicyResource): string[] {
    const refs: string[] = [];
    const image = peek(r.props, "image");
    if (typeof image === "string") refs.push(image);
    const fromImage = [...(r.propertyDependencies?.image ?? []), ...(r.dependencies ?? [])].filter((d) => d.type === types.remoteImage);
    for (const d of fromImage) {
        const name = peek(d.props, "name");
        if (typeof name === "string") refs.push(name);
    }
    return refs;
}

/** Whether a container serves Mautic's web role (the official image's default role). */
export function isMauticWeb(r: PolicyResource): boolean {
    if (r.type !== types.container) return false;
    const role = roleOf(r);
    if (role === "mautic_web") return true;
    if (typeof role === "string") return false; // cron, worker
    const name = peek(r.props, "name");
    const mauticImage = imageRefs(r).some((ref) => mauticImageRe.test(ref));
    if (role === undefined) return mauticImage; // the image's default role is mautic_web
    // Role unknown during preview: decide by the kit's container name.
    return name === kitContainerNames.web;
}

function siteAncestor(r: PolicyResource): PolicyResource | undefined {
    const seen = new Set<string>();
    for (let p = r.parent; p && !seen.has(p.urn); p = p.parent) {
        seen.add(p.urn);
        if (p.type === types.mauticSite) return p;
    }
    return undefined;
}

/** The Mautic instances of a stack: each MauticSite, plus each Mautic web container outside one. */
export function mauticInstances(resources: PolicyResource[]): PolicyResource[] {
    const sites = resources.filter((r) => r.type === types.mauticSite);
    const loose = resources.filter((r) => isMauticWeb(r) && !siteAncestor(r));
    return [...sites, ...loose];
}

function describeInstance(r: PolicyResource): string {
    if (r.type === types.mauticSite) return `MauticSite '${r.name}' (${r.urn})`;
    return `${describe("Mautic web container", r.name, r.props)} (${r.urn})`;
}

export const oneMauticPerStackPolicy: StackValidationPolicy = {
    name: "one-mautic-per-stack",
    description: "A stack runs at most one Mautic (one MauticSite, or one Mautic web container): 1 website = 1 Mautic = 1 stack.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["gdpr", "isolation", "mautic"],
    remediationSteps: "Give every further website its own stack (`pulumi stack init <client>`), each with one MauticSite.",
    validateStack: (args, reportViolation) => {
        const instances = mauticInstances(args.resources);
        if (instances.length <= 1) return;
        reportViolation(
            `this stack runs ${instances.length} Mautic instances: ${instances.map(describeInstance).join("; ")}. ` +
                `1 website = 1 Mautic = 1 stack keeps each client's contacts, consents and credentials apart. ` +
                `Fix: keep one of them here and move each other website into its own stack (\`pulumi stack init <client>\`) with one MauticSite.`,
        );
    },
};

/** Every policy of the pack, in report order. */
export const policies = [
    germanLocationPolicy,
    noWorldSshPolicy,
    containerRestartPolicy,
    containerLogRotationPolicy,
    noPublishedDatabasePortPolicy,
    oneMauticPerStackPolicy,
    storageBoxLocationPolicy,
    zoneRecordNamePolicy,
];
