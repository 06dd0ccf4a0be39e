/**
 * Small pure helpers the components share: container memory budgets, Hetzner labels, names.
 */
import { serverTypes } from "../config/defaults";

/** PHP's memory_limit (MiB) in the web, cron and worker containers (renderMauticEnv, and the image's default). */
export const phpMemoryLimitMiB = 512;

/** Memory limits (MiB) per container, from the server type's RAM; the host keeps the rest. */
export interface MemoryBudget {
    db: number;
    web: number;
    cron: number;
    worker: number;
    edge: number;
    hostReserve: number;
}

/**
 * Measured on Mautic 5.2.1 as the kit runs it (docs/guide/bench.md, "Mautic bench";
 * docs/evidence/2026-12-07-bench.md): with the former cron limit of 10 % (384 MiB on cx23) the
 * kernel OOM-killed `mautic:segments:update` rebuilding a 50,000-contact segment (383 MiB
 * anonymous memory, below PHP's 512M memory_limit, so PHP never got to fail cleanly). The cron
 * container now holds two jobs at PHP's memory_limit (segments:update runs for minutes and the
 * staggered crontab starts another job meanwhile), so PHP's own limit comes first. The room is
 * taken from web and db, whose measured peaks stayed far below their former 30 % / 25 %.
 */
export function memoryBudget(serverType: string): MemoryBudget {
    const info = serverTypes[serverType];
    if (!info) throw new Error(`unknown server type ${serverType}`);
    const total = info.memoryGb * 1024;
    const edge = 256;
    const mib = (share: number) => Math.floor((total * share) / 64) * 64;
    const cron = Math.max(mib(0.1), 2 * phpMemoryLimitMiB);
    const budget = { db: mib(0.19), web: mib(0.235), cron, worker: mib(0.15), edge };
    const used = budget.db + budget.web + budget.cron + budget.worker + budget.edge;
    if (total - used < 512)
        throw new Error(`server type ${serverType}: ${total} MiB leave ${total - used} MiB for the host after the containers; choose one with at least 4 GB`);
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
    const base = domain
        .replace(/\./g, "-")
        .slice(0, 63 - suffix.length - 1)
        .replace(/-+$/, "");
    return `${base}-${suffix}`;
}
