/**
 * The DOI check of `verify`: the provisioner's read path against the project's fake Mautic API,
 * with a client that never creates anything.
 */
import { MauticClient } from "../../components/mautic/mauticApi";
import { ensureDoiSetup } from "../../components/doi/doiProvisioner";
import { doiBlueprint } from "../../components/doi/doiBlueprint";
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

test("set up: passes; a retired object of the earlier flow or a deleted e-mail fails", async () => {
    await ensureDoiSetup(client, blueprint);
    let r = await runDoiCheck(client, blueprint);
    expect(r).toMatchObject({ status: "pass" });
    const before = fake.requests.length;
    fake.seed("forms", { name: "DOI de: sign-up form", formType: "campaign", fields: [], actions: [], isPublished: true });
    r = await runDoiCheck(client, blueprint);
    expect(r.status).toBe("fail");
    expect(r.evidence).toMatch(/^drift: retired: forms 'DOI de: sign-up form' \(id \d+\).*Fix: unpublish/);
    expect(fake.requests.slice(before).every((q) => q.method === "GET")).toBe(true);
    const emails = fake.store.get("emails")!;
    emails.delete([...emails.keys()][0]);
    r = await runDoiCheck(client, blueprint);
    expect(r.status).toBe("fail");
    expect(r.evidence).toMatch(/^missing in Mautic: emails "DOI: confirmation email \(de\)"/);
});
