import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import { dnsRecordTtl } from "../config/defaults";
import { siteDnsRecords } from "../config/offsiteDns";

export interface SiteDnsArgs {
    /** The Mautic host name (`domain`). Required. */
    domain: string;
    /** The Hetzner DNS zone (primary mode) that holds `domain`: its name or id (`dnsZone`). Required. */
    zone: string;
    /** The server's addresses. Required. */
    ipv4: pulumi.Input<string>;
    ipv6: pulumi.Input<string>;
    /** Labels on the record sets (the site's labels). Default: none. */
    labels?: Record<string, string>;
    /** TTL of the record sets. Default 300 s (defaults.ts `dnsRecordTtl`). */
    ttl?: number;
}

/**
 * The site's DNS records in a zone at Hetzner (`hcloud.ZoneRrset`: one record set per name and
 * type): A and AAAA for `domain` to the server, and CAA naming the CAs Caddy's default issuers use
 * (Let's Encrypt, and Sectigo for the ZeroSSL fallback). Created as soon as the server has its
 * addresses, so Caddy's certificate and the double opt-in setup need not wait for a person.
 */
export class SiteDns extends pulumi.ComponentResource {
    public readonly recordSets: hcloud.ZoneRrset[];

    constructor(name: string, args: SiteDnsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("mautic-kit:dns:SiteDns", name, {}, opts);
        const records = siteDnsRecords(args.domain, args.zone, "ipv4", "ipv6");
        this.recordSets = records.map(
            (r) =>
                new hcloud.ZoneRrset(
                    `${name}-${r.type.toLowerCase()}`,
                    {
                        zone: args.zone,
                        name: r.name,
                        type: r.type,
                        ttl: args.ttl ?? dnsRecordTtl,
                        records: r.type === "A" ? [{ value: args.ipv4 }] : r.type === "AAAA" ? [{ value: args.ipv6 }] : r.values.map((value) => ({ value })),
                        labels: args.labels,
                    },
                    { parent: this },
                ),
        );
        this.registerOutputs({ records: records.map((r) => `${r.fqdn} ${r.type}`) });
    }
}
