/**
 * The client's website for the tracking-snippet tests: an https server on loopback that serves
 * whatever pages the test puts into `pages` (by path), whatever host name the browser used.
 * The test builds each page around the snippet exactly as rendered.
 */
import * as https from "https";
import { closeServer, listenInRange, TestCert } from "./loopback";

export interface LocalSite {
    port: number;
    /** Path -> response. Set by the test after the origins are known. */
    pages: Map<string, { type: string; body: string }>;
    /** Every request the site received, as "METHOD host path". */
    hits: string[];
    close(): Promise<void>;
}

export async function startLocalSite(cert: TestCert): Promise<LocalSite> {
    const pages = new Map<string, { type: string; body: string }>();
    const hits: string[] = [];
    const server = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
        const url = new URL(req.url ?? "/", "https://site.invalid");
        hits.push(`${req.method} ${req.headers.host} ${url.pathname}`);
        const page = pages.get(url.pathname);
        res.setHeader("Cache-Control", "no-store");
        if (url.pathname === "/favicon.ico") {
            res.writeHead(204).end();
            return;
        }
        if (!page) {
            res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
            return;
        }
        res.writeHead(200, { "Content-Type": page.type });
        res.end(page.body);
    });
    const port = await listenInRange(server);
    return { port, pages, hits, close: () => closeServer(server) };
}

/** A page of the website: `<html lang>`, some content, a tracked button and link, then `bodyEnd`. */
export function sitePage(opts: { lang?: string | null; title?: string; bodyEnd: string; head?: string }): string {
    const lang = opts.lang === null ? "" : ` lang="${opts.lang ?? "en"}"`;
    return `<!DOCTYPE html>
<html${lang}>
<head>
<meta charset="utf-8">
<title>${opts.title ?? "Client A"}</title>
${opts.head ?? ""}
</head>
<body>
<main>
<h1>${opts.title ?? "Client A"}</h1>
<p><a id="next" href="/page2">Next page</a></p>
<p><button id="buy" type="button" data-track="buy">Buy</button></p>
<p><a id="settings-link" href="#" data-mautic-consent-open>Privacy settings</a></p>
</main>
${opts.bodyEnd}
</body>
</html>
`;
}
