/**
 * `DoiSetup`: sets up double opt-in in Mautic through its REST API (C04, C05, C06), from the
 * Pulumi runner, after Mautic is installed. What it creates and why: docs/guide/doi.md.
 * In short: what the kit's DOI endpoint needs in Mautic (tags, consent fields, the confirmation
 * e-mail per language carrying `{kit_doi_confirm_url}`, the two segments); the forms, landing
 * pages and campaigns of the earlier flow are no longer created, only reported as retired.
 *
 * The component renders the blueprint (`doiBlueprint.ts`) in the program and hands it to
 * a `pulumi.dynamic.Resource` whose provider runs `ensureDoiSetup` on create and on every
 * update; the diff is on the blueprint's hash (plus API URL, user and `rerunToken`), so a deploy
 * that changes nothing does not call Mautic. Removing the resource leaves the Mautic objects in
 * place: they hold the marketer's edits and the consent evidence.
 *
 * Mautic must have `api_enabled` and `api_enable_basic_auth` true. The password is a secret
 * input; it never appears in the outputs or in error messages.
 */
import * as pulumi from "@pulumi/pulumi";
import { ensureDoiSetup } from "./doiProvisioner";
import { MauticClient } from "../mautic/mauticApi";
import { DoiBlueprint, DoiBlueprintError, DoiBlueprintInput, DoiLanguage, doiBlueprint, doiDefaults, doiKeys, doiLineFor, resolveDoiSettings } from "./doiBlueprint";

export interface DoiSetupArgs {
    /** Mautic's public origin, e.g. "https://marketing.client-a.de"; the API is `<apiUrl>/api`. Required; https only. */
    apiUrl: pulumi.Input<string>;
    /** Mautic user for HTTP basic auth (the admin user the kit installs). Required. */
    username: pulumi.Input<string>;
    /** That user's password. Required; stored as a Pulumi secret, never in outputs. */
    password: pulumi.Input<string>;
    /** The ONE website this Mautic serves, e.g. "https://www.client-a.de". Required. */
    website: pulumi.Input<string>;
    /** Days a confirmation link stays valid; named in the e-mail and the tag description (C06). Default 3; 1 to 30. */
    unconfirmedContactDays?: pulumi.Input<number>;
    /** Version label of the consent text, stored with every sign-up. Default "v1". */
    consentTextVersion?: pulumi.Input<string>;
    /** Languages to create a confirmation e-mail for. Default ["de", "en"]. */
    languages?: pulumi.Input<DoiLanguage[]>;
    /** Privacy policy linked from the texts. Default `<website>/datenschutz`. */
    privacyPolicyUrl?: pulumi.Input<string>;
    /** The Mautic image tag (e.g. "6.0.6-apache"); recorded as the line (5.2, 6.0, 7.2). Default: 6.0. */
    mauticVersion?: pulumi.Input<string>;
    /** How long to wait for the API to answer on the first deploy (Mautic still installing). Default 600 s; 0 to 3600. */
    waitForApiSeconds?: number;
    /** Timeout of each API request. Default 30 s; 1 to 300. */
    requestTimeoutSeconds?: number;
    /**
     * Any value; changing it re-runs the setup without other changes (e.g. after a DOI object was
     * deleted in Mautic, to have the kit recreate it). Default "".
     */
    rerunToken?: pulumi.Input<string>;
}

/** Inputs of the dynamic resource, as the provider receives them (plain values). */
interface DoiProviderInputs {
    apiUrl: string;
    username: string;
    password: string;
    blueprint: DoiBlueprint;
    blueprintHash: string;
    waitForApiSeconds: number;
    requestTimeoutSeconds: number;
    rerunToken: string;
}

/** Outputs of the dynamic resource. No password. */
interface DoiProviderOutputs {
    apiUrl: string;
    username: string;
    blueprintHash: string;
    rerunToken: string;
    ids: Record<string, number>;
    created: string[];
    drift: string[];
}

/** Runs the setup; used by the provider. Module-level so Pulumi serializes it with the provider. */
async function runDoiSetup(inputs: DoiProviderInputs): Promise<DoiProviderOutputs> {
    const client = new MauticClient({
        baseUrl: inputs.apiUrl,
        username: inputs.username,
        password: inputs.password,
        timeoutMs: inputs.requestTimeoutSeconds * 1000,
    });
    await client.waitUntilReady(inputs.waitForApiSeconds * 1000);
    const result = await ensureDoiSetup(client, inputs.blueprint);
    return {
        apiUrl: inputs.apiUrl,
        username: inputs.username,
        blueprintHash: inputs.blueprintHash,
        rerunToken: inputs.rerunToken,
        ids: result.ids,
        created: result.created,
        drift: result.drift,
    };
}

