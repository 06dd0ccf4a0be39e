/**
 * DoiSetup under Pulumi's mocks: one dynamic child that gets the blueprint, the password only as
 * a secret input, the ids a marketer needs, bad input refused up front. Its serialized provider,
 * run in a separate Node process against a fake Mautic: tests/live/doi.provider.test.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { DoiSetup, DoiSetupArgs } from "../../components/doi/doiSetup";
import { doiBlueprint } from "../../components/doi/doiBlueprint";

const secretSig = "4dabf18193072939515e22adb298388d";
/** Pulumi's type token for a dynamic resource of module "mautic-doi". */
const dynamicType = "pulumi-nodejs:dynamic/mautic-doi:Resource";
const password = "Adm1n-Secret-Pw";
const captured: pulumi.runtime.MockResourceArgs[] = [];
const fakeIds = { "email:confirm:de": 13, "email:confirm:en": 14, "segment:confirmed": 31 };

pulumi.runtime.setMocks(
    {
        newResource(args) {
            captured.push(args);
            if (args.type === dynamicType) {
                // What the provider's create returns: no password, no blueprint.
                return {
                    id: "doi:marketing.client-a.de",
                    state: {
                        apiUrl: args.inputs.apiUrl,
                        username: args.inputs.username,
                        blueprintHash: args.inputs.blueprintHash,
                        rerunToken: "",
                        ids: fakeIds,
                        created: Object.keys(fakeIds),
                        drift: [],
                    },
                };
            }
            return { id: `${args.name}-id`, state: args.inputs };
        },
        call(args) {
            return args.inputs;
        },
    },
    "mautic-gdpr-kit",
    "test",
    false,
);

const value = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply(resolve));
const args: DoiSetupArgs = {
    apiUrl: "https://marketing.client-a.de",
    username: "admin",
    password: pulumi.secret(password),
    website: "https://www.client-a.de",
    unconfirmedContactDays: 4,
};

describe("DoiSetup (Pulumi mocks)", () => {
    let doi: DoiSetup;
    let dyn: pulumi.runtime.MockResourceArgs;

    beforeAll(async () => {
        doi = new DoiSetup("doi", args);
        await value(doi.ids);
        dyn = captured.find((c) => c.type === dynamicType)!;
    });

    test("is a component with one dynamic child that receives the blueprint", () => {
        expect(captured.map((c) => c.type)).toEqual(expect.arrayContaining(["mautic-kit:doi:DoiSetup", dynamicType]));
        expect(dyn.name).toBe("doi");
        const expected = doiBlueprint({ mauticUrl: "https://marketing.client-a.de", website: "https://www.client-a.de", unconfirmedContactDays: 4 });
        expect(dyn.inputs.blueprintHash).toBe(expected.hash);
        expect(dyn.inputs.blueprint.hash).toBe(expected.hash);
        expect(dyn.inputs).toMatchObject({
            apiUrl: "https://marketing.client-a.de",
            username: "admin",
            waitForApiSeconds: 600,
            requestTimeoutSeconds: 30,
            rerunToken: "",
        });
        expect(typeof dyn.inputs.__provider).toBe("string");
    });

    test("the password is a secret input and appears in no output", async () => {
        expect(dyn.inputs.password).toEqual({ [secretSig]: "1b47061264138c4ac30d75fd1eb44270", value: password });
        const outs = {
            ids: await value(doi.ids),
            created: await value(doi.created),
            drift: await value(doi.drift),
            emailIds: await value(doi.emailIds),
            hash: await value(doi.blueprintHash),
        };
        expect(JSON.stringify(outs)).not.toContain(password);
        expect(dyn.inputs.__provider).not.toContain(password);
    });

    test("exposes the ids a marketer needs", async () => {
        expect(await value(doi.emailIds)).toEqual({ de: 13, en: 14 });
        expect(await value(doi.confirmedSegmentId)).toBe(31);
    });

    test.each([
        [{ apiUrl: "http://marketing.client-a.de" }, /apiUrl = "http:\/\/marketing.client-a.de" is not https/],
        [{ website: "https://www.client-a.de/shop" }, /website = .* has a path/],
        [{ unconfirmedContactDays: 0 }, /unconfirmedContactDays = 0 must be a whole number from 1 to 30/],
        [{ password: "" }, /password is required/],
        [{ waitForApiSeconds: -1 }, /waitForApiSeconds = -1/],
        [{ languages: ["fr"] as never }, /languages/],
    ])("rejects %j up front with a ResourceError", (patch, message) => {
        let err: unknown;
        try {
            new DoiSetup("bad", { ...args, ...patch } as DoiSetupArgs);
        } catch (e) {
            err = e;
        }
        expect(err).toBeInstanceOf(pulumi.ResourceError);
        expect((err as Error).message).toMatch(message);
        expect((err as Error).message).not.toContain(password);
    });
});
