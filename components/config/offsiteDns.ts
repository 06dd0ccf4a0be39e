/**
 * The off-site backup target and the DNS records a site's settings ask for, and their checks
 * (pure functions; `config.ts` calls `checkOffsiteAndDns` with the other validations, so every
 * entry point rejects the same bad values with the same messages). The facts they rely on are in
 * docs/facts/hetzner-storagebox-dns.md.
 */
import { caaIssuers, germanLocations, nonGermanLocations, storageBoxDefaults } from "./defaults";

/** Where the nightly sets are copied. */
export type OffsiteTarget =
    /** A Storage Box the stack orders (BX11), in the other German location. */
    | { kind: "storagebox"; location: "fsn1" | "nbg1"; type: string; hostKey?: string }
    /** A subaccount of an agency-wide Storage Box (its location is checked at deploy time). */
    | { kind: "subaccount"; storageBoxId: number; hostKey?: string }
    /** A restic SFTP repository the operator set up by hand (`backupOffsiteRepository`). */
    | { kind: "repository"; repository: string }
    | { kind: "none" };

/** The settings the target is derived from (a subset of SiteSettings). */
export interface OffsiteSettings {
    location: string;
    offsiteBackup: "storagebox" | "none";
    backupOffsiteRepository?: string;
    storageBoxId?: number;
    storageBoxLocation?: string;
    storageBoxHostKey?: string;
}

export function offsiteTarget(s: OffsiteSettings): OffsiteTarget {
    if (s.offsiteBackup === "none") return { kind: "none" };
    if (s.backupOffsiteRepository !== undefined) return { kind: "repository", repository: s.backupOffsiteRepository };
    const hostKey = s.storageBoxHostKey === undefined ? {} : { hostKey: s.storageBoxHostKey.trim() };
    if (s.storageBoxId !== undefined) return { kind: "subaccount", storageBoxId: s.storageBoxId, ...hostKey };
    const location = (s.storageBoxLocation ?? storageBoxDefaults.otherLocation[s.location] ?? "fsn1") as "fsn1" | "nbg1";
    return { kind: "storagebox", location, type: storageBoxDefaults.type, ...hostKey };
}

/** Whether the site copies its backups off-site at all. */
export const hasOffsite = (s: OffsiteSettings): boolean => offsiteTarget(s).kind !== "none";

/** One-line description for the report, the plan and the documents. */
export function describeOffsite(t: OffsiteTarget): string {
    switch (t.kind) {
        case "storagebox":
            return `Hetzner Storage Box ${t.type.toUpperCase()} in ${germanLocations[t.location]} (${t.location}), ordered by this stack (restic over SFTP, ed25519 key, pinned host key)`;
        case "subaccount":
            return `a subaccount of the agency's Hetzner Storage Box ${t.storageBoxId} (restic over SFTP, ed25519 key, pinned host key)`;
        case "repository":
            return `${t.repository} (restic over SFTP, set up by hand)`;
        default:
            return "none";
    }
}

const hostKeyRe = /^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa) [A-Za-z0-9+/]+={0,3}$/;

export interface OffsiteDnsRaw extends Partial<OffsiteSettings> {
    domain?: string;
    dnsZone?: string;
}

/**
 * Checks the off-site and DNS settings together with the server's location and domain. Calls
 * `problem(key, value, why)` for each problem (the caller adds the key's fix) and returns the
 * warnings for accepted values that weaken a checklist item.
 */
