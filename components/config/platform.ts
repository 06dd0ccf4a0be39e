/**
 * What the kit runs on: pinned images, Hetzner's German locations and server types, the host's
 * paths, Docker networks and container names. The defaults of the config keys live in the field
 * table (`fields.ts`); `defaults.ts` re-exports everything here, so old imports keep working.
 */

/** Pinned container images. Exact tags only: `latest` or a bare major moves between releases. */
export const images = {
    /** Mautic 6.0 is an LTS line (docs/facts/mautic.md); `-apache`, not `-fpm` (docker-mautic #317). */
    mauticVersion: "6.0.6-apache",
    /** MariaDB 11.4 is an LTS line and serves Mautic 5.x, 6.x and 7.x (>= 10.11 needed by 7.x). */
    mariadb: "mariadb:11.4.8",
    /** Official Caddy image; automatic ACME, HTTP/3. */
    caddy: "caddy:2.10.2",
} as const;

/** The oldest Mautic line the kit supports: every pinned setting and cron command exists there. */
export const minimumMauticVersion = "5.2.0";

/**
 * The Storage Box the kit orders per stack (docs/facts/hetzner-storagebox-dns.md): the smallest type
 * (BX11, 1 TB), ample for a Mautic's nightly sets; an agency with bigger needs gives one box's
 * id (`storageBoxId`) and every site gets a subaccount on it.
 */
export const storageBoxDefaults = {
    type: "bx11",
    /** SSH port 23 of a Storage Box: SFTP with OpenSSH-format keys, ed25519 included. */
    sshPort: 23,
    /** The other German location than the server's, so one site failure never takes both. */
    otherLocation: { fsn1: "nbg1", nbg1: "fsn1" } as Record<string, "fsn1" | "nbg1">,
    /** Storage Box locations outside Germany (Hetzner also offers Storage Boxes in Helsinki). */
    foreignLocations: { hel1: "Helsinki, Finland" } as Record<string, string>,
} as const;

/**
 * The CAs Caddy's default issuers use (the kit's Caddyfile pins none): Let's Encrypt first,
 * ZeroSSL as fallback; ZeroSSL's certificates are issued by Sectigo, whose CAA domain is
 * sectigo.com. Both go into the CAA record so the fallback keeps working.
 */
export const caaIssuers = ["letsencrypt.org", "sectigo.com"] as const;

/** TTL of the DNS records the kit creates in a Hetzner zone (`dnsZone`). */
export const dnsRecordTtl = 300;

/** The Hetzner locations the kit deploys to: both in Germany, network zone eu-central. */
export const germanLocations = {
    fsn1: "Falkenstein, Germany",
    nbg1: "Nuremberg, Germany",
} as const;

/** Locations Hetzner has outside Germany, named so that a rejection says where they are. */
export const nonGermanLocations: Record<string, string> = {
    hel1: "Helsinki, Finland",
    ash: "Ashburn, Virginia, USA",
    hil: "Hillsboro, Oregon, USA",
    sin: "Singapore",
};

export interface ServerTypeInfo {
    vcpus: number;
    memoryGb: number;
    arch: "x86" | "arm";
}

/**
 * Current Hetzner shared server types (docs/facts/hetzner-and-host.md, read 2026). Memory drives the
 * containers' memory limits. Prices are NOT kept here: they changed in 2026; read them from the
 * API or the price table of `npm run bench`.
 */
export const serverTypes: Record<string, ServerTypeInfo> = {
    cx23: { vcpus: 2, memoryGb: 4, arch: "x86" },
    cx33: { vcpus: 4, memoryGb: 8, arch: "x86" },
    cx43: { vcpus: 8, memoryGb: 16, arch: "x86" },
    cx53: { vcpus: 16, memoryGb: 32, arch: "x86" },
    cpx22: { vcpus: 2, memoryGb: 4, arch: "x86" },
    cpx32: { vcpus: 4, memoryGb: 8, arch: "x86" },
    cpx42: { vcpus: 8, memoryGb: 16, arch: "x86" },
    cpx52: { vcpus: 12, memoryGb: 24, arch: "x86" },
    cpx62: { vcpus: 16, memoryGb: 32, arch: "x86" },
    cax11: { vcpus: 2, memoryGb: 4, arch: "arm" },
    cax21: { vcpus: 4, memoryGb: 8, arch: "arm" },
    cax31: { vcpus: 8, memoryGb: 16, arch: "arm" },
    cax41: { vcpus: 16, memoryGb: 32, arch: "arm" },
    ccx13: { vcpus: 2, memoryGb: 8, arch: "x86" },
    ccx23: { vcpus: 4, memoryGb: 16, arch: "x86" },
    ccx33: { vcpus: 8, memoryGb: 32, arch: "x86" },
};

/** Withdrawn types (deprecated 2025-10-16, no longer orderable) and too-small ones. */
export const withdrawnServerTypes = new Set([
    "cx11",
    "cx21",
    "cx31",
    "cx41",
    "cx51",
    "cx22",
    "cx32",
    "cx42",
    "cx52",
    "cpx11",
    "cpx21",
    "cpx31",
    "cpx41",
    "cpx51",
]);

/** Images the hardening in `templates/cloudInit` is written and tested for (Debian/Ubuntu LTS). */
export const supportedImages = ["debian-12", "debian-13", "ubuntu-22.04", "ubuntu-24.04"] as const;

/** Hetzner's own time servers, reachable from every location. */
export const ntpServers = ["ntp1.hetzner.de", "ntp2.hetzner.com", "ntp3.hetzner.net"];

/** Where the durable volume is mounted on the host; the database, media and backups live here. */
export const dataMountPoint = "/srv/mautic";

/** Docker log rotation for every container and the daemon default. */
export const dockerLogOpts = { "max-size": "10m", "max-file": "5" } as const;

/** Hetzner's user_data limit. */
export const userDataLimitBytes = 32 * 1024;

/** Docker networks on the host. Fixed subnets so Mautic's `trusted_proxies` can name the edge's. */
export const dockerNetworks = {
    /**
     * Edge <-> Mautic web; has egress (ACME, SMTP). Dual-stack: with `userland-proxy: false`,
     * Docker forwards a published port's IPv6 traffic only into IPv6-enabled networks, keeping
     * the client's real address (which the edge masks in its log and checks for adminUiCidrs).
     */
    frontend: { name: "mautic-frontend", subnet: "172.30.80.0/24", subnet6: "fd4d:6175:7469:6380::/64" },
    /** Mautic <-> MariaDB; internal: no route to the internet, nothing published. */
    backend: { name: "mautic-backend", subnet: "172.30.81.0/24" },
} as const;

/** Container names (also their DNS names on the Docker networks). */
export const containerNames = {
    db: "mautic_db",
    web: "mautic_web",
    cron: "mautic_cron",
    worker: "mautic_worker",
    edge: "mautic_edge",
} as const;
