import { readRawSettings, SiteConfigError, validateSiteArgs } from "../../components/config/config";
import { defaults } from "../../components/config/defaults";

const good = {
    domain: "marketing.client-a.de",
    website: "https://www.client-a.de",
    adminEmail: "ops@agency.example",
    adminCidrs: ["203.0.113.0/24"],
};

function problemsOf(patch: Record<string, unknown>, drop: string[] = []): string[] {
    const raw: Record<string, unknown> = { ...good, ...patch };
    for (const k of drop) delete raw[k];
    try {
        validateSiteArgs(raw);
    } catch (e) {
        expect(e).toBeInstanceOf(SiteConfigError);
        return (e as SiteConfigError).problems;
    }
    throw new Error(`accepted ${JSON.stringify(patch)}`);
}

describe("the mailer requires TLS (issue 20 item 8)", () => {
    const sender = { mailerFromEmail: "news@client-a.de", mailerFromName: "Client A" };
    test.each([
        ["smtps://u:p@smtp.example.de:465"],
        ["smtps://u:p@smtp.example.de"],
        // verify_peer on (FILTER_VALIDATE_BOOLEAN true) or empty (ignored by EsmtpTransportFactory).
        ["smtps://u:p@smtp.example.de:465?verify_peer=1"],
        ["smtps://u:p@smtp.example.de:465?verify_peer=TRUE"],
        ["smtps://u:p@smtp.example.de:465?verify_peer=yes"],
        ["smtps://u:p@smtp.example.de:465?verify_peer="],
        ["smtp://u:p@smtp.example.de:465"],
        ["ses+api://KEY:SECRET@default?region=eu-central-1"],
        ["sendgrid+smtps://KEY@default"],
        ["brevo+api://KEY@default"],
        ["failover(smtps://u:p@a.example.de:465 ses+api://K:S@default)"],
    ])("%s is accepted", (dsn) => {
        expect(() => validateSiteArgs({ ...good, ...sender, mailerDsn: dsn })).not.toThrow();
    });
    test.each([
        [
            "smtp://u:p@smtp.example.de:587",
            /uses smtp:\/\/ on port 587, where Symfony's mailer .* sends STARTTLS only if the server offers it: an attacker on the path can strip the offer and the mail and the SMTP login go in plain text/,
        ],
        ["smtp://u:p@smtp.example.de:25", /uses smtp:\/\/ on port 25, where/],
        [
            "smtp://u:p@smtp.example.de",
            /uses smtp:\/\/ without a port, where Symfony's mailer \(Mautic 5\.x\) picks implicit TLS on port 465 unless the host is "localhost" \(then plain text on port 25\): write the port, smtps:\/\/host:465/,
        ],
        ["smtp://u:p@localhost", /uses smtp:\/\/ without a port/],
        ["smtps://u:p@smtp.example.de:465?verify_peer=0", /turns certificate verification off \(verify_peer; remove it\)/],
        ["smtp://u:p@smtp.example.de:465?verify_peer=false", /verify_peer/],
        // PHP's FILTER_VALIDATE_BOOLEAN is false for every value but 1/true/on/yes: "nope" turns checks off too.
        ["smtps://u:p@smtp.example.de:465?verify_peer=nope", /turns certificate verification off/],
        ["smtps://u:p@smtp.example.de:465?verify_peer=2", /turns certificate verification off/],
        ["null://null", /discards every e-mail/],
        ["sendmail://default", /local MTA \(sendmail:\/\/\)/],
        ["native://default", /local MTA \(native:\/\/\)/],
        ["mailjet+smtp://K:S@default", /uses mailjet\+smtp:\/\/.*use mailjet\+smtps:\/\/ or the provider's \+api DSN/],
        ["failover(smtps://u:p@a.example.de:465 smtp://u:p@b.example.de:587)", /\(DSN 2 of failover\) uses smtp:\/\/ on port 587/],
        ["roundrobin(smtps://u:p@a.example.de:465)", /fewer than two DSNs/],
    ])("%s is refused, naming mailerDsn and the fix, never the secret", (dsn, why) => {
        const p = problemsOf({ ...sender, mailerDsn: dsn }).join("\n");
        expect(p).toMatch(new RegExp(`mailerDsn = \\[secret\\] .*${why.source}`));
        expect(p).toMatch(
            /Fix: set a Symfony mailer DSN with implicit TLS as a secret, e\.g\. `pulumi config set --secret mailerDsn 'smtps:\/\/user:pass@smtp\.example\.de:465'`/,
        );
        expect(p).not.toContain("u:p@");
        expect(p).not.toContain("K:S@");
    });
});

describe("the mail sender (issue 9)", () => {
    test("mailerDsn without mailerFromEmail / mailerFromName is refused, naming both", () => {
        const p = problemsOf({ mailerDsn: "smtps://u:p@smtp.example.de:465" });
        expect(p.join("\n")).toMatch(/mailerFromEmail = undefined is missing: it is required whenever mailerDsn is set/);
        expect(p.join("\n")).toMatch(/mailerFromName = undefined is missing/);
        expect(p.join("\n")).not.toMatch(/u:p@/);
    });

    test("a DSN given as a secret Output counts as set", () => {
        expect(() => validateSiteArgs(good, { mailerDsnProvided: true })).toThrow(/mailerFromEmail/);
    });

    test("Mautic's placeholder sender is refused", () => {
        const p = problemsOf({ mailerDsn: "smtps://u:p@smtp.example.de:465", mailerFromEmail: "email@yoursite.com", mailerFromName: "X" });
        expect(p.join("\n")).toMatch(/mailerFromEmail = "email@yoursite.com" is Mautic's placeholder sender/);
    });

    test("the sender reaches the settings; the MaxMind key stays out of them", () => {
        const v = validateSiteArgs({
            ...good,
            mailerDsn: "smtps://u:p@smtp.example.de:465",
            mailerFromEmail: "news@client-a.de",
            mailerFromName: " Client A ",
            maxmindLicenseKey: "abcDEF_123456",
        });
        expect(v.settings).toMatchObject({
            mailerFromEmail: "news@client-a.de",
            mailerFromName: "Client A",
            ipLookupConfigured: true,
            unsubscribedMinimiseDays: 30,
        });
        expect(JSON.stringify(v.settings)).not.toContain("abcDEF_123456");
        expect(v.maxmindLicenseKey).toBe("abcDEF_123456");
        expect(validateSiteArgs(good).settings.ipLookupConfigured).toBe(false);
    });

    test("a malformed MaxMind key is refused without being echoed", () => {
        const p = problemsOf({ maxmindLicenseKey: "bad key with spaces" });
        expect(p.join("\n")).toMatch(/maxmindLicenseKey = \[secret\] is not a MaxMind licence key/);
    });

    test("controllerName and newsletterTopics (the consent label): trimmed into the settings; markup, brackets and newlines refused with the field and the fix", () => {
        const v = validateSiteArgs({ ...good, controllerName: " Client A GmbH ", newsletterTopics: "Software, Schulungen & Events" });
        expect(v.settings).toMatchObject({ controllerName: "Client A GmbH", newsletterTopics: "Software, Schulungen & Events" });
        expect(validateSiteArgs(good).settings.controllerName).toBeUndefined();
        const p = problemsOf({ controllerName: "[insert the controller's legal name]", newsletterTopics: "<b>shoes</b>" }).join("\n");
        expect(p).toMatch(/controllerName = .* must be one line without '<', '>', '\[', '\]'.*pulumi config set controllerName 'Client A GmbH'/);
        expect(p).toMatch(/newsletterTopics = .* must be one line without .*pulumi config set newsletterTopics/);
        expect(problemsOf({ controllerName: "A\nB" }).join()).toMatch(/controllerName = .* must be one line/);
        expect(problemsOf({ newsletterTopics: " " }).join()).toMatch(/newsletterTopics = .* must not be empty/);
        expect(problemsOf({ newsletterTopics: "x".repeat(201) }).join()).toMatch(/newsletterTopics = .* must be at most 200 characters/);
    });

    test("unsubscribedMinimiseDays is a whole number of days", () => {
        expect(problemsOf({ unsubscribedMinimiseDays: 0 }).join()).toMatch(/unsubscribedMinimiseDays = 0 must be at least 1/);
    });
});

describe("site config: accepted values and defaults", () => {
    test("minimal config gets every default from defaults.ts", () => {
        const { settings, warnings } = validateSiteArgs({
            ...good,
            mailerFromEmail: "news@client-a.de",
            mailerFromName: "Client A",
            mailerDsn: "smtps://u:p@smtp.example.de:465",
        });
        expect(settings).toMatchObject({
            location: defaults.location,
            serverType: defaults.serverType,
            image: defaults.image,
            timezone: defaults.timezone,
            mauticVersion: defaults.mauticVersion,
            cleanupDaysOld: 21,
            unconfirmedContactDays: 3,
            gdprPurgeDays: 1095,
            backups: true,
            websiteHost: "www.client-a.de",
            mailerConfigured: true,
        });
        expect(warnings).toEqual([]);
        expect(JSON.stringify(settings)).not.toContain("smtps://u:p@");
    });
    test("the privacy policy defaults to the website's /datenschutz", () => {
        expect(validateSiteArgs(good).settings.privacyPolicyUrl).toBe("https://www.client-a.de/datenschutz");
        expect(validateSiteArgs({ ...good, privacyPolicyUrl: "https://www.client-a.de/privacy" }).settings.privacyPolicyUrl).toBe(
            "https://www.client-a.de/privacy",
        );
    });

    test("a bare version gets the -apache variant", () => {
        expect(validateSiteArgs({ ...good, mauticVersion: "6.0.6" }).settings.mauticVersion).toBe("6.0.6-apache");
    });
    test("explicit 0.0.0.0/0 is accepted with a warning", () => {
        const { warnings } = validateSiteArgs({
            ...good,
            adminCidrs: ["0.0.0.0/0"],
            mailerFromEmail: "news@client-a.de",
            mailerFromName: "Client A",
            mailerDsn: "ses+api://KEY:SECRET@default",
        });
        expect(warnings.join("\n")).toMatch(/adminCidrs contains 0\.0\.0\.0\/0: SSH is reachable from the whole internet/);
    });
    test("Mautic 5.2, 6.0 and 7.2 are first-class (no DOI warning); other lines are told which payloads they get", () => {
        for (const v of ["5.2.1-apache", "6.0.6-apache", "7.2.1-apache"]) {
            expect(
                validateSiteArgs({
                    ...good,
                    mauticVersion: v,
                    mailerFromEmail: "news@client-a.de",
                    mailerFromName: "Client A",
                    mailerDsn: "ses+api://KEY:SECRET@default",
                }).warnings.join("\n"),
            ).not.toMatch(/double-opt-in payloads/);
        }
        expect(
            validateSiteArgs({
                ...good,
                mauticVersion: "7.1.0-apache",
                mailerFromEmail: "news@client-a.de",
                mailerFromName: "Client A",
                mailerDsn: "ses+api://KEY:SECRET@default",
            }).warnings.join("\n"),
        ).toMatch(/mauticVersion = 7\.1\.0-apache: .* this line gets the 7\.2 payloads/);
        expect(
            validateSiteArgs({
                ...good,
                mauticVersion: "7.0.1-apache",
                mailerFromEmail: "news@client-a.de",
                mailerFromName: "Client A",
                mailerDsn: "ses+api://KEY:SECRET@default",
            }).warnings.join("\n"),
        ).toMatch(/this line gets the 6\.0 payloads/);
    });

    test("gravatar: false by default (no warning), true accepted with a warning naming the transfer, anything else rejected with its fix", () => {
        const off = validateSiteArgs({ ...good });
        expect(off.settings.gravatar).toBe(false);
        expect(off.warnings.join("\n")).not.toMatch(/gravatar/);
        const on = validateSiteArgs({ ...good, gravatar: true });
        expect(on.settings.gravatar).toBe(true);
        expect(on.warnings.join("\n")).toMatch(
            /gravatar = true: Mautic's admin UI sends a hash of every viewed contact's e-mail address .* Automattic \(Gravatar, USA\)/,
        );
        expect(() => validateSiteArgs({ ...good, gravatar: "yes" })).toThrow(
            /gravatar = "yes" must be true or false\. Fix: `pulumi config set gravatar false`/,
        );
        expect(readRawSettings((k) => (k === "gravatar" ? "true" : undefined))).toEqual({ gravatar: true });
    });

    test("backups off and no mailer are warnings", () => {
        const { warnings } = validateSiteArgs({ ...good, backups: false });
        expect(warnings.join("\n")).toMatch(/backups = false/);
        expect(warnings.join("\n")).toMatch(/mailerDsn is not set/);
    });
    test("Pulumi's string values are converted before validation", () => {
        const values: Record<string, string> = {
            domain: good.domain,
            website: good.website,
            adminEmail: good.adminEmail,
            adminCidrs: JSON.stringify(good.adminCidrs),
            cleanupDaysOld: "30",
            backups: "false",
        };
        const raw = readRawSettings((k) => values[k]);
        const { settings } = validateSiteArgs(raw);
        expect(settings.cleanupDaysOld).toBe(30);
        expect(settings.backups).toBe(false);
        expect(settings.adminCidrs).toEqual(["203.0.113.0/24"]);
    });
});

// Each bad input, the key it must name and the words the message must contain.
const bad: Array<[string, Record<string, unknown>, RegExp, string[]?]> = [
    ["missing domain", {}, /^domain = undefined is missing: it is required\. Fix: set the Mautic host name/, ["domain"]],
    ["missing website", {}, /^website = undefined is missing.*1 website = 1 Mautic/, ["website"]],
    ["missing adminEmail", {}, /^adminEmail = undefined is missing/, ["adminEmail"]],
    ["missing adminCidrs", {}, /^adminCidrs = undefined is missing.*adminCidrs\[0\]/, ["adminCidrs"]],
    [
        "domain is a URL",
        { domain: "https://marketing.client-a.de" },
        /^domain = "https:\/\/marketing\.client-a\.de" is not a valid fully qualified domain name: it is a URL/,
    ],
    ["domain without parent", { domain: "localhost" }, /^domain = "localhost" .*has no parent domain/],
    ["domain wildcard", { domain: "*.client-a.de" }, /^domain = "\*\.client-a\.de" .*is a wildcard/],
    ["domain upper case", { domain: "Marketing.Client-A.de" }, /^domain = "Marketing\.Client-A\.de" .*upper-case/],
    ["domain bad label", { domain: "-bad.client-a.de" }, /^domain = "-bad\.client-a\.de" .*label/],
    ["domain is an IP", { domain: "192.0.2.1" }, /^domain = "192\.0\.2\.1" .*(top-level domain|IP address)/],
    [
        "website list with comma",
        { website: "https://a.de,https://b.de" },
        /^website = "https:\/\/a\.de,https:\/\/b\.de" lists more than one website; exactly one website per Mautic/,
    ],
    ["website list array", { website: ["https://a.de"] }, /^website = \["https:\/\/a\.de"\] has the wrong type/],
    ["website wildcard", { website: "https://*.client-a.de" }, /^website = "https:\/\/\*\.client-a\.de" is a wildcard/],
    ["website http", { website: "http://www.client-a.de" }, /^website = "http:\/\/www\.client-a\.de" is not https/],
    ["website with path", { website: "https://www.client-a.de/shop" }, /^website = "https:\/\/www\.client-a\.de\/shop" has a path/],
    ["website same host as domain", { website: "https://marketing.client-a.de" }, /same host as `domain`/],
    ["website not a URL", { website: "www.client-a.de" }, /^website = "www\.client-a\.de" is not an absolute URL/],
    ["location Finland", { location: "hel1" }, /^location = "hel1" is in Helsinki, Finland, not in Germany\. Fix: use fsn1 \(Falkenstein\) or nbg1/],
    ["location USA ash", { location: "ash" }, /^location = "ash" is in Ashburn, Virginia, USA, not in Germany/],
    ["location USA hil", { location: "hil" }, /^location = "hil" is in Hillsboro, Oregon, USA/],
    ["location Singapore", { location: "sin" }, /^location = "sin" is in Singapore, not in Germany/],
    ["location unknown", { location: "fra1" }, /^location = "fra1" is not a Hetzner location in Germany/],
    ["withdrawn server type", { serverType: "cx22" }, /^serverType = "cx22" was withdrawn by Hetzner.*Fix: use a current type with at least 4 GB RAM: cx23/],
    ["unknown server type", { serverType: "m5.large" }, /^serverType = "m5\.large" is not a known current Hetzner server type/],
    ["image not LTS", { image: "fedora-40" }, /^image = "fedora-40" is not a Debian or Ubuntu LTS image.*debian-12/],
    ["admin email", { adminEmail: "ops-at-agency" }, /^adminEmail = "ops-at-agency" is not an email address/],
    ["adminCidrs empty", { adminCidrs: [] }, /^adminCidrs = \[\] is empty/],
    ["adminCidrs not a list", { adminCidrs: "203.0.113.0/24" }, /^adminCidrs = "203\.0\.113\.0\/24" .*list of CIDR blocks/],
    ["CIDR without prefix", { adminCidrs: ["203.0.113.7"] }, /^adminCidrs\[0\] = "203\.0\.113\.7" has no prefix length/],
    ["CIDR host bits", { adminCidrs: ["203.0.113.7/24"] }, /^adminCidrs\[0\] = "203\.0\.113\.7\/24" has host bits set; the network is 203\.0\.113\.0\/24/],
    ["CIDR garbage", { adminCidrs: ["office"] }, /^adminCidrs\[0\] = "office" has no prefix length/],
    ["CIDR loopback", { adminCidrs: ["127.0.0.0/8"] }, /^adminCidrs\[0\] = "127\.0\.0\.0\/8" is a loopback range/],
    ["adminUiCidrs bad", { adminUiCidrs: ["10.0.0.0/33"] }, /^adminUiCidrs\[0\] = "10\.0\.0\.0\/33" is not a CIDR block/],
    ["ssh key invalid", { sshPublicKeys: ["not a key"] }, /^sshPublicKeys\[0\] = "not a key" is not an OpenSSH public key line/],
    [
        "ssh private key pasted",
        { sshPublicKeys: ["-----BEGIN OPENSSH PRIVATE KEY-----\nabc"] },
        /^sshPublicKeys\[0\] = \[redacted\] is a PRIVATE key.*rotate it/,
    ],
    ["mautic latest", { mauticVersion: "latest" }, /^mauticVersion = "latest" is a moving tag/],
    ["mautic bare major", { mauticVersion: "6" }, /^mauticVersion = "6" is not an exact release tag/],
    ["mautic fpm", { mauticVersion: "6.0.6-fpm" }, /^mauticVersion = "6\.0\.6-fpm" is the -fpm variant.*#317/],
    ["mautic too old", { mauticVersion: "4.4.13-apache" }, /^mauticVersion = "4\.4\.13-apache" is older than 5\.2\.0/],
    ["timezone", { timezone: "Berlin" }, /^timezone = "Berlin" is not an IANA time zone name.*Europe\/Berlin/],
    ["cleanupDaysOld zero", { cleanupDaysOld: 0 }, /^cleanupDaysOld = 0 must be at least 1\. Fix: /],
    ["cleanupDaysOld fraction", { cleanupDaysOld: 2.5 }, /^cleanupDaysOld = 2\.5 .*whole number/],
    ["cleanupDaysOld text", { cleanupDaysOld: "three weeks" }, /^cleanupDaysOld = "three weeks" .*whole number/],
    ["unconfirmedContactDays too long", { unconfirmedContactDays: 90 }, /^unconfirmedContactDays = 90 .*at most 30/],
    ["backups not boolean", { backups: "yes" }, /^backups = "yes" .*true or false/],
    ["volume too small", { volumeSizeGb: 5 }, /^volumeSizeGb = 5 .*at least 10/],
    ["admin username", { adminUsername: "Admin User" }, /^adminUsername = "Admin User" .*3-32 characters/],
    ["admin name with quote", { adminFirstName: "O'Brien" }, /^adminFirstName = "O'Brien" .*quotes/],
    [
        "mailer DSN malformed (value hidden)",
        { mailerFromEmail: "news@client-a.de", mailerFromName: "Client A", mailerDsn: "smtp-password-hunter2" },
        /^mailerDsn = \[secret\] is not a mailer DSN/,
    ],
    ["unknown key with suggestion", { domian: "x.de" }, /^domian is not a setting of this kit; did you mean 'domain'\?/],
    [
        "privacy policy not https",
        { privacyPolicyUrl: "http://www.client-a.de/datenschutz" },
        /^privacyPolicyUrl = "http:\/\/www\.client-a\.de\/datenschutz" must be a plain https URL\. Fix: /,
    ],
    ["consent text version with spaces", { consentTextVersion: "version 2" }, /^consentTextVersion = "version 2" must be 1-32 characters/],
    ["unknown consent mechanism", { consentMechanism: "popup" }, /^consentMechanism = "popup" must be "banner" .* or "cmp"/],
];

describe("site config: every bad input is rejected with key, value and fix", () => {
    test.each(bad.map(([label, patch, message, drop]) => ({ label, patch, message, drop: drop ?? [] })))("$label", ({ patch, message, drop }) => {
        const problems = problemsOf(patch, drop);
        expect(problems.join("\n")).toMatch(message.source.startsWith("^") ? new RegExp(message.source, "m") : message);
        for (const p of problems) expect(p).toMatch(/Fix: /);
    });

    test("the secret mailer DSN never appears in any message", () => {
        const problems = problemsOf({ mailerFromEmail: "news@client-a.de", mailerFromName: "Client A", mailerDsn: "smtp-password-hunter2", location: "hel1" });
        expect(problems.join("\n")).not.toContain("hunter2");
    });

    test("all problems are reported at once", () => {
        const problems = problemsOf({ location: "sin", serverType: "cx22", timezone: "Mars/Base" });
        expect(problems).toHaveLength(3);
    });

    test("a type error does not hide the other fields' problems", () => {
        const problems = problemsOf({ domain: "https://x.de", location: "hel1", cleanupDaysOld: 0, website: ["https://a.de"] }, ["adminEmail"]);
        expect(problems.map((p) => p.split(" ")[0]).sort()).toEqual(["adminEmail", "cleanupDaysOld", "domain", "location", "website"]);
    });

    test(`at least 25 distinct bad inputs are covered (${bad.length})`, () => {
        expect(new Set(bad.map((b) => b[0])).size).toBeGreaterThanOrEqual(25);
    });
});
