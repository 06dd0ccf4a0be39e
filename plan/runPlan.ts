/**
 * The offline plan: runs `index.ts` under mocks with a stack's config and collects what
 * `pulumi up` would send: every resource and the files rendered into them.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { SiteConfigError, ValidatedSite } from "../components/config/config";
import { validateStackConfig } from "../components/config/stackConfig";
import { caddyfilePathInContainer } from "../components/edge/webEdge";
import { parseHostFilesCommand } from "../components/host/hostFiles";
import { ComplianceReport, deployedMeasures, renderComplianceMarkdown } from "../components/compliance/compliance";
import { renderComplianceDocuments } from "../components/compliance/documents";
import { renderCmpSnippet, renderConsentSnippet } from "../components/edge/tracking";
import { consentForgetPath, consentGrantPath } from "../components/edge/caddyfile";
import { crontabPathInContainer, parametersLocalPathInContainer } from "../components/app/mautic";
import { MockCloud, MockOptions, RecordedResource, ResourceOptionsRecord, redact, redactText, unwrap } from "./mockRuntime";
import { StackConfig } from "./stackFile";
import { projectRoot } from "./projectRoot";

export { projectRoot } from "./projectRoot";

export interface PlanResult {
    stack: StackConfig;
    cloud: MockCloud;
    site: ValidatedSite;
    /** The program's stack exports, resolved (secrets still wrapped as Outputs' values). */
    exports: Record<string, unknown>;
    /** Relative path under <out>/<stack>/ -> content, already redacted. */
    files: Map<string, string>;
    /** Resources as written to resources.json (secrets replaced by "[secret]"). */
    resourcesJson: Array<{ type: string; name: string; parent: string | null; inputs: unknown; options: ResourceOptionsRecord }>;
}

export class PlanConfigError extends Error {}

/** The program failed under mocks; `cloud` shows what had been registered by then. */
export class PlanRunError extends Error {
    constructor(
        message: string,
        public readonly cloud: MockCloud,
    ) {
        super(message);
    }
}

/** Validates the stack's config exactly as index.ts will, without the Pulumi runtime. */
export function validateStack(stack: StackConfig): ValidatedSite {
    try {
        return validateStackConfig(stack.project, stack.config, (k) => stack.secretKeys.includes(k));
    } catch (e) {
        if (e instanceof SiteConfigError) throw new PlanConfigError(e.message);
        throw e;
    }
}

