/**
 * Policies for the off-site Storage Box and the DNS record sets (issue 21). Self-contained like
 * policies.ts (no imports from components/), which re-exports them into the pack.
 */
import { ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";

/** Type tokens these policies inspect. */
export const offsiteDnsTypes = {
    server: "hcloud:index/server:Server",
    storageBox: "hcloud:index/storageBox:StorageBox",
    zoneRrset: "hcloud:index/zoneRrset:ZoneRrset",
} as const;

const german: Record<string, string> = { fsn1: "Falkenstein, Germany", nbg1: "Nuremberg, Germany" };
const other: Record<string, string> = { fsn1: "nbg1", nbg1: "fsn1" };

/** Reads a prop; undefined when the engine does not know it yet (preview). */
function read(props: Record<string, unknown>, key: string): unknown {
    try {
        return props[key];
    } catch {
        return undefined;
    }
}

export const storageBoxLocationPolicy: StackValidationPolicy = {
    name: "offsite-storage-box-location",
    description: "A Storage Box for off-site backups is in Germany (fsn1, nbg1) and never in the same location as a server of the stack.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["gdpr", "backup", "hcloud"],
    remediationSteps:
        "Put the Storage Box into the other German location than the server (the kit's default: fsn1 <-> nbg1), e.g. `pulumi config rm storageBoxLocation`.",
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
        const serverLocations = new Set(
            args.resources
                .filter((r) => r.type === offsiteDnsTypes.server)
                .map((r) => read(r.props, "location"))
                .filter((l): l is string => typeof l === "string"),
        );
        for (const box of args.resources.filter((r) => r.type === offsiteDnsTypes.storageBox)) {
            const l = read(box.props, "location");
            if (typeof l !== "string") continue;
            if (!(l in german)) {
                reportViolation(
                    `Storage Box '${box.name}': location ${JSON.stringify(l)} is outside Germany. Fix: use fsn1 or nbg1 (storageBoxLocation), the other one than the server's.`,
                    box.urn,
                );
            } else if (serverLocations.has(l)) {
                reportViolation(
                    `Storage Box '${box.name}': location ${l} is also the server's: one incident there would take the data and its off-site copy. Fix: use ${other[l]} (\`pulumi config rm storageBoxLocation\` for the kit's default).`,
                    box.urn,
                );
            }
        }
    },
};

export const zoneRecordNamePolicy: StackValidationPolicy = {
    name: "dns-record-name-in-zone",
    description:
        "A Hetzner DNS record set names its record relative to its zone ('@' for the apex): a name that ends with a dot or with the zone lands at a wrong, doubled name.",
    enforcementLevel: "mandatory",
    severity: "medium",
    tags: ["dns", "hcloud"],
    remediationSteps: "Set dnsZone to a zone that is domain itself or a parent of it; the kit writes the name relative to it.",
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
        for (const r of args.resources.filter((x) => x.type === offsiteDnsTypes.zoneRrset)) {
            const zone = read(r.props, "zone");
            const name = read(r.props, "name");
            if (typeof zone !== "string" || typeof name !== "string") continue;
            if (name.endsWith(".") || name === zone || name.endsWith(`.${zone}`)) {
                reportViolation(
                    `DNS record set '${r.name}': name ${JSON.stringify(name)} is not relative to zone ${zone}, so it would be created as ${name}.${zone}. Fix: a name relative to the zone ('@' for the apex); with the kit, dnsZone must be domain or a parent of it.`,
                    r.urn,
                );
            }
        }
    },
};
