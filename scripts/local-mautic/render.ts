/**
 * Renders, with the kit's own renderers, every file a kit server gives Mautic, for one local
 * instance of scripts/local-mautic (up.sh calls it): the pinned parameters_local.php, Apache's
 * vhost and access-log override, the worker's supervisord.conf, the crontab, the install script
 * and each role's container environment, the host's mautic-privacy-maintenance, and the kit's DOI endpoint (its PHP files into
 * kit/doi-endpoint/, its config kit/doi-config.json). Nothing here builds or downloads Mautic.
 * The parameters and the endpoint's config come from the same functions the site uses
 * (siteParametersInput, siteDoiEndpointInput), from the settings validateSiteArgs returns.
 *
 * usage: ts-node render.ts --out DIR --domain D --ip IP --secrets DIR [--profile kit|defaults]
 *   DIR/secrets holds db-password, secret-key, admin-password, doi-secret (one value each,
 *   written by up.sh, mode 0600).
 *
 * --profile defaults (for `npm run bench`, docs/guide/bench.md) swaps what the kit changes in
 * docker-mautic's roles back to docker-mautic's own defaults, and nothing else (same Mautic, same
 * parameters_local.php, same doctrine queues): the worker's supervisord.conf without
 * --memory-limit/--time-limit and with the image's 2+2+2 consumers, the image's default crontab
 * (segments:update, campaigns:update, campaigns:trigger only), and no container memory limits
 * (docker-mautic's compose examples set none). PHP's memory_limit is 512M in both (the image's
 * ENV and the kit's role env). See defaultsProfile.ts for the sources.
 *
 * The only differences from a server, each forced by running without Docker:
 *   - mailer_dsn is the instance's SMTP sink (smtp://IP:25), the server's is the stack's secret;
 *   - the DOI endpoint calls the API at http://IP, not http://127.0.0.1 (the host's
 *     127.0.0.1:80 belongs to someone else; the source address is 127.0.0.1 either way).
 */
import * as fs from "fs";
import * as path from "path";
import { validateSiteArgs } from "../../components/config/config";
import {
    mauticParameters,
    phpLiteral,
    renderApacheOtherVhostsLog,
    renderApacheVhost,
    renderCrontab,
    renderInstallScript,
    renderMauticEnv,
    renderWorkerSupervisord,
    siteParametersInput,
} from "../../components/app/mautic";
import { renderTemplate } from "../../components/shared/template";
import { doiEndpointFiles, doiEndpointPaths, renderDoiEndpointConfig, siteDoiEndpointInput } from "../../components/doi/doiEndpoint";
import { memoryBudget } from "../../components/host/sizing";
import { privacyMaintenancePaths, renderPrivacyMaintenanceFiles } from "../../components/host/privacyMaintenance";
import { containerNames } from "../../components/config/defaults";
import { dockerMauticCrontab, dockerMauticSupervisord } from "./defaultsProfile";

function arg(name: string): string {
    const i = process.argv.indexOf(`--${name}`);
    const v = i >= 0 ? process.argv[i + 1] : undefined;
    if (!v) throw new Error(`--${name} is required (usage: render.ts --out DIR --domain D --ip IP --secrets DIR [--profile kit|defaults] [--website ORIGIN])`);
    return v;
}
const profileAt = process.argv.indexOf("--profile");
const profile = profileAt >= 0 ? process.argv[profileAt + 1] : "kit";
if (profile !== "kit" && profile !== "defaults") throw new Error(`--profile ${JSON.stringify(profile)}: use kit or defaults`);

const out = arg("out");
const domain = arg("domain");
const ip = arg("ip");
const secrets = arg("secrets");
const websiteAt = process.argv.indexOf("--website");
const website = websiteAt >= 0 ? process.argv[websiteAt + 1] : "https://www.example.org";
const secret = (f: string) => fs.readFileSync(path.join(secrets, f), "utf8").trim();

// The stack's settings as the kit validates them (defaults from components/config/defaults.ts).
const { settings: s } = validateSiteArgs(
    {
        domain,
        website,
        adminEmail: `admin@${domain}`,
        serverType: "cx23",
        adminCidrs: ["203.0.113.0/24"], // documentation range: SSH is not part of a local instance
        mailerFromEmail: `mautic@${domain}`,
        mailerFromName: "Mautic Kit Local",
        // The consent label names who advertises what (C05): the values a client sets.
        controllerName: "Mautic Kit Local GmbH",
        newsletterTopics: "Mautic hosting, privacy tooling and training courses",
    },
    { mailerDsnProvided: true },
);
const mem = memoryBudget(s.serverType);
const dbName = "mautic";
const dbUser = "mautic";