export async function runPlan(stack: StackConfig, mockOpts: Partial<MockOptions> = {}, generatedAt?: string): Promise<PlanResult> {
    const site = validateStack(stack);
    const cloud = new MockCloud({ project: stack.project, stack: stack.stack, ...mockOpts });
    for (const key of stack.secretKeys) cloud.secretValues.add(stack.config[key]);
    await cloud.install();
    pulumi.runtime.setAllConfig(stack.config, stack.secretKeys);

    const failures: unknown[] = [];
    const onRejection = (e: unknown) => failures.push(e);
    process.on("unhandledRejection", onRejection);
    // The Pulumi SDK records `new Error().stack` for every promise it makes (debuggablePromise,
    // for its leak report), and each stack goes through the source-map support of ts-node or
    // jest: three quarters of a plan's CPU time. A plan reports the program's errors by message
    // (PlanRunError), never by stack, so no frames are captured while the program runs.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let programExports: Record<string, unknown>;
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const program: () => Promise<Record<string, unknown>> = require(path.join(projectRoot, "index"));
        let outputs: Record<string, unknown>;
        try {
            outputs = await program();
        } catch (e) {
            throw new PlanRunError(e instanceof Error ? e.message : String(e), cloud);
        }
        programExports = {};
        try {
            for (const [k, v] of Object.entries(outputs)) {
                programExports[k] = await resolveDeep(v);
            }
        } catch (e) {
            await cloud.settle();
            throw new PlanRunError(e instanceof Error ? e.message : String(e), cloud);
        }
        await cloud.settle();
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
        process.off("unhandledRejection", onRejection);
        // The key files the program wrote for the Docker provider: nothing stays behind.
        cloud.dispose();
    }
    if (failures.length > 0) {
        const first = failures[0];
        throw new PlanRunError(first instanceof Error ? first.message : String(first), cloud);
    }

    const resourcesJson = cloud.resources.map((r) => ({
        type: r.type,
        name: r.name,
        parent: r.parent,
        // The mocks' temp dir for the SSH key files differs per run: shown as a placeholder.
        inputs: JSON.parse(JSON.stringify(redact(r.inputs, cloud.secretValues)).split(cloud.sshDir).join("$MAUTIC_KIT_SSH_DIR")),
        options: r.options,
    }));
    // Every file is written as sent; one pass at the end replaces every known secret value.
    const files = new Map<string, string>();
    const server = cloud.resources.find((r) => r.type === "hcloud:index/server:Server");
    if (server) files.set("cloud-init.yaml", String(unwrap(server.inputs.userData)));
    const upload = (file: string) => findUpload(cloud.resources, file);
    const caddyfile = upload(caddyfilePathInContainer);
    if (caddyfile !== undefined) files.set("Caddyfile", caddyfile);
    const crontab = upload(crontabPathInContainer);
    if (crontab !== undefined) files.set("mautic/crontab", crontab);
    const params = upload(parametersLocalPathInContainer);
    if (params !== undefined) files.set("mautic/parameters_local.php", params);
    // Files the HostFiles command keeps current on the host, decoded from the command as sent.
    for (const r of cloud.resources.filter((x) => x.type === "command:remote:Command" && x.name.endsWith("host-files-sync"))) {
        for (const f of parseHostFilesCommand(String(unwrap(r.inputs.create)))) {
            files.set(`host${f.path}`, f.content);
        }
    }
    // The website-side snippets (C08), the compliance report (C01..C15, as the stack exports it)
    // and the documents a person signs or publishes (C01-C03), from the same settings.
    const mauticUrl = `https://${site.settings.domain}`;
    // Accepting sets the consent cookie on the Mautic host (without it the edge lets none of Mautic's
    // tracking cookies through); withdrawing expires it and Mautic's cookies there. The edge answers both paths.
    const snippetInput = {
        mauticUrl,
        website: site.settings.website,
        mauticForgetPath: consentForgetPath,
        mauticGrantPath: consentGrantPath,
        privacyPolicyUrl: site.settings.privacyPolicyUrl,
        imprintUrl: site.settings.imprintUrl,
    };
    files.set("tracking/consent-snippet.html", renderConsentSnippet(snippetInput));
    files.set("tracking/consent-snippet-cmp.html", renderCmpSnippet(snippetInput));
    const report = programExports.compliance as ComplianceReport | undefined;
    if (report) {
        files.set("compliance.json", `${JSON.stringify(report, null, 2)}\n`);
        files.set("compliance.md", renderComplianceMarkdown(report));
    }
    for (const doc of renderComplianceDocuments({
        settings: site.settings,
        measures: deployedMeasures(site.settings),
        // The DSN is encrypted in the stack file; the documents then ask for the mail provider.
        mailerHost: undefined,
        generatedAt: generatedAt ?? new Date().toISOString().slice(0, 10),
        doubleOptIn: true,
        consentMechanism: site.settings.consentMechanism,
    })) {
        files.set(doc.path, doc.content);
    }
    files.set("resources.json", `${JSON.stringify(resourcesJson, null, 2)}\n`);
    for (const [name, content] of files) files.set(name, redactText(content, cloud.secretValues));
    return { stack, cloud, site, exports: programExports, files, resourcesJson };
}

/** The content of the container upload with the given in-container path (unwrapped). */
export function findUpload(resources: RecordedResource[], file: string): string | undefined {
    for (const r of resources) {
        if (r.type !== "docker:index/container:Container") continue;
        const uploads = unwrap(r.inputs.uploads) as Array<{ file: string; content?: string }> | undefined;
        const hit = uploads?.find((u) => u.file === file);
        if (hit) return hit.content;
    }
    return undefined;
}

async function resolveDeep(v: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(v)) {
        const secret = await pulumi.isSecret(v as pulumi.Output<unknown>);
        // Output.promise() rejects when the output failed (apply would never call back).
        const value = await (v as unknown as { promise(): Promise<unknown> }).promise();
        const inner = await resolveDeep(value);
        return secret ? { secret: true, value: inner } : inner;
    }
    if (v instanceof Promise) return resolveDeep(await v);
    if (Array.isArray(v)) return Promise.all(v.map(resolveDeep));
    if (v && typeof v === "object" && !(v instanceof pulumi.Resource)) {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) out[k] = await resolveDeep(x);
        return out;
    }
    return v;
}
