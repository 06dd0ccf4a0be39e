/**
 * Loads pages of a local instance through the kit's edge (edge.ts) in headless Chromium (Debian's
 * `chromium`, playwright-core, as tests/support/tracking-lab.ts drives it) and records every request
 * the browser makes, every CSP report in the console and each page's final status. The instance's
 * host is mapped to the edge; every other host name resolves to nothing (`MAP * ~NOTFOUND`), so
 * a request to another host is recorded and fails instead of leaving the machine.
 *
 * usage: ts-node public-pages.ts --edge EDGE.json --out OUT.json STEP...
 *   STEP = "label=PATH" (GET) or "label=PATH|click=CSS" (GET, then click CSS and wait for the
 *   navigation) or "label=PATH|submit=CSS|fill=NAME:VALUE,NAME:VALUE" (fill inputs, click CSS);
 *   "|login=" first logs in at /s/login as ADMIN_USER with the password in ADMIN_PASSWORD_FILE
 *   (the requests of the login count too).
 */
import * as fs from "fs";
import { chromium, Request } from "playwright-core";
import { requireTool } from "../../tests/support/tools";
import { CHROMIUM_ARGS } from "../../audit/browser";

interface Step {
    label: string;
    path: string;
    click?: string;
    fill?: Array<[string, string]>;
    login?: boolean;
}

function arg(name: string): string {
    const i = process.argv.indexOf(`--${name}`);
    const v = i >= 0 ? process.argv[i + 1] : undefined;
    if (!v) throw new Error(`--${name} is required (usage: public-pages.ts --edge EDGE.json --out OUT.json STEP...)`);
    return v;
}

function steps(): Step[] {
    const out: Step[] = [];
    const argv = process.argv.slice(2);
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--edge" || argv[i] === "--out") {
            i++;
            continue;
        }
        const [head, ...opts] = argv[i].split("|");
        const eq = head.indexOf("=");
        const step: Step = { label: head.slice(0, eq), path: head.slice(eq + 1) };
        for (const o of opts) {
            const [k, v] = [o.slice(0, o.indexOf("=")), o.slice(o.indexOf("=") + 1)];
            if (k === "click" || k === "submit") step.click = v;
            if (k === "login") step.login = true;
            if (k === "fill") step.fill = v.split(",").map((p) => [p.slice(0, p.indexOf(":")), p.slice(p.indexOf(":") + 1)] as [string, string]);
        }
        out.push(step);
    }
    return out;
}

async function main() {
    const edge = JSON.parse(fs.readFileSync(arg("edge"), "utf8")) as { domain: string; httpsPort: number };
    const origin = `https://${edge.domain}`;
    const browser = await chromium.launch({
        executablePath: requireTool("chromium"),
        args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${edge.domain}:443 127.0.0.1:${edge.httpsPort}, MAP * ~NOTFOUND`],
    });
    const results = [];
    try {
        for (const step of steps()) {
            const context = await browser.newContext({ ignoreHTTPSErrors: true, serviceWorkers: "block" });
            const page = await context.newPage();
            const requests: Array<{ method: string; url: string; type: string; status?: number; failure?: string }> = [];
            const byReq = new Map<Request, number>();
            const consoleMsgs: string[] = [];
            context.on("request", (r) => {
                byReq.set(r, requests.length);
                requests.push({ method: r.method(), url: r.url(), type: r.resourceType() });
            });
            context.on("requestfinished", async (r) => {
                const i = byReq.get(r);
                if (i !== undefined) requests[i].status = (await r.response())?.status();
            });
            context.on("requestfailed", (r) => {
                const i = byReq.get(r);
                if (i !== undefined) requests[i].failure = r.failure()?.errorText;
            });
            page.on("console", (m) => {
                if (m.type() === "error" || m.type() === "warning") consoleMsgs.push(`${m.type()}: ${m.text()}`);
            });
            page.on("pageerror", (e) => consoleMsgs.push(`pageerror: ${e.message}`));
            if (step.login) {
                await page.goto(`${origin}/s/login`, { waitUntil: "networkidle" });
                await page.fill("#username", process.env.ADMIN_USER ?? "admin");
                await page.fill("#password", fs.readFileSync(process.env.ADMIN_PASSWORD_FILE ?? "", "utf8").trim());
                await Promise.all([page.waitForNavigation({ waitUntil: "networkidle" }), page.click("button[type=submit]")]);
            }
            const res = await page.goto(origin + step.path, { waitUntil: "networkidle" });
            const first = { status: res?.status(), title: await page.title() };
            let after: { status?: number; url: string; text: string } | undefined;
            if (step.click) {
                for (const [name, value] of step.fill ?? []) await page.fill(`[name="${name}"]`, value);
                const [nav] = await Promise.all([page.waitForNavigation({ waitUntil: "networkidle" }).catch(() => null), page.click(step.click)]);
                await page.waitForTimeout(500);
                after = { status: nav?.status(), url: page.url(), text: (await page.innerText("body")).slice(0, 300) };
            } else {
                await page.waitForTimeout(500);
            }
            const foreign = requests.filter((r) => {
                try {
                    return new URL(r.url).hostname !== edge.domain && !r.url.startsWith("data:") && !r.url.startsWith("blob:");
                } catch {
                    return true;
                }
            });
            results.push({
                ...step,
                first,
                after,
                requests: requests.length,
                sameHost: requests
                    .filter((r) => !foreign.includes(r))
                    .map((r) => `${r.method} ${r.url.replace(origin, "")} ${r.type} ${r.status ?? r.failure ?? ""}`),
                foreign,
                console: consoleMsgs,
            });
            await context.close();
        }
    } finally {
        await browser.close();
    }
    fs.writeFileSync(arg("out"), JSON.stringify(results, null, 2));
    for (const r of results)
        process.stdout.write(
            `${r.label}: ${r.first.status}${r.after ? ` -> ${r.after.status} ${r.after.url.replace(origin, "")}` : ""}; ${r.requests} requests, ${r.foreign.length} to other hosts, ${r.console.length} console errors/warnings\n`,
        );
}

main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
});