/**
 * The provider. Pulumi serializes these functions (and what they reference: `runDoiSetup`,
 * `MauticClient`, `ensureDoiSetup`) into the state and runs them in its dynamic-provider
 * process; they use only Node built-ins (global fetch, Buffer), no npm module.
 */
export const doiProvider: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: DoiProviderOutputs, news: DoiProviderInputs): Promise<pulumi.dynamic.DiffResult> {
        const keys = ["apiUrl", "username", "blueprintHash", "rerunToken"] as const;
        const changed = keys.filter((k) => olds[k] !== news[k]);
        return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
    },
    async create(inputs: DoiProviderInputs): Promise<pulumi.dynamic.CreateResult> {
        const outs = await runDoiSetup(inputs);
        return { id: `doi:${new URL(inputs.apiUrl).host}`, outs };
    },
    async update(_id: string, _olds: DoiProviderOutputs, news: DoiProviderInputs): Promise<pulumi.dynamic.UpdateResult> {
        return { outs: await runDoiSetup(news) };
    },
    async delete(): Promise<void> {
        // Deliberately nothing: the objects hold the marketer's edits and the consent evidence.
    },
};

class DoiSetupResource extends pulumi.dynamic.Resource {
    declare readonly ids: pulumi.Output<Record<string, number>>;
    declare readonly created: pulumi.Output<string[]>;
    declare readonly drift: pulumi.Output<string[]>;
    declare readonly blueprintHash: pulumi.Output<string>;

    constructor(name: string, props: Record<string, pulumi.Input<unknown>>, opts?: pulumi.CustomResourceOptions) {
        super(doiProvider, name, { ids: undefined, created: undefined, drift: undefined, ...props }, opts, "mautic-doi");
    }
}

const isPlain = (v: unknown): boolean => v !== undefined && !pulumi.Output.isInstance(v) && !(v instanceof Promise);

export class DoiSetup extends pulumi.ComponentResource {
    /** Pulumi type token of the component. */
    static readonly typeToken = "mautic-kit:doi:DoiSetup";
    /** The token stacks deployed before the tokens were aligned recorded; an alias of the current one. */
    static readonly previousTypeToken = "mautic-gdpr-kit:mautic:DoiSetup";
    /** Mautic ids of every object, by blueprint key (e.g. "email:confirm:de", "segment:confirmed"). */
    readonly ids: pulumi.Output<Record<string, number>>;
    /** Keys of the objects the last run created (empty when everything existed). */
    readonly created: pulumi.Output<string[]>;
    /** Managed settings that differ in Mautic and objects of earlier flows still there ("retired: ..."), each with its fix. */
    readonly drift: pulumi.Output<string[]>;
    /** Ids of the confirmation e-mails by language (the DOI endpoint sends them by name). */
    readonly emailIds: pulumi.Output<Record<string, number>>;
    /** Id of the segment of confirmed contacts: the one to send newsletters to. */
    readonly confirmedSegmentId: pulumi.Output<number>;
    /** sha256 of the blueprint the last run ensured. */
    readonly blueprintHash: pulumi.Output<string>;

