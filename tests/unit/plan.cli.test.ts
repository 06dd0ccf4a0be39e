/**
 * `npm run plan` on broken stack files and on --help, through the CLI's `main` in this process
 * (the same parsing, messages and exit codes as the child process, without its seconds of module
 * loading). The real child process on Pulumi.prod.yaml and a usage error:
 * tests/tools/plan.process.test.ts.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../../plan/runPlan";
import { main } from "../../plan/plan";

let tmp: string;
beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kit-plan-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The CLI's main in this process: the same parsing, messages and exit codes as the child process. */
async function planHere(args: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await main(args, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
    return { code, stdout, stderr };
}

describe("npm run plan on invalid input", () => {
    test("a stack file in Finland: exit 1, the message, nothing written", async () => {
        const out = path.join(tmp, "out-bad");
        const prod = fs.readFileSync(path.join(projectRoot, "Pulumi.prod.yaml"), "utf8").replace("mautic-gdpr:location: nbg1", "mautic-gdpr:location: hel1");
        // Into a project dir of the test's own (the repository gets no stack file).
        const dir = path.join(tmp, "project-bad");
        fs.mkdirSync(dir);
        fs.copyFileSync(path.join(projectRoot, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.writeFileSync(path.join(dir, "Pulumi.plantest-bad.yaml"), prod);
        {
            const r = await planHere(["--stack", "plantest-bad", "--out", out, "--dir", dir]);
            expect(r.code).toBe(1);
            expect(r.stderr).toMatch(/location = "hel1" is in Helsinki, Finland, not in Germany/);
            expect(fs.existsSync(out)).toBe(false);
        }
    });

    test("a plaintext mailer DSN: exit 1, the value is not echoed", async () => {
        const prod = fs
            .readFileSync(path.join(projectRoot, "Pulumi.prod.yaml"), "utf8")
            .replace(/# mautic-gdpr:mailerDsn:.*/, "mautic-gdpr:mailerDsn: smtps://user:hunter2@smtp.example.de:465");
        expect(prod).toContain("hunter2");
        const dir = path.join(tmp, "project-plain");
        fs.mkdirSync(dir);
        fs.copyFileSync(path.join(projectRoot, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.writeFileSync(path.join(dir, "Pulumi.plantest-plain.yaml"), prod);
        {
            const r = await planHere(["--stack", "plantest-plain", "--out", path.join(tmp, "plain"), "--dir", dir]);
            expect(r.code).toBe(1);
            expect(r.stderr).toMatch(/mailerDsn = \[secret\] is stored in plain text\. Fix: `pulumi config set --secret mailerDsn/);
            expect(r.stderr + r.stdout).not.toContain("hunter2");
        }
    });

    test("a missing stack file: exit 1 with the fix", async () => {
        const r = await planHere(["--stack", "nope", "--out", path.join(tmp, "x")]);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/no stack file Pulumi\.nope\.yaml/);
    });
    test("--help: the usage with examples on stdout, exit 0", async () => {
        const r = await planHere(["--help"]);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^Usage: npm run plan -- [\s\S]*\nExamples:\n[\s\S]*\nExit codes:\n/);
    });
});
