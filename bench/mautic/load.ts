/**
 * A bounded HTTP load: `concurrency` clients, each sending its next request when the last one
 * answered, for `seconds`; keep-alive connections, the Host header of the Mautic, a browser
 * User-Agent (Mautic ignores hits from user agents on its bot list). Steps of rising concurrency
 * find the highest rate whose p95 latency stays under a bound.
 */
import * as http from "http";
import * as https from "https";
import { performance } from "perf_hooks";

export interface HttpRequestSpec {
    method: "GET" | "POST";
    /** Path and query, e.g. /mtracking.gif?page_url=... */
    path: string;
    body?: string;
    contentType?: string;
}

export interface StepResult {
    concurrency: number;
    seconds: number;
    requests: number;
    ok: number;
    errors: number;
    perSecond: number;
    p50Ms: number;
    p95Ms: number;
    maxMs: number;
    /** First error or unexpected status seen, for the report. */
    firstError?: string;
}

/** The q-quantile (0..1) of values by the nearest-rank method; 0 for none. */
export function quantile(values: number[], q: number): number {
    if (values.length === 0) return 0;
    const sorted = [...values].sort((a, b) => a - b);
    const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
    return sorted[rank - 1];
}

export const browserUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";

export interface LoadTarget {
    baseUrl: string;
    hostHeader?: string;
}

function send(agent: http.Agent, target: LoadTarget, spec: HttpRequestSpec, timeoutMs: number): Promise<number> {
    const url = new URL(spec.path, target.baseUrl);
    const mod = url.protocol === "https:" ? https : http;
    const headers: Record<string, string> = { "User-Agent": browserUserAgent, Accept: "*/*" };
    if (target.hostHeader) headers.Host = target.hostHeader;
    if (spec.body !== undefined) {
        headers["Content-Type"] = spec.contentType ?? "application/x-www-form-urlencoded";
        headers["Content-Length"] = String(Buffer.byteLength(spec.body));
    }
    return new Promise((resolve, reject) => {
        const req = mod.request(url, { method: spec.method, headers, agent, timeout: timeoutMs }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
            res.on("error", reject);
        });
        req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
        req.on("error", reject);
        if (spec.body !== undefined) req.write(spec.body);
        req.end();
    });
}

/**
 * One step: `concurrency` clients for `seconds`. `next(i)` makes the i-th request; `accept`
 * says which statuses count as served (the others are errors).
 */
export async function runStep(
    target: LoadTarget,
    concurrency: number,
    seconds: number,
    next: (i: number) => HttpRequestSpec,
    accept: (status: number) => boolean,
    timeoutMs = 30000,
): Promise<StepResult> {
    const agentOpts = { keepAlive: true, maxSockets: concurrency };
    const agent = target.baseUrl.startsWith("https:") ? new https.Agent(agentOpts) : new http.Agent(agentOpts);
    const latencies: number[] = [];
    let counter = 0;
    let errors = 0;
    let firstError: string | undefined;
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    const client = async () => {
        while (performance.now() < end) {
            const spec = next(counter++);
            const s = performance.now();
            try {
                const status = await send(agent, target, spec, timeoutMs);
                latencies.push(performance.now() - s);
                if (!accept(status)) {
                    errors++;
                    firstError ??= `HTTP ${status} for ${spec.method} ${spec.path.split("?")[0]}`;
                }
            } catch (e) {
                latencies.push(performance.now() - s);
                errors++;
                firstError ??= (e as Error).message;
            }
        }
    };
    await Promise.all(Array.from({ length: concurrency }, client));
    agent.destroy();
    const elapsed = (performance.now() - t0) / 1000;
    const requests = latencies.length;
    const ok = requests - errors;
    return {
        concurrency,
        seconds: elapsed,
        requests,
        ok,
        errors,
        perSecond: ok / elapsed,
        p50Ms: quantile(latencies, 0.5),
        p95Ms: quantile(latencies, 0.95),
        maxMs: quantile(latencies, 1),
        firstError,
    };
}

/** Concurrency levels 1, 2, 4, ... up to max (max itself included). */
export function concurrencySteps(max: number): number[] {
    const out: number[] = [];
    for (let c = 1; c < max; c *= 2) out.push(c);
    out.push(max);
    return out;
}

/** The best step: highest served rate with p95 under the bound and under 1 % errors. */
export function bestStep(steps: StepResult[], p95Ms: number): StepResult | undefined {
    const good = steps.filter((s) => s.p95Ms < p95Ms && s.requests > 0 && s.errors / s.requests < 0.01);
    return good.sort((a, b) => b.perSecond - a.perSecond)[0];
}

/**
 * Steps of rising concurrency; stops after the first step whose p95 is over 4 times the bound
 * (saturated: more clients only queue longer) or that fails more than 1 % of requests.
 */
export async function rampUp(
    target: LoadTarget,
    maxConcurrency: number,
    seconds: number,
    p95Ms: number,
    next: (i: number) => HttpRequestSpec,
    accept: (status: number) => boolean,
    onStep?: (s: StepResult) => void,
): Promise<{ steps: StepResult[]; best?: StepResult }> {
    const steps: StepResult[] = [];
    let offset = 0;
    for (const c of concurrencySteps(maxConcurrency)) {
        const base = offset;
        const s = await runStep(target, c, seconds, (i) => next(base + i), accept);
        offset += s.requests;
        steps.push(s);
        onStep?.(s);
        if (s.p95Ms >= 4 * p95Ms || (s.requests > 0 && s.errors / s.requests >= 0.01)) break;
    }
    return { steps, best: bestStep(steps, p95Ms) };
}
