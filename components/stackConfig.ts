import * as pulumi from "@pulumi/pulumi";
import { configKeys, ConfigKey, readRawSettings, SiteConfigError, validateSiteArgs } from "./config";

/**
 * Reads the site's settings from the stack config (project namespace) and validates them
 * before anything is registered. Unknown keys in the namespace are errors (a typo would
 * otherwise silently fall back to a default).
 */
export function loadSiteConfig(project = pulumi.getProject()) {
    const all = pulumi.runtime.allConfig();
    const prefix = `${project}:`;
    const present = Object.keys(all).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
    // runtime.getConfig reads secrets too without Config.get's plaintext warning; the secret is
    // re-wrapped below and never logged.
    const read = (key: ConfigKey) => pulumi.runtime.getConfig(`${prefix}${key}`);
    const raw = readRawSettings(read, present.filter((k) => !(configKeys as readonly string[]).includes(k)));
    // A plaintext mailer DSN would sit unencrypted in Pulumi.<stack>.yaml and in git.
    // isConfigSecret is the runtime's own (internal) check, the one Config.get warns with.
    const isSecret = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    if (raw.mailerDsn !== undefined && isSecret && !isSecret(`${prefix}mailerDsn`)) {
        throw new pulumi.RunError(
            "mailerDsn = [secret] is stored in plain text. Fix: `pulumi config set --secret mailerDsn '<dsn>'` so it is encrypted in the stack file.",
        );
    }
    try {
        const v = validateSiteArgs(raw);
        return { ...v, mailerDsn: v.mailerDsn === undefined ? undefined : pulumi.secret(v.mailerDsn) };
    } catch (e) {
        if (e instanceof SiteConfigError) {
            throw new pulumi.RunError(e.message);
        }
        throw e;
    }
}
