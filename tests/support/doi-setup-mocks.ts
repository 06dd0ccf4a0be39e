/**
 * DoiSetup under Pulumi's mocks, shared by the component's unit test (tests/unit/doi.setup.test.ts)
 * and the run of its serialized provider (tests/live/doi.provider.test.ts): the mocks answer the
 * dynamic resource as the provider's create would (no password, no blueprint) and record every
 * resource in `captured`.
 */
import * as pulumi from "@pulumi/pulumi";
import { DoiSetupArgs } from "../../components/doi/doiSetup";

/** Pulumi's type token for a dynamic resource of module "mautic-doi". */
export const dynamicType = "pulumi-nodejs:dynamic/mautic-doi:Resource";
export const password = "Adm1n-Secret-Pw";
export const captured: pulumi.runtime.MockResourceArgs[] = [];
export const fakeIds = { "email:confirm:de": 13, "email:confirm:en": 14, "segment:confirmed": 31 };

/** Installs the mocks; call once at the top of a suite. */
export function setDoiSetupMocks(): void {
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
}

export const value = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply(resolve));

export const args: DoiSetupArgs = {
    apiUrl: "https://marketing.client-a.de",
    username: "admin",
    password: pulumi.secret(password),
    website: "https://www.client-a.de",
    unconfirmedContactDays: 4,
};
