import { mockSecretFor, StackConfig } from "../../plan/stackFile";

export const project = "mautic-gdpr";

/** A stack config as the Pulumi CLI would hand it to the program. */
export function testStack(overrides: Record<string, unknown> = {}, opts: { stack?: string; mailer?: boolean } = {}): StackConfig {
    const values: Record<string, unknown> = {
        domain: "marketing.client-a.de",
        website: "https://www.client-a.de",
        adminEmail: "ops@agency.example",
        adminCidrs: ["203.0.113.0/24"],
        // A mailer needs a sender (mailerFromEmail/mailerFromName are required with mailerDsn).
        ...(opts.mailer !== false ? { mailerFromEmail: "newsletter@client-a.de", mailerFromName: "Client A" } : {}),
        ...overrides,
    };
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) {
        if (v === undefined) continue;
        config[`${project}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    }
    const secretKeys: string[] = [];
    if (opts.mailer !== false) {
        const key = `${project}:mailerDsn`;
        config[key] = mockSecretFor(key);
        secretKeys.push(key);
    }
    config["hcloud:token"] = mockSecretFor("hcloud:token");
    secretKeys.push("hcloud:token");
    return { project, stack: opts.stack ?? "test", config, secretKeys };
}
