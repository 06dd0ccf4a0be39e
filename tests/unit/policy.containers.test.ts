/**
 * The pack's container policies (restart, log rotation, no published database port) and one
 * Mautic per stack, each called directly as in policy.test.ts (which has the harness's story).
 */
import { PolicyResource, ResourceValidationPolicy } from "@pulumi/policy";
import { baseContainerArgs, capabilitySets } from "../../components/app/containerDefaults";
import {
    containerLogRotationPolicy,
    containerRestartPolicy,
    databaseEvidence,
    mauticInstances,
    noPublishedDatabasePortPolicy,
    oneMauticPerStackPolicy,
    peek,
    types,
    UNKNOWN,
} from "../../policy/policies";
import { check, checkStack, policyResource, resourceArgs, sdk, unknownValue } from "../../plan/policyCheck";

// ---------------------------------------------------------------------------------------------
// Harness: args as @pulumi/policy's server builds them (plan/policyCheck.ts)

const run = (policy: ResourceValidationPolicy, type: string, props: Record<string, unknown>, o: { name?: string; config?: object } = {}) =>
    check(policy, resourceArgs(type, props, o));

const container = (extra: Record<string, unknown> = {}) => ({
    ...baseContainerArgs(capabilitySets.mautic),
    name: "app",
    image: "sha256:0123",
    ...extra,
});

// ---------------------------------------------------------------------------------------------

describe("container-restart-policy", () => {
    const p = containerRestartPolicy;

    test.each(["unless-stopped", "always"])("restart %s passes", async (restart) => {
        expect(await run(p, types.container, container({ restart }))).toEqual([]);
    });

    test("the kit's baseContainerArgs pass", async () => {
        expect(await run(p, types.container, container())).toEqual([]);
    });

    test("no restart is refused, explaining the provider's default and the fix", async () => {
        const { restart: _r, ...props } = container();
        const v = await run(p, types.container, props, { name: "site-app-web" });
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(/^docker container 'site-app-web' \(name "app"\): restart is not set \(the docker provider then uses "no"\)/);
        expect(v[0].message).toMatch(/Fix: set restart: "unless-stopped"/);
    });

    test.each(["no", "on-failure"])("restart %s is refused, naming the value", async (restart) => {
        const v = await run(p, types.container, container({ restart }));
        expect(v).toHaveLength(1);
        expect(v[0].message).toContain(`restart is "${restart}"`);
    });

    test("other types are ignored", async () => {
        expect(await run(p, types.remoteImage, { name: "mautic/mautic:6.0.6-apache" })).toEqual([]);
    });
});

describe("container-log-rotation", () => {
    const p = containerLogRotationPolicy;

    test("json-file with max-size and max-file (the kit's) passes; so does the default driver with both", async () => {
        expect(await run(p, types.container, container())).toEqual([]);
        expect(await run(p, types.container, container({ logDriver: undefined }))).toEqual([]);
    });

    test('logDriver "local" (rotates by itself) passes', async () => {
        expect(await run(p, types.container, container({ logDriver: "local", logOpts: undefined }))).toEqual([]);
    });

    test("json-file without options is refused, naming what is missing and the fix", async () => {
        const v = await run(p, types.container, container({ logOpts: undefined }), { name: "site-edge-caddy" });
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(
            /^docker container 'site-edge-caddy' \(name "app"\): logs are not rotated: logDriver "json-file", max-size is not set .*; max-file is not set\./,
        );
        expect(v[0].message).toMatch(/Fix: set logDriver: "json-file" with logOpts: \{ "max-size": "10m", "max-file": "5" \}/);
    });

    test("max-size alone is refused (max-file missing)", async () => {
        const v = await run(p, types.container, container({ logOpts: { "max-size": "10m" } }));
        expect(v.map((x) => x.message)).toEqual([expect.stringMatching(/max-file is not set/)]);
    });

    test("malformed values are refused with the value", async () => {
        const v = await run(p, types.container, container({ logOpts: { "max-size": "10 MB", "max-file": "0" } }));
        expect(v[0].message).toMatch(/max-size "10 MB" is not a size like "10m"; max-file "0" is not a whole number >= 1/);
    });

    test.each(["none", "journald", "syslog"])("logDriver %s is refused", async (logDriver) => {
        const v = await run(p, types.container, container({ logDriver }));
        expect(v).toHaveLength(1);
        expect(v[0].message).toContain(`logDriver "${logDriver}" is not rotated on the host by Docker`);
    });
});

