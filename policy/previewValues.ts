/**
 * Reading resource properties whose values may be unknown during a preview: `peek` yields
 * `UNKNOWN` instead of throwing the engine's `UnknownValueError`; and how the policies show a
 * value and name a resource in their messages.
 */
import * as policySdk from "@pulumi/policy";

const UnknownValueError = (policySdk as unknown as { UnknownValueError?: new (...args: never[]) => Error }).UnknownValueError;

function isUnknownError(e: unknown): boolean {
    if (UnknownValueError && e instanceof UnknownValueError) return true;
    return e instanceof Error && /can't be known during preview$/.test(e.message);
}

/** A value that is known, or the marker that the engine does not know it yet. */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export type Maybe<T> = T | undefined | typeof UNKNOWN;

/** Reads `obj[key]`; an unknown value (preview) yields `UNKNOWN` instead of throwing. */
export function peek<T = unknown>(obj: unknown, key: string): Maybe<T> {
    if (obj === null || typeof obj !== "object") return undefined;
    try {
        return (obj as Record<string, T>)[key];
    } catch (e) {
        if (isUnknownError(e)) return UNKNOWN;
        throw e;
    }
}

/** A string array read element by element; unknown elements are dropped, `unknown` tells whether any was. */
export function peekStrings(obj: unknown, key: string): { values: string[]; unknown: boolean } {
    const arr = peek<unknown[]>(obj, key);
    if (arr === UNKNOWN) return { values: [], unknown: true };
    if (!Array.isArray(arr)) return { values: [], unknown: false };
    const values: string[] = [];
    let unknown = false;
    for (let i = 0; i < arr.length; i++) {
        const v = peek(arr, String(i));
        if (v === UNKNOWN) unknown = true;
        else if (typeof v === "string") values.push(v);
    }
    return { values, unknown };
}

export const show = (v: unknown): string => (v === undefined ? "not set" : JSON.stringify(v));

/** "docker container 'site-app-db' (name \"mautic_db\")" */
export function describe(kind: string, resourceName: string, props: unknown): string {
    const name = peek(props, "name");
    return typeof name === "string" && name !== resourceName ? `${kind} '${resourceName}' (name ${JSON.stringify(name)})` : `${kind} '${resourceName}'`;
}
