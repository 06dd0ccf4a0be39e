/**
 * The DOI check of `verify`: the provisioner's read path against the project's fake Mautic API,
 * with a client that never creates anything.
 */
import { MauticClient } from "../../components/mautic/mauticApi";
import { ensureDoiSetup } from "../../components/doi/doiProvisioner";
import { doiBlueprint, withdrawalContactPlaceholder } from "../../components/doi/doiBlueprint";
import { runDoiCheck } from "../../verify/doi";
import { FakeMauticApi } from "../support/fakeMauticApi";

const user = "admin";
const password = "Corr3ct-Horse-Battery";
const blueprint = doiBlueprint({ mauticUrl: "https://marketing.client-a.de", website: "https://www.client-a.de", unconfirmedContactDays: 3 });
let fake: FakeMauticApi;
let client: MauticClient;

beforeAll(async () => {
    fake = new FakeMauticApi({ username: user, password });
    client = new MauticClient({ baseUrl: await fake.start(), username: user, password, timeoutMs: 5000 });
});
afterAll(() => fake.stop());

test("before the deploy set it up: fails naming the first missing object, and creates nothing", async () => {
    const r = await runDoiCheck(client, blueprint);
    expect(r).toMatchObject({ id: "doi-objects", status: "fail" });
    expect(r.evidence).toMatch(/^missing in Mautic: tags "doi-pending"|^missing in Mautic: \S+ /);
    expect(fake.requests.filter((q) => q.method !== "GET")).toEqual([]);
});

test("set up and the notice completed: passes; an unreplaced placeholder or a deleted object fails", async () => {
    await ensureDoiSetup(client, blueprint);
    let r = await runDoiCheck(client, blueprint);
    expect(r.status).toBe("fail");
    expect(r.evidence).toMatch(/^drift: .*withdrawal contact/);
    for (const f of fake.all("forms")) {
        // Only the sign-up forms carry the notice (the confirm-button forms have none).
        const notice = (f.fields as Array<Record<string, unknown>>).find((x) => x.alias === "processing_notice");
        if (!notice) continue;
        const n = notice.properties as Record<string, unknown>;
        n.text = String(n.text).replace(withdrawalContactPlaceholder.de, "datenschutz@client-a.de").replace(withdrawalContactPlaceholder.en, "privacy@client-a.de");
    }
    const before = fake.requests.length;
    r = await runDoiCheck(client, blueprint);
    expect(r).toMatchObject({ status: "pass" });
    expect(fake.requests.slice(before).every((q) => q.method === "GET")).toBe(true);
    const campaigns = fake.store.get("campaigns")!;
    const first = [...campaigns.keys()][0];
    campaigns.delete(first);
    r = await runDoiCheck(client, blueprint);
    expect(r.status).toBe("fail");
    expect(r.evidence).toMatch(/^missing in Mautic: campaigns /);
});
