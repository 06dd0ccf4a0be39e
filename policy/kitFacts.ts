/**
 * The kit's facts the policies check against: resource type tokens, German locations, container
 * names, restart policies. Self-contained copies (the pack imports nothing from components/);
 * tests/unit/policy.test.ts checks they still match components/config/defaults.ts.
 */

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
