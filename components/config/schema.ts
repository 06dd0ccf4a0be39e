/**
 * What derives from the field table (`fields.ts`): the key lists, the raw schema, the input and
 * settings types, the defaults and how Pulumi's string values are read. Nothing here names a key
 * except the settings that are computed rather than read (see `SiteSettings`).
 */
import { z } from "zod";
import { fields, FieldSpec } from "./fields";
import { germanLocations, supportedImages } from "./platform";

type Fields = typeof fields;

/** A config key the kit reads, in the stack's project namespace. */
export type ConfigKey = keyof Fields;

/** The config keys the kit reads, in the field table's order. */
export const configKeys = Object.keys(fields) as readonly ConfigKey[];

const spec = (key: ConfigKey): FieldSpec => fields[key];

/** Keys whose values are secrets: never echoed, kept out of `SiteSettings`. */
export type SecretKey = { [K in ConfigKey]: Fields[K] extends { secret: object } ? K : never }[ConfigKey];
export const secretKeys = configKeys.filter((k) => spec(k).secret !== undefined) as readonly SecretKey[];

/** Keys without a default that must be set. */
export const requiredKeys = configKeys.filter((k) => spec(k).required === true);

/** How a key's Pulumi config value (always a string) is read: from the schema's type. */
export type FieldKind = "string" | "number" | "boolean" | "list";
export function fieldKind(key: ConfigKey): FieldKind {
    const s = spec(key).schema;
    if (s instanceof z.ZodNumber) return "number";
    if (s instanceof z.ZodBoolean) return "boolean";
    if (s instanceof z.ZodArray) return "list";
    return "string";
}

/** The range of a whole-number key, from its schema (renderers re-check their inputs with it). */
export function intRange(key: ConfigKey): [min: number, max: number] {
    const s = spec(key).schema;
    if (
        !(s instanceof z.ZodNumber) ||
        !Number.isSafeInteger(s.minValue) ||
        !Number.isSafeInteger(s.maxValue) ||
        s.minValue === Number.MIN_SAFE_INTEGER ||
        s.maxValue === Number.MAX_SAFE_INTEGER
    )
        throw new Error(`${key} is not a bounded number field`);
    return [s.minValue as number, s.maxValue as number];
}

type ShapeOf<F> = F extends { schema: infer S extends z.ZodType; default: unknown }
    ? z.ZodDefault<S>
    : F extends { schema: infer S extends z.ZodType; required: true }
      ? S
      : F extends { schema: infer S extends z.ZodType }
        ? z.ZodOptional<S>
        : never;
type Shape = { -readonly [K in ConfigKey]: ShapeOf<Fields[K]> };

/** Shape and type of the raw settings; semantic checks follow in `validateSiteArgs`. */
export const rawSchema = z
    .object(
        Object.fromEntries(
            configKeys.map((k) => {
                const f = spec(k);
                return [k, "default" in f ? (f.schema as z.ZodType<unknown>).default(f.default) : f.required ? f.schema : f.schema.optional()];
            }),
        ) as Shape,
    )
    .strict();

/** The settings as a library user passes them (`MauticSiteArgs`): required keys, the rest optional. */
export type MauticSiteSettingsInput = z.input<typeof rawSchema>;

type DefaultKey = { [K in ConfigKey]: Fields[K] extends { default: unknown } ? K : never }[ConfigKey];
/** The default of every key that has one, from the field table. */
export const configDefaults = Object.fromEntries(configKeys.filter((k) => "default" in spec(k)).map((k) => [k, spec(k).default])) as {
    readonly [K in DefaultKey]: Fields[K] extends { default: infer D } ? D : never;
};

type Flatten<T> = { [K in keyof T]: T[K] };

/**
 * The validated, defaulted site settings every component and renderer works from: every key of
 * the field table but the secrets, narrowed where the semantic checks narrow, plus the values
 * computed from them.
 */
export type SiteSettings = Flatten<
    Omit<z.output<typeof rawSchema>, SecretKey | "location" | "image" | "privacyPolicyUrl" | "imprintUrl"> & {
        location: keyof typeof germanLocations;
        image: (typeof supportedImages)[number];
        /** The website's privacy policy (linked from the banner, the DOI texts and the documents). Default <website>/datenschutz. */
        privacyPolicyUrl: string;
        /** The website's imprint (Impressum), linked from the consent banner. Default <website>/impressum. */
        imprintUrl: string;
        /** The host of `website`. */
        websiteHost: string;
        /** Whether a mailer DSN was configured (the value itself stays a secret elsewhere). */
        mailerConfigured: boolean;
        /** Whether a MaxMind licence key was configured (the key itself stays a secret elsewhere). */
        ipLookupConfigured: boolean;
    }
>;