describe("no-published-database-port", () => {
    const p = noPublishedDatabasePortPolicy;
    const port3306 = { internal: 3306, external: 3306, protocol: "tcp" };

    test("the kit's database (mautic_db, internal network, no ports) passes", async () => {
        expect(await run(p, types.container, container({ name: "mautic_db", networksAdvanced: [{ name: "mautic-backend" }] }))).toEqual([]);
    });

    test("mautic_db with a published port is refused, naming the port and the fix", async () => {
        const v = await run(p, types.container, container({ name: "mautic_db", ports: [port3306] }), { name: "site-app-db" });
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(
            /^docker container 'site-app-db' \(name "mautic_db"\) is a database \(its name is "mautic_db"\) and publishes 0\.0\.0\.0:3306->3306\/tcp\. Fix: remove `ports`/,
        );
    });

    test.each([
        ["a MariaDB image", { name: "db1", image: "mariadb:11.4.8" }, /its image is "mariadb:11\.4\.8"/],
        ["a PostgreSQL image from a registry", { name: "store", image: "docker.io/bitnami/postgresql:16" }, /its image is/],
        ["a MySQL name", { name: "client_mysql" }, /its name "client_mysql" names a database/],
        ["a *-db name", { name: "shop-db" }, /its name is "shop-db"/],
        ["the server image's variables", { name: "x", envs: ["TZ=UTC", "MARIADB_ROOT_PASSWORD=s3cret"] }, /it sets MARIADB_ROOT_PASSWORD/],
    ])("%s with ports is refused", async (_label, props, evidence) => {
        const v = await run(p, types.container, container({ ...props, ports: [{ internal: 5432, ip: "127.0.0.1" }] }));
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(evidence);
        expect(v[0].message).not.toContain("s3cret");
    });

    test("host networking on a database is refused", async () => {
        const v = await run(p, types.container, container({ name: "mautic_db", networkMode: "host" }));
        expect(v.map((x) => x.message)).toEqual([expect.stringMatching(/uses networkMode "host"/)]);
    });

    test("non-database containers may publish ports (the edge, phpMyAdmin, an exporter)", async () => {
        expect(await run(p, types.container, container({ name: "mautic_edge", ports: [{ internal: 443, external: 443 }] }))).toEqual([]);
        expect(
            await run(
                p,
                types.container,
                container({ name: "pma", image: "phpmyadmin:5", envs: ["PMA_HOST=db", "MYSQL_ROOT_PASSWORD=x"], ports: [{ internal: 80 }] }),
            ),
        ).toEqual([]);
        expect(
            await run(p, types.container, container({ name: "mysqld-exporter", image: "prom/mysqld-exporter:v0.15.1", ports: [{ internal: 9104 }] })),
        ).toEqual([]);
    });

    test("during preview an unknown image or env does not hide a database known by name", async () => {
        const v = await run(p, types.container, container({ name: "mautic_db", image: unknownValue, envs: unknownValue, ports: [port3306] }));
        expect(v).toHaveLength(1);
        expect(databaseEvidence(sdk.unknownCheckingProxy({ name: unknownValue, image: unknownValue, envs: [unknownValue] }))).toBeUndefined();
    });

    test("peek returns UNKNOWN for an unknown value instead of throwing", () => {
        const props = sdk.unknownCheckingProxy({ a: unknownValue, b: "x" });
        expect(peek(props, "a")).toBe(UNKNOWN);
        expect(peek(props, "b")).toBe("x");
        expect(() => (props as Record<string, unknown>).a).toThrow(/can't be known during preview/);
    });
});

describe("one-mautic-per-stack", () => {
    const p = oneMauticPerStackPolicy;
    const mauticImage = () => policyResource(types.remoteImage, "mautic-image", { name: "mautic/mautic:6.0.6-apache", imageId: "sha256:abc" });

    /** A site as the kit registers it: component > app component > web, cron containers. */
    function kitSite(name: string): PolicyResource[] {
        const site = policyResource(types.mauticSite, name, {});
        const app = policyResource("mautic-kit:app:MauticApp", `${name}-app`, {}, { parent: site });
        const image = policyResource(types.remoteImage, `${name}-app-mautic-image`, { name: "mautic/mautic:6.0.6-apache" }, { parent: app });
        const web = policyResource(
            types.container,
            `${name}-app-web`,
            { name: "mautic_web", image: "sha256:abc", envs: ["DOCKER_MAUTIC_ROLE=mautic_web"] },
            { parent: app, dependencies: [image], propertyDependencies: { image: [image] } },
        );
        const cron = policyResource(
            types.container,
            `${name}-app-cron`,
            { name: "mautic_cron", image: "sha256:abc", envs: ["DOCKER_MAUTIC_ROLE=mautic_cron"] },
            { parent: app, dependencies: [image] },
        );
        return [site, app, image, web, cron];
    }

    test("one kit site passes; its web container is not counted twice", async () => {
        const resources = kitSite("client-a");
        expect(mauticInstances(resources).map((r) => r.name)).toEqual(["client-a"]);
        expect(await checkStack(p, resources)).toEqual([]);
    });

    test("two MauticSites are refused, naming both and the fix", async () => {
        const v = await checkStack(p, [...kitSite("client-a"), ...kitSite("client-b")]);
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(
            /^this stack runs 2 Mautic instances: MauticSite 'client-a' \(urn:pulumi:test::agency::mautic-kit:site:MauticSite::client-a\); MauticSite 'client-b'/,
        );
        expect(v[0].message).toMatch(/Fix: .*own stack \(`pulumi stack init <client>`\)/);
    });

    test("a hand-made Mautic web container next to a site is refused", async () => {
        const image = mauticImage();
        const extra = policyResource(
            types.container,
            "second-web",
            { name: "mautic2", image: "sha256:abc", envs: [] },
            { dependencies: [image], propertyDependencies: { image: [image] } },
        );
        const v = await checkStack(p, [...kitSite("client-a"), image, extra]);
        expect(v).toHaveLength(1);
        expect(v[0].message).toMatch(/MauticSite 'client-a' .*; Mautic web container 'second-web' \(name "mautic2"\)/);
    });

    test("two hand-made web containers (image by name, role by env) are refused; one passes", async () => {
        const a = policyResource(types.container, "a", { name: "a_web", image: "mautic/mautic:5.2.1-apache" });
        const b = policyResource(types.container, "b", { name: "b_web", image: "sha256:1", envs: ["DOCKER_MAUTIC_ROLE=mautic_web"] });
        expect(await checkStack(p, [a])).toEqual([]);
        expect(await checkStack(p, [a, b])).toHaveLength(1);
    });

    test("cron and worker roles, and other images, are not Mautic instances", async () => {
        const cron = policyResource(types.container, "cron", { name: "c", image: "mautic/mautic:6.0.6-apache", envs: ["DOCKER_MAUTIC_ROLE=mautic_cron"] });
        const worker = policyResource(types.container, "worker", {
            name: "w",
            image: "mautic/mautic:6.0.6-apache",
            envs: ["DOCKER_MAUTIC_ROLE=mautic_worker"],
        });
        const wp = policyResource(types.container, "wp", { name: "wordpress", image: "wordpress:6" });
        expect(await checkStack(p, [...kitSite("client-a"), cron, worker, wp])).toEqual([]);
    });

    test("during preview (envs and image unknown) a loose mautic_web container still counts", async () => {
        const loose = policyResource(types.container, "loose", { name: "mautic_web", image: unknownValue, envs: unknownValue });
        expect(await checkStack(p, [loose])).toEqual([]);
        expect(await checkStack(p, [...kitSite("client-a"), loose])).toHaveLength(1);
    });
});
