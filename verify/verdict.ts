/** What the evaluation of one gathered section yields, and the helpers the evaluators share. */

export type Verdict = { ok: boolean; evidence: string };

/** `key=value` lines of a section's output. */
export function kv(output: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of output.split("\n")) {
        const i = line.indexOf("=");
        if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    return out;
}

export const hours = (sec: number) => `${(sec / 3600).toFixed(1)} h`;
