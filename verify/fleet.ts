/**
 * The fleet page of `npm run verify -- --all`: one row per client (stack) with the live
 * compliance result, backup age, certificate expiry, pending updates and the Mautic version.
 * Static HTML, no script, readable at 400 % zoom (the table scrolls inside its own box).
 */
import { Verified } from "./report";

export interface FleetRow {
    stack: string;
    domain: string;
    /** e.g. "13/15 items verified live, 0 failed" or "not verified". */
    compliance: string;
    ok: boolean;
    backupAge: string;
    certExpiry: string;
    pendingUpdates: string;
    mauticVersion: string;
    failed: string[];
}

const find = (v: Verified, id: string) => v.checks.find((c) => c.id === id);

export function fleetRowFrom(stack: string, domain: string, mauticVersion: string, v: Verified): FleetRow {
    const live = v.items.filter((i) => i.status !== "not-live").length;
    const bad = v.items.filter((i) => i.status === "fail").length;
    const backup = find(v, "backup");
    const cert = find(v, "edge-certificate");
    const updates = find(v, "unattended-upgrades");
    return {
        stack,
        domain,
        compliance: `${live - bad}/${v.items.length} items verified live${bad ? `, ${bad} failed` : ""}`,
        ok: v.ok,
        backupAge: backup ? (/(\d+\.\d) h old/.exec(backup.evidence)?.[1] ?? "?") + " h" + (backup.status === "fail" ? " (FAIL)" : "") : "not checked",
        certExpiry: cert ? `${/\((-?\d+) days left\)/.exec(cert.evidence)?.[1] ?? "?"} days` + (cert.status === "fail" ? " (FAIL)" : "") : "not checked",
        pendingUpdates: updates ? (/(\d+) update\(s\) pending/.exec(updates.evidence)?.[1] ?? "?") : "not checked",
        mauticVersion,
        failed: v.failed,
    };
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function renderFleetPage(rows: FleetRow[], generatedAt: string): string {
    const ok = rows.filter((r) => r.ok).length;
    const body = rows
        .map(
            (r) => `      <tr class="${r.ok ? "ok" : "fail"}">
        <th scope="row"><a href="${esc(encodeURIComponent(r.stack))}/verified.md">${esc(r.stack)}</a><br><span class="dom">${esc(r.domain)}</span></th>
        <td>${r.ok ? "OK" : "FAILED"}: ${esc(r.compliance)}${r.failed.length ? `<br><span class="why">${esc(r.failed.join(", "))}</span>` : ""}</td>
        <td>${esc(r.backupAge)}</td>
        <td>${esc(r.certExpiry)}</td>
        <td>${esc(r.pendingUpdates)}</td>
        <td>${esc(r.mauticVersion)}</td>
      </tr>`,
        )
        .join("\n");
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mautic fleet: ${ok}/${rows.length} verified</title>
<style>
  body { font: 16px/1.4 system-ui, sans-serif; margin: 1rem; color: #1a1a1a; }
  .scroll { overflow-x: auto; }
  table { border-collapse: collapse; min-width: 40rem; }
  th, td { border: 1px solid #999; padding: .4rem .6rem; text-align: left; vertical-align: top; }
  thead th { background: #eee; }
  tr.ok td:nth-child(2) { background: #e3f4e3; }
  tr.fail td:nth-child(2) { background: #fbe3e3; font-weight: 600; }
  .dom, .why { font-size: .85em; color: #444; font-weight: normal; }
</style>
</head>
<body>
<h1>Mautic fleet</h1>
<p>${ok} of ${rows.length} client stack(s) passed every live check. Generated ${esc(generatedAt)} by <code>npm run verify -- --all</code>.</p>
<div class="scroll" role="region" aria-label="Clients" tabindex="0">
  <table>
    <thead>
      <tr><th scope="col">Client (stack)</th><th scope="col">Compliance (live)</th><th scope="col">Backup age</th><th scope="col">Certificate expiry</th><th scope="col">Pending updates</th><th scope="col">Mautic version</th></tr>
    </thead>
    <tbody>
${body}
    </tbody>
  </table>
</div>
</body>
</html>
`;
}
