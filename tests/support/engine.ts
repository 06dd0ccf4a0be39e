/**
 * A model of the order in which the Pulumi engine runs an update's steps, for the resources the
 * mocks recorded: resources in dependency order; a replaced resource with `deleteBeforeReplace`
 * first deletes everything that (transitively) depends on it, then itself, then is created; one
 * without it is created first and its old copy deleted at the end of the update
 * (https://www.pulumi.com/docs/iac/concepts/options/deletebeforereplace/).
 */
import { RecordedResource, unwrap } from "../../plan/mockRuntime";

const key = (r: RecordedResource) => `${r.type}::${r.name}`;

/** Container inputs the Docker provider updates in place (kreuzwerker docker_container); every other change replaces. */
const containerUpdatable = new Set(["restart", "memory", "memorySwap", "cpuShares", "maxRetryCount"]);

/** Names of the custom resources whose inputs changed in a way that replaces them. */
export function replacedBetween(before: RecordedResource[], after: RecordedResource[]): Set<string> {
    const old = new Map(before.map((r) => [key(r), r]));
    const out = new Set<string>();
    for (const r of after.filter((x) => x.custom)) {
        const prev = old.get(key(r));
        if (!prev) continue;
        const ignored = new Set(r.options.ignoreChanges);
        const changed = Object.keys({ ...prev.inputs, ...r.inputs }).filter((k) => !ignored.has(k) && JSON.stringify(unwrap(prev.inputs[k])) !== JSON.stringify(unwrap(r.inputs[k])));
        const replaces =
            r.type === "docker:index/container:Container" ? changed.some((k) => !containerUpdatable.has(k))
            : r.type === "docker:index/remoteImage:RemoteImage" ? changed.includes("name")
            : r.type === "command:remote:Command" ? changed.includes("triggers")
            : false;
        if (replaces) out.add(r.name);
    }
    return out;
}

/** "create X" / "delete X" steps, in the order the engine would run them. */
export function engineSteps(resources: RecordedResource[], replaced: Set<string>): string[] {
    const custom = resources.filter((r) => r.custom);
    const names = new Set(custom.map((r) => r.name));
    const deps = new Map(custom.map((r) => [r.name, r.options.dependsOn.filter((d) => names.has(d))]));
    const dependants = (name: string): string[] => {
        const out: string[] = [];
        const walk = (n: string) => {
            for (const r of custom) if (deps.get(r.name)!.includes(n) && !out.includes(r.name)) { out.push(r.name); walk(r.name); }
        };
        walk(name);
        return out;
    };
    // Dependency order (the registration order already respects explicit dependencies).
    const order: string[] = [];
    const visit = (n: string) => {
        if (order.includes(n)) return;
        for (const d of deps.get(n) ?? []) visit(d);
        order.push(n);
    };
    custom.forEach((r) => visit(r.name));
    const steps: string[] = [];
    const deleted = new Set<string>();
    const deferred: string[] = [];
    const dbr = new Map(custom.map((r) => [r.name, r.options.deleteBeforeReplace]));
    for (const n of order) {
        if (!replaced.has(n)) continue;
        if (dbr.get(n)) {
            // Dependants cannot point at a deleted resource: they go first, last dependant first.
            for (const d of dependants(n).reverse()) if (!deleted.has(d)) { steps.push(`delete ${d}`); deleted.add(d); }
            if (!deleted.has(n)) { steps.push(`delete ${n}`); deleted.add(n); }
            steps.push(`create ${n}`);
        } else {
            steps.push(`create ${n}`);
            deferred.push(`delete ${n}`);
        }
    }
    // Dependants deleted by a cascade are created again after what they depend on.
    for (const n of order) if (deleted.has(n) && !replaced.has(n)) steps.push(`create ${n}`);
    return [...steps, ...deferred.reverse()];
}

/**
 * CapAdd/CapDrop as Docker stores them, so as the Docker provider reads them back: the Go client
 * upper-cases each, prefixes `CAP_` (all but the magic `ALL`), drops duplicates and sorts before
 * the API call (docker/docker client/container_create.go, normalizeCapabilities).
 */
export function dockerStoredCapabilities(caps: readonly string[]): string[] {
    const norm = caps.map((c) => c.toUpperCase()).map((c) => (c === "ALL" || c.startsWith("CAP_") ? c : `CAP_${c}`));
    return [...new Set(norm)].sort();
}
