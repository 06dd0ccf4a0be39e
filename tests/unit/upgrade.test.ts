/**
 * Upgrading Mautic by changing `mauticVersion`: the resource diff under mocks. Which resources
 * are replaced, which updated in place, and that the database and the volume are never touched.
 */
import { RecordedResource, unwrap } from "../../plan/mockRuntime";
import { PlanResult, PlanRunError, runPlan } from "../../plan/runPlan";
import { engineSteps } from "../support/engine";
import { testStack } from "../support/stacks";

/**
 * Inputs whose change makes the provider replace the resource (the providers' ForceNew /
 * replace-on-change properties); every other changed input is an in-place update. Docker
 * containers can update only these in place (upstream kreuzwerker/docker docker_container).
 */
const containerUpdatable = new Set(["restart", "memory", "memorySwap", "cpuShares", "maxRetryCount"]);
function replaces(r: RecordedResource, changed: string[]): boolean {
    switch (r.type) {
        case "docker:index/container:Container":
            return changed.some((k) => !containerUpdatable.has(k));
        case "docker:index/remoteImage:RemoteImage":
            return changed.includes("name");
        case "docker:index/network:Network":
            return changed.length > 0;
        case "command:remote:Command":
            return changed.includes("triggers");
        case "hcloud:index/server:Server":
            return false; // location, image, sshKeys and userData are ignoreChanges; the rest updates in place
        case "hcloud:index/volume:Volume":
            return changed.includes("location");
        default:
            return false;
    }
}

interface Diff {
    replaced: string[];
    updated: string[];
    unchanged: string[];
}

function diff(before: PlanResult, after: PlanResult): Diff {
    const key = (r: RecordedResource) => `${r.type}::${r.name}`;
    const old = new Map(before.cloud.resources.map((r) => [key(r), r]));
    const d: Diff = { replaced: [], updated: [], unchanged: [] };
    for (const r of after.cloud.resources.filter((x) => x.custom)) {
        const prev = old.get(key(r));
        if (!prev) throw new Error(`new resource ${key(r)}`);
        const ignored = new Set(r.options.ignoreChanges);
        // `labels["k"]` in ignoreChanges: the engine keeps the old value of that one map key.
        const withoutIgnoredKeys = (inputs: Record<string, unknown>) => {
            const out: Record<string, unknown> = { ...inputs };
            for (const path of ignored) {
                const m = /^(\w+)\["(.+)"\]$/.exec(path);
                if (m && out[m[1]] && typeof out[m[1]] === "object") out[m[1]] = { ...(out[m[1]] as object), [m[2]]: "(ignored)" };
            }
            return out;
        };
        const [was, now] = [withoutIgnoredKeys(prev.inputs), withoutIgnoredKeys(r.inputs)];
        const changed = Object.keys({ ...was, ...now }).filter((k) => !ignored.has(k) && JSON.stringify(unwrap(was[k])) !== JSON.stringify(unwrap(now[k])));
        (changed.length === 0 ? d.unchanged : replaces(r, changed) ? d.replaced : d.updated).push(r.name);
    }
    return d;
}

let before: PlanResult;
let after: PlanResult;
let d: Diff;
beforeAll(async () => {
    before = await runPlan(testStack({ mauticVersion: "6.0.6-apache" }));
    after = await runPlan(testStack({ mauticVersion: "7.2.1-apache" }));
    d = diff(before, after);
});

test("a patch upgrade within a line (6.0.6 -> 6.0.8) leaves the DOI objects alone", async () => {
    const patched = diff(before, await runPlan(testStack({ mauticVersion: "6.0.8-apache" })));
    expect(patched.updated).toEqual(["site-version-label"]);
    expect(patched.unchanged).toContain("site-doi");
});

