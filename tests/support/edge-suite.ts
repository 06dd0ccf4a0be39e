/**
 * The live edge suites split from one (tests/live/edge.headers.live.test.ts, edge.accesslog,
 * edge.forget, edge.adminui): start the stub that answers like Mautic and, in front of it, one
 * live Caddy per named site setting; and the checks they share on what the edge answered.
 */
import * as crypto from "crypto";
import { CaddyfileInput } from "../../components/edge/caddyfile";
import { unsubscribePageStyle } from "../../components/edge/unsubscribePage";
import { EdgeResponse, RunningEdge, startEdge } from "./edge-caddy";
import { EdgeClass, expectedHeaders, managedHeaders } from "./edge-expectations";
import { EdgeStub, startEdgeStub } from "./edge-stub";
import { requireTool } from "./tools";

type SiteSettings = Partial<Omit<CaddyfileInput, "test" | "accessLogPath" | "upstream">>;
let running: { stub?: EdgeStub; edges: RunningEdge[] } = { edges: [] };

/**
 * Starts the stub, then one edge per entry of `sites` (one after the other, each kept as soon as
 * it runs, so a failed start leaves nothing behind for stopEdgeSuite to miss). Call stopEdgeSuite
 * in afterAll.
 */
export async function startEdgeSuite<K extends string>(sites: Record<K, SiteSettings>): Promise<{ stub: EdgeStub } & Record<K, RunningEdge>> {
    requireTool("caddy");
    requireTool("openssl");
    const stub = await startEdgeStub();
    running = { stub, edges: [] };
    const edges = {} as Record<K, RunningEdge>;
    for (const [name, settings] of Object.entries(sites) as [K, SiteSettings][]) {
        edges[name] = await startEdge({ upstream: `127.0.0.1:${stub.port}`, ...settings });
        running.edges.push(edges[name]);
    }
    return { stub, ...edges };
}

/** Stops every edge startEdgeSuite started in this test file, then the stub. */
export async function stopEdgeSuite(): Promise<void> {
    await Promise.all(running.edges.map((e) => e.stop()));
    await running.stub?.close();
}

/** The response carries exactly the managed headers of path class `cls` (tests/support/edge-expectations.ts). */
export function expectHeaderSet(res: EdgeResponse, cls: EdgeClass, website: string, opts: { gravatar?: boolean } = {}) {
    const expected = expectedHeaders(cls, website, { ...opts, styleSha256: crypto.createHash("sha256").update(unsubscribePageStyle).digest("base64") });
    const actual: Record<string, string | undefined> = {};
    for (const h of managedHeaders) {
        const v = res.headers[h];
        actual[h] = Array.isArray(v) ? v.join(" | ") : v;
    }
    expect(actual).toEqual(expected);
}

/** Requests the stub received for this raw path, so far. */
export const stubRequestsTo = (stub: EdgeStub, rawPath: string) => stub.requests.filter((r) => r.url === rawPath).length;
