/**
 * The one argument parser of the kit's command-line tools (npm run plan, audit, verify, dsr,
 * conformance, bench): node's `util.parseArgs` (strict: an unknown option is an error) with the
 * conventions they share:
 *  - `--help` (or `-h`) prints the usage: synopsis, what the tool does, every option, examples
 *    and the exit codes; exit 0.
 *  - Exit codes: 0 ok, 1 findings (a check failed, the run failed), 2 usage. A tool may add
 *    codes above 2 (dsr: 3, 4) and lists them in its usage.
 *  - A usage error names the option and the fix, then the synopsis and where the help is:
 *    `plan: unknown option --stak (did you mean --stack?)`.
 *  - Both `--opt value` and `--opt=value`; a repeatable option is given once per value.
 */
import { parseArgs } from "util";

export const exitCodes = { ok: 0, findings: 1, usage: 2 } as const;

/** Bad command-line input: the tool prints the message and its synopsis and exits 2. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

export interface CliOption {
    type: "string" | "boolean";
    /** Repeatable: every occurrence adds a value. */
    multiple?: boolean;
    /** One-letter alias, e.g. "h". */
    short?: string;
    /** The value's placeholder in the usage and in messages, e.g. "NAME". Strings only. */
    value?: string;
    /** One line for the usage (default included). */
    help: string;
}

export interface CliSpec<O extends Record<string, CliOption>> {
    /** The tool's name, the prefix of its messages: "plan". */
    name: string;
    /** How it is run, without options: "npm run plan --". */
    command: string;
    /** The arguments after the command: "[--stack NAME] [--out DIR]". */
    synopsis: string;
    /** What the tool does, a few lines. */
    description: string;
    options: O;
    /** Positional arguments, when the tool takes any. Default: none. */
    positionals?: { min: number; max: number; name: string };
    /** Whole command lines, each with a comment after `#`. */
    examples: string[];
    /** The meaning of each exit code this tool uses (0, 1 and 2 at least). */
    exitCodes: Record<number, string>;
}

type ValueOf<T extends CliOption> = T["type"] extends "boolean" ? (T["multiple"] extends true ? boolean[] : boolean) : T["multiple"] extends true ? string[] : string;

export type CliValues<O extends Record<string, CliOption>> = { [K in keyof O]?: ValueOf<O[K]> };

export type Parsed<O extends Record<string, CliOption>> = { help: true } | { help: false; values: CliValues<O>; positionals: string[] };

/** Declares a tool's command line (keeps the option names' literal types for `values`). */
export function defineCli<const O extends Record<string, CliOption>>(spec: CliSpec<O>): CliSpec<O> {
    return spec;
}

const helpOption: CliOption = { type: "boolean", short: "h", help: "this text" };

