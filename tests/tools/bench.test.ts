/**
 * `npm run bench` runs to the end (its stacks are valid stack configs) and prints its figures;
 * a small N (10 instead of 50) keeps it short. The figures themselves are the README's (docs/guide/bench.md).
 */
import { spawnSync } from "child_process";
import { projectRoot, runPlan } from "../../plan/runPlan";
import { testStack } from "../support/stacks";

jest.setTimeout(240_000);

test("npm run bench -- --stacks 10: exit 0, plan times, resources and user data of the real program, costs", async () => {
    const r = spawnSync("npm", ["run", "--silent", "bench", "--", "--stacks", "10"], { cwd: projectRoot, encoding: "utf8", timeout: 220_000 });
    expect(r.stderr).not.toMatch(/bench: /);
    // One process plans 1 + 2 + 10 stacks: no listener piles up per plan (Node warns from 11 on).
    expect(r.stderr).not.toMatch(/MaxListenersExceededWarning/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/1 stack \(cold, incl\. module load\): \d+ ms/);
    expect(r.stdout).toMatch(/2 stacks: \d+ ms total, \d+ ms per stack/);
    expect(r.stdout).toMatch(/10 stacks: \d+ ms total, \d+ ms per stack/);
    expect(r.stdout).toMatch(/marginal cost ratio 10-vs-2 per stack: \d+\.\d\d/);
    // The bench's stacks are like the test stack (one admin network, a mailer): the same resource count.
    const expected = (await runPlan(testStack({}))).resourcesJson.length;
    expect(r.stdout).toContain(`Resources per stack: ${expected}..${expected}`);
    expect(r.stdout).toMatch(/User data: \d+ bytes of 32768 \(\d+% of Hetzner's limit\)/);
    expect(r.stdout).toMatch(/cx23: server \d+\.\d\d .* = \d+\.\d\d/);
});

test("a bad --stacks is a usage error that names the fix", () => {
    const r = spawnSync("npm", ["run", "--silent", "bench", "--", "--stacks", "2"], { cwd: projectRoot, encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--stacks "2" is not a whole number from 5 to 500\. Fix: e\.g\. --stacks 50/);
});
