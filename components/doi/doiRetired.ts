/**
 * Objects of earlier kit versions that the DOI endpoint does not use. The kit never deletes a
 * marketer's object (it may hold edits, and a form's results are consent evidence): while one
 * exists, every deploy (and `npm run verify`) reports it in `drift`, with what to do.
 * Split from doiBlueprint.ts by concern.
 */
import type { RetiredObject } from "./doiBlueprint";
import { doiNames } from "./doiNames";
import { doiLanguages } from "./doiSettings";

const endpointNote = "the kit's DOI endpoint (https://<mautic>/kit/doi/form, POST /kit/doi/signup) replaced it";

export function retiredObjects(): RetiredObject[] {
    const out: RetiredObject[] = [
        {
            resource: "campaigns",
            matchBy: "name",
            matchValue: "DOI: record confirmation",
            reason: "it belongs to the retired flow that confirmed contacts by a page visit",
            fix: "unpublish the campaign 'DOI: record confirmation' in Mautic, then delete it",
        },
        {
            resource: "campaigns",
            matchBy: "name",
            matchValue: "DOI: delete unconfirmed contacts",
            reason: "it confirms on a click (a GET that link scanners follow) and deletes contacts that existed before the sign-up",
            fix: "unpublish the campaign 'DOI: delete unconfirmed contacts' in Mautic once its last contacts have passed their deletion date, then delete it",
        },
    ];
    for (const lang of doiLanguages) {
        out.push(
            {
                resource: "forms",
                matchBy: "name",
                matchValue: `DOI: sign-up form (${lang})`,
                reason: `it belongs to the retired click-confirmation flow; ${endpointNote}`,
                fix: `unpublish the form 'DOI: sign-up form (${lang})' in Mautic and keep it for its results (consent evidence); point the website's sign-up at /kit/doi/signup`,
            },
            {
                resource: "campaigns",
                matchBy: "name",
                matchValue: doiNames.campaign(lang),
                reason: `${endpointNote}; the campaign confirmed on a page hit that waits in the hit queue and cannot tell a sign-up from other contacts (issue 19)`,
                fix: `unpublish the campaign '${doiNames.campaign(lang)}' in Mautic once no contact waits in it (the endpoint's safety net deletes unconfirmed sign-ups), then delete it`,
            },
            {
                resource: "forms",
                matchBy: "name",
                matchValue: doiNames.form(lang),
                reason: `${endpointNote}; this form confirms nothing and feeds the retired campaign`,
                fix: `unpublish the form '${doiNames.form(lang)}' in Mautic (keep it for its results: consent evidence of earlier sign-ups) and point the website's sign-up at /kit/doi/signup`,
            },
            {
                resource: "forms",
                matchBy: "name",
                matchValue: doiNames.confirmForm(lang),
                reason: `${endpointNote}; its hidden e-mail came from the URL, so anyone who knew an address could confirm it`,
                fix: `unpublish the form '${doiNames.confirmForm(lang)}' in Mautic, then delete it once the retired campaign is gone`,
            },
            {
                resource: "pages",
                matchBy: "alias",
                matchValue: doiNames.pageAlias(lang),
                reason: `${endpointNote} (its confirmation page is /kit/doi/confirm)`,
                fix: `unpublish the landing page '${doiNames.pageAlias(lang)}' in Mautic, then delete it`,
            },
        );
    }
    return out;
}
