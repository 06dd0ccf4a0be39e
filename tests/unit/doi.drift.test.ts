/**
 * What ensureDoiSetup reports as drift in any e-mail on the Mautic, the marketers' own included:
 * no {unsubscribe_text} (no one-click withdrawal), open tracking (pixel token, mtracking.gif,
 * copied /email/<hash>.gif) and third-country fonts or stylesheets; the kit's own DOI e-mails
 * carry none of them. Against the fake Mautic API (tests/support/fakeMauticApi.ts).
 */
import { ensureDoiSetup } from "../../components/doi/doiProvisioner";
import { blueprint, footer, freshFake, stopFakes } from "../support/doi-fake-client";

afterAll(stopFakes);

describe("an e-mail without {unsubscribe_text} (no one-click withdrawal) is drift (issue 20 item 5)", () => {
    test("a marketer's e-mail without the token is reported with its fix; one with it and the kit's DOI e-mails are not", async () => {
        const { fake, client } = await freshFake();
        await ensureDoiSetup(client, blueprint);
        fake.seed("emails", { name: "Newsletter July", subject: "News", emailType: "list", customHtml: "<p>no footer</p>", lists: [1] });
        fake.seed("emails", { name: "Newsletter August", subject: "News", emailType: "list", customHtml: `<p>ok</p>${footer}`, lists: [1] });
        const drift = (await ensureDoiSetup(client, blueprint)).drift.filter((d) => d.startsWith("emails "));
        expect(drift).toEqual([
            expect.stringMatching(
                /^emails 'Newsletter July' \(id \d+\) lacks \{unsubscribe_text\}: .*one-click withdrawal of the profiling consent.*Fix: put \{unsubscribe_text\}/,
            ),
        ]);
    });
});

describe("open tracking in any e-mail is drift (issue 19 item 6)", () => {
    test.each([
        ["the {tracking_pixel} token", '<p>Hi</p><img src="{tracking_pixel}" alt="">', /carries the \{tracking_pixel\} token/],
        ["a raw mtracking.gif", '<img src="https://marketing.client-a.de/mtracking.gif?x=1">', /carries mtracking\.gif/],
        [
            "an /email/<hash>.gif pixel copied from a sent mail",
            '<img src="https://marketing.client-a.de/email/5f3a9c.gif">',
            /carries an \/email\/<hash>\.gif open pixel/,
        ],
    ])("a marketer's e-mail with %s is reported with its fix; a clean one is not", async (_what, html, re) => {
        const { fake, client } = await freshFake();
        await ensureDoiSetup(client, blueprint);
        fake.seed("emails", { name: "Newsletter March", subject: "News", emailType: "list", customHtml: `${html}${footer}`, lists: [1] });
        fake.seed("emails", { name: "Newsletter April", subject: "News", emailType: "list", customHtml: `<p>clean</p>${footer}`, lists: [1] });
        const drift = (await ensureDoiSetup(client, blueprint)).drift.filter((d) => d.startsWith("emails 'Newsletter"));
        expect(drift).toEqual([expect.stringMatching(re)]);
        expect(drift[0]).toMatch(/^emails 'Newsletter March' \(id \d+\) carries .*opens would be measured.*Fix: remove it/);
    });

    test("the kit's own DOI e-mails carry no open tracking", async () => {
        const { client } = await freshFake();
        const r = await ensureDoiSetup(client, blueprint);
        expect(r.drift.filter((d) => d.startsWith("emails "))).toEqual([]);
    });
});

describe("third-country fonts and stylesheets in any e-mail are drift (issue 20 item 1)", () => {
    test.each([
        [
            "Google Fonts as Mautic's neopolitan e-mail theme links them",
            '<head><link href="https://fonts.googleapis.com/css?family=Open+Sans" rel="stylesheet"></head>',
            /loads Google Fonts \(fonts\.googleapis\.com \/ fonts\.gstatic\.com\)/,
        ],
        ["a font file @import-ed from fonts.gstatic.com", "<style>@font-face{src:url(//fonts.gstatic.com/s/x.woff2)}</style>", /loads Google Fonts/],
        [
            "the bootstrapcdn stylesheet of Mautic's message pages",
            '<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/3.3.7/css/bootstrap.min.css">',
            /loads a bootstrapcdn\.com stylesheet/,
        ],
    ])("a marketer's e-mail with %s is reported with its fix; a clean one is not", async (_what, html, re) => {
        const { fake, client } = await freshFake();
        await ensureDoiSetup(client, blueprint);
        fake.seed("emails", { name: "Newsletter May", subject: "News", emailType: "list", customHtml: `${html}${footer}`, lists: [1] });
        fake.seed("emails", {
            name: "Newsletter June",
            subject: "News",
            emailType: "list",
            customHtml: `<p>Text with a link to <a href="https://fonts.example.org/">fonts.example.org</a></p>${footer}`,
            lists: [1],
        });
        const drift = (await ensureDoiSetup(client, blueprint)).drift.filter((d) => d.startsWith("emails 'Newsletter"));
        expect(drift).toEqual([expect.stringMatching(re)]);
        expect(drift[0]).toMatch(
            /^emails 'Newsletter May' \(id \d+\) loads .* in every recipient's mail client: a transfer to a third country .*Fix: remove the <link>\/@import/,
        );
    });

    test("the kit's own DOI e-mails load nothing from a CDN", async () => {
        const { client } = await freshFake();
        const r = await ensureDoiSetup(client, blueprint);
        expect(r.drift.filter((d) => / loads /.test(d))).toEqual([]);
    });
});
