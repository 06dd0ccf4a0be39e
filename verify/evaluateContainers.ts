/**
 * The containers: state, health, pinned images, capabilities and limits (docker inspect), the
 * files inside them (crontab, parameters_local.php) and Mautic's effective config.
 */
import { Section } from "./gather";
import { HostExpectation } from "./types";
import { Verdict } from "./verdict";

interface Inspect {
    Name: string;
    Image: string;
    State?: { Running?: boolean; Status?: string; Health?: { Status?: string } };
    HostConfig?: { Memory?: number; CapAdd?: string[] | null; CapDrop?: string[] | null; SecurityOpt?: string[] | null; RestartPolicy?: { Name?: string } };
}
interface ImageInspect {
    Id: string;
    RepoTags?: string[] | null;
    RepoDigests?: string[] | null;
}

const cap = (c: string) => c.toUpperCase().replace(/^CAP_/, "");

export function evalContainers(s: Section, images: Section | undefined, e: HostExpectation): Verdict {
    let list: Inspect[] = [];
    let imgs: ImageInspect[] = [];
    try {
        list = JSON.parse(s.output.slice(s.output.indexOf("[")) || "[]");
    } catch {
        /* reported below */
    }
    try {
        imgs = images ? JSON.parse(images.output.slice(images.output.indexOf("[")) || "[]") : [];
    } catch {
        /* reported below */
    }
    const bad: string[] = [];
    for (const want of e.containers) {
        const c = list.find((x) => x.Name.replace(/^\//, "") === want.name);
        if (!c) {
            bad.push(`${want.name}: not found`);
            continue;
        }
        if (!c.State?.Running) bad.push(`${want.name}: ${c.State?.Status ?? "not running"}`);
        const health = c.State?.Health?.Status;
        if (want.healthcheck && health !== "healthy") bad.push(`${want.name}: health ${health ?? "none"}`);
        const img = imgs.find((i) => i.Id === c.Image);
        const [ref, digest] = want.image.split("@");
        if (!img?.RepoTags?.includes(ref) && !img?.RepoTags?.includes(`docker.io/${ref}`))
            bad.push(`${want.name}: image ${img?.RepoTags?.join(",") || c.Image} (want ${ref})`);
        if (digest && !img?.RepoDigests?.some((d) => d.endsWith(`@${digest}`))) bad.push(`${want.name}: image digest is not ${digest}`);
        const hc = c.HostConfig ?? {};
        if (!(hc.CapDrop ?? []).map(cap).includes("ALL")) bad.push(`${want.name}: capabilities not dropped (CapDrop ${JSON.stringify(hc.CapDrop)})`);
        const adds = [...(hc.CapAdd ?? [])].map(cap).sort().join(",");
        if (adds !== [...want.capAdd].map(cap).sort().join(",")) bad.push(`${want.name}: CapAdd ${adds || "none"} (want ${[...want.capAdd].sort().join(",")})`);
        if (!(hc.SecurityOpt ?? []).some((o) => /^no-new-privileges(:true|=true)?$/.test(o))) bad.push(`${want.name}: no-new-privileges missing`);
        if (want.memoryMiB !== undefined && hc.Memory !== want.memoryMiB * 1024 * 1024)
            bad.push(`${want.name}: memory ${hc.Memory ? hc.Memory / 1048576 : "unlimited"} MiB (want ${want.memoryMiB})`);
        if (hc.RestartPolicy?.Name !== want.restart) bad.push(`${want.name}: restart ${hc.RestartPolicy?.Name ?? "none"} (want ${want.restart})`);
    }
    if (list.length === 0 && s.rc !== 0) return { ok: false, evidence: `docker inspect failed (exit ${s.rc}): ${s.output.split("\n")[0]}` };
    return bad.length
        ? { ok: false, evidence: bad.join("; ") }
        : {
              ok: true,
              evidence: `${e.containers.length} containers running${e.containers.some((c) => c.healthcheck) ? ", healthy" : ""}, pinned images, caps and limits as planned`,
          };
}

/** True when `live` equals the plan's `planned` text, where each "[secret]" in it matches any text within a line. */
export function matchesRedacted(planned: string, live: string): boolean {
    if (!planned.includes("[secret]")) return planned === live;
    const parts = planned.split("[secret]").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    return new RegExp(`^${parts.join("[^\\n]*?")}$`).test(live);
}

export function evalContainerFiles(s: Section, e: HostExpectation): Verdict {
    const bad: string[] = [];
    const lines = s.output.split("\n").map((l) => l.trim().split(/\s+/));
    for (const f of e.containerFiles) {
        const got = lines.find((p) => p[0] === f.container && p[1] === f.path);
        if (!got || got[2] === undefined || got[2] === "missing") bad.push(`${f.container}:${f.path} missing`);
        else if (!matchesRedacted(f.content, Buffer.from(got[2], "base64").toString("utf8"))) bad.push(`${f.container}:${f.path} differs from the plan`);
    }
    return bad.length
        ? { ok: false, evidence: bad.join("; ") }
        : { ok: true, evidence: `${e.containerFiles.map((f) => `${f.container}:${f.path}`).join(", ")} equal the plan` };
}

const canon = (v: unknown): string =>
    JSON.stringify(v, (_k, x) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x));

export function evalMauticConfig(s: Section, e: HostExpectation): Verdict {
    let live: Record<string, unknown>;
    try {
        live = JSON.parse(s.output.slice(s.output.indexOf("{")));
    } catch {
        return { ok: false, evidence: `Mautic's console gave no parameters (exit ${s.rc}): ${s.output.split("\n")[0] || "no output"}` };
    }
    const bad: string[] = [];
    for (const [k, want] of Object.entries(e.mauticConfig ?? {})) {
        if (live[k] === "__missing__") bad.push(`${k}: not set (want ${canon(want)})`);
        else if (canon(live[k]) !== canon(want)) bad.push(`${k} = ${canon(live[k])} (want ${canon(want)})`);
    }
    return bad.length
        ? { ok: false, evidence: bad.join("; ") }
        : {
              ok: true,
              evidence: `${Object.keys(e.mauticConfig ?? {}).length} values in effect (anonymize_ip, track_contact_by_ip, cookie_secure, site_url, ...)`,
          };
}
