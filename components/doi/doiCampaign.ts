/**
 * The DOI campaign of one language (source: that language's sign-up form), as the payload of
 * `POST /api/campaigns/new`. Split from doiBlueprint.ts by concern; see there for the flow.
 *
 *   [Known contact?] lead.tags doi-confirmed / doi-keep
 *     yes -> lead.changetags -doi-pending            (the sign-up changes nothing on it)
 *     no  -> [On do-not-contact for email?] lead.dnc
 *              yes -> lead.changetags -doi-pending    (its DNC entry stays as it is)
 *              no  -> email.send (transactional confirmation e-mail)
 *                       -> <Opened the confirmation link?> email.click (urls: /<page alias>)
 *                            yes -> <Pressed the confirm button?> form.submit (confirm form)
 *                                     yes -> lead.changetags +doi-confirmed -doi-pending
 *                                            lead.updatelead consent_date=now, version, language
 *                                            [Agreed to click measurement?] form.field_value
 *                                              yes -> lead.updatelead tracking_consent=<value>
 *                                     no (N days) -> lead.deletecontact
 *                            no (N days) -> lead.deletecontact
 *
 * Tags are NAMES in campaign events (IDs there create a tag named "2"; docs/facts/mautic.md).
 */
import type { DoiLanguage, DoiSettings, DriftCheck, JsonObject, JsonValue } from "./doiBlueprint";

export interface EventSpec {
    id: string;
    name: string;
    type: string;
    eventType: "action" | "condition" | "decision";
    properties: JsonObject;
    parent: string | null;
    decisionPath: "yes" | "no" | null;
    /** Days to wait; for a "no" path event: days after the parent ran without the decision. */
    delayDays?: number;
}

/** Names of one campaign's events; drift checks look them up by name. */
export const doiEventNames = {
    known: "Known contact (doi-confirmed or doi-keep)?",
    knownUndo: "Known contact: remove doi-pending again",
    dnc: "On the do-not-contact list for email?",
    dncUndo: "Do-not-contact: remove doi-pending again",
    send: "Send the confirmation email",
    clicked: "Opened the confirmation link?",
    pressed: "Pressed the confirm button?",
    tag: "Confirmed: tag doi-confirmed",
    consent: "Confirmed: record consent_date, version, language",
    tracking: "Agreed to click measurement?",
    trackingSet: "Record the click-measurement consent",
    deleteNoClick: "Not confirmed (link not opened): delete contact",
    deleteNoPress: "Not confirmed (button not pressed): delete contact",
} as const;

export interface CampaignRefs {
    email: JsonValue;
    signupForm: JsonValue;
    confirmForm: JsonValue;
}

export interface CampaignNames {
    tags: { pending: string; confirmed: string; keep: string };
    fields: { consentDate: string; consentTextVersion: string; consentLanguage: string; trackingConsent: string };
    /** Alias of the sign-up form's optional tracking checkbox, and the value a ticked box submits. */
    trackingFormField: string;
    trackingValue: string;
    /** Substring of the confirmation page URL the click decision accepts. */
    confirmLinkFilter: string;
}

/** The events of one language's campaign. */
export function doiCampaignEvents(s: DoiSettings, lang: DoiLanguage, refs: CampaignRefs, n: CampaignNames): EventSpec[] {
    const e = (id: string, name: string, type: string, eventType: EventSpec["eventType"], properties: JsonObject, parent: string | null, decisionPath: EventSpec["decisionPath"], delayDays?: number): EventSpec =>
        ({ id, name, type, eventType, properties, parent, decisionPath, ...(delayDays ? { delayDays } : {}) });
    const N = doiEventNames;
    return [
        e("new_1", N.known, "lead.tags", "condition", { tags: [n.tags.confirmed, n.tags.keep] }, null, null),
        e("new_2", N.knownUndo, "lead.changetags", "action", { add_tags: [], remove_tags: [n.tags.pending] }, "new_1", "yes"),
        e("new_3", N.dnc, "lead.dnc", "condition", { channels: ["email"] }, "new_1", "no"),
        e("new_4", N.dncUndo, "lead.changetags", "action", { add_tags: [], remove_tags: [n.tags.pending] }, "new_3", "yes"),
        // Transactional: not a marketing email, so Mautic's frequency rules do not hold it back.
        e("new_5", N.send, "email.send", "action", { email: refs.email, email_type: "transactional", priority: 2, attempts: 3 }, "new_3", "no"),
        e("new_6", N.clicked, "email.click", "decision", { urls: { list: [n.confirmLinkFilter] } }, "new_5", null),
        e("new_7", N.pressed, "form.submit", "decision", { forms: [refs.confirmForm] }, "new_6", "yes"),
        e("new_8", N.tag, "lead.changetags", "action", { add_tags: [n.tags.confirmed], remove_tags: [n.tags.pending] }, "new_7", "yes"),
        e("new_9", N.consent, "lead.updatelead", "action", {
            [n.fields.consentDate]: "now",
            [n.fields.consentTextVersion]: s.consentTextVersion,
            [n.fields.consentLanguage]: lang,
        }, "new_7", "yes"),
        e("new_10", N.tracking, "form.field_value", "condition", { form: refs.signupForm, field: n.trackingFormField, operator: "=", value: n.trackingValue }, "new_7", "yes"),
        e("new_11", N.trackingSet, "lead.updatelead", "action", { [n.fields.trackingConsent]: n.trackingValue }, "new_10", "yes"),
        e("new_12", N.deleteNoPress, "lead.deletecontact", "action", {}, "new_7", "no", s.unconfirmedContactDays),
        e("new_13", N.deleteNoClick, "lead.deletecontact", "action", {}, "new_6", "no", s.unconfirmedContactDays),
    ];
}