    constructor(name: string, args: DoiSetupArgs, opts?: pulumi.ComponentResourceOptions) {
        // The type token's prefix was "mautic-gdpr-kit:" until the others' "mautic-kit:" was
        // adopted: the alias keeps a stack deployed before as it is (no replacement).
        super(DoiSetup.typeToken, name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: DoiSetup.previousTypeToken }] });
        DoiSetup.validateArgs(args, this);

        const waitForApiSeconds = args.waitForApiSeconds ?? 600;
        const requestTimeoutSeconds = args.requestTimeoutSeconds ?? 30;

        const blueprint = pulumi
            .all([args.apiUrl, args.website, args.unconfirmedContactDays, args.consentTextVersion, args.languages, args.privacyPolicyUrl, args.mauticVersion])
            .apply(([apiUrl, website, days, version, languages, privacy, mauticVersion]) => {
                const input: DoiBlueprintInput = {
                    mauticUrl: apiUrl,
                    website,
                    unconfirmedContactDays: days ?? doiDefaults.unconfirmedContactDays,
                    ...(version !== undefined ? { consentTextVersion: version } : {}),
                    ...(languages !== undefined ? { languages } : {}),
                    ...(privacy !== undefined ? { privacyPolicyUrl: privacy } : {}),
                    ...(mauticVersion !== undefined ? { mauticLine: doiLineFor(mauticVersion) } : {}),
                };
                try {
                    return doiBlueprint(input);
                } catch (err) {
                    throw new pulumi.ResourceError(DoiSetup.message(err), this);
                }
            });

        const resource = new DoiSetupResource(
            name,
            {
                // Invalid URLs are reported by the blueprint's validation above, with the fix.
                apiUrl: pulumi.output(args.apiUrl).apply((u) => (URL.canParse(u) ? new URL(u).origin : u)),
                username: args.username,
                password: pulumi.secret(args.password),
                blueprint,
                blueprintHash: blueprint.apply((b) => b.hash),
                waitForApiSeconds,
                requestTimeoutSeconds,
                rerunToken: args.rerunToken ?? "",
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );

        this.ids = resource.ids;
        this.created = resource.created;
        this.drift = resource.drift;
        this.blueprintHash = resource.blueprintHash;
        this.emailIds = pulumi.all([resource.ids, blueprint]).apply(([ids, bp]) =>
            Object.fromEntries(bp.settings.languages.map((l) => [l, ids[doiKeys.email(l)]])),
        );
        // Drift is never fixed silently (the objects may carry a marketer's edits): say it loudly.
        this.drift.apply((drift) => {
            for (const d of drift ?? []) void pulumi.log.warn(`double opt-in: ${d}`, this);
        });
        this.confirmedSegmentId = resource.ids.apply((ids) => ids[doiKeys.segment("confirmed")]);

        this.registerOutputs({
            ids: this.ids,
            created: this.created,
            drift: this.drift,
            emailIds: this.emailIds,
            confirmedSegmentId: this.confirmedSegmentId,
            blueprintHash: this.blueprintHash,
        });
    }

    /**
     * Rejects invalid arguments before anything is created. Values that are still Outputs are
     * checked when they resolve (while the blueprint is rendered).
     */
    static validateArgs(args: DoiSetupArgs, resource?: pulumi.Resource): void {
        const problems: string[] = [];
        if (!args || typeof args !== "object") throw new pulumi.ResourceError("DoiSetup: args are required", resource);
        for (const k of ["apiUrl", "username", "password", "website"] as const) {
            if (args[k] === undefined || args[k] === null || (isPlain(args[k]) && String(args[k]).trim() === "")) {
                problems.push(`${k} is required. Fix: ${k === "password" ? "pass the Mautic admin password (a Pulumi secret)" : k === "username" ? "pass the Mautic admin user name" : k === "apiUrl" ? 'pass "https://<mautic domain>"' : 'pass the website origin, e.g. "https://www.client-a.de"'}.`);
            }
        }
        if (args.waitForApiSeconds !== undefined && (!Number.isInteger(args.waitForApiSeconds) || args.waitForApiSeconds < 0 || args.waitForApiSeconds > 3600)) {
            problems.push(`waitForApiSeconds = ${JSON.stringify(args.waitForApiSeconds)} must be a whole number from 0 to 3600. Fix: e.g. 600.`);
        }
        if (args.requestTimeoutSeconds !== undefined && (!Number.isInteger(args.requestTimeoutSeconds) || args.requestTimeoutSeconds < 1 || args.requestTimeoutSeconds > 300)) {
            problems.push(`requestTimeoutSeconds = ${JSON.stringify(args.requestTimeoutSeconds)} must be a whole number from 1 to 300. Fix: e.g. 30.`);
        }
        // Everything the blueprint checks, for the values already known.
        const known: Record<string, unknown> = {};
        const map: [keyof DoiSetupArgs, keyof DoiBlueprintInput][] = [
            ["apiUrl", "mauticUrl"], ["website", "website"], ["unconfirmedContactDays", "unconfirmedContactDays"],
            ["consentTextVersion", "consentTextVersion"], ["languages", "languages"], ["privacyPolicyUrl", "privacyPolicyUrl"],
        ];
        const allPlain = map.every(([a]) => args[a] === undefined || isPlain(args[a]));
        if (allPlain && problems.length === 0) {
            for (const [a, b] of map) if (args[a] !== undefined) known[b] = args[a];
            try {
                resolveDoiSettings(known as unknown as DoiBlueprintInput);
            } catch (err) {
                if (err instanceof DoiBlueprintError) problems.push(...err.problems.map((p) => p.replace(/^mauticUrl\b/, "apiUrl")));
                else throw err;
            }
        }
        if (problems.length > 0) {
            throw new pulumi.ResourceError(`DoiSetup: invalid arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`, resource);
        }
    }

    private static message(err: unknown): string {
        if (err instanceof DoiBlueprintError) return `DoiSetup: invalid arguments:\n${err.problems.map((p) => `  - ${p.replace(/^mauticUrl\b/, "apiUrl")}`).join("\n")}`;
        return `DoiSetup: ${(err as Error).message}`;
    }
}
