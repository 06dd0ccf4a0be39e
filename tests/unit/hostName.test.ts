/** The one host-name definition (components/shared/hostName.ts) and that no module keeps a copy. */
import * as fs from "fs";
import * as path from "path";
import { hostLabel, hostName, isFqdn } from "../../components/shared/hostName";
import { projectRoot } from "../../plan/projectRoot";

test.each([
    ["marketing.client-a.de", true, true],
    ["xn--mnchen-3ya.de", true, true],
    ["a.b", true, true],
    ["localhost", false, false],
    ["192.0.2.1", true, false],
    ["-bad.client-a.de", false, false],
    ["bad-.client-a.de", false, false],
    ["Marketing.client-a.de", false, false],
    ["m.client-a.de.", false, false],
    ["*.client-a.de", false, false],
    ["m..de", false, false],
    [`${"a".repeat(64)}.de`, false, false],
    [`${"a.".repeat(126)}de`, false, false],
])("%s: hostName %s, isFqdn %s", (v, name, fqdn) => {
    expect(hostName.test(v)).toBe(name);
    expect(isFqdn(v)).toBe(fqdn);
});

test("a label is 1 to 63 characters without a leading or trailing '-'", () => {
    expect(["a", "a-b", "0", "a".repeat(63)].every((l) => hostLabel.test(l))).toBe(true);
    expect(["", "-a", "a-", "a".repeat(64), "a_b", "A"].some((l) => hostLabel.test(l))).toBe(false);
});

test("no other source file defines a host-name pattern of its own", () => {
    const copies: string[] = [];
    const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, e.name);
            if (e.isDirectory()) walk(p);
            else if (p.endsWith(".ts") && !p.endsWith(path.join("shared", "hostName.ts")) && /\{1,63\}|\{0,61\}/.test(fs.readFileSync(p, "utf8")))
                copies.push(path.relative(projectRoot, p));
        }
    };
    for (const d of ["components", "audit", "verify", "dsr", "conformance", "plan", "policy", "lib"])
        if (fs.existsSync(path.join(projectRoot, d))) walk(path.join(projectRoot, d));
    expect(copies).toEqual([]);
});
