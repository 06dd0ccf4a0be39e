/**
 * `controllerName` answers the documents' `[[CONTROLLER_NAME]]` marker: the privacy policy, the
 * Art. 30 record and the checklists name the same controller as the consent label, and the marker
 * leaves the client's to-do list. Unset, the marker stays and is listed.
 */
import { placeholdersFor } from "../../components/compliance/documentFacts";
import { fillSettingsMarkers } from "../../components/compliance/documents";
import { byPath, markersIn, P, render, settings } from "../support/document-fixtures";

const all = (docs: ReturnType<typeof render>) => docs.map((d) => d.content).join("\n");

test("set: every document names the controller, no document keeps the marker, the to-do list drops it", () => {
    const docs = render({ settings: settings({ controllerName: "Client A GmbH" }) });
    expect(all(docs)).not.toContain("[[CONTROLLER_NAME]]");
    expect(byPath(docs, P.art30En)).toMatch(/^\| Controller \| Client A GmbH, \[\[CONTROLLER_ADDRESS\]\], /m);
    expect(byPath(docs, P.privacyEn)).toContain("Client A GmbH, [[CONTROLLER_ADDRESS]]");
    expect(byPath(docs, P.privacyDe)).toContain("Client A GmbH, [[CONTROLLER_ADDRESS]]");
    // Every other marker is still there for the client to fill.
    const left = markersIn(all(docs));
    expect(left.has("[[CONTROLLER_ADDRESS]]")).toBe(true);
    expect(placeholdersFor(settings({ controllerName: "Client A GmbH" })).map((p) => p.id)).not.toContain("controller-name");
});

test("unset: the marker stays in the documents and on the to-do list", () => {
    const docs = render();
    expect(byPath(docs, P.art30En)).toMatch(/^\| Controller \| \[\[CONTROLLER_NAME\]\], /m);
    expect(placeholdersFor(settings()).map((p) => p.id)).toContain("controller-name");
});

test("a name with Markdown punctuation cannot split a table cell or start emphasis", () => {
    expect(fillSettingsMarkers("| Controller | [[CONTROLLER_NAME]], x |", { controllerName: "Meier | Schulz *GmbH*" })).toBe(
        "| Controller | Meier \\| Schulz \\*GmbH\\*, x |",
    );
    const docs = render({ settings: settings({ controllerName: "Meier | Schulz GmbH" }) });
    const row = byPath(docs, P.art30En)
        .split("\n")
        .find((l) => l.startsWith("| Controller |"))!;
    // Three cells' borders only: the escaped pipe is not one.
    expect(row.split(/(?<!\\)\|/).length).toBe(4);
});
