/**
 * The one shell script `runHostChecks` sends over SSH: it reads every fact the checks need
 * (real commands: sshd -T, fail2ban-client, iptables, findmnt, docker inspect, df, ...) and
 * prints them as sections. Nothing is changed on the host. Secrets and personal data never leave
 * it: file contents are compared by SHA-256, logs are reduced to counts per file.
 */
import { offsiteSshHostAlias } from "../components/host/offsite";
import { HostExpectation } from "./types";

export const sectionMarker = "@@mautic-verify@@";

/** Single-quotes a value for sh. */
export function shq(v: string): string {
    return `'${v.replace(/'/g, `'\\''`)}'`;
}

/** The check groups a script can gather (ids of `runHostChecks`). */
export const hostCheckIds = [
    "cloud-init",
    "sshd",
    "fail2ban",
    "unattended-upgrades",
    "reboot-pending",
    "forward-policy",
    "metadata-block",
    "volume",
    "host-files",
    "containers",
    "container-files",
    "mautic-config",
    "backup",
    "offsite",
    "disk",
    "logs-pii",
] as const;
export type HostCheckId = (typeof hostCheckIds)[number];

// awk: per input line, counts full public IPv4 addresses (not masked to .0, not private/loopback)
// and e-mail addresses (plain or %40-encoded). Prints nothing of the matched text.
const piiAwk = [
    'function pub(ip,  o){ if (index(" " own " ", " " ip " ")) return 0; split(ip,o,"."); if(o[1]>255||o[2]>255||o[3]>255||o[4]>255) return 0;',
    " if(o[4]==0||o[1]==10||o[1]==127||o[1]==0||(o[1]==172&&o[2]>=16&&o[2]<=31)||(o[1]==192&&o[2]==168)||(o[1]==169&&o[2]==254)) return 0; return 1 }",
    "{ s=$0; while (match(s, /(^|[^0-9.])[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}($|[^0-9.])/)) {",
    ' m=substr(s,RSTART,RLENGTH); gsub(/[^0-9.]/,"",m); if(pub(m)) ip++; s=substr(s,RSTART+RLENGTH-1) }',
    " s=$0; while (match(s, /[A-Za-z0-9._+-]+(@|%40)[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z][A-Za-z]+/)) { mail++; s=substr(s,RSTART+RLENGTH) } }",
    'END { printf "%d %d\\n", ip, mail }',
].join("");

/** PHP (run with `php -r` in the Mautic container): keeps only the requested `mautic.<key>` parameters of `debug:container --parameters --format=json`. */
export const mauticConfigFilterPhp =
    '$w=json_decode($argv[1],true); $all=json_decode(stream_get_contents(STDIN),true); if(!is_array($all)){fwrite(STDERR,"no parameters\\n"); exit(3);} ' +
    '$o=[]; foreach($w as $k){ $o[$k]=array_key_exists("mautic.".$k,$all)?$all["mautic.".$k]:"__missing__"; } echo json_encode($o);';

export function renderGatherScript(e: HostExpectation, only: readonly HostCheckId[] = hostCheckIds): string {
    const R = e.root ?? "";
    const want = new Set(only);
    const L: string[] = [
        "#!/bin/sh",
        "# mautic-verify: read-only fact gathering (rendered by verify/gather.ts).",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LC_ALL=C",
        "export PATH LC_ALL",
        `M=${shq(sectionMarker)}`,
        'section() { printf \'%s begin %s\\n\' "$M" "$1"; }',
        'endsection() { printf \'\\n%s end %s rc=%s\\n\' "$M" "$1" "$2"; }',
        'mtime() { if [ -e "$1" ]; then stat -c %Y -- "$1"; else echo missing; fi; }',
        `section now; date +%s; endsection now 0`,
    ];
    const add = (id: HostCheckId, sub: string, body: string) => {
        if (!want.has(id)) return;
        L.push(`section ${sub}`, `( ${body} ) 2>&1`, `endsection ${sub} $?`);
    };
    add("cloud-init", "cloud-init", "cloud-init status --long");
    add("sshd", "sshd", `sshd -T -f ${shq(e.sshdConfig ?? "/etc/ssh/sshd_config")}`);
    add("fail2ban", "fail2ban", `fail2ban-client ${e.fail2banSocket ? `-s ${shq(e.fail2banSocket)} ` : ""}status sshd`);
    add(
        "unattended-upgrades",
        "unattended-upgrades",
        [
            `echo "stamp=$(mtime ${shq(`${R}/var/lib/apt/periodic/unattended-upgrades-stamp`)})"`,
            `log=${shq(`${R}/var/log/unattended-upgrades/unattended-upgrades.log`)}`,
            // Errors since the last start of the script (its log is appended per run).
            `if [ -r "$log" ]; then echo "errors=$(awk '/Starting unattended upgrades script/{n=0} / ERROR /{n++} END{print n+0}' "$log")"; else echo "errors=nolog"; fi`,
            'echo "timer=$(systemctl is-enabled apt-daily-upgrade.timer 2>/dev/null || true)"',
            // Upgradable packages (a simulation: nothing is changed, no lock taken).
            "echo \"pending=$(apt-get -s -o Debug::NoLocking=1 upgrade 2>/dev/null | grep -c '^Inst ')\"",
        ].join("; "),
    );
    add("reboot-pending", "reboot-pending", `echo "since=$(mtime ${shq(`${R}/var/run/reboot-required`)})"`);
    add("forward-policy", "forward-policy", "iptables -S FORWARD");
    add("metadata-block", "metadata-block", "iptables -S DOCKER-USER");
    add(
        "volume",
        "volume",
        `findmnt -n -o SOURCE,FSTYPE --mountpoint ${shq(`${R}${e.volume.mountPoint}`)}` +
            (e.volume.device ? `; echo "device=$(readlink -f ${shq(`${R}${e.volume.device}`)} 2>/dev/null || echo missing)"` : ""),
    );
    if (want.has("host-files")) {
        const lines = e.hostFiles.map((f) => {
            const p = shq(`${R}${f.path}`);
            return `if [ -f ${p} ]; then echo "${f.path.replace(/[^A-Za-z0-9._@/-]/g, "")} $(stat -c '%a %U:%G' -- ${p}) $(sha256sum < ${p} | cut -d' ' -f1)"; else echo "${f.path.replace(/[^A-Za-z0-9._@/-]/g, "")} missing"; fi`;
        });
        add("host-files", "host-files", lines.join("; ") || "true");
    }
    if (want.has("containers") && e.containers.length > 0) {
        const names = e.containers.map((c) => shq(c.name)).join(" ");
        add("containers", "containers", `docker inspect ${names}`);
        add("containers", "images", `docker inspect --format '{{.Image}}' ${names} | sort -u | xargs docker image inspect`);
    }
    if (want.has("container-files")) {
        const lines = e.containerFiles.map(
            // base64 on one line; compared in memory against the plan (whose secrets are redacted), never written.
            (f) =>
                `if docker exec ${shq(f.container)} test -f ${shq(f.path)}; then echo "${f.container} ${f.path} $(docker exec ${shq(f.container)} cat ${shq(f.path)} | base64 -w0)"; else echo "${f.container} ${f.path} missing"; fi`,
        );
        add("container-files", "container-files", lines.join("; ") || "true");
    }
    if (want.has("mautic-config") && e.mauticConfig && Object.keys(e.mauticConfig).length > 0) {
        // Mautic's effective values as its console sees them (container parameters mautic.<key>),
        // filtered inside the container to the expected keys so no secret leaves it.
        const keys = shq(JSON.stringify(Object.keys(e.mauticConfig)));
        const filter = shq(mauticConfigFilterPhp);
        const web = shq(e.mauticContainer ?? "mautic_web");
        add(
            "mautic-config",
            "mautic-config",
            `docker exec -u www-data ${web} php /var/www/html/bin/console debug:container --parameters --format=json --no-ansi 2>/dev/null | docker exec -i ${web} php -r ${filter} ${keys}`,
        );
    }
    const bdir = `${R}${e.backup.dir}`;
    add(
        "backup",
        "backup",
        [
            `cd ${shq(bdir)} || exit 3`,
            `echo "latest=$(readlink latest 2>/dev/null || echo none)"`,
            `if [ -d latest ]; then (cd latest && sha256sum --quiet -c SHA256SUMS >/dev/null 2>&1) && echo verify=ok || echo verify=failed; else echo verify=none; fi`,
            `echo "status=$(tr -d '\\n' < status.json 2>/dev/null || echo none)"`,
        ].join("; "),
    );
    if (e.backup.offsiteRepository) {
        const envFile = shq(`${R}${e.backup.offsiteEnvFile ?? "/etc/mautic/backup-offsite.env"}`);
        // The password stays on the host: restic reads it from the root-only env file.
        add(
            "offsite",
            "offsite",
            `set -a; . ${envFile} || exit 3; set +a; restic --repo ${shq(e.backup.offsiteRepository)}${e.backup.offsiteSshConfig ? ` -o ${shq(`sftp.command=ssh -F ${R}${e.backup.offsiteSshConfig} ${offsiteSshHostAlias} -s sftp`)}` : ""} --no-lock --quiet snapshots --json --latest 1 --tag mautic-backup`,
        );
    }
    add("disk", "disk", `df -P ${e.disk.paths.map((p) => shq(`${R}${p}`)).join(" ")}`);
    if (want.has("logs-pii")) {
        // The server's own addresses (cloud-init logs them) are not client addresses.
        const own = shq((e.logs.ownAddresses ?? []).filter((a) => /^[0-9.]+$/.test(a)).join(" "));
        const scans = e.logs.paths.map((p) => {
            const q = shq(`${R}${p}`);
            // grep -I skips binary files (wtmp, btmp); fail2ban's own log of banned addresses is a security log.
            return `if [ -e ${q} ]; then find ${q} -type f ! -name 'fail2ban.log*' ! -name '*.gz' -print | while IFS= read -r f; do grep -Iq . "$f" 2>/dev/null || continue; echo "$(awk -v own=${own} ${shq(piiAwk)} "$f") $f"; done; fi`;
        });
        const units = e.logs.journalUnits.map((u) => `-u ${shq(u)}`).join(" ");
        if (units)
            scans.push(
                `if command -v journalctl >/dev/null; then echo "$(journalctl -q -o cat --since=-7d ${units} 2>/dev/null | awk -v own=${own} ${shq(piiAwk)}) journal"; fi`,
            );
        add("logs-pii", "logs-pii", scans.join("; ") || "true");
    }
    return `${L.join("\n")}\n`;
}

export interface Section {
    output: string;
    rc: number;
}

/** Splits the script's output into sections by name. */
export function parseSections(stdout: string): Map<string, Section> {
    const out = new Map<string, Section>();
    const re = new RegExp(`^${sectionMarker} begin (\\S+)\\n([\\s\\S]*?)\\n${sectionMarker} end \\1 rc=(\\d+)$`, "gm");
    for (const m of stdout.matchAll(re)) out.set(m[1], { output: m[2].replace(/\n$/, ""), rc: Number(m[3]) });
    return out;
}
