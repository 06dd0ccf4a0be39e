/**
 * What the host must look like, derived from the offline plan of a stack (`runPlan`): the files
 * cloud-init writes, the files the HostFiles command keeps current, the containers with their
 * images, capabilities and limits, and the files uploaded into them.
 */
import { offsiteTarget } from "../components/config/offsiteDns";
import { offsitePaths, storageBoxRepository } from "../components/host/offsite";
import { createHash } from "crypto";
import { parse } from "yaml";
import { caddyfilePathInContainer } from "../components/edge/webEdge";
import { parseHostFilesCommand } from "../components/host/hostFiles";
import { crontabPathInContainer, mauticParameters, parametersLocalPathInContainer } from "../components/app/mautic";
import { backupPaths } from "../components/host/backup";
import { dataMountPoint } from "../components/config/defaults";
import { PlanResult, findUpload } from "../plan/runPlan";
import { redactText, unwrap } from "../plan/mockRuntime";
import { expectedSshdFrom } from "./evaluate";
import { ExpectedContainer, ExpectedContainerFile, ExpectedFile, HostExpectation } from "./types";

/** Alert and verify thresholds shared with the host's alert timers (templates/alerts). */
export const verifyThresholds = {
    backupMaxAgeHours: 26,
    diskMaxUsePercent: 85,
    updatesMaxAgeHours: 48,
    rebootPendingMaxHours: 26,
} as const;

export interface LiveFacts {
    /** The Hetzner volume id (stack output `volumeId`); without it the mount script and the device are not compared. */
    volumeId?: string;
    /** The server's own addresses (not client addresses in its logs). */
    serverAddresses?: string[];
    /**
     * Only the files the user data writes (a host that booted but was never deployed to, e.g.
     * the first-boot VM test); default false: also the files `pulumi up` keeps current.
     */
    firstBootOnly?: boolean;
}

const mockVolume = /scsi-0HC_Volume_\d+/g;

export function expectationFromPlan(plan: PlanResult, live: LiveFacts = {}, thresholds: Partial<typeof verifyThresholds> = {}): HostExpectation {
    const t = { ...verifyThresholds, ...thresholds };
    const s = plan.site.settings;
    const files = new Map<string, ExpectedFile>();
    const userData = plan.files.get("cloud-init.yaml");
    if (userData) {
        const doc = parse(userData) as { write_files?: Array<{ path: string; content: string; permissions: string; owner?: string }> };
        for (const f of doc.write_files ?? []) files.set(f.path, { path: f.path, content: f.content, permissions: f.permissions, owner: f.owner });
    }
    for (const r of plan.cloud.resources.filter((x) => !live.firstBootOnly && x.type === "command:remote:Command" && x.name.endsWith("host-files-sync"))) {
        for (const f of parseHostFilesCommand(String(unwrap(r.inputs.create)))) files.set(f.path, { path: f.path, content: f.content, permissions: f.permissions });
    }
    // The volume id is the cloud's: the plan's is a mock one.
    for (const [p, f] of files) {
        if (!/scsi-0HC_Volume_\d+/.test(f.content)) continue;
        if (live.volumeId) files.set(p, { ...f, content: f.content.replace(mockVolume, `scsi-0HC_Volume_${live.volumeId}`) });
        else files.delete(p);
    }
    const hardening = files.get("/etc/ssh/sshd_config.d/10-mautic-kit-hardening.conf");
    if (!hardening) throw new Error("the plan renders no sshd hardening file: cannot derive the expected sshd -T");

    const images = new Map<string, string>();
    for (const r of plan.cloud.resources.filter((x) => x.type === "docker:index/remoteImage:RemoteImage")) {
        const name = String(unwrap(r.inputs.name));
        images.set(`sha256:${createHash("sha256").update(name).digest("hex")}`, name);
    }
    const containers: ExpectedContainer[] = plan.cloud.resources
        .filter((x) => x.type === "docker:index/container:Container")
        .map((r) => {
            const i = unwrap(r.inputs) as { name: string; image: string; memory?: number; capabilities?: { adds?: string[] }; restart?: string; healthcheck?: unknown };
            return {
                name: i.name,
                image: images.get(i.image) ?? i.image,
                memoryMiB: i.memory,
                capAdd: i.capabilities?.adds ?? [],
                healthcheck: Boolean(i.healthcheck),
                restart: i.restart ?? "no",
            };
        });
    const containerFiles: ExpectedContainerFile[] = [];
    const uploaded = (container: string, file: string) => {
        const content = findUpload(plan.cloud.resources.filter((r) => unwrap(r.inputs.name) === container), file);
        if (content !== undefined) containerFiles.push({ container, path: file, content: redactText(content, plan.cloud.secretValues) });
    };
    uploaded("mautic_cron", crontabPathInContainer);
    uploaded("mautic_web", parametersLocalPathInContainer);
    uploaded("mautic_edge", caddyfilePathInContainer);

    // The non-secret values the kit pins in parameters_local.php, as Mautic must see them.
    const { secret_key: _k, mailer_dsn: _m, ...mauticConfig } = mauticParameters({ domain: s.domain, website: s.website, timezone: s.timezone, gdprPurgeDays: s.gdprPurgeDays, logRetentionDays: s.accessLogRetentionDays, secretKey: "" });

    return {
        sshd: expectedSshdFrom(hardening.content),
        mauticConfig,
        hostFiles: [...files.values()],
        volume: { mountPoint: dataMountPoint, ...(live.volumeId ? { device: `/dev/disk/by-id/scsi-0HC_Volume_${live.volumeId}` } : {}) },
        containers,
        containerFiles,
        backup: {
            dir: `${dataMountPoint}/backups`,
            maxAgeHours: t.backupMaxAgeHours,
            ...offsiteExpectation(s),
        },
        disk: { paths: ["/", dataMountPoint], maxUsePercent: t.diskMaxUsePercent },
        updates: { maxAgeHours: t.updatesMaxAgeHours, rebootPendingMaxHours: t.rebootPendingMaxHours },
        logs: {
            paths: [`${dataMountPoint}/logs`, `${dataMountPoint}/mautic/logs`, "/var/log", "/var/lib/docker/containers"],
            journalUnits: ["docker.service", "mautic-backup.service", "mautic-privacy-maintenance.service"],
            ownAddresses: live.serverAddresses ?? [],
        },
    };
}

/** The off-site repository verify reads (the kit's Storage Box through its ssh config, or the hand-made one). */
function offsiteExpectation(s: Parameters<typeof offsiteTarget>[0]): { offsiteRepository?: string; offsiteEnvFile?: string; offsiteSshConfig?: string } {
    const t = offsiteTarget(s);
    if (t.kind === "repository") return { offsiteRepository: t.repository, offsiteEnvFile: backupPaths.offsiteEnvFile };
    if (t.kind === "storagebox" || t.kind === "subaccount") return { offsiteRepository: storageBoxRepository, offsiteEnvFile: backupPaths.offsiteEnvFile, offsiteSshConfig: offsitePaths.sshConfig };
    return {};
}
