/**
 * Renders the kit's security check and alert script for a local instance's evidence run
 * (security-scenario.sh): the check reads the given edge access log, the alert script mails the
 * instance's SMTP sink. usage: ts-node security-render.ts --ip IP --domain D --edge-log FILE --out DIR
 */
import * as fs from "fs";
import * as path from "path";
import { alertPaths, renderAlertFiles, renderAlertSecretFiles } from "../../components/host/alerts";
import { renderSecurityAlertFiles, securityPaths } from "../../components/host/securityAlerts";

function arg(name: string): string {
    const i = process.argv.indexOf(`--${name}`);
    const v = i >= 0 ? process.argv[i + 1] : undefined;
    if (!v) throw new Error(`--${name} is required (usage: security-render.ts --ip IP --domain D --edge-log FILE --out DIR)`);
    return v;
}

const out = arg("out");
const domain = arg("domain");
const admin = `ops@${domain}`;
fs.mkdirSync(path.join(out, "alertconf"), { recursive: true, mode: 0o700 });
const sec = renderSecurityAlertFiles({
    dataDir: "/srv/mautic",
    dbContainer: "mautic_db",
    database: "mautic",
    staffAccessLogDays: 180,
    edgeAccessLog: arg("edge-log"),
});
fs.writeFileSync(path.join(out, "mautic-kit-security"), sec.find((f) => f.path === securityPaths.script)!.content, { mode: 0o750 });
const alerts = renderAlertFiles({ adminEmail: admin, domain, backupDir: "/srv/mautic/backups", offsiteExpected: false, containers: [] });
fs.writeFileSync(path.join(out, "mautic-kit-alert"), alerts.find((f) => f.path === alertPaths.alertScript)!.content, { mode: 0o750 });
for (const f of renderAlertSecretFiles({ adminEmail: admin, mailerDsn: `smtp://${arg("ip")}:25` }))
    fs.writeFileSync(path.join(out, "alertconf", path.basename(f.path)), f.content, { mode: 0o600 });
// The check's overrides: state and staff log in the work dir, alerts through the rendered script.
const conf = [`STATE_DIR='${out}/state'`, `STAFF_LOG='${out}/staff-access.log'`, `ALERT_BIN='${out}/mautic-kit-alert'`];
fs.writeFileSync(path.join(out, "security.conf"), `${conf.join("\n")}\n`, { mode: 0o600 });