describe("6.0.6 -> 7.2.1", () => {
    test("replaced: the backup-before-upgrade command, the Mautic image and the three Mautic containers", () => {
        expect(d.replaced.sort()).toEqual(["site-app-cron", "site-app-mautic-image", "site-app-pre-upgrade-backup", "site-app-web", "site-app-worker"]);
    });

    test("updated in place: the version label, after the new web container is healthy, and the DOI objects (7.2 payloads); the server itself is untouched", () => {
        // 6.0 -> 7.2 crosses Mautic lines: the DOI setup re-applies the 7.2 payloads (no formType) in place.
        expect(d.updated.sort()).toEqual(["site-doi", "site-version-label"]);
        expect(d.unchanged).toContain("site-host-server");
        const server = after.cloud.one("hcloud:index/server:Server");
        expect(server.options.ignoreChanges).toContain('labels["mautic-version"]');
        const label = (r: PlanResult) => r.cloud.resources.find((x) => x.name === "site-version-label")!;
        expect([unwrap(label(before).inputs.value), unwrap(label(after).inputs.value)]).toEqual(["6.0.6", "7.2.1"]);
        expect(label(after).options.dependsOn).toEqual(expect.arrayContaining(["site-app-web", "site-app-install"]));
        // The web container waits until it is healthy before the engine moves on.
        expect(after.cloud.one("docker:index/container:Container", "app-web").inputs.wait).toBe(true);
        // The label resource runs after web in the engine's order, so a failed upgrade leaves 6.0.6.
        const steps = engineSteps(after.cloud.resources, new Set([...d.replaced, "site-version-label"]));
        expect(steps.indexOf("create site-version-label")).toBeGreaterThan(steps.indexOf("create site-app-web"));
    });

    test("the database container, its image, the volume, networks, secrets and the edge are untouched", () => {
        for (const name of [
            "site-app-db",
            "site-app-mariadb-image",
            "site-host-data",
            "site-host-data-attachment",
            "site-app-frontend",
            "site-app-backend",
            "site-edge-caddy",
            "site-secrets-db-root",
            "site-secrets-db-user",
            "site-secrets-admin",
            "site-host-host-key",
        ]) {
            expect(d.unchanged).toContain(name);
        }
    });

    test("a backup runs first: the new image waits for it; migrations run once (web first, then cron and worker)", () => {
        const r = (name: string) => after.cloud.resources.find((x) => x.name === name)!;
        expect(r("site-app-mautic-image").options.dependsOn).toContain("site-app-pre-upgrade-backup");
        expect(String(r("site-app-pre-upgrade-backup").inputs.create)).toMatch(/\/usr\/local\/sbin\/mautic-backup/);
        expect(r("site-app-pre-upgrade-backup").inputs.triggers).toEqual(["7.2.1-apache"]);
        expect(r("site-app-pre-upgrade-backup").options.dependsOn).toContain("site-host-files-sync");
        expect(r("site-app-web").options.dependsOn).toContain("site-app-db");
        expect(r("site-app-cron").options.dependsOn).toContain("site-app-web");
        expect(r("site-app-worker").options.dependsOn).toContain("site-app-web");
        expect(r("site-app-web").inputs.wait).toBe(true);
    });

    test("replaced containers are deleted before their successors are created (fixed names)", () => {
        // deleteBeforeReplace is not visible to mocks; the name clash it prevents is: every container has a fixed name.
        for (const c of after.cloud.byType("docker:index/container:Container")) expect(typeof c.inputs.name).toBe("string");
    });
});

describe("downgrades are refused before anything is registered", () => {
    const ownServer = (version: string) => [
        {
            id: 7,
            name: "marketing-client-a-de-mautic",
            labels: {
                "managed-by": "mautic-gdpr-kit",
                project: "mautic-gdpr",
                stack: "test",
                site: "www.client-a.de",
                "mautic-domain": "marketing.client-a.de",
                "mautic-version": version,
            },
        },
    ];

    test("7.2.1 running, 6.0.6 configured -> refused with the fix", async () => {
        let error: PlanRunError | undefined;
        try {
            await runPlan(testStack({ mauticVersion: "6.0.6-apache" }), { existingServers: ownServer("7.2.1") });
        } catch (e) {
            error = e as PlanRunError;
        }
        expect(error).toBeInstanceOf(PlanRunError);
        expect(error!.message).toMatch(
            /mauticVersion = "6\.0\.6-apache" is older than 7\.2\.1, which server 'marketing-client-a-de-mautic' runs: downgrades are refused.*Fix: set mauticVersion back to 7\.2\.1/,
        );
        expect(error!.cloud.resources).toEqual([]);
    });

    test("the same version or a newer one is accepted", async () => {
        for (const v of ["6.0.6", "6.0.5"]) {
            const p = await runPlan(testStack({ mauticVersion: "6.0.6-apache" }), { existingServers: ownServer(v) });
            expect(p.cloud.byType("hcloud:index/server:Server")).toHaveLength(1);
        }
    });
});
