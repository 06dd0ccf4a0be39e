/**
 * `ts-node scripts/deployable-stacks.ts [DIR]`: prints, as a JSON list, the stacks of the project
 * in DIR (default: the repository root) that the deploy workflow may preview and deploy: those
 * whose stack file holds a real encrypted Hetzner token (`hcloud:token: { secure: v1:<base64> }`).
 * An example stack (Pulumi.prod.yaml) or one whose secrets were never set is skipped, with the
 * reason on stderr: a deploy of it could only fail, or would run with someone else's token.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { stackNames } from "../plan/stackFile";

/** Pulumi's ciphertext: "v1:" and base64 (both the service and the passphrase providers). */
export const ciphertext = /^v1:[A-Za-z0-9+/]{16,}={0,2}$/;

export interface StackVerdict {
    stack: string;
    deploy: boolean;
    reason: string;
}

export function judgeStack(stack: string, text: string): StackVerdict {
    const config = (parse(text) ?? {}).config ?? {};
    const token = config["hcloud:token"];
    if (token === undefined) return { stack, deploy: false, reason: "no hcloud:token (set it with `pulumi config set --secret hcloud:token`)" };
    if (typeof token !== "object" || token === null || typeof token.secure !== "string") {
        return { stack, deploy: false, reason: "hcloud:token is not encrypted (use `pulumi config set --secret hcloud:token`)" };
    }
    if (!ciphertext.test(token.secure)) return { stack, deploy: false, reason: "hcloud:token is a placeholder, not ciphertext" };
    for (const [key, value] of Object.entries(config)) {
        const secure = value && typeof value === "object" ? (value as { secure?: unknown }).secure : undefined;
        if (secure !== undefined && !(typeof secure === "string" && ciphertext.test(secure))) {
            return { stack, deploy: false, reason: `${key} is a placeholder, not ciphertext` };
        }
    }
    return { stack, deploy: true, reason: "encrypted secrets" };
}

export function judgeStacks(dir: string): StackVerdict[] {
    return stackNames(dir).map((stack) => judgeStack(stack, fs.readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8")));
}

if (require.main === module) {
    const verdicts = judgeStacks(path.resolve(process.argv[2] ?? path.join(__dirname, "..")));
    for (const v of verdicts.filter((x) => !x.deploy)) process.stderr.write(`skipped stack ${v.stack}: ${v.reason}\n`);
    process.stdout.write(`${JSON.stringify(verdicts.filter((v) => v.deploy).map((v) => v.stack))}\n`);
}
