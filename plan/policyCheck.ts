/**
 * The policy pack (policy/policies.ts) run offline over the resources a plan recorded, with args
 * shaped like the ones @pulumi/policy's server builds (props behind its unknown-checking proxy,
 * `getConfig`, `isType`, ...), as pulumi-policy tests itself. `PolicyPack` is never constructed
 * (it starts a gRPC server). Used by `npm run plan -- --policy` (the pull-request check of the
 * deploy workflow, which has no cloud credentials) and by the policy tests (tests/unit/policy*.test.ts).
 */
import * as policySdk from "@pulumi/policy";
import { PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { policies, types } from "../policy/policies";
import { RecordedResource, unwrap } from "./mockRuntime";

export const sdk = policySdk as unknown as {
    unknownCheckingProxy<T extends object>(o: T): T;
    UnknownValueError: new (...args: never[]) => Error;
};
/** The engine's marker for a value not known during preview (what the policy server receives). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const unknownValue: string = require("@pulumi/pulumi/runtime/rpc").unknownValue;

export interface Violation {
    message: string;
    urn?: string;
}

const options = () => ({
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
});
export const urnOf = (type: string, name: string, parentTypes: string[] = []) => `urn:pulumi:test::agency::${[...parentTypes, type].join("$")}::${name}`;
const isTypeFn = (type: string) => (cls: unknown) => (cls as { __pulumiType?: string }).__pulumiType === type;

export function resourceArgs(type: string, props: Record<string, unknown>, o: { name?: string; config?: object } = {}): ResourceValidationArgs {
    const name = o.name ?? "res";
    const proxied = sdk.unknownCheckingProxy(props);
    const isType = isTypeFn(type);
    return {
        type,
        name,
        urn: urnOf(type, name),
        props: proxied,
        opts: options(),
        stackTags: new Map(),
        isType,
        asType: ((cls: unknown) => (isType(cls) ? proxied : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => (o.config ?? {}) as T,
        notApplicable: (reason?: string): never => {
            throw new Error(`not applicable: ${reason}`);
        },
    };
}

export async function check(policy: ResourceValidationPolicy, args: ResourceValidationArgs): Promise<Violation[]> {
    const out: Violation[] = [];
    const report: ReportViolation = (message, urn) => out.push({ message, urn });
    const fns = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
    for (const fn of fns) await fn(args, report);
    return out;
}

export function policyResource(
    type: string,
    name: string,
    props: Record<string, unknown>,
    o: { parent?: PolicyResource; dependencies?: PolicyResource[]; propertyDependencies?: Record<string, PolicyResource[]> } = {},
): PolicyResource {
    const parentTypes: string[] = [];
    for (let p = o.parent; p; p = p.parent) parentTypes.unshift(p.type);
    const proxied = sdk.unknownCheckingProxy(props);
    const isType = isTypeFn(type);
    return {
        type,
        name,
        urn: urnOf(type, name, parentTypes),
        props: proxied,
        opts: { ...options(), parent: o.parent?.urn },
        parent: o.parent,
        dependencies: o.dependencies ?? [],
        propertyDependencies: o.propertyDependencies ?? {},
        isType,
        asType: ((cls: unknown) => (isType(cls) ? proxied : undefined)) as PolicyResource["asType"],
    };
}

export async function checkStack(policy: StackValidationPolicy, resources: PolicyResource[], config: object = {}): Promise<Violation[]> {
    const out: Violation[] = [];
    await policy.validateStack(
        {
            resources,
            stackTags: new Map(),
            getConfig: <T extends object>() => config as T,
            notApplicable: (reason?: string): never => {
                throw new Error(`not applicable: ${reason}`);
            },
        },
        (message, urn) => out.push({ message, urn }),
    );
    return out;
}

/** Mock inputs as the policy server receives them: secrets unwrapped, unknowns as the engine's marker. */
export function engineProps(v: unknown): unknown {
    if (pulumi.isUnknown(v)) return unknownValue;
    if (Array.isArray(v)) return v.map(engineProps);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, engineProps(x)]));
    return v;
}

/** The recorded resources as the stack policy sees them (parents and dependencies linked). */
export function stackResources(recorded: RecordedResource[]): PolicyResource[] {
    const byName = new Map<string, PolicyResource>();
    const out: PolicyResource[] = [];
    for (const r of recorded) {
        const parent = r.parent ? byName.get(r.parent) : undefined;
        const dependencies = r.options.dependsOn.map((d) => byName.get(d)).filter((d): d is PolicyResource => d !== undefined);
        const pr = policyResource(r.type, r.name, unwrap(engineProps(r.inputs)) as Record<string, unknown>, { parent, dependencies });
        if (!byName.has(r.name)) byName.set(r.name, pr);
        out.push(pr);
    }
    return out;
}

export interface Evaluation {
    violations: Array<{ policy: string; resource: string; message: string }>;
    /** Resource policies that could not decide because a value was unknown (preview). */
    undecided: Array<{ policy: string; resource: string; message: string }>;
    /** How many resources each resource policy had something to say about or inspected. */
    inspected: Record<string, number>;
}

const resourcePolicies = policies.filter((p): p is ResourceValidationPolicy => "validateResource" in p);
const stackPolicies = policies.filter((p): p is StackValidationPolicy => "validateStack" in p);
const relevantTypes: Record<string, string[]> = {
    "hetzner-location-germany": [types.server, types.volume],
    "no-world-ssh": [types.firewall, types.server],
    "container-restart-policy": [types.container],
    "container-log-rotation": [types.container],
    "no-published-database-port": [types.container],
};

/** Runs every policy of the pack over recorded resources, as the engine would. */
export async function evaluate(recorded: RecordedResource[], config: Record<string, object> = {}): Promise<Evaluation> {
    const result: Evaluation = { violations: [], undecided: [], inspected: {} };
    for (const r of recorded) {
        const props = unwrap(engineProps(r.inputs)) as Record<string, unknown>;
        for (const p of resourcePolicies) {
            if (relevantTypes[p.name].includes(r.type)) result.inspected[p.name] = (result.inspected[p.name] ?? 0) + 1;
            try {
                for (const v of await check(p, resourceArgs(r.type, props, { name: r.name, config: config[p.name] }))) {
                    result.violations.push({ policy: p.name, resource: r.name, message: v.message });
                }
            } catch (e) {
                if (!(e instanceof sdk.UnknownValueError)) throw e;
                result.undecided.push({ policy: p.name, resource: r.name, message: e.message });
            }
        }
    }
    for (const p of stackPolicies) {
        for (const v of await checkStack(p, stackResources(recorded), config[p.name])) {
            result.violations.push({ policy: p.name, resource: "(stack)", message: v.message });
        }
    }
    return result;
}
