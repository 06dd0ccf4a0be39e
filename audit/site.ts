/**
 * First party or third party? A host is first party when it belongs to the same "site" as the
 * audited page: the same registrable domain (eTLD+1, from the Public Suffix List via `tldts`,
 * private suffixes included, so `a.github.io` and `b.github.io` are different sites). Hosts
 * without a registrable domain (IP addresses, `localhost`) are compared as host:port, since
 * on one machine a different port is usually a different service. `--first-party` adds hosts
 * the operator owns under another domain (e.g. its own CDN).
 */
import { getDomain, parse } from "tldts";

/** The site key of a URL: registrable domain, or host:port for IPs and single-label hosts. */
export function siteOf(url: URL): string {
    const host = normalizeHost(url.hostname);
    const domain = getDomain(host, { allowPrivateDomains: true });
    if (domain) {
        return domain;
    }
    return `${host}:${url.port || defaultPort(url.protocol)}`;
}

export function normalizeHost(host: string): string {
    return host
        .toLowerCase()
        .replace(/^\[|\]$/g, "")
        .replace(/\.$/, "");
}

export function defaultPort(protocol: string): string {
    switch (protocol) {
        case "http:":
        case "ws:":
            return "80";
        case "https:":
        case "wss:":
            return "443";
        default:
            return "";
    }
}

export function isIpHost(host: string): boolean {
    return parse(normalizeHost(host)).isIp === true;
}

/**
 * Host pattern match: `example.com` matches exactly that host; `*.example.com` matches every
 * subdomain of example.com and example.com itself. Case-insensitive.
 */
export function hostMatches(host: string, pattern: string): boolean {
    const h = normalizeHost(host);
    const p = normalizeHost(pattern);
    if (p.startsWith("*.")) {
        const base = p.slice(2);
        return h === base || h.endsWith(`.${base}`);
    }
    return h === p;
}

/** Name match with `*` wildcards (cookie names, storage keys). Case-sensitive, like the names. */
export function nameMatches(name: string, pattern: string): boolean {
    if (!pattern.includes("*")) {
        return name === pattern;
    }
    const re = new RegExp(
        `^${pattern
            .split("*")
            .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
            .join(".*")}$`,
    );
    return re.test(name);
}

export class PartyClassifier {
    private readonly sites: Set<string>;
    private readonly hosts: Set<string>;

    /** @param pageUrls the audited URL and the URL the browser ended on after redirects */
    constructor(
        pageUrls: URL[],
        private readonly firstPartyPatterns: string[],
    ) {
        this.sites = new Set(pageUrls.map(siteOf));
        this.hosts = new Set(pageUrls.map((u) => normalizeHost(u.hostname)));
    }

    isFirstParty(url: URL): boolean {
        if (this.sites.has(siteOf(url))) {
            return true;
        }
        return this.firstPartyPatterns.some((p) => hostMatches(url.hostname, p));
    }

    /** For cookies, which have a domain but no port: a host without a registrable domain
     *  (IP, localhost) is first party when a page host is that host. */
    isFirstPartyDomain(domain: string): boolean {
        const host = normalizeHost(domain.replace(/^\./, ""));
        if (!getDomain(host, { allowPrivateDomains: true })) {
            return this.hosts.has(host) || this.firstPartyPatterns.some((p) => hostMatches(host, p));
        }
        return this.isFirstParty(new URL(`https://${host.includes(":") ? `[${host}]` : host}/`));
    }
}
