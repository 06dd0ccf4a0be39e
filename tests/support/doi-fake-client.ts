/**
 * The DOI provisioner's and the fake API's unit suites (tests/unit/doi.provisioner.test.ts,
 * doi.drift.test.ts, doi.errors.test.ts, doi.fake.contract.test.ts, doi.fake.test.ts): the API user, the example blueprint, and fresh
 * fake Mautic APIs (tests/support/fakeMauticApi.ts) with a client logged in to each. A suite that
 * calls freshFake stops them with `afterAll(stopFakes)`.
 */
import { MauticClient } from "../../components/mautic/mauticApi";
import { DoiBlueprintInput, doiBlueprint } from "../../components/doi/doiBlueprint";
import { FakeMauticApi } from "./fakeMauticApi";

export const user = "admin";
export const password = "Corr3ct-Horse-Battery";
export const input: DoiBlueprintInput = { mauticUrl: "https://marketing.client-a.de", website: "https://www.client-a.de", unconfirmedContactDays: 3 };
export const blueprint = doiBlueprint(input);

export type Obj = Record<string, unknown>;
const fakes: FakeMauticApi[] = [];
export async function freshFake(opts: Partial<ConstructorParameters<typeof FakeMauticApi>[0]> = {}): Promise<{ fake: FakeMauticApi; client: MauticClient }> {
    const fake = new FakeMauticApi({ username: user, password, ...opts });
    fakes.push(fake);
    const baseUrl = await fake.start();
    return { fake, client: new MauticClient({ baseUrl, username: user, password, timeoutMs: 5000 }) };
}
/** Stops every fake freshFake started in this test file. */
export async function stopFakes(): Promise<void> {
    await Promise.all(fakes.map((f) => f.stop()));
}

/** Every marketer's e-mail carries Mautic's unsubscribe token (unsubscribe and profiling-withdrawal links). */
export const footer = "<p>{unsubscribe_text}</p>";
