/** One Mautic per stack: the Mautic instances of a stack (MauticSites, loose Mautic web containers). */
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { kitContainerNames, types } from "./kitFacts";
import { Maybe, UNKNOWN, describe, peek, peekStrings } from "./previewValues";

// ---------------------------------------------------------------------------------------------
// 6. At most one Mautic per stack

const mauticImageRe = /^(?:(?:docker\.io|registry-1\.docker\.io)\/)?mautic\/mautic(?:[:@]|$)/;

function roleOf(r: PolicyResource): Maybe<string> {
    const envs = peekStrings(r.props, "envs");
    const role = envs.values.find((e) => e.startsWith("DOCKER_MAUTIC_ROLE="));
    if (role) return role.slice("DOCKER_MAUTIC_ROLE=".length);
    return envs.unknown ? UNKNOWN : undefined;
}

/** The image reference of a container: its own `image`, or the name of the RemoteImage it came from. */
function imageRefs(r: PolicyResource): string[] {
    const refs: string[] = [];
    const image = peek(r.props, "image");
    if (typeof image === "string") refs.push(image);
    const fromImage = [...(r.propertyDependencies?.image ?? []), ...(r.dependencies ?? [])].filter((d) => d.type === types.remoteImage);
    for (const d of fromImage) {
        const name = peek(d.props, "name");
        if (typeof name === "string") refs.push(name);
    }
    return refs;
}

/** Whether a container serves Mautic's web role (the official image's default role). */
export function isMauticWeb(r: PolicyResource): boolean {
    if (r.type !== types.container) return false;
    const role = roleOf(r);
    if (role === "mautic_web") return true;
    if (typeof role === "string") return false; // cron, worker
    const name = peek(r.props, "name");
    const mauticImage = imageRefs(r).some((ref) => mauticImageRe.test(ref));
    if (role === undefined) return mauticImage; // the image's default role is mautic_web
    // Role unknown during preview: decide by the kit's container name.
    return name === kitContainerNames.web;
}

function siteAncestor(r: PolicyResource): PolicyResource | undefined {
    const seen = new Set<string>();
    for (let p = r.parent; p && !seen.has(p.urn); p = p.parent) {
        seen.add(p.urn);
        if (p.type === types.mauticSite) return p;
    }
    return undefined;
}

/** The Mautic instances of a stack: each MauticSite, plus each Mautic web container outside one. */
export function mauticInstances(resources: PolicyResource[]): PolicyResource[] {
    const sites = resources.filter((r) => r.type === types.mauticSite);
    const loose = resources.filter((r) => isMauticWeb(r) && !siteAncestor(r));
    return [...sites, ...loose];
}

function describeInstance(r: PolicyResource): string {
    if (r.type === types.mauticSite) return `MauticSite '${r.name}' (${r.urn})`;
    return `${describe("Mautic web container", r.name, r.props)} (${r.urn})`;
}

export const oneMauticPerStackPolicy: StackValidationPolicy = {
    name: "one-mautic-per-stack",
    description: "A stack runs at most one Mautic (one MauticSite, or one Mautic web container): 1 website = 1 Mautic = 1 stack.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["gdpr", "isolation", "mautic"],
    remediationSteps: "Give every further website its own stack (`pulumi stack init <client>`), each with one MauticSite.",
    validateStack: (args, reportViolation) => {
        const instances = mauticInstances(args.resources);
        if (instances.length <= 1) return;
        reportViolation(
            `this stack runs ${instances.length} Mautic instances: ${instances.map(describeInstance).join("; ")}. ` +
                `1 website = 1 Mautic = 1 stack keeps each client's contacts, consents and credentials apart. ` +
                `Fix: keep one of them here and move each other website into its own stack (\`pulumi stack init <client>\`) with one MauticSite.`,
        );
    },
};
