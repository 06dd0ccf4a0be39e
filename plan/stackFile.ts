/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI hands config to a
 * program: every value a string (lists and objects as JSON). Encrypted (`secure:`) values cannot
 * be decrypted offline: the plan substitutes a recognisable mock secret and marks it secret. The
 * secrets a real deploy sets with `pulumi config set --secret` (the Hetzner token, the mailer DSN)
 * are not in an example stack file at all: the plan supplies its own stand-ins for them.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

export interface StackConfig {
    project: string;
    stack: string;
    /** "<namespace>:<key>" -> value as the CLI would pass it. */
    config: Record<string, string>;
    /** Keys whose values are secrets. */
    secretKeys: string[];
    /** Secret keys the stack file does not set, for which the plan supplied a stand-in. */
    standIns?: string[];
}

/** The secrets a deploy needs that are set with `pulumi config set --secret`, never in the file. */
export const standInSecretKeys = (project: string) => ["hcloud:token", `${project}:mailerDsn`];

/** Mock stand-ins for encrypted values, shaped so the validator accepts them. */
export function mockSecretFor(key: string): string {
    const k = key.replace(/[^a-zA-Z0-9]/g, "");
    if (key.endsWith(":mailerDsn")) return `smtps://mockuser:MockSecretConfig${k}@smtp.mock.invalid:465`;
    return `MockSecretConfig${k}`;
}

/** The stacks of the project in `rootDir`: one `Pulumi.<stack>.yaml` each, sorted by name. */
export function stackNames(rootDir: string): string[] {
    return fs.readdirSync(rootDir).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => s !== undefined).sort();
}

export function readStackConfig(rootDir: string, stack: string): StackConfig {
    const projectFile = path.join(rootDir, "Pulumi.yaml");
    const project = parse(fs.readFileSync(projectFile, "utf8"))?.name;
    if (typeof project !== "string") throw new Error(`${projectFile} has no project name`);
    const stackFile = path.join(rootDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        throw new Error(`no stack file ${path.basename(stackFile)} in ${rootDir}: create it (see Pulumi.prod.yaml) or pass --stack NAME`);
    }
    const doc = parse(fs.readFileSync(stackFile, "utf8")) ?? {};
    const raw: Record<string, unknown> = doc.config ?? {};
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key0, value] of Object.entries(raw)) {
        const key = key0.includes(":") ? key0 : `${project}:${key0}`;
        if (value && typeof value === "object" && !Array.isArray(value) && "secure" in (value as object)) {
            config[key] = mockSecretFor(key);
            secretKeys.push(key);
        } else if (typeof value === "string") {
            config[key] = value;
        } else {
            config[key] = JSON.stringify(value);
        }
    }
    const standIns: string[] = [];
    for (const key of standInSecretKeys(project)) {
        if (key in config) continue;
        config[key] = mockSecretFor(key);
        secretKeys.push(key);
        standIns.push(key);
    }
    return { project, stack, config, secretKeys, standIns };
}
