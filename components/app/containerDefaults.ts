/**
 * What every container of the kit gets, in one place: restart policy, rotated logs, no new
 * privileges, and a capability set reduced to what the images use.
 */
import { dockerLogOpts } from "../config/defaults";

/** Docker's default capabilities the kit's images never need: raw sockets, device nodes, chroot, file caps. */
export const droppedDefaultCapabilities = ["NET_RAW", "MKNOD", "SYS_CHROOT", "SETFCAP", "SETPCAP", "FSETID"];

/**
 * Capabilities added back after dropping ALL, per image. The official images start as root and
 * drop to their service user (gosu / apache / cron), which needs CHOWN, DAC_OVERRIDE, FOWNER,
 * SETUID, SETGID; apache binds :80 (NET_BIND_SERVICE) and signals its www-data children (KILL);
 * cron's PAM session writes the audit login uid (AUDIT_WRITE). Caddy only binds :80/:443.
 *
 * Written as Docker stores them: its Go client upper-cases, prefixes `CAP_` (all but `ALL`),
 * de-duplicates and sorts CapAdd/CapDrop before the API call, and the Docker provider reads them
 * back verbatim into `capabilities`, which replaces the container on any difference. A bare
 * `CHOWN` would replace every container on every `up` (docs/guide/deploy.md).
 */
export const capabilitySets = {
    mariadb: ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID"],
    mautic: ["CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETGID", "CAP_SETUID"],
    caddy: ["CAP_NET_BIND_SERVICE"],
} as const;

export function baseContainerArgs(capabilities: readonly string[]) {
    return {
        restart: "unless-stopped",
        logDriver: "json-file",
        logOpts: { ...dockerLogOpts },
        securityOpts: ["no-new-privileges:true"],
        capabilities: { drops: ["ALL"], adds: [...capabilities] },
        destroyGraceSeconds: 30,
    };
}
