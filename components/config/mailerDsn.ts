/**
 * The mailer must use TLS (issue 20 item 8). What can be told from a Symfony mailer DSN, for the
 * Symfony mailer Mautic 5.x ships (5.4; `EsmtpTransportFactory`, `EsmtpTransport`). Each rule was
 * checked against Mautic 5.2.1's vendor/ (symfony/mailer 5.4) and SMTP servers on loopback:
 * docs/evidence/2026-12-07-pins-on-real-mautic.md, section 5.
 * - `smtps://` is implicit TLS with the certificate verified; so is `smtp://` on port 465;
 * - `smtp://` on any other port sends STARTTLS only when the server offers it: an attacker on the
 *   path who strips the offer gets the mail (addresses, DOI links) and the SMTP login in plain
 *   text, and the mailer reports success. Symfony 5.4 has no option to require STARTTLS, so the
 *   kit refuses it;
 * - `smtp://` without a port picks implicit TLS on 465, except for the host `localhost` (plain
 *   text on 25): the kit asks for the port to be written, so TLS does not hang on that rule;
 * - `verify_peer` with any value other than 1/true/on/yes (PHP's FILTER_VALIDATE_BOOLEAN; an
 *   empty value is ignored) turns certificate checks off: refused;
 * - `null://` discards every mail, `sendmail://` and `native://` hand it to a local MTA that the
 *   Mautic container does not have: refused;
 * - provider DSNs (`ses+api://`, `sendgrid+smtps://`, `brevo+api://`, ...) talk HTTPS or TLS to
 *   the provider: accepted; `<provider>+smtp://` hardcodes the provider's host and port, which the
 *   kit cannot check, so it asks for the provider's `+api`/`+https`/`+smtps` scheme instead.
 * `failover(...)` and `roundrobin(...)` are checked DSN by DSN. Pure; never echoes the DSN.
 */

function oneProblem(dsn: string): string | undefined {
    const m = /^([a-z][a-z0-9+.-]*):\/\/([^?#]*)(\?[^#]*)?$/i.exec(dsn.trim());
    if (!m) return "is not a mailer DSN of the form scheme://...";
    const scheme = m[1].toLowerCase();
    const query = new URLSearchParams(m[3] ?? "");
    // EsmtpTransportFactory: verification goes off when the option is present, not empty, and
    // not true for FILTER_VALIDATE_BOOLEAN ("1", "true", "on", "yes", any case, trimmed).
    const off = (v: string | null) => v !== null && v !== "" && !/^(1|true|on|yes)$/i.test(v.trim());
    if (off(query.get("verify_peer"))) return "turns certificate verification off (verify_peer; remove it): anyone on the path could read the mail";
    if (scheme === "null") return "discards every e-mail (null://): double opt-in confirmations would never arrive";
    if (scheme === "sendmail" || scheme === "native") return `hands mail to a local MTA (${scheme}://), which the Mautic container does not have and whose TLS the kit cannot check`;
    if (scheme === "smtp") {
        const hostPort = m[2].replace(/^.*@/, "");
        const port = /:(\d+)$/.exec(hostPort)?.[1];
        if (port === "465") return undefined;
        if (port === undefined) {
            return "uses smtp:// without a port, where Symfony's mailer (Mautic 5.x) picks implicit TLS on port 465 unless the host is \"localhost\" (then plain text on port 25): write the port, smtps://host:465";
        }
        return `uses smtp:// on port ${port}, where Symfony's mailer (Mautic 5.x) sends STARTTLS only if the server offers it: an attacker on the path can strip the offer and the mail and the SMTP login go in plain text`;
    }
    if (scheme.endsWith("+smtp")) return `uses ${scheme}://, whose host, port and TLS mode the provider's transport fixes and the kit cannot check (use ${scheme.replace(/\+smtp$/, "+smtps")}:// or the provider's +api DSN)`;
    return undefined;
}

/** Why this DSN does not guarantee TLS to the mail provider, or undefined when it does. */
export function mailerDsnTlsProblem(dsn: string): string | undefined {
    const group = /^\s*(failover|roundrobin)\((.*)\)\s*$/i.exec(dsn);
    if (group) {
        const parts = group[2].trim().split(/\s+/);
        if (parts.length < 2) return `is ${group[1]}(...) with fewer than two DSNs`;
        for (const [i, p] of parts.entries()) {
            const problem = oneProblem(p);
            if (problem) return `(DSN ${i + 1} of ${group[1]}) ${problem}`;
        }
        return undefined;
    }
    return oneProblem(dsn);
}
