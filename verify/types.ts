/**
 * Types shared by `npm run verify` and the VM test layer: what to connect to, what the plan
 * says the host must look like, and one result per check.
 */
import { ChecklistId } from "./checklist";

/** An SSH target. The host key is pinned: `knownHostsFile` must hold it (StrictHostKeyChecking=yes). */
export interface SshTarget {
    host: string;
    /** Default 22. */
    port?: number;
    /** Default "root". */
    user?: string;
    /** Private key file (mode 0600). */
    keyFile: string;
    /** known_hosts file holding the pinned host key for `host` (and `[host]:port`). */
    knownHostsFile: string;
}

export interface ExpectedFile {
    /** Absolute path on the host. */
    path: string;
    content: string;
    /** Octal mode, e.g. "0644". Checked when given. */
    permissions?: string;
    /** owner:group, default root:root. Checked when permissions is given. */
    owner?: string;
}

export interface ExpectedContainer {
    name: string;
    /** Image reference the plan pins (`repo:tag`, optionally `@sha256:...`). */
    image: string;
    /** Memory limit in MiB; absent: not checked. */
    memoryMiB?: number;
    /** Capabilities added back after dropping ALL. */
    capAdd: string[];
    /** The container declares a healthcheck, so it must report "healthy". */
    healthcheck: boolean;
    /** Restart policy, e.g. "unless-stopped". */
    restart: string;
}

export interface ExpectedContainerFile {
    container: string;
    /** Path inside the container. */
    path: string;
    /** As the plan renders it; each "[secret]" stands for a value the plan cannot know (matches any text on that line). */
    content: string;
}

/** What the host must look like, derived from the files the plan renders (see `expected.ts`). */
export interface HostExpectation {
    /**
     * Prefix for every file the checks read (host files, stamps, backups, logs), default "" (the
     * real root). Tests point it at a prepared directory; commands are run for real.
     */
    root?: string;
    /** sshd config `sshd -T -f` reads. Default /etc/ssh/sshd_config. */
    sshdConfig?: string;
    /** fail2ban's socket. Default: fail2ban-client's own default. */
    fail2banSocket?: string;
    /** Effective sshd options (`sshd -T` keys, lower case) and their expected values. */
    sshd: Record<string, string>;
    /** Every file the kit writes on the host, as rendered. */
    hostFiles: ExpectedFile[];
    /** The data volume. */
    volume: { mountPoint: string; device?: string };
    containers: ExpectedContainer[];
    containerFiles: ExpectedContainerFile[];
    /** Mautic config values that must be in effect (non-secret keys of parameters_local.php). Absent: not checked. */
    mauticConfig?: Record<string, unknown>;
    /** The container whose console is asked. Default "mautic_web". */
    mauticContainer?: string;
    backup: {
        /** Directory with the sets, `latest` and status.json. */
        dir: string;
        /** The last good set may be at most this old (hours). */
        maxAgeHours: number;
        /** Off-site restic repository, if configured. */
        offsiteRepository?: string;
        /** Env file with the restic password (root-only on the host). */
        offsiteEnvFile?: string;
        /** The ssh config restic connects through (the kit's Storage Box), if any. */
        offsiteSshConfig?: string;
    };
    disk: { paths: string[]; maxUsePercent: number };
    /** unattended-upgrades must have run within this many hours; a reboot may be pending this long. */
    updates: { maxAgeHours: number; rebootPendingMaxHours: number };
    /** Log files/dirs scanned for full client IPs and e-mail addresses, and journal units. */
    logs: { paths: string[]; journalUnits: string[]; ownAddresses?: string[] };
}

export type CheckStatus = "pass" | "fail";

export interface CheckResult {
    /** Stable id, e.g. "fail2ban", "host-files". */
    id: string;
    /** One-line description of what was checked. */
    title: string;
    status: CheckStatus;
    /** What was seen (never a secret, never personal data). */
    evidence: string;
    /** ISO time the evidence was read. */
    seenAt: string;
    /** Checklist items this check gives evidence for. */
    items: ChecklistId[];
}
