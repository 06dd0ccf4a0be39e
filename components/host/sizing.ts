/**
 * Small pure helpers the components share: container memory budgets, Hetzner labels, names.
 */
import { serverTypes } from "../config/defaults";

/** Memory limits (MiB) per container, from the server type's RAM; the host keeps the rest. */
export interface MemoryBudget {
    db: number;
    web: number;
    cron: number;
    worker: number;
    edge: number;
    hostReserve: number;
}

export function memoryBudget(serverType: string): MemoryBudget {
    const info = serverTypes[serverType];
    if (!info) throw new Error(`unknown server type ${serverType}`);
    const total = info.memoryGb * 1024;
    const edge = 256;
    const mib = (share: number) => Math.floor((total * share) / 64) * 64;
    const budget = { db: mib(0.25), web: mib(0.3), cron: mib(0.1), worker: mib(0.15), edge };
    const used = budget.db + budget.web + budget.cron + budget.worker + budget.edge;
    return { ...budget, hostReserve: total - used };
}

const labelValueRe = /^(([a-z0-9A-Z][-_.a-z0-9A-Z]*)?[a-z0-9A-Z])?$/;

/** A Hetzner label value (<= 63 chars of [a-zA-Z0-9._-], alphanumeric at both ends). */
export function labelValue(raw: string): string {
    let v = raw.replace(/[^-_.a-zA-Z0-9]/g, "-").replace(/^[^a-zA-Z0-9]+|[^a-zA-Z0-9]+$/g, "");
    if (v.length > 63) {
        let h = 0;
        for (const ch of raw) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
        v = `${v.slice(0, 54).replace(/[^a-zA-Z0-9]+$/, "")}-${h.toString(16).padStart(8, "0")}`;
    }
    if (!labelValueRe.test(v)) throw new Error(`cannot make a Hetzner label value from ${JSON.stringify(raw)}`);
    return v;
}

export const managedBy = "mautic-gdpr-kit";

/** Labels on every Hetzner resource of a site. */
export function siteLabels(args: { websiteHost: string; domain: string; project: string; stack: string }): Record<string, string> {
    return {
        "managed-by": managedBy,
        site: labelValue(args.websiteHost),
        "mautic-domain": labelValue(args.domain),
        project: labelValue(args.project),
        stack: labelValue(args.stack),
    };
}

/** Hetzner resource names: lower-case, [a-z0-9-], <= 63 chars, derived from the Mautic host. */
export function hetznerName(domain: string, suffix: string): string {
    const base = domain.replace(/\./g, "-").slice(0, 63 - suffix.length - 1).replace(/-+$/, "");
    return `${base}-${suffix}`;
}