function optionLabel(name: string, o: CliOption): string {
    const head = `${o.short ? `-${o.short}, ` : ""}--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
    return o.multiple ? `${head} *` : head;
}

/** The synopsis line: "Usage: npm run plan -- [--stack NAME] ...". */
export function synopsis(spec: CliSpec<Record<string, CliOption>>): string {
    return `Usage: ${spec.command} ${spec.synopsis}`;
}

/** The full --help text. */
export function usage(spec: CliSpec<Record<string, CliOption>>): string {
    const options = { ...spec.options, help: helpOption };
    const labels = Object.entries(options).map(([n, o]) => [optionLabel(n, o), o.help] as const);
    const width = Math.max(...labels.map(([l]) => l.length)) + 2;
    const repeatable = Object.values(options).some((o) => o.multiple);
    const codes = Object.entries(spec.exitCodes).map(([c, m]) => `  ${c}  ${m}`);
    return [
        synopsis(spec),
        "",
        spec.description.trim(),
        "",
        `Options${repeatable ? " (* = repeatable)" : ""}:`,
        ...labels.map(([l, h]) => `  ${l.padEnd(width)}${h}`),
        "",
        "Examples:",
        ...spec.examples.map((e) => `  ${e}`),
        "",
        "Exit codes:",
        ...codes,
        "",
    ].join("\n");
}

/** What a tool prints on a usage error (then exits 2). */
export function usageErrorText(spec: CliSpec<Record<string, CliOption>>, message: string): string {
    return `${spec.name}: ${message}\n\n${synopsis(spec)}\nAll options and examples: ${spec.command} --help\n`;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
    let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        const cur = [i];
        for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = cur;
    }
    return prev[b.length];
}

/** Translates util.parseArgs' errors into messages that name the option and the fix. */
function translate(spec: CliSpec<Record<string, CliOption>>, e: Error & { code?: string }): UsageError {
    const quoted = /'([^']*)'/.exec(e.message)?.[1] ?? "";
    if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
        const given = quoted.replace(/=.*$/, "");
        const bare = given.replace(/^-+/, "");
        const near = Object.keys(spec.options)
            .map((n) => [n, distance(bare, n)] as const)
            .filter(([n, d]) => d <= Math.max(1, Math.floor(n.length / 3)))
            .sort((x, y) => x[1] - y[1])[0]?.[0];
        return new UsageError(`unknown option ${given}${near ? ` (did you mean --${near}?)` : ""}. Fix: use an option listed by --help`);
    }
    if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
        const name = quoted.replace(/^-+/, "").split(/[ =]/)[0];
        const o = spec.options[name];
        if (o?.type === "boolean") return new UsageError(`--${name} takes no value. Fix: write --${name} alone`);
        const placeholder = o?.value ?? "VALUE";
        return new UsageError(`--${name} needs a value. Fix: --${name} ${placeholder} (a value starting with '-' as --${name}=${placeholder})`);
    }
    if (e.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
        return new UsageError(`unexpected argument ${JSON.stringify(quoted)}: ${spec.name} takes options only. Fix: remove it, or put -- before a value`);
    }
    return new UsageError(e.message);
}

/**
 * Parses argv (without node and the script) by the spec. Returns `{ help: true }` for --help;
 * throws UsageError, naming the option and the fix, for anything the spec does not allow.
 */
export function parseCommandLine<O extends Record<string, CliOption>>(spec: CliSpec<O>, argv: string[]): Parsed<O> {
    const options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = { help: { type: "boolean", short: "h" } };
    for (const [name, o] of Object.entries(spec.options)) options[name] = { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) };
    let parsed: { values: Record<string, unknown>; positionals: string[] };
    try {
        parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: spec.positionals !== undefined });
    } catch (e) {
        throw translate(spec, e as Error & { code?: string });
    }
    if (parsed.values.help) return { help: true };
    const p = spec.positionals;
    if (p) {
        const n = parsed.positionals.length;
        if (n < p.min) throw new UsageError(`missing ${p.name}`);
        if (n > p.max) throw new UsageError(`expected ${p.max === 1 ? "one" : `at most ${p.max}`} ${p.name}, got: ${parsed.positionals.join(" ")}`);
    }
    for (const [name, o] of Object.entries(spec.options)) {
        const v = parsed.values[name];
        const values = Array.isArray(v) ? v : [v];
        if (o.type === "string" && v !== undefined && values.some((x) => !String(x).trim())) {
            throw new UsageError(`--${name} needs a value, got an empty one. Fix: --${name} ${o.value ?? "VALUE"}`);
        }
    }
    const { help: _help, ...values } = parsed.values;
    return { help: false, values: values as CliValues<O>, positionals: parsed.positionals };
}

/** A whole number in [min, max], or a UsageError naming the option. */
export function intOption(name: string, text: string | undefined, fallback: number, min: number, max: number, unit = ""): number {
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
        throw new UsageError(`--${name} ${JSON.stringify(text)} is not a whole number from ${min} to ${max}${unit ? ` (${unit})` : ""}. Fix: e.g. --${name} ${fallback}`);
    }
    return Number(text);
}

/** One of the allowed values, or a UsageError naming the option and the choices. */
export function oneOf<T extends string>(name: string, text: string | undefined, allowed: readonly T[], fallback: T): T {
    if (text === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`--${name} ${JSON.stringify(text)} is not one of ${allowed.join(", ")}. Fix: e.g. --${name} ${fallback}`);
    return text as T;
}

/** The stack name check every stack-reading tool applies. */
export function stackName(name: string, text: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(text)) throw new UsageError(`--${name} ${JSON.stringify(text)}: a stack name is letters, digits, '.', '_', '-'. Fix: e.g. --${name} prod`);
    return text;
}

export interface CliIo {
    out: (text: string) => void;
    err: (text: string) => void;
}

export const processIo: CliIo = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
};

/**
 * Runs a tool's main: parses, prints --help (exit 0) or the usage error (exit 2), else calls
 * `body` with the values and returns its exit code. Errors `body` throws: UsageError exits 2,
 * anything else is printed and exits 1.
 */
export async function runCli<O extends Record<string, CliOption>>(
    spec: CliSpec<O>,
    argv: string[],
    io: CliIo,
    body: (values: CliValues<O>, positionals: string[]) => Promise<number> | number,
): Promise<number> {
    let parsed: Parsed<O>;
    try {
        parsed = parseCommandLine(spec, argv);
    } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        io.err(usageErrorText(spec, e.message));
        return exitCodes.usage;
    }
    if (parsed.help) {
        io.out(usage(spec));
        return exitCodes.ok;
    }
    try {
        return await body(parsed.values, parsed.positionals);
    } catch (e) {
        if (e instanceof UsageError) {
            io.err(usageErrorText(spec, e.message));
            return exitCodes.usage;
        }
        io.err(`${spec.name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        return exitCodes.findings;
    }
}

/** `if (require.main === module) exitWith(main(...))`: sets the exit code once the promise settles. */
export function exitWith(code: Promise<number>): void {
    code.then(
        (c) => process.exit(c),
        (e) => {
            process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
            process.exit(exitCodes.findings);
        },
    );
}
