/** The readable summary of an export (Art. 15): what is stored, grouped the way a person asks. */
import { PersonExport, rowCount } from "./request";

const SECTIONS: Array<[title: string, tables: RegExp]> = [
    ["Segments", /^lead_lists_leads$/],
    ["Tags", /^lead_tags_xref$/],
    ["Campaigns", /^campaign_(leads|lead_event_log|lead_event_failed_log)$/],
    ["Form submissions", /^form_(submissions|results_.*)$/],
    ["Page visits", /^(page_hits|video_hits|lead_utmtags|asset_downloads)$/],
    ["E-mails sent, opened, clicked", /^(email_stats|email_stats_devices|email_stat_replies|email_copies|message_queue)$/],
    ["Notes", /^lead_notes$/],
    ["Do-not-contact entries (objections, unsubscriptions, bounces)", /^lead_donotcontact$/],
    ["Suppression list (a SHA-256 hash of the address and the unsubscribe date, kept after the contact is deleted)", /^kit_suppression$/],
    [
        "Consent and change history",
        /^(lead_event_log|audit_log|lead_points_change_log|lead_stages_change_log|lead_companies_change_log|point_lead_.*|lead_frequencyrules)$/,
    ],
    ["Devices and IP addresses", /^(lead_devices|lead_ips_xref|ip_addresses)$/],
    [
        "Proof of the double-opt-in consent (kept under restriction, Art. 7(1), 17(3)(b),(e), 18 GDPR; keyed by a pseudonym of the address; deleted consentProofYears after the last mailing or withdrawal)",
        /^kit_consent_(ledger|texts)$/,
    ],
];

function value(v: unknown): string {
    if (v === null || v === undefined || v === "") return "";
    const s = typeof v === "string" ? v : JSON.stringify(v);
    return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}

function describeRow(r: Record<string, unknown>, names: PersonExport["names"]): string {
    const ref = (k: string, id: unknown) => (id !== null && id !== undefined && names[k]?.[String(id)] ? ` "${names[k][String(id)]}"` : "");
    const extras = [
        ref("segments", r.leadlist_id),
        ref("campaigns", r.campaign_id),
        ref("campaign_events", r.event_id),
        ref("forms", r.form_id),
        ref("emails", r.email_id),
        ref("tags", r.tag_id),
        ref("pages", r.page_id),
    ].join("");
    const fields = Object.entries(r)
        .filter(([k, v]) => value(v) !== "" && !/^(id|lead_id)$/.test(k))
        .map(([k, v]) => `${k}=${value(v)}`)
        .join("; ");
    return `  -${extras} ${fields}`;
}

export function summary(e: PersonExport): string {
    const out: string[] = [
        `Data stored about ${e.subject}`,
        `Generated ${e.generatedAt} from ${e.source}; ${rowCount(e)} records in ${Object.keys(e.tables).length} tables.`,
        "",
        `Contact profile (${e.contacts.length}):`,
    ];
    for (const c of e.contacts) {
        for (const [k, v] of Object.entries(c)) if (value(v) !== "") out.push(`  ${k}: ${value(v)}`);
        out.push("");
    }
    const done = new Set(["leads"]);
    for (const [title, re] of SECTIONS) {
        const tables = Object.keys(e.tables).filter((t) => re.test(t) && !done.has(t));
        if (tables.length === 0) continue;
        out.push(`${title}:`);
        for (const t of tables) {
            done.add(t);
            out.push(` ${t} (${e.tables[t].length})`);
            for (const r of e.tables[t]) out.push(describeRow(r, e.names));
        }
        out.push("");
    }
    const rest = Object.keys(e.tables).filter((t) => !done.has(t));
    if (rest.length > 0) {
        out.push("Other records:");
        for (const t of rest) {
            out.push(` ${t} (${e.tables[t].length})`);
            for (const r of e.tables[t]) out.push(describeRow(r, e.names));
        }
        out.push("");
    }
    if (e.journal.length > 0) {
        out.push("Erasure journal (on our server, outside the database; a hash of the address, the date, and whether you objected):");
        for (const l of e.journal) out.push(`  ${l}`);
        out.push("");
    }
    const i = e.information;
    if (i) {
        out.push(`Information under Art. 15(1) GDPR (periods from ${i.figuresFrom}):`, " Purposes and legal bases:");
        for (const p of i.purposes) out.push(`  - ${p.purpose}: ${p.legalBasis}`);
        out.push(" Recipients:", ...i.recipients.map((r) => `  - ${r}`), " Storage periods:");
        for (const s of i.storagePeriods) out.push(`  - ${s.data}: ${s.period}`);
        out.push(` Source: ${i.source}`, " Your rights:", ...i.rights.map((r) => `  - ${r}`), ` Automated decisions: ${i.automatedDecisions}`, "");
    }
    out.push("The complete data and this information, machine-readable (Art. 20 GDPR), are in the accompanying JSON file.");
    return `${out.join("\n")}\n`;
}
