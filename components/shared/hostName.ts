/**
 * Host names, defined once (the config, the edge, the tracking snippet, the DOI blueprint, the
 * documents and the alerts all check them). Lower case only: the config rejects upper case with
 * its own message before anything renders.
 */

const label = "(?!-)[a-z0-9-]{1,63}(?<!-)";

/** One DNS label: 1 to 63 of a-z, 0-9 and '-', neither first nor last a '-' (RFC 1035). */
export const hostLabel = new RegExp(`^${label}$`);

/** A lower-case host name of at least two labels and at most 253 characters. */
export const hostName = new RegExp(`^(?=.{1,253}$)${label}(\\.${label})+$`);

/** A fully qualified host name: `hostName` whose top-level label holds a letter (so no IPv4 address). */
export function isFqdn(v: string): boolean {
    return hostName.test(v) && /[a-z]/.test(v.slice(v.lastIndexOf(".") + 1));
}
