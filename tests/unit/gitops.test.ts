/**
 * The GitOps workflows: parsed as YAML and checked for what the kit promises operators.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { sshMaterialBase } from "../../components/host/hardenedHost";
import { projectRoot } from "../../plan/runPlan";
import { judgeStack, judgeStacks } from "../../scripts/deployable-stacks";

/** A workflow step, as far as these tests read it. */
interface Step {
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    steps: Step[];
    if?: string;
    strategy: { "fail-fast"?: boolean; matrix: Record<string, string> };
    "runs-on"?: string | string[];
    environment?: string;
}
/** A workflow file, as far as these tests read it. */
interface Workflow {
    on: Record<string, { paths?: string[] }>;
    permissions: Record<string, string>;
    jobs: Record<string, Job>;
}

const wf = (name: string): Workflow => parse(fs.readFileSync(path.join(projectRoot, ".github/workflows", name), "utf8"));

describe("deploy workflow", () => {
    const deploy = wf("deploy.yml");
    const steps = (job: string) => deploy.jobs[job].steps;
    const pulumiStep = (job: string) => steps(job).find((s) => String(s.uses ?? "").startsWith("pulumi/actions@"))!;

    test("pull requests get no secret: no job a pull request starts can read one (threat model in deploy.md)", () => {
        // Every job, of every workflow, that a pull request can start.
        const all = { "deploy.yml": deploy, "ci.yml": wf("ci.yml") };
        const prJobs: string[] = [];
        for (const [file, w] of Object.entries(all)) {
            expect(Object.keys(w.on)).not.toContain("pull_request_target");
            if (!("pull_request" in w.on)) continue;
            for (const [name, job] of Object.entries(w.jobs as Record<string, { if?: string }>)) {
                if (job.if && /github\.event_name == '(push|workflow_dispatch)'/.test(job.if)) continue;
                prJobs.push(`${file}:${name}`);
                const text = JSON.stringify(job);
                expect({ job: `${file}:${name}`, secrets: /secrets\.|PULUMI_ACCESS_TOKEN|PULUMI_CONFIG_PASSPHRASE/.test(text) }).toEqual({ job: `${file}:${name}`, secrets: false });
            }
        }
        expect(prJobs.sort()).toEqual(["ci.yml:plan", "ci.yml:test"]);
        expect(Object.keys(deploy.on).sort()).toEqual(["push", "workflow_dispatch"]);
        // The secret is only ever read inside a job bound to a protected environment.
        for (const [name, job] of Object.entries(deploy.jobs as Record<string, { environment?: string }>)) {
            if (JSON.stringify(job).includes("secrets.")) expect({ name, environment: job.environment }).toEqual({ name, environment: expect.stringMatching(/^(preview|production)$/) });
        }
        expect(deploy.permissions).toEqual({ contents: "read" });
    });

    test("pull requests run the offline plan of every stack with the policy pack, a violation fails", () => {
        const plan = wf("ci.yml").jobs.plan;
        const run = plan.steps.map((x: { run?: string }) => x.run ?? "").join("\n");
        expect(run).toMatch(/for f in Pulumi\.\*\.yaml/);
        expect(run).toMatch(/npm run plan -- --stack "\$stack" --out out --policy \|\| status=1/);
        expect(run).toMatch(/exit "\$status"/);
    });

    test("a real preview only on a manual run, in the environment 'preview', with the policy pack", () => {
        expect(deploy.jobs.preview.if).toMatch(/github\.event_name == 'workflow_dispatch'/);
        expect(deploy.jobs.preview.environment).toBe("preview");
        expect(pulumiStep("preview").with).toMatchObject({ command: "preview", policyPacks: "policy" });
        expect(pulumiStep("preview").with?.["comment-on-pr"]).toBeUndefined();
    });

    test("up on main only, with the policy pack", () => {
        expect(deploy.jobs.up.if).toMatch(/refs\/heads\/main/);
        expect(pulumiStep("up").with).toMatchObject({ command: "up", policyPacks: "policy" });
    });

    test("every client stack in a matrix; one client's failure does not block the others", () => {
        for (const job of ["preview", "up"]) {
            expect(deploy.jobs[job].strategy["fail-fast"]).toBe(false);
            expect(deploy.jobs[job].strategy.matrix.stack).toMatch(/fromJson\(needs\.stacks\.outputs\.list\)/);
            expect(pulumiStep(job).with?.["stack-name"]).toBe("${{ matrix.stack }}");
        }
        expect(deploy.jobs.stacks.steps.at(-1)?.run).toMatch(/scripts\/deployable-stacks\.ts/);
        for (const job of ["preview", "up"]) expect(deploy.jobs[job].if).toContain("needs.stacks.outputs.list != '[]'");
    });

    test("after up, the same stack's preview must be empty: the second deploy is a no-op", () => {
        const s = steps("up");
        const up = s.findIndex((x) => x.with?.command === "up");
        const check = s.findIndex((x) => /pulumi preview --stack "\$STACK" --expect-no-changes/.test(String(x.run ?? "")));
        expect(up).toBeGreaterThanOrEqual(0);
        expect(check).toBeGreaterThan(up);
        expect(s[check].env?.STACK).toBe("${{ matrix.stack }}");
        expect(s[check].run).toMatch(/--diff/);
        expect(s[check].if).toBeUndefined(); // runs only when up succeeded
    });

    test("the manual preview never runs on the runner that deploys", () => {
        const labels = (job: string) => [deploy.jobs[job]["runs-on"]].flat() as string[];
        expect(labels("up")).toContain("mautic-deployer");
        expect(labels("preview")).toContain("mautic-preview");
        expect(labels("preview")).not.toContain("mautic-deployer");
        expect(deploy.jobs.preview.environment).toBe("preview");
        expect(deploy.jobs.up.environment).toBe("production");
    });

    test("SSH key material lives under the job's temp dir and is removed at the end of every job, whatever happened", () => {
        for (const job of ["preview", "up"]) {
            const last = steps(job).at(-1)!;
            expect(last.if).toBe("always()");
            expect(last.run).toBe('rm -rf "$RUNNER_TEMP/mautic-kit-ssh"');
        }
        // The program's own choice of directory, in CI: under RUNNER_TEMP, exactly what the step removes.
        expect(sshMaterialBase({ RUNNER_TEMP: "/runner/_temp", XDG_RUNTIME_DIR: "/run/user/1000" } as NodeJS.ProcessEnv)).toBe("/runner/_temp/mautic-kit-ssh");
        expect(sshMaterialBase({ MAUTIC_KIT_SSH_DIR: "/x", RUNNER_TEMP: "/runner/_temp" } as NodeJS.ProcessEnv)).toBe("/x");
    });

    test("a change of Pulumi.yaml (the project file) triggers the deploy too; ci checks every pull request", () => {
        expect(deploy.on.push.paths).toEqual(expect.arrayContaining(["Pulumi.yaml", "Pulumi.*.yaml", "index.ts", "components/**"]));
        expect(wf("ci.yml").on.pull_request).toBeNull();
    });

    test("needs only the Pulumi token as a secret (the rest is encrypted stack config)", () => {
        const text = fs.readFileSync(path.join(projectRoot, ".github/workflows/deploy.yml"), "utf8");
        const secrets = new Set([...text.matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1]));
        expect([...secrets]).toEqual(["PULUMI_ACCESS_TOKEN"]);
        expect(text).toMatch(/egress address must\s*\n?#?\s*be in every stack's adminCidrs/);
    });
});

