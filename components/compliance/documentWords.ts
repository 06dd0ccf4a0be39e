/**
 * The language machinery of the generated documents: numbers, durations and schedules in words
 * (English, German), the named text pieces of `parts.md`, and the strict template filler.
 */
import { fill, readTemplate } from "../shared/template";

export type Lang = "en" | "de";
export const langs: Lang[] = ["en", "de"];

/** Language-specific wording of numbers, durations and schedules. */
export const words = {
    en: {
        /** "3 days", after "after"/"for". */
        days: (n: number) => `${n} day${n === 1 ? "" : "s"}`,
        daysWithYears: (n: number) => `${n} day${n === 1 ? "" : "s"}${n % 365 === 0 ? ` (${n / 365} year${n === 365 ? "" : "s"})` : ""}`,
        duration: (seconds: number) => unitDuration(seconds, [["year", "years", 31_536_000], ["day", "days", 86_400], ["hour", "hours", 3600], ["minute", "minutes", 60], ["second", "seconds", 1]]),
        daily: (hhmm: string, tz: string) => `daily at ${hhmm} (${tz})`,
        nightlyFrom: (hhmm: string, tz: string) => `nightly from ${hhmm} (${tz})`,
        everyMinutes: (n: number) => `every ${n} minutes`,
        cronRaw: (expr: string) => `on the schedule \`${expr}\``,
        logLimit: (files: string, size: string) => `${files} files of ${size}`,
        within: (minutes: number) => (minutes <= 60 ? "within one hour" : `within ${minutes} minutes`),
        withinHours: (minutes: number) => (minutes <= 60 ? "within one hour" : `within ${Math.ceil(minutes / 60)} hours`),
        /** When a queued e-mail goes out: within the given minutes, or "within a few minutes". */
        aboutWithin: (minutes: number | undefined) => (minutes === undefined ? "within a few minutes" : `within about ${minutes} minutes`),
        hourly: "every hour",
        /** "3 full calendar years", the consent ledger's retention. */
        fullYears: (n: number) => `${n} full calendar year${n === 1 ? "" : "s"}`,
    },
    de: {
        /** "3 Tagen": dative, as in "nach 3 Tagen". */
        days: (n: number) => `${n} Tag${n === 1 ? "" : "en"}`,
        daysWithYears: (n: number) => `${n} Tag${n === 1 ? "" : "en"}${n % 365 === 0 ? ` (${n / 365} Jahr${n === 365 ? "" : "en"})` : ""}`,
        /** Nominative, for table cells: "1 Jahr", "30 Minuten". */
        duration: (seconds: number) => unitDuration(seconds, [["Jahr", "Jahre", 31_536_000], ["Tag", "Tage", 86_400], ["Stunde", "Stunden", 3600], ["Minute", "Minuten", 60], ["Sekunde", "Sekunden", 1]]),
        daily: (hhmm: string, tz: string) => `t\u00e4glich um ${hhmm} Uhr (${tz})`,
        nightlyFrom: (hhmm: string, tz: string) => `n\u00e4chtlich ab ${hhmm} Uhr (${tz})`,
        everyMinutes: (n: number) => `alle ${n} Minuten`,
        cronRaw: (expr: string) => `nach dem Zeitplan \`${expr}\``,
        logLimit: (files: string, size: string) => `${files} Dateien zu je ${size}`,
        within: (minutes: number) => (minutes <= 60 ? "innerhalb einer Stunde" : `innerhalb von ${minutes} Minuten`),
        withinHours: (minutes: number) => (minutes <= 60 ? "innerhalb einer Stunde" : `innerhalb von ${Math.ceil(minutes / 60)} Stunden`),
        aboutWithin: (minutes: number | undefined) => (minutes === undefined ? "innerhalb weniger Minuten" : `innerhalb von etwa ${minutes} Minuten`),
        hourly: "st\u00fcndlich",
        /** Dative, after "nach Ablauf von": "3 vollen Kalenderjahren". */
        fullYears: (n: number) => (n === 1 ? "einem vollen Kalenderjahr" : `${n} vollen Kalenderjahren`),
    },
} as const;

function unitDuration(seconds: number, units: Array<[string, string, number]>): string {
    for (const [one, many, size] of units) {
        if (seconds >= size && seconds % size === 0) {
            const n = seconds / size;
            return `${n} ${n === 1 ? one : many}`;
        }
    }
    return `${seconds} ${units[units.length - 1][1]}`;
}

