import * as pulumi from "@pulumi/pulumi";
import { configKeys, ConfigKey, readRawSettings, SiteConfigError, validateSiteArgs, ValidatedSite } from "./config";
import { fields } from "./fields";
import { secretKeys } from "./schema";

/**
 * Validates a stack's config values as the Pulumi CLI hands them over ("<project>:<key>" ->
 * string). Shared by the program (`loadSiteConfig`) and the offline plan, so both reject the
 * same input with the same message. Throws `SiteConfigError`.
 */
export function validateStackConfig(project: string, values: Record<string, string | undefined>, isSecret: (fullKey: string) => boolean): ValidatedSite {
    const prefix = `${project}:`;
    const present = Object.keys(values)
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(prefix.length));
    const raw = readRawSettings(
        (key: ConfigKey) => values[`${prefix}${key}`],
        present.filter((k) => !(configKeys as readonly string[]).includes(k)),
    );
    // A plaintext secret (e.g. the mailer DSN) would sit unencrypted in Pulumi.<stack>.yaml and in git.
    for (const key of secretKeys) {
        if (raw[key] !== undefined && !isSecret(`${prefix}${key}`)) {
            throw new SiteConfigError([
                `${key} = [secret] is stored in plain text. Fix: \`pulumi config set --secret ${key} '${fields[key].secret.placeholder}'\` so it is encrypted in the stack file.`,
            ]);
        }
    }
    return validateSiteArgs(raw);
}

/**
 * Reads the site's settings from the stack config (project namespace) and validates them
 * before anything is registered. Unknown keys in the namespace are errors (a typo would
 * otherwise silently fall back to a default). The mailer DSN comes back as a Pulumi secret.
 */
export function loadSiteConfig(project = pulumi.getProject()) {
    // The runtime's own (internal) secret check, the one Config.get warns with.
    const runtimeIsSecret = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    try {
        // runtime.allConfig holds secrets decrypted; the DSN is re-wrapped below and never logged.
        const v = validateStackConfig(project, pulumi.runtime.allConfig(), (k) => (runtimeIsSecret ? runtimeIsSecret(k) : true));
        return {
            ...v,
            mailerDsn: v.mailerDsn === undefined ? undefined : pulumi.secret(v.mailerDsn),
            maxmindLicenseKey: v.maxmindLicenseKey === undefined ? undefined : pulumi.secret(v.maxmindLicenseKey),
        };
    } catch (e) {
        if (e instanceof SiteConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
}