describe("ci workflow", () => {
    const ci = wf("ci.yml");
    test("runs the README's test command and the offline plan of every stack, without cloud secrets", () => {
        const runs = Object.values(ci.jobs).flatMap((j) => j.steps.map((s) => s.run ?? "")).join("\n");
        expect(runs).toMatch(/npm test/);
        expect(runs).toMatch(/npm run plan -- --stack "\$stack"/);
        expect(fs.readFileSync(path.join(projectRoot, ".github/workflows/ci.yml"), "utf8")).not.toMatch(/secrets\./);
    });
});

describe("only stacks with real secrets are deployed (scripts/deployable-stacks.ts)", () => {
    const cipher = "v1:" + Buffer.from("0123456789abcdef0123456789abcdef").toString("base64");
    test("the example stack Pulumi.prod.yaml is skipped: it holds no secrets", () => {
        const prod = judgeStacks(projectRoot).find((v) => v.stack === "prod")!;
        expect(prod).toMatchObject({ deploy: false, reason: expect.stringMatching(/no hcloud:token/) });
    });
    test("a stack with an encrypted token is deployed; placeholders and plain text are not", () => {
        expect(judgeStack("a", `config:\n  hcloud:token:\n    secure: ${cipher}\n`).deploy).toBe(true);
        expect(judgeStack("b", "config:\n  hcloud:token:\n    secure: v1:REPLACE-WITH-pulumi-config-set\n")).toMatchObject({ deploy: false, reason: expect.stringMatching(/placeholder/) });
        expect(judgeStack("c", "config:\n  hcloud:token: abc\n")).toMatchObject({ deploy: false, reason: expect.stringMatching(/not encrypted/) });
        expect(judgeStack("d", `config:\n  hcloud:token:\n    secure: ${cipher}\n  x:mailerDsn:\n    secure: TODO\n`)).toMatchObject({ deploy: false, reason: "x:mailerDsn is a placeholder, not ciphertext" });
    });
});
