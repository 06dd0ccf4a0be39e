/**
 * What `pulumi up` runs: the nodejs runner's own entry-point resolution
 * (`@pulumi/pulumi/cmd/run/run.js`, its exported `run`) on a clean copy of the project, with and
 * without the library build (`npm run build` writes bin/, which package.json `exports`/`main` name).
 * The CLI hands the runner Pulumi.yaml's `main` (a file: its name; unset: "."), and with "." the
 * runner takes package.json `exports`, then `main`, before index.ts
 * (docs/guide/deploy.md, "Which file `pulumi up` runs"). Under mocks, the resolved program
 * must register the site's full set of resources either way, not only the Stack.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { MockCloud } from "../../plan/mockRuntime";
import { projectRoot, runPlan } from "../../plan/runPlan";
import { testStack } from "../support/stacks";
import * as pulumi from "@pulumi/pulumi";

jest.setTimeout(180_000);

// run.js imports its launcher (cmd/run/index.js), which parses process.argv and calls `run` at load
// (and exits without --monitor); the test calls `run` itself, so the launcher is replaced by the one
// value run.js reads from it.
jest.doMock(require.resolve("@pulumi/pulumi/cmd/run/index.js"), () => ({ nodeJSProcessExitedAfterLoggingUserActionableMessage: 32 }));
const runner: {
    run: (
        argv: Record<string, unknown>,
        started: () => void,
        reportLoggedError: (e: Error) => void,
        isErrorReported: (e: Error) => boolean,
    ) => Promise<unknown>;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after jest.doMock above
} = require("@pulumi/pulumi/cmd/run/run.js");

/** The program argument the CLI passes the nodejs runner for a project (Pulumi.yaml `main`). */
export function programArgument(projectDir: string): { pwd: string; entry: string } {
    const project = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { main?: string };
    if (!project.main) return { pwd: projectDir, entry: "." };
    const main = path.resolve(projectDir, project.main);
    // A directory is the program's working dir (entry "."), a file names the entry point in its dir.
    return fs.statSync(main).isDirectory() ? { pwd: main, entry: "." } : { pwd: path.dirname(main), entry: path.basename(main) };
}

let tmp: string;
const stack = testStack({});

/**
 * A clean project dir: the project files copied from git, the program's sources linked (so the
 * mocks' price source and the program share one module instance), node_modules linked, no bin/.
 */
function cleanCopy(): string {
    const dir = fs.mkdtempSync(path.join(tmp, "project-"));
    const tracked = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: projectRoot, encoding: "utf8" }).split("\n");
    for (const f of ["Pulumi.yaml", "package.json", "tsconfig.json", "tsconfig.build.json", ".npmrc"]) {
        expect(tracked).toContain(f);
        fs.copyFileSync(path.join(projectRoot, f), path.join(dir, f));
    }
    for (const f of ["index.ts", "components", "templates", "node_modules"]) fs.symlinkSync(path.join(projectRoot, f), path.join(dir, f));
    return dir;
}

/** Runs the runner's `run` as the language host would for the project, under mocks; returns what registered. */
async function runAsPulumiUp(projectDir: string): Promise<{ program: string; resources: string[] }> {
    const cloud = new MockCloud({ project: stack.project, stack: stack.stack });
    for (const key of stack.secretKeys) cloud.secretValues.add(stack.config[key]);
    await cloud.install();
    pulumi.runtime.setAllConfig(stack.config, stack.secretKeys);
    const { pwd, entry } = programArgument(projectDir);
    const cwd = process.cwd();
    const argv = process.argv;
    const before = { u: process.listeners("uncaughtException"), r: process.listeners("unhandledRejection"), e: process.listeners("exit") };
    const errors: Error[] = [];
    try {
        await runner.run(
            { _: [entry], pwd },
            () => undefined,
            (e) => errors.push(e),
            () => false,
        );
        await cloud.settle();
    } finally {
        process.chdir(cwd);
        process.argv = argv;
        for (const [ev, old] of [
            ["uncaughtException", before.u],
            ["unhandledRejection", before.r],
            ["exit", before.e],
        ] as const) {
            for (const l of process.listeners(ev as "exit")) if (!(old as unknown[]).includes(l)) process.removeListener(ev as "exit", l);
        }
        cloud.dispose();
    }
    expect(errors).toEqual([]);
    return { program: entry, resources: cloud.resources.map((r) => `${r.type}::${r.name}`) };
}

let fullSet: string[];
beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "program-entry-"));
    const plan = await runPlan(stack);
    fullSet = plan.cloud.resources.map((r) => `${r.type}::${r.name}`);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("Pulumi.yaml names the stack program: main: index.ts (the kit and the example agency project)", () => {
    expect(programArgument(projectRoot)).toEqual({ pwd: projectRoot, entry: "index.ts" });
    const example = path.join(projectRoot, "examples", "agency-stack");
    expect(programArgument(example)).toEqual({ pwd: example, entry: "index.ts" });
});

test("without a build, the runner runs index.ts: the Stack and the whole site", async () => {
    const dir = cleanCopy();
    const got = await runAsPulumiUp(dir);
    expect(fullSet.length).toBeGreaterThan(30);
    expect(got.resources.filter((r) => !r.startsWith("pulumi:pulumi:Stack::"))).toEqual(fullSet);
    expect(got.resources.filter((r) => r.startsWith("pulumi:pulumi:Stack::"))).toHaveLength(1);
});

test("after `npm run build` (bin/ with the library barrel), the runner still runs index.ts, not the package's exports", async () => {
    const dir = cleanCopy();
    execFileSync("npm", ["run", "build"], { cwd: dir, stdio: "pipe" });
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    // The build produced what package.json exports: the file the runner would take without `main`.
    expect(fs.existsSync(path.join(dir, pkg.exports["."].default))).toBe(true);
    const got = await runAsPulumiUp(dir);
    expect(got.resources.filter((r) => !r.startsWith("pulumi:pulumi:Stack::"))).toEqual(fullSet);
});
