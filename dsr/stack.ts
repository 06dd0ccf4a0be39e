/**
 * `--stack NAME`: the server's address from `pulumi stack output --json --show-secrets`, the
 * deploy key and the pinned host key from the stack's state (`pulumi stack export
 * --show-secrets`), written to a private temp dir (0700, files 0600) that `cleanup()` removes.
 * The host key's fingerprint must equal the stack output `hostKeyFingerprint`.
 */
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { containerNames } from "../components/config/defaults";
import { knownHostsLine } from "../verify/ssh";
import { SshTarget } from "./transport";
import { figuresFromConfig, StackFigures } from "./art15";

export interface StackAccess {
    target: SshTarget;
    cleanup(): void;
}

type Run = (args: string[]) => string;

const pulumiRun: Run = (args) => execFileSync("pulumi", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });

interface StateResource {
    urn: string;
    type: string;
    outputs?: Record<string, unknown>;
}

/** SHA256 fingerprint of an OpenSSH public key line, as `ssh-keygen -lf` prints it. */
export function fingerprint(publicKeyLine: string): string {
    const b64 = publicKeyLine.trim().split(/\s+/)[1] ?? "";
    return `SHA256:${createHash("sha256").update(Buffer.from(b64, "base64")).digest("base64").replace(/=+$/, "")}`;
}

function secretValue(v: unknown): string | undefined {
    if (typeof v === "string") return v;
    // `stack export --show-secrets` shows secrets as {"4dabf18193072939515e22adb298388d": ..., plaintext: "\"...\""}.
    if (v && typeof v === "object" && "plaintext" in v) {
        const p = (v as { plaintext: string }).plaintext;
        try {
            const parsed = JSON.parse(p);
            return typeof parsed === "string" ? parsed : undefined;
        } catch {
            return p;
        }
    }
    return undefined;
}

/** The stack's retention figures for the Art. 15 information (`pulumi config --json`). */
export function stackFigures(stack: string, run: Run = pulumiRun): StackFigures {
    if (!/^[A-Za-z0-9_./-]{1,200}$/.test(stack)) throw new Error(`--stack ${JSON.stringify(stack)} is not a stack name`);
    // Without --show-secrets: secret values stay hidden; none of the figures is a secret.
    return figuresFromConfig(JSON.parse(run(["config", "--json", "--stack", stack])) as Record<string, { value?: unknown }>);
}

export function stackAccess(stack: string, run: Run = pulumiRun): StackAccess {
    if (!/^[A-Za-z0-9_./-]{1,200}$/.test(stack)) throw new Error(`--stack ${JSON.stringify(stack)} is not a stack name`);
    let outputs: Record<string, unknown>;
    try {
        outputs = JSON.parse(run(["stack", "output", "--json", "--show-secrets", "--stack", stack]));
    } catch (e) {
        throw new Error(`cannot read the outputs of stack ${stack} (pulumi stack output): ${(e as { stderr?: string }).stderr ?? (e as Error).message}`, {
            cause: e,
        });
    }
    const ip = outputs.serverIpv4;
    if (typeof ip !== "string") throw new Error(`stack ${stack} has no serverIpv4 output: is it deployed (pulumi up)?`);
    const state = JSON.parse(run(["stack", "export", "--show-secrets", "--stack", stack])) as { deployment?: { resources?: StateResource[] } };
    const keys = (state.deployment?.resources ?? []).filter((r) => r.type === "tls:index/privateKey:PrivateKey");
    const deploy = keys.find((r) => r.urn.endsWith("-deploy-key"));
    const hostKey = keys.find((r) => r.urn.endsWith("-host-key"));
    const privateKey = secretValue(deploy?.outputs?.privateKeyOpenssh);
    const hostPub = secretValue(hostKey?.outputs?.publicKeyOpenssh);
    if (!privateKey || !hostPub) throw new Error(`stack ${stack}: the deploy key or the host key is missing from the state (pulumi stack export)`);
    if (typeof outputs.hostKeyFingerprint === "string" && fingerprint(hostPub) !== outputs.hostKeyFingerprint) {
        throw new Error(`stack ${stack}: the host key in the state does not match the output hostKeyFingerprint; refusing to connect`);
    }
    const dir = fs.mkdtempSync(path.join(process.env.XDG_RUNTIME_DIR ?? os.tmpdir(), "mautic-dsr-"));
    fs.chmodSync(dir, 0o700);
    const keyFile = path.join(dir, "id_ed25519");
    const knownHostsFile = path.join(dir, "known_hosts");
    fs.writeFileSync(keyFile, privateKey.endsWith("\n") ? privateKey : `${privateKey}\n`, { mode: 0o600 });
    fs.writeFileSync(knownHostsFile, knownHostsLine(ip, 22, hostPub), { mode: 0o600 });
    return {
        target: { host: ip, keyFile, knownHostsFile, dbContainer: containerNames.db, database: "mautic" },
        cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}
