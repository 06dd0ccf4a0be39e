/**
 * The GitOps workflows: parsed as YAML and checked for what the kit promises operators.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { projectRoot } from "../plan/runPlan";

const wf = (name: string) => parse(fs.readFileSync(path.join(projectRoot, ".github/workflows", name), "utf8"));

describe("deploy workflow", () => {
    const deploy = wf("deploy.yml");
    const steps = (job: string) => deploy.jobs[job].steps as Array<Record<string, any>>;
    const pulumiStep = (job: string) => steps(job).find((s) => String(s.uses ?? "").startsWith("pulumi/actions@"))!;

    test("preview on pull requests, with a PR comment and the policy pack", () => {
        expect(deploy.on.pull_request).toBeDefined();
        expect(deploy.jobs.preview.if).toMatch(/pull_request/);
        expect(pulumiStep("preview").with).toMatchObject({ command: "preview", "comment-on-pr": true, policyPacks: "policy" });
        expect(deploy.permissions["pull-requests"]).toBe("write");
    });

    test("up on main only, with the policy pack", () => {
        expect(deploy.jobs.up.if).toMatch(/refs\/heads\/main/);
        expect(pulumiStep("up").with).toMatchObject({ command: "up", policyPacks: "policy" });
    });

    test("every client stack in a matrix; one client's failure does not block the others", () => {
        for (const job of ["preview", "up"]) {
            expect(deploy.jobs[job].strategy["fail-fast"]).toBe(false);
            expect(deploy.jobs[job].strategy.matrix.stack).toMatch(/fromJson\(needs\.stacks\.outputs\.list\)/);
            expect(pulumiStep(job).with["stack-name"]).toBe("${{ matrix.stack }}");
        }
        expect(deploy.jobs.stacks.steps.at(-1).run).toMatch(/Pulumi\.\*\.yaml/);
    });

    test("needs only the Pulumi token as a repository secret (the rest is encrypted stack config)", () => {
        const text = fs.readFileSync(path.join(projectRoot, ".github/workflows/deploy.yml"), "utf8");
        const secrets = new Set([...text.matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1]));
        expect([...secrets]).toEqual(["PULUMI_ACCESS_TOKEN"]);
        expect(text).toMatch(/egress address must\s*\n?#?\s*be in every stack's adminCidrs/);
    });
});

describe("ci workflow", () => {
    const ci = wf("ci.yml");
    test("runs the README's test command and the offline plan of every stack, without cloud secrets", () => {
        const runs = Object.values(ci.jobs).flatMap((j: any) => j.steps.map((s: any) => s.run ?? "")).join("\n");
        expect(runs).toMatch(/npm test/);
        expect(runs).toMatch(/npm run plan -- --stack "\$stack"/);
        expect(fs.readFileSync(path.join(projectRoot, ".github/workflows/ci.yml"), "utf8")).not.toMatch(/secrets\./);
    });
});