export function checkOffsiteAndDns(
    s: OffsiteDnsRaw,
    problem: (key: string, value: unknown, why: string) => void,
    fqdnProblem: (v: string) => string | undefined,
): string[] {
    const warnings: string[] = [];
    const off = s.offsiteBackup === "none";
    if (off) {
        for (const key of ["backupOffsiteRepository", "storageBoxId", "storageBoxLocation", "storageBoxHostKey"] as const) {
            if (s[key] !== undefined) problem(key, s[key], 'is set but offsiteBackup = "none" turns the off-site copy off; remove one of the two');
        }
        warnings.push(
            'offsiteBackup = "none": no off-site copy of the nightly backups (C12): Hetzner\'s server backups exclude the volume, which holds the data and every nightly set.',
        );
    }
    if (!off && s.backupOffsiteRepository !== undefined) {
        for (const key of ["storageBoxId", "storageBoxLocation", "storageBoxHostKey"] as const) {
            if (s[key] !== undefined)
                problem(
                    key,
                    s[key],
                    "is set together with backupOffsiteRepository (a repository set up by hand); the kit orders no Storage Box then: remove one of the two",
                );
        }
    }
    if (s.storageBoxId !== undefined && (!Number.isInteger(s.storageBoxId) || s.storageBoxId < 1)) {
        problem("storageBoxId", s.storageBoxId, "is not a Storage Box id (a positive whole number, shown in the Hetzner Console)");
    }
    if (s.storageBoxLocation !== undefined) {
        const l = s.storageBoxLocation;
        if (s.storageBoxId !== undefined) {
            problem(
                "storageBoxLocation",
                l,
                "is set together with storageBoxId: the agency's box already has a location (checked at deploy time); remove storageBoxLocation",
            );
        } else if (!(l in germanLocations)) {
            const where = storageBoxDefaults.foreignLocations[l] ?? nonGermanLocations[l];
            problem("storageBoxLocation", l, where ? `is in ${where}, not in Germany` : "is not a Hetzner location in Germany");
        } else if (l === s.location) {
            problem(
                "storageBoxLocation",
                l,
                `is the server's location (${s.location}): one incident there would take the data and its off-site copy; use ${storageBoxDefaults.otherLocation[l]}`,
            );
        }
    }
    if (s.storageBoxHostKey !== undefined && !hostKeyRe.test(s.storageBoxHostKey.trim())) {
        problem(
            "storageBoxHostKey",
            s.storageBoxHostKey.length > 40 ? `${s.storageBoxHostKey.slice(0, 40)}...` : s.storageBoxHostKey,
            "is not one OpenSSH host public key (type and base64 key, without a host name)",
        );
    }
    if (s.dnsZone !== undefined) {
        const z = s.dnsZone;
        const fq = fqdnProblem(z);
        if (fq) problem("dnsZone", z, `is not a valid zone name: it ${fq}`);
        else if (s.domain !== undefined && s.domain !== z && !s.domain.endsWith(`.${z}`)) {
            problem("dnsZone", z, `is not a suffix of domain ${s.domain}: the records for ${s.domain} cannot go into it`);
        }
    }
    return warnings;
}

/** A DNS record set for the site's host name. */
export interface DnsRecordSpec {
    /** The fully qualified name, without the final dot. */
    fqdn: string;
    /** The name relative to the zone ("@" for the apex), as Hetzner's RRSet API wants it. */
    name: string;
    type: "A" | "AAAA" | "CAA";
    values: string[];
}

/** The records `domain` needs: A/AAAA to the server, CAA for the CAs Caddy uses. */
export function siteDnsRecords(domain: string, zone: string | undefined, ipv4: string, ipv6: string): DnsRecordSpec[] {
    const name = zone === undefined ? domain : domain === zone ? "@" : domain.slice(0, -(zone.length + 1));
    return [
        { fqdn: domain, name, type: "A", values: [ipv4] },
        { fqdn: domain, name, type: "AAAA", values: [ipv6] },
        { fqdn: domain, name, type: "CAA", values: caaIssuers.map((ca) => `0 issue "${ca}"`) },
    ];
}

/** The records in zone-file form (the plan prints them; the docs show the same lines). */
export function zoneFileLines(records: DnsRecordSpec[], ttl: number): string[] {
    return records.flatMap((r) => r.values.map((v) => `${r.fqdn}. ${ttl} IN ${r.type} ${v}`));
}
