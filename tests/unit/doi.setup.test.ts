/**
 * DoiSetup under Pulumi's mocks: one dynamic child that gets the blueprint, the password only as
 * a secret input, the ids a marketer needs, bad input refused up front. Its serialized provider,
 * run in a separate Node process against a fake Mautic: tests/live/doi.provider.test.ts.
 * This suite checks the serialized text, so it runs the SDK as it is (tests/support/unit-lane.ts).
 */
jest.unmock("@pulumi/pulumi/runtime/closure/serializeClosure");
jest.unmock("@pulumi/pulumi/runtime/debuggable");
import * as pulumi from "@pulumi/pulumi";
import { DoiSetup, DoiSetupArgs } from "../../components/doi/doiSetup";
import { doiBlueprint } from "../../components/doi/doiBlueprint";
import { serializedProviderStandIn } from "../support/unit-lane";
import { args, captured, dynamicType, password, setDoiSetupMocks, value } from "../support/doi-setup-mocks";

setDoiSetupMocks();

const secretSig = "4dabf18193072939515e22adb298388d";

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

    test("the provider is serialized by Pulumi's own serializer: the provisioner's code travels with it", () => {
        expect(dyn.inputs.__provider).not.toBe(serializedProviderStandIn);
        expect(dyn.inputs.__provider).toMatch(/^exports\.handler = __f0;/);
        expect(dyn.inputs.__provider).toContain("async function /*ensureDoiSetup*/(client, blueprint");
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