const params = mauticParameters(siteParametersInput(s, { secretKey: secret("secret-key"), mailerDsn: `smtp://${ip}:25` }));

const files: Record<string, string> = {
    "parameters_local.php": renderTemplate("mautic/parameters_local.php", { domain: s.domain, parameters: phpLiteral(params) }),
    "000-default.conf": renderApacheVhost(),
    "other-vhosts-access-log.conf": renderApacheOtherVhostsLog(),
    "worker-supervisord.conf": profile === "kit" ? renderWorkerSupervisord(mem.worker) : dockerMauticSupervisord(),
    crontab: profile === "kit" ? renderCrontab({ cleanupDaysOld: s.cleanupDaysOld, ipLookup: s.ipLookupConfigured }) : dockerMauticCrontab(),
    // The container memory limits (MiB) lib.sh applies to each role as a memory cgroup; none
    // under docker-mautic's defaults.
    "memory-limits": profile === "kit" ? `web=${mem.web}\ncron=${mem.cron}\nworker=${mem.worker}\ndb=${mem.db}\n` : "",
    profile: `${profile}\n`,
    // The host's half-hourly privacy job (components/host/privacyMaintenance.ts), DB over the
    // instance's socket through the root-only config file the script reads (up.sh writes it).
    "mautic-privacy-maintenance.sh": renderPrivacyMaintenanceFiles({ dbContainer: "mautic_db", database: dbName, dataDir: "/var/lib/mautic" })[0].content,
    "mautic-install.sh": renderInstallScript({
        domain: s.domain,
        adminEmail: s.adminEmail,
        adminUsername: s.adminUsername,
        adminFirstName: s.adminFirstName,
        adminLastName: s.adminLastName,
        dbName,
        dbUser,
    }),
    "admin-username": `${s.adminUsername}\n`,
    "mailer-from": `${s.mailerFromEmail}\n`,
    // api_base: the instance's address, not 127.0.0.1 (this machine's 127.0.0.1:80 is not ours);
    // the call still comes from 127.0.0.1 (the source of every 127/8 route), the trusted proxy.
    "doi-config.json": renderDoiEndpointConfig({
        ...siteDoiEndpointInput(s, { doiSecret: secret("doi-secret"), adminPassword: secret("admin-password") }),
        apiBase: `http://${ip}`,
    }),
};
// The host's mautic-privacy-maintenance (run with PATH=INST/bin:$PATH so `docker` is the shim);
// its data dir (the DSR journal) is the instance's data/ instead of the volume's mount point.
const maintenance = renderPrivacyMaintenanceFiles({
    dataDir: path.resolve(out, "..", "data"),
    dbContainer: containerNames.db,
    database: dbName,
    unconfirmedContactDays: s.unconfirmedContactDays,
    unsubscribedMinimiseDays: s.unsubscribedMinimiseDays,
    consentProofYears: s.consentProofYears,
}).find((f) => f.path === privacyMaintenancePaths.script)!;
files["mautic-privacy-maintenance"] = maintenance.content;
for (const f of doiEndpointFiles()) files[`doi-endpoint/${f.path.slice(doiEndpointPaths.dir.length + 1)}`] = f.content;
for (const role of ["mautic_web", "mautic_cron", "mautic_worker"] as const) {
    const env = renderMauticEnv({ role, dbName, dbUser, dbPassword: secret("db-password"), timezone: s.timezone });
    files[`env.${role}`] = `${env.join("\n")}\n`;
}
fs.mkdirSync(path.join(out, "doi-endpoint"), { recursive: true, mode: 0o700 });
const secretFiles = ["parameters_local.php", "doi-config.json"];
for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(out, name), content, {
        mode: name.startsWith("env.") || secretFiles.includes(name) ? 0o600 : name === "mautic-privacy-maintenance" ? 0o750 : 0o644,
    });
}
process.stdout.write(`rendered ${Object.keys(files).length} files into ${out}\n`);
