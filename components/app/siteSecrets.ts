import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

export interface SiteSecretsArgs {
    /** Length of the database passwords. Default 32. */
    dbPasswordLength?: number;
    /** Length of the Mautic admin password. Default 24. */
    adminPasswordLength?: number;
}

/**
 * The site's generated secrets. Character sets are chosen for the files they land in: database
 * passwords and the secret key are alphanumeric (they go into env vars, PHP and shell); the
 * admin password adds `-_.` (safe in shell, YAML and PHP) to pass Mautic's strength check.
 * Random values are stored encrypted in the stack state and never change unless replaced.
 */
export class SiteSecrets extends pulumi.ComponentResource {
    public readonly dbRootPassword: pulumi.Output<string>;
    public readonly dbPassword: pulumi.Output<string>;
    public readonly mauticSecretKey: pulumi.Output<string>;
    public readonly adminPassword: pulumi.Output<string>;
    /** HMAC key of the double-opt-in endpoint: confirmation tokens and the ledger's address keys. */
    public readonly doiSecret: pulumi.Output<string>;
    /** HMAC key of the suppression list and the erasure journal (components/shared/addressHash.ts); only on the server. */
    public readonly addressHashKey: pulumi.Output<string>;

    constructor(name: string, args: SiteSecretsArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("mautic-kit:secrets:SiteSecrets", name, {}, opts);
        const child = { parent: this };
        const dbLen = args.dbPasswordLength ?? 32;
        const alnum = (n: string, length: number) =>
            new random.RandomPassword(n, { length, special: false, minUpper: 2, minLower: 2, minNumeric: 2 }, child).result;

        this.dbRootPassword = alnum(`${name}-db-root`, dbLen);
        this.dbPassword = alnum(`${name}-db-user`, dbLen);
        this.mauticSecretKey = alnum(`${name}-mautic-secret-key`, 64);
        // Never rotated by the kit: a new key invalidates open confirmation links and makes the
        // ledger's existing address keys unfindable for `npm run dsr -- export`.
        this.doiSecret = alnum(`${name}-doi-secret`, 64);
        // Never rotated by the kit either: the keyed entries of the suppression list and the
        // erasure journal match only with the key they were written with.
        this.addressHashKey = alnum(`${name}-address-hash-key`, 64);
        this.adminPassword = new random.RandomPassword(
            `${name}-admin`,
            {
                length: args.adminPasswordLength ?? 24,
                special: true,
                overrideSpecial: "-_.",
                minUpper: 2,
                minLower: 2,
                minNumeric: 2,
                minSpecial: 2,
            },
            child,
        ).result;
        this.registerOutputs({});
    }
}
