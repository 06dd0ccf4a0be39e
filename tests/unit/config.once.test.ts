/**
 * The config is validated once per program run: `loadSiteConfig` validates, `MauticSite.create`
 * and the constructor take the validated (frozen) settings as they are. A library user's raw
 * args are still validated by `MauticSite` with the same messages; validated settings that were
 * copied, or passed with other secrets than they were validated with, are refused.
 */
import * as pulumi from "@pulumi/pulumi";
import * as config from "../../components/config/config";
import { MauticSite } from "../../components/site/mauticSite";
import { MockCloud } from "../../plan/mockRuntime";
import { runPlan } from "../../plan/runPlan";
import { testStack } from "../support/stacks";

const good = {
    domain: "marketing.client-a.de",
    website: "https://www.client-a.de",
    adminEmail: "ops@agency.example",
    adminCidrs: ["203.0.113.0/24"],
    serverType: "cx33",
};

test("a plan validates the stack's config twice: once in the plan's own pre-check, once in the program", async () => {
    const spy = jest.spyOn(config, "validateSiteArgs");
    try {
        await runPlan(testStack({ location: "fsn1", serverType: "cx33" }));
        // Before: 4 (the plan, loadSiteConfig, MauticSite.create, the MauticSite constructor).
        expect(spy).toHaveBeenCalledTimes(2);
    } finally {
        spy.mockRestore();
    }
});

test("validated settings are frozen and remembered with their warnings", () => {
    const v = config.validateSiteArgs({ ...good, backups: false });
    expect(Object.isFrozen(v.settings)).toBe(true);
    expect(Object.isFrozen(v.settings.adminCidrs)).toBe(true);
    expect(() => {
        (v.settings as { domain: string }).domain = "evil.example";
    }).toThrow(TypeError);
    expect(config.validatedWarnings(v.settings)).toEqual(v.warnings);
    expect(config.validatedWarnings({ ...v.settings })).toBeUndefined();
});

test("a chosen server type is checked like a configured one", () => {
    const { settings } = config.validateSiteArgs({ ...good, serverType: "auto" });
    expect(config.withChosenServerType(settings, "cx43").serverType).toBe("cx43");
    expect(config.validatedWarnings(config.withChosenServerType(settings, "cx43"))).toEqual(config.validatedWarnings(settings));
    expect(() => config.withChosenServerType(settings, "cx21")).toThrow(/serverType = "cx21" was withdrawn by Hetzner .* Fix: use a current type/);
});

describe("MauticSite under mocks", () => {
    let cloud: MockCloud;
    beforeEach(async () => {
        cloud = new MockCloud({ project: "p", stack: "s" });
        await cloud.install();
        pulumi.runtime.setAllConfig({});
    });
    afterEach(() => cloud.settle());

    test("takes validated settings without validating again", () => {
        const v = config.validateSiteArgs({
            ...good,
            mailerDsn: "smtps://u:p@smtp.example.de:465",
            mailerFromEmail: "news@client-a.de",
            mailerFromName: "Client A",
        });
        const spy = jest.spyOn(config, "validateSiteArgs");
        try {
            const site = new MauticSite("a", { settings: v.settings, mailerDsn: pulumi.secret("smtps://u:p@smtp.example.de:465"), doubleOptIn: false });
            expect(spy).not.toHaveBeenCalled();
            expect(site.settings).toBe(v.settings);
            expect(site.warnings).toEqual(v.warnings);
        } finally {
            spy.mockRestore();
        }
    });

    test("refuses a copy of validated settings", () => {
        const { settings } = config.validateSiteArgs(good);
        expect(() => new MauticSite("b", { settings: { ...settings, domain: "evil" } })).toThrow(
            /settings were not returned by validateSiteArgs .* Fix: pass validateSiteArgs\(\.\.\.\)\.settings itself/,
        );
    });

    test("refuses secrets other than the ones the settings were validated with", () => {
        const without = config.validateSiteArgs(good).settings;
        expect(() => new MauticSite("c", { settings: without, mailerDsn: pulumi.secret("smtps://u:p@h:465") })).toThrow(
            /mailerDsn = \[secret\] was not validated with these settings \(mailerConfigured = false\)/,
        );
        const withKey = config.validateSiteArgs({ ...good, maxmindLicenseKey: "abcDEF_123456" }).settings;
        expect(() => new MauticSite("d", { settings: withKey })).toThrow(
            /maxmindLicenseKey is missing: the settings were validated with one \(ipLookupConfigured = true\)/,
        );
    });

    test("still validates a library user's raw args, with the validator's messages", () => {
        expect(() => new MauticSite("e", { ...good, location: "hel1", mailerDsn: pulumi.secret("smtps://u:p@h:465") })).toThrow(
            /location = "hel1" is in Helsinki, Finland, not in Germany[\s\S]*mailerFromEmail = undefined is missing: it is required whenever mailerDsn is set/,
        );
    });

    test("settings with serverType auto still need MauticSite.create", () => {
        const { settings } = config.validateSiteArgs({ ...good, serverType: "auto" });
        expect(() => new MauticSite("f", { settings })).toThrow(/serverType = auto is resolved by MauticSite.create/);
    });
});
