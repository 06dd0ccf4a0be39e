/**
 * Puts the kit's real edge in front of a local instance: the Caddyfile rendered by
 * components/edge/caddyfile.ts in test mode (Caddy's local CA, loopback, free ports; the same
 * runner as the edge tests, tests/support/edge-caddy.ts), upstream the instance's Apache (IP:80),
 * domain and website as render.ts gives Mautic. Writes the edge's ports and CA path as JSON to
 * --info FILE and runs until SIGTERM/SIGINT.
 *
 * usage: ts-node edge.ts --domain NAME.mautic.test --ip IP --info FILE [--website ORIGIN]
 * (--website: the instance's website, default https://www.example.org as up.sh's)
 * A browser reaches it with --host-resolver-rules="MAP NAME.mautic.test:443 127.0.0.1:<httpsPort>".
 */
import * as fs from "fs";
import { startEdge } from "../../tests/support/edge-caddy";

function arg(name: string): string {
    const i = process.argv.indexOf(`--${name}`);
    const v = i >= 0 ? process.argv[i + 1] : undefined;
    if (!v) throw new Error(`--${name} is required (usage: edge.ts --domain D --ip IP --info FILE)`);
    return v;
}

async function main() {
    const domain = arg("domain");
    const w = process.argv.indexOf("--website");
    const website = w >= 0 ? process.argv[w + 1] : "https://www.example.org";
    const edge = await startEdge({ domain, website, upstream: `${arg("ip")}:80`, acmeEmail: undefined });
    fs.writeFileSync(
        arg("info"),
        JSON.stringify(
            {
                domain,
                website,
                httpPort: edge.httpPort,
                httpsPort: edge.httpsPort,
                caCertPath: edge.caCertPath,
                accessLogPath: edge.accessLogPath,
                pid: process.pid,
            },
            null,
            2,
        ),
    );
    process.stdout.write(`edge: https://${domain} on 127.0.0.1:${edge.httpsPort} (http ${edge.httpPort})\n`);
    const stop = async () => {
        await edge.stop();
        process.exit(0);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
}

main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
});