/** The step N of a five-field cron schedule that runs every N minutes (evenly spaced list or `*\/N`). */
export function cronEveryMinutes(expr: string): number | undefined {
    const f = expr.trim().split(/\s+/);
    if (f.length !== 5 || f[1] !== "*" || !f.slice(2).every((x) => x === "*")) return undefined;
    const slash = /^\*\/(\d{1,2})$/.exec(f[0]);
    if (slash) return Number(slash[1]) > 0 && 60 % Number(slash[1]) === 0 ? Number(slash[1]) : undefined;
    if (!/^\d{1,2}(,\d{1,2})+$/.test(f[0])) return undefined;
    const mins = f[0].split(",").map(Number);
    const step = mins[1] - mins[0];
    return step > 0 && 60 % step === 0 && mins.length === 60 / step && mins.every((m, i) => m === mins[0] + i * step) ? step : undefined;
}

/** A five-field cron schedule in words: daily at a fixed time, or every N minutes. */
export function describeCron(expr: string, lang: Lang, tz: string): string {
    const w = words[lang];
    const f = expr.trim().split(/\s+/);
    if (f.length === 5 && f.slice(2).every((x) => x === "*") && /^\d{1,2}$/.test(f[0]) && /^\d{1,2}$/.test(f[1])) {
        return w.daily(`${f[1].padStart(2, "0")}:${f[0].padStart(2, "0")}`, tz);
    }
    const step = cronEveryMinutes(expr);
    return step !== undefined ? w.everyMinutes(step) : w.cronRaw(expr);
}

/** Docker's size notation ("10m") in words. */
export function dockerSize(v: string): string {
    const m = /^(\d+)([kmg])?$/i.exec(v);
    if (!m) return v;
    return `${m[1]} ${({ k: "KB", m: "MB", g: "GB" } as Record<string, string>)[(m[2] ?? "").toLowerCase()] ?? "bytes"}`;
}

/** `parts.md`: named text pieces, each after a `<!-- part: name -->` line. */
export function readParts(lang: Lang): Map<string, string> {
    const text = readTemplate(`documents/${lang}/parts.md`);
    const parts = new Map<string, string>();
    const re = /^<!-- part: ([a-z0-9-]+) -->\n/gm;
    const heads = [...text.matchAll(re)];
    heads.forEach((h, i) => {
        const start = h.index! + h[0].length;
        const end = i + 1 < heads.length ? heads[i + 1].index! : text.length;
        if (parts.has(h[1])) throw new Error(`templates/documents/${lang}/parts.md: part '${h[1]}' is defined twice`);
        parts.set(h[1], text.slice(start, end).replace(/\n+$/, ""));
    });
    return parts;
}

/**
 * Fills templates from one value map per language, strictly: a placeholder without a value is
 * an error (via `fill`), and at the end every value must have been used by some template.
 */
export class Filler {
    private readonly used = new Set<string>();
    constructor(
        private readonly lang: Lang,
        private readonly parts: Map<string, string>,
        readonly values: Record<string, string | number>,
        private readonly flags: Record<string, boolean> = {},
    ) {}

    /**
     * Conditional text: `{{?flag}}...{{/flag}}` stays only when the flag is true, `{{!flag}}...{{/flag}}`
     * only when it is false (no nesting). An unknown flag or an unclosed block is an error.
     */
    private conditionals(template: string, name: string): string {
        const out = template.replace(/\{\{([?!])([a-zA-Z0-9_]+)\}\}([\s\S]*?)\{\{\/\2\}\}/g, (_, sign: string, flag: string, body: string) => {
            if (!(flag in this.flags)) throw new Error(`${name}: unknown condition {{${sign}${flag}}}`);
            return this.flags[flag] === (sign === "?") ? body : "";
        });
        const stray = /\{\{[?!/][a-zA-Z0-9_]+\}\}/.exec(out);
        if (stray) throw new Error(`${name}: unclosed or stray condition ${stray[0]}`);
        return out;
    }

    text(template: string, name: string): string {
        template = this.conditionals(template, name);
        const keys = new Set([...template.matchAll(/\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g)].map((m) => m[1]));
        const picked: Record<string, string | number> = {};
        for (const k of keys) {
            if (k in this.values) picked[k] = this.values[k];
            this.used.add(k);
        }
        return fill(template, picked, name);
    }

    part(name: string, extra: Record<string, string | number> = {}): string {
        const tpl = this.parts.get(name);
        if (tpl === undefined) throw new Error(`templates/documents/${this.lang}/parts.md has no part '${name}'`);
        if (Object.keys(extra).length === 0) return this.text(tpl, `documents/${this.lang}/parts.md#${name}`);
        return fill(this.conditionals(tpl, `documents/${this.lang}/parts.md#${name}`), extra, `documents/${this.lang}/parts.md#${name}`);
    }

    file(rel: string): string {
        return this.text(readTemplate(`documents/${this.lang}/${rel}`), `documents/${this.lang}/${rel}`);
    }

    assertAllUsed(): void {
        const unused = Object.keys(this.values).filter((k) => !this.used.has(k));
        if (unused.length > 0) throw new Error(`templates/documents/${this.lang}/: values no template uses: ${unused.join(", ")}`);
    }
}
