/** Docker container policies: restart policy, log rotation, no published database port. */
import { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { allowedRestartPolicies, kitContainerNames, types } from "./kitFacts";
import { describe, peek, peekStrings, show } from "./previewValues";

// ---------------------------------------------------------------------------------------------
// 3. Every container restarts on its own

export const containerRestartPolicy: ResourceValidationPolicy = {
    name: "container-restart-policy",
    description: `Every Docker container has restart ${allowedRestartPolicies.map((r) => `"${r}"`).join(" or ")}, so it comes back after a crash or reboot (the provider's default is "no").`,
    enforcementLevel: "mandatory",
    severity: "medium",
    tags: ["availability", "docker"],
    remediationSteps: 'Set `restart: "unless-stopped"`, as `baseContainerArgs()` in components/app/containerDefaults.ts does.',
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type !== types.container) return;
        const restart = args.props.restart as string | undefined;
        if ((allowedRestartPolicies as readonly string[]).includes(restart ?? "")) return;
        const why = restart === undefined ? 'is not set (the docker provider then uses "no")' : `is ${show(restart)}`;
        reportViolation(
            `${describe("docker container", args.name, args.props)}: restart ${why}; the container stays down after a crash or a reboot. ` +
                `Fix: set restart: "unless-stopped" (or "always"), e.g. spread baseContainerArgs() from components/app/containerDefaults.ts.`,
        );
    },
};

// ---------------------------------------------------------------------------------------------
// 4. Every container rotates its logs

const sizeRe = /^[1-9]\d*[kmg]?$/i;
const countRe = /^[1-9]\d*$/;

export const containerLogRotationPolicy: ResourceValidationPolicy = {
    name: "container-log-rotation",
    description:
        'Every Docker container rotates its logs: logDriver "local", or "json-file" (the default) with logOpts max-size and max-file, so logs holding personal data neither fill the disk nor live forever.',
    enforcementLevel: "mandatory",
    severity: "medium",
    tags: ["gdpr", "storage-limitation", "docker"],
    remediationSteps: 'Set `logDriver: "json-file"` and `logOpts: { "max-size": "10m", "max-file": "5" }`, or `logDriver: "local"`.',
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type !== types.container) return;
        const what = describe("docker container", args.name, args.props);
        const driver = args.props.logDriver as string | undefined;
        const fix = 'Fix: set logDriver: "json-file" with logOpts: { "max-size": "10m", "max-file": "5" } (the kit\'s dockerLogOpts), or logDriver: "local".';
        if (driver === "local") return;
        if (driver !== undefined && driver !== "json-file") {
            reportViolation(`${what}: logDriver ${show(driver)} is not rotated on the host by Docker. ${fix}`);
            return;
        }
        const opts = (args.props.logOpts as Record<string, string> | undefined) ?? {};
        const maxSize = opts["max-size"];
        const maxFile = opts["max-file"];
        const problems: string[] = [];
        if (maxSize === undefined) problems.push("max-size is not set (json-file then grows without limit)");
        else if (!sizeRe.test(String(maxSize))) problems.push(`max-size ${show(maxSize)} is not a size like "10m"`);
        if (maxFile === undefined) problems.push("max-file is not set");
        else if (!countRe.test(String(maxFile))) problems.push(`max-file ${show(maxFile)} is not a whole number >= 1`);
        if (problems.length > 0) {
            reportViolation(`${what}: logs are not rotated: logDriver ${show(driver ?? "json-file")}, ${problems.join("; ")}. ${fix}`);
        }
    },
};

// ---------------------------------------------------------------------------------------------
// 5. No published database port

/** The last path segment of an image's repository ("docker.io/bitnami/postgresql:16" -> "postgresql"). */
function imageRepoName(image: string): string {
    const noDigest = image.split("@")[0];
    const last = noDigest.split("/").pop() ?? noDigest;
    return last.split(":")[0].toLowerCase();
}
const dbImageNameRe = /^(mariadb|mysql|mysql-server|postgres|postgresql|postgis|percona|percona-server|timescaledb|timescaledb-ha)$/;
const dbNameRe = /(^|[-_.])(mariadb|mysql|postgres|postgresql)([-_.\d]|$)/i;
/** Variables only the database server images read (client images such as phpMyAdmin use others). */
const dbEnvRe =
    /^(MARIADB_[A-Z_]+|MYSQL_DATABASE|MYSQL_ROOT_HOST|MYSQL_RANDOM_ROOT_PASSWORD|MYSQL_ALLOW_EMPTY_PASSWORD|POSTGRES_DB|POSTGRES_INITDB_ARGS|PGDATA)=/;

/** Why a container is a database, or undefined. Unknown values count as no evidence. */
export function databaseEvidence(props: unknown): string | undefined {
    const name = peek(props, "name");
    if (typeof name === "string") {
        if (name === kitContainerNames.db || /[-_]db$/i.test(name)) return `its name is ${show(name)}`;
        if (dbNameRe.test(name)) return `its name ${show(name)} names a database`;
    }
    const image = peek(props, "image");
    if (typeof image === "string" && dbImageNameRe.test(imageRepoName(image))) return `its image is ${show(image)}`;
    const envs = peekStrings(props, "envs");
    const env = envs.values.find((e) => dbEnvRe.test(e));
    if (env) return `it sets ${env.split("=")[0]}, as database server images do`;
    return undefined;
}

const describePort = (p: Record<string, unknown>): string => `${p.ip ?? "0.0.0.0"}:${p.external ?? "(random)"}->${p.internal}/${p.protocol ?? "tcp"}`;

export const noPublishedDatabasePortPolicy: ResourceValidationPolicy = {
    name: "no-published-database-port",
    description:
        "Database containers (MariaDB, MySQL, PostgreSQL) publish no port and do not use the host network; Mautic reaches them over an internal Docker network.",
    enforcementLevel: "mandatory",
    severity: "critical",
    tags: ["security", "gdpr", "docker"],
    remediationSteps: "Remove `ports` from the database container and attach it to an internal network (as components/app/mauticApp.ts does).",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type !== types.container) return;
        const evidence = databaseEvidence(args.props);
        if (!evidence) return;
        const what = `${describe("docker container", args.name, args.props)} is a database (${evidence})`;
        const fix =
            "Fix: remove `ports` and connect the application over an internal Docker network (networksAdvanced with an `internal: true` network); " +
            "for maintenance use `docker exec` or an SSH tunnel to the host.";
        const ports = (args.props.ports as Array<Record<string, unknown>> | undefined) ?? [];
        if (ports.length > 0) {
            reportViolation(`${what} and publishes ${ports.map(describePort).join(", ")}. ${fix}`);
        }
        const networkMode = args.props.networkMode as string | undefined;
        if (networkMode === "host") {
            reportViolation(`${what} and uses networkMode "host", which exposes its port on every host interface. ${fix}`);
        }
    },
};
