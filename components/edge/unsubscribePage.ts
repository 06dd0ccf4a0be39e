/**
 * The page the edge answers for a plain GET (or HEAD) of Mautic's unsubscribe links
 * (`/email/unsubscribe/...`, `/email/dnc/...`): one button that POSTs to the same URL, which the
 * edge passes to Mautic. Mautic 5.2.1 accepts every method on these routes and unsubscribes on a
 * GET (EmailBundle/Controller/PublicController.php, unsubscribeAction, unsubscribeAllAction), so
 * a mail scanner that follows the link would unsubscribe the recipient; the one-click POST of
 * RFC 8058 (`List-Unsubscribe=One-Click`, which Mautic's List-Unsubscribe-Post header announces)
 * and the button's POST reach Mautic unchanged. Pure: the page is a template, its CSP names the
 * one inline style by hash.
 */
import { createHash } from "crypto";
import { renderTemplate } from "../shared/template";

/** The page's only style (inline, allowed by its hash; no font or image from anywhere). */
export const unsubscribePageStyle =
    "body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#222;background:#f6f6f6}" +
    "main{max-width:34rem;margin:3rem auto;padding:1.5rem 2rem;background:#fff;border:1px solid #ddd;border-radius:6px}" +
    "h1{font-size:1.25rem;margin:0 0 .5rem}section+section{margin-top:1.25rem;padding-top:1rem;border-top:1px solid #eee}" +
    "button{margin-top:1.5rem;font:inherit;padding:.6rem 1.2rem;border:0;border-radius:4px;background:#2b5797;color:#fff;cursor:pointer}";

/** The page's HTML. Refuses a text the Caddyfile cannot carry in a backtick-quoted token. */
export function renderUnsubscribePage(): string {
    // One line: `caddy fmt` re-indents the lines of a multi-line token.
    const html = renderTemplate("caddyfile/unsubscribe.html", { style: unsubscribePageStyle }).split("\n").map((l) => l.trim()).join("");
    if (html.includes("`") || html.includes("{$")) throw new Error("templates/caddyfile/unsubscribe.html: no backtick and no '{$' (the Caddyfile quotes the page in backticks and expands {$ENV})");
    return html;
}

/** The page's CSP: nothing loads, the style by its hash, the form posts only to Mautic itself, nothing frames it. */
export function unsubscribePageCsp(): string {
    const hash = createHash("sha256").update(unsubscribePageStyle, "utf8").digest("base64");
    return `default-src 'none'; style-src 'sha256-${hash}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;
}

/**
 * The paths whose GET the edge answers with the page (RE2, also behind `/index.php`, any case,
 * as Mautic's router sees them): the unsubscribe and do-not-contact links with an id hash.
 */
export const unsubscribePathRegexp = "(?i)^(/index\\.php)?/email/(unsubscribe|dnc)/[^/]+";