/** Turns a tree of events into Mautic's campaign payload (events + canvas), with forms as the source. */
export function campaignPayload(base: JsonObject, forms: JsonValue[], specs: EventSpec[]): JsonObject {
    const level = new Map<string, number>();
    for (const e of specs) level.set(e.id, e.parent === null ? 1 : level.get(e.parent)! + 1);
    const events: JsonValue[] = specs.map((e) => ({
        id: e.id,
        name: e.name,
        description: null,
        type: e.type,
        eventType: e.eventType,
        order: level.get(e.id)!,
        properties: e.properties,
        triggerMode: e.delayDays ? "interval" : "immediate",
        triggerInterval: e.delayDays ?? 0,
        triggerIntervalUnit: "d",
        triggerDate: null,
        children: specs.filter((c) => c.parent === e.id).map((c) => c.id),
        parent: e.parent,
        decisionPath: e.decisionPath,
    }));
    // Canvas: the source on top, each level one row lower, siblings side by side.
    const column = new Map<string, number>();
    let nextLeaf = 0;
    const place = (id: string): number => {
        const kids = specs.filter((c) => c.parent === id);
        const x = kids.length === 0 ? nextLeaf++ : kids.map((k) => place(k.id)).reduce((a, b) => a + b, 0) / kids.length;
        column.set(id, x);
        return x;
    };
    const roots = specs.filter((e) => e.parent === null);
    roots.forEach((r) => place(r.id));
    const rootX = roots.reduce((a, r) => a + column.get(r.id)!, 0) / roots.length;
    const nodes: JsonValue[] = [
        { id: "forms", positionX: String(Math.round(100 + rootX * 220)), positionY: "50" },
        ...specs.map((e) => ({ id: e.id, positionX: String(Math.round(100 + column.get(e.id)! * 220)), positionY: String(50 + level.get(e.id)! * 150) })),
    ];
    const connections: JsonValue[] = specs.map((e) =>
        e.parent === null
            ? { sourceId: "forms", targetId: e.id, anchors: { source: "leadsource", target: "top" } }
            : { sourceId: e.parent, targetId: e.id, anchors: { source: e.decisionPath ?? "bottom", target: "top" } },
    );
    return { ...base, allowRestart: false, lists: [], forms: forms.map((id) => ({ id })), events, canvasSettings: { nodes, connections } };
}

/** What the kit checks on an existing campaign of one language. */
export function doiCampaignDriftChecks(s: DoiSettings, campaignName: string, n: CampaignNames): DriftCheck[] {
    const N = doiEventNames;
    const recreate = `the campaign '${campaignName}' predates the button confirmation or was rebuilt by hand: in Mautic rename it (e.g. add ' (old)'), unpublish it once its last contacts have passed their deletion date, and deploy again with a new rerunToken so the kit creates the new campaign`;
    const checks: DriftCheck[] = [
        {
            description: "published state (unpublished, no confirmation email is sent and nobody is deleted: C04 and C06 are not enforced)",
            property: "isPublished",
            expected: true,
            fix: `publish the campaign '${campaignName}' in Mautic (Campaigns > select > Publish)`,
        },
        { description: "guard that keeps known contacts untouched", eventName: N.known, property: "type", expected: "lead.tags", fix: recreate },
        { description: "decision that needs the confirm button (explicit action, never a GET)", eventName: N.pressed, property: "type", expected: "form.submit", fix: recreate },
        {
            description: "link that leads to the confirmation page",
            eventName: N.clicked,
            property: "properties.urls.list.0",
            expected: n.confirmLinkFilter,
            fix: `open the campaign '${campaignName}' in Mautic and set the URL of '${N.clicked}' to ${n.confirmLinkFilter} (the path of the confirmation landing page the email links to)`,
        },
    ];
    for (const name of [N.deleteNoClick, N.deleteNoPress]) {
        checks.push(
            {
                description: `days before unconfirmed contacts are deleted ('${name}')`,
                eventName: name,
                property: "triggerInterval",
                expected: s.unconfirmedContactDays,
                fix: `open the campaign '${campaignName}' in Mautic and set the delay of '${name}' to ${s.unconfirmedContactDays} days`,
            },
            { description: `unit of that delay ('${name}')`, eventName: name, property: "triggerIntervalUnit", expected: "d", fix: `set the delay unit of '${name}' to days` },
            {
                description: `delay mode of the deletion ('${name}'; "immediate" would delete at once)`,
                eventName: name,
                property: "triggerMode",
                expected: "interval",
                fix: `set '${name}' to run ${s.unconfirmedContactDays} days after the decision was not made`,
            },
        );
    }
    return checks;
}
