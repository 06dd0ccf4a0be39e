/**
 * Every command-line tool parses with lib/cli.ts: `--help` prints the usage with examples and
 * exit codes (exit 0); an unknown option, a missing value or a bad value exits 2 with a message
 * that names the option and the fix. In process (each tool's `main(argv, io)`); the exit code of
 * the real process is checked by tests/tools/plan.process.test.ts.
 */
import { main as audit } from "../../audit/cli";
import { main as bench } from "../../bench/bench";
import { main as conformance } from "../../conformance/cli";
import { main as dsr } from "../../dsr/cli";
import { defineCli, parseCommandLine, UsageError } from "../../lib/cli";
import { main as plan } from "../../plan/plan";
import { main as verify } from "../../verify/cli";

type Main = (argv: string[]) => Promise<{ code: number; out: string; err: string }>;
const withIo =
    (m: (argv: string[], io: { out: (s: string) => void; err: (s: string) => void }) => Promise<number>): Main =>
    async (argv) => {
        let out = "";
        let err = "";
        const code = await m(argv, { out: (s) => (out += s), err: (s) => (err += s) });
        return { code, out, err };
    };
const tools: Record<string, Main> = {
    plan: withIo(plan),
    audit: withIo(audit),
    verify: withIo(verify),
    dsr: withIo(dsr),
    bench: withIo(bench),
    conformance: async (argv) => {
        let text = "";
        const code = await conformance(argv, {}, (s) => (text += `${s}\n`));
        return { code, out: text, err: text };
    },
};

describe.each(Object.keys(tools))("npm run %s", (name) => {
    const run = tools[name];

    test.each([["--help"], ["-h"]])("%s prints the usage with examples and exit codes, exit 0", async (flag) => {
        const r = await run([flag]);
        expect(r.code).toBe(0);
        expect(r.out).toMatch(new RegExp(`^Usage: npm run ${name} -- `));
        expect(r.out).toMatch(/\nOptions[^\n]*:\n {2}-?-/);
        expect(r.out).toMatch(new RegExp(`\\nExamples:\\n {2}(\\S+=\\S+ )*npm run ${name}`));
        expect(r.out).toMatch(/\nExit codes:\n {2}0 {2}.+\n {2}1 {2}.+\n {2}2 {2}usage error/);
        expect(r.out).toMatch(/ {2}-h, --help +this text/);
    });

    test("an unknown option: exit 2, the option named, the synopsis and where the help is", async () => {
        const r = await run(["--no-such-option"]);
        expect(r.code).toBe(2);
        expect(r.err).toMatch(new RegExp(`^${name}: unknown option --no-such-option\\. Fix: use an option listed by --help\\n\\nUsage: npm run ${name} -- `));
        expect(r.err).toMatch(new RegExp(`All options and examples: npm run ${name} -- --help\\n$`));
    });
});

test.each([
    ["plan", ["--stak", "prod"], /^plan: unknown option --stak \(did you mean --stack\?\)/],
    ["plan", ["--stack"], /^plan: --stack needs a value\. Fix: --stack NAME/],
    ["plan", ["--stack", "--out", "x"], /^plan: --stack needs a value\. Fix: --stack NAME/],
    ["plan", ["--stack", "a/b"], /^plan: --stack "a\/b": a stack name is letters, digits, '\.', '_', '-'\. Fix: e\.g\. --stack prod/],
    ["plan", ["prod"], /^plan: unexpected argument "prod": plan takes options only/],
    ["audit", ["https://example.org", "--timeout", "10"], /^audit: --timeout "10" is not a whole number from 1000 to 600000 \(milliseconds\)/],
    ["audit", ["https://example.org", "--verbose=yes"], /^audit: --verbose takes no value\. Fix: write --verbose alone/],
    ["audit", [], /^audit: missing <url>/],
    ["verify", [], /^verify: --stack NAME or --all is required\. Fix: e\.g\. --stack prod/],
    ["verify", ["--stack", "prod", "--port", "70000"], /^verify: --port "70000" is not a whole number from 1 to 65535/],
    ["verify", ["--stack", "prod", "--only", "nope"], /^verify: --only: unknown check "nope"\. Fix: use checks from /],
    ["verify", ["--stack", "prod", "--all"], /^verify: --stack and --all exclude each other/],
    [
        "dsr",
        ["delete", "--email", "a@b.org", "--mysql", "mysql://x"],
        /^dsr: the first argument must be export, erase, withdraw-profiling, rectify or restrict, not "delete"/,
    ],
    ["dsr", ["export", "--email", "a@b.org"], /^dsr: give exactly one of --stack NAME or --mysql URL/],
    ["dsr", ["export", "--email", "not-an-address", "--stack", "prod"], /^dsr: --email "not-an-address" is not an e-mail address/],
    [
        "dsr",
        ["export", "erase", "--email", "a@b.org", "--stack", "p"],
        /^dsr: expected one export\|erase\|withdraw-profiling\|rectify\|restrict, got: export erase/,
    ],
    ["conformance", ["--mautic-url", "http://x", "--days", "0"], /^conformance: --days "0" is not a whole number from 1 to 30/],
    ["conformance", ["--mautic-url", "http://x", "--line", "7.1"], /^conformance: --line "7\.1" is not one of 5\.2, 6\.0, 7\.2/],
    ["conformance", ["--mautic-url", "http://x", "--password", "p"], /^conformance: unknown option --password/],
    ["bench", ["--with-tests=1"], /^bench: --with-tests takes no value/],
])("%s %j: exit 2, %s", async (name, argv, message) => {
    const r = await tools[name](argv);
    expect({ code: r.code, err: r.err }).toEqual({ code: 2, err: expect.stringMatching(message) });
});

test("the parser: --opt=value, repeatable options, an empty value is refused", () => {
    const spec = defineCli({
        name: "t",
        command: "t",
        synopsis: "",
        description: "",
        options: { one: { type: "string", value: "X", help: "" }, many: { type: "string", multiple: true, help: "" }, flag: { type: "boolean", help: "" } },
        examples: [],
        exitCodes: {},
    });
    expect(parseCommandLine(spec, ["--one=a", "--many", "b", "--many=c", "--flag"])).toEqual({
        help: false,
        values: { one: "a", many: ["b", "c"], flag: true },
        positionals: [],
    });
    expect(() => parseCommandLine(spec, ["--one", ""])).toThrow(new UsageError("--one needs a value, got an empty one. Fix: --one X"));
    expect(() => parseCommandLine(spec, ["--one=-x"])).not.toThrow();
});
