// Module hook for observatory-scan.mjs. @mdn/mdn-http-observatory 1.4.8's library function
// `scan(hostname, options)` calls `retrieve(hostname)` without the options, so `path`, `httpPort`
// and `httpsPort` are silently ignored and it always scans http://host:80/ and https://host:443/
// (fixed upstream after 1.4.8 by mdn/mdn-http-observatory#302, "Support port numbers and path";
// the retriever already supports them). This hook passes the options on, changing nothing else
// of the scanner, and refuses to run if the scanner's source no longer looks as expected.
const target = /\/@mdn\/mdn-http-observatory\/src\/scanner\/index\.js$/;

export async function load(url, context, nextLoad) {
    const result = await nextLoad(url, context);
    if (!target.test(url)) return result;
    const source = String(result.source);
    if (/retrieve\(hostname,\s*options\)/.test(source)) return result; // a fixed release
    const patched = source.replace("retrieve(hostname);", "retrieve(hostname, options);");
    if (patched === source) {
        throw new Error(`observatory-hooks: scanner source changed, cannot forward scan options (${url})`);
    }
    return { ...result, source: patched, shortCircuit: true };
}
