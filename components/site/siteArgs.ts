/**
 * What `MauticSite` is built from: the raw settings of a library user (`MauticSiteArgs`,
 * validated here), or settings validated once upstream (`MauticSiteValidatedArgs`, e.g. by the
 * stack program's `loadSiteConfig`), taken as they are: the config is validated once per run.
 */
import * as pulumi from "@pulumi/pulumi";
import { MauticSiteSettingsInput, SiteConfigError, SiteSettings, validatedWarnings, validateSiteArgs, withChosenServerType } from "../config/config";

/**
 * Everything one website's Mautic needs. The settings are the stack config keys (see
 * `Pulumi.prod.yaml`, which documents each); keys, defaults and docs are the field table in
 * `components/config/fields.ts`.
 */
export type MauticSiteArgs = Omit<MauticSiteSettingsInput, "mailerDsn" | "maxmindLicenseKey"> & {
    /** Symfony mailer DSN, a secret. Default: none (Mautic cannot send DOI mails; reported as a warning). */
    mailerDsn?: pulumi.Input<string>;
    /** MaxMind licence key, a secret. Default: none (no IP lookup database, no download from maxmind.com). */
    maxmindLicenseKey?: pulumi.Input<string>;
    /**
     * Set up double opt-in (consent fields, form, confirmation email and page, deletion campaign)
     * through Mautic's API after the install. Default true. Turn off only for a stack whose
     * marketer sets up DOI by hand (the compliance report then lists C04-C06 as manual).
     */
    doubleOptIn?: boolean;
};

/** Settings validated upstream, passed on unchanged: `MauticSite` does not validate them again. */
export interface MauticSiteValidatedArgs {
    /** `validateSiteArgs(...).settings` or `loadSiteConfig().settings`: that very (frozen) object; a copy is refused. */
    settings: SiteSettings;
    /** The mailer DSN the settings were validated with (a secret). Default: none; must match `settings.mailerConfigured`. */
    mailerDsn?: pulumi.Input<string>;
    /** The MaxMind licence key the settings were validated with (a secret). Default: none; must match `settings.ipLookupConfigured`. */
    maxmindLicenseKey?: pulumi.Input<string>;
    /** As in `MauticSiteArgs`. Default true. */
    doubleOptIn?: boolean;
}

/** The settings a site is built from and the warnings of their one validation. */
export interface SiteValidation {
    settings: SiteSettings;
    warnings: string[];
}

/**
 * Validates raw args, or checks that validated settings are the validator's own and were
 * validated with the secrets passed beside them; `serverType` (the one `MauticSite.create`
 * chose) is checked and put into validated settings. Throws `SiteConfigError`.
 */
export function siteValidation(args: MauticSiteArgs | MauticSiteValidatedArgs, serverType?: string): SiteValidation {
    if (!("settings" in args)) {
        const { mailerDsn, maxmindLicenseKey, doubleOptIn: _doi, ...raw } = args;
        return validateSiteArgs(
            { ...raw, ...(typeof mailerDsn === "string" ? { mailerDsn } : {}), ...(typeof maxmindLicenseKey === "string" ? { maxmindLicenseKey } : {}) },
            { mailerDsnProvided: mailerDsn !== undefined, maxmindLicenseKeyProvided: maxmindLicenseKey !== undefined },
        );
    }
    const warnings = validatedWarnings(args.settings);
    if (warnings === undefined) {
        throw new SiteConfigError([
            "settings were not returned by validateSiteArgs (a copy or a hand-made object is not validated). Fix: pass validateSiteArgs(...).settings itself, or pass the raw settings as MauticSiteArgs.",
        ]);
    }
    const secrets = [
        ["mailerDsn", args.mailerDsn, "mailerConfigured", args.settings.mailerConfigured, "mailerDsnProvided"],
        ["maxmindLicenseKey", args.maxmindLicenseKey, "ipLookupConfigured", args.settings.ipLookupConfigured, "maxmindLicenseKeyProvided"],
    ] as const;
    const problems: string[] = [];
    for (const [key, value, flag, validatedWith, option] of secrets) {
        if ((value !== undefined) !== validatedWith) {
            problems.push(
                value === undefined
                    ? `${key} is missing: the settings were validated with one (${flag} = true). Fix: pass the ${key} they were validated with.`
                    : `${key} = [secret] was not validated with these settings (${flag} = false). Fix: validate with it: validateSiteArgs({ ...raw, ${key} }) or the option { ${option}: true }.`,
            );
        }
    }
    if (problems.length > 0) throw new SiteConfigError(problems);
    return { settings: serverType === undefined ? args.settings : withChosenServerType(args.settings, serverType), warnings: [...warnings] };
}
