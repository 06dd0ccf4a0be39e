/**
 * Pure checks of single values (host names, CIDR blocks, versions, addresses) that the config's
 * semantic validation (`validateSiteArgs`) is built from. Each returns why a value is bad, or
 * undefined.
 */
import * as ipaddr from "ipaddr.js";
import { hostLabel } from "../shared/hostName";
import { minimumMauticVersion, serverTypes, withdrawnServerTypes } from "./platform";

/** A value as an error message shows it (never called with a secret). */
export const show = (v: unknown): string => (typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v)));

export function fqdnProblem(v: string): string | undefined {
    if (v !== v.trim() || /\s/.test(v)) return "contains whitespace";
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return "is a URL, not a host name";
    if (v.includes("/")) return "contains a path";
    if (v.includes("*")) return "is a wildcard";
    if (v.includes(",")) return "is a list; one host name only";
    if (v.includes(":")) return "contains a port or is an IP address";
    if (v.endsWith(".")) return "ends with a dot";
    if (v !== v.toLowerCase()) return "has upper-case letters";
    if (v.length > 253) return "is longer than 253 characters";
    const labels = v.split(".");
    if (labels.length < 2) return "has no parent domain (a fully qualified name has at least two labels)";
    if (labels.some((l) => !hostLabel.test(l))) {
        return "has a label that is empty, longer than 63 characters, starts or ends with '-' or holds characters other than a-z, 0-9, '-'";
    }
    if (!/^[a-z]{2,63}$/.test(labels[labels.length - 1]) && !/^xn--[a-z0-9-]+$/.test(labels[labels.length - 1])) {
        return "has a top-level domain that is not alphabetic";
    }
    if (ipaddr.isValid(v)) return "is an IP address";
    return undefined;
}

export function parseCidr(v: string): { ok: true; open: boolean } | { ok: false; why: string } {
    if (!v.includes("/")) return { ok: false, why: "has no prefix length; write a single address as a.b.c.d/32 or x::y/128" };
    let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
        parsed = ipaddr.parseCIDR(v);
    } catch {
        return { ok: false, why: "is not a CIDR block" };
    }
    const [addr, len] = parsed;
    const kind = addr.kind();
    const network = kind === "ipv4" ? ipaddr.IPv4.networkAddressFromCIDR(v) : ipaddr.IPv6.networkAddressFromCIDR(v);
    if (network.toString() !== addr.toString()) {
        return { ok: false, why: `has host bits set; the network is ${network.toString()}/${len}` };
    }
    if (len === 0) return { ok: true, open: true };
    const range = addr.range();
    if (["loopback", "unspecified", "multicast", "linkLocal"].includes(range)) {
        return { ok: false, why: `is a ${range} range that can never reach a public server` };
    }
    return { ok: true, open: false };
}

/** Compares two Mautic versions (major.minor.patch, any -variant ignored): <0, 0, >0. */
export function compareMauticVersions(a: string, b: string): number {
    const parts = (v: string) => v.split("-")[0].split(".").map(Number);
    const [x, y] = [parts(a), parts(b)];
    for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
}

export function mauticVersionProblem(v: string): string | undefined {
    if (v === "latest" || v.startsWith("latest")) return "is a moving tag; pin an exact release";
    const m = /^(\d+)\.(\d+)\.(\d+)(?:-(apache|fpm))?$/.exec(v);
    if (!m) return "is not an exact release tag like 6.0.6-apache (major.minor.patch, optionally -apache)";
    if (m[4] === "fpm") return "is the -fpm variant, whose example nginx config carries a security warning (docker-mautic #317); use -apache";
    if (compareMauticVersions(v, minimumMauticVersion) < 0)
        return `is older than ${minimumMauticVersion}, the oldest line whose privacy settings and cron commands the kit pins`;
    return undefined;
}

/** Why a server type is refused; "auto" is resolved at deploy time (serverTypeChoice.ts). */
export function serverTypeProblem(t: string): string | undefined {
    if (t === "auto") return undefined;
    if (withdrawnServerTypes.has(t)) return "was withdrawn by Hetzner (CX Gen2 and CPX Gen1 types are no longer orderable) or has less than 4 GB RAM";
    if (!(t in serverTypes)) return "is not a known current Hetzner server type";
    if (serverTypes[t].memoryGb < 4) return "has less than 4 GB RAM, which Mautic needs";
    return undefined;
}

export const emailRe = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[a-z]{2,63}$/i;
export const sshKeyRe =
    /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\n\r]*)?$/;
export const mailerDsnRe = /^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/;

export function timezones(): Set<string> {
    const zones = new Set<string>((Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf("timeZone"));
    zones.add("UTC");
    return zones;
}

export function levenshtein(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
    }
    return d[a.length][b.length];
}
