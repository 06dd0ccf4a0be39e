/**
 * What the unit lane changes in the Pulumi SDK (tests/support/unit-lane.ts) and loads lazily
 * (tests/support/lazy/): each stand-in does what its comment says, and nothing else.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { z } from "zod";
import { rawSchema } from "../../components/config/schema";
import { serializedProviderStandIn } from "../support/unit-lane";

const loaded = (suffix: string) => Object.keys(require.cache).some((k) => k.endsWith(suffix));

describe("the unit lane's SDK", () => {
    test("importing @pulumi/pulumi loads neither TypeScript nor arborist", () => {
        expect(pulumi.runtime).toBeDefined();
        expect(loaded("/typescript/lib/typescript.js")).toBe(false);
        expect(loaded("/@npmcli/arborist/lib/index.js")).toBe(false);
    });

    test("zod's translations are not loaded by the config schema, and load when read", () => {
        expect(rawSchema.safeParse({}).success).toBe(false);
        const locales = Object.keys(require.cache).filter((k) => /[\\/]zod[\\/]v4[\\/]locales[\\/]/.test(k));
        expect(locales.map((k) => path.basename(k))).toEqual(["en.cjs"]);
        const de = z.locales.de();
        expect(typeof de.localeError).toBe("function");
        expect(loaded("/zod/v4/locales/index.cjs")).toBe(true);
    });

    test("the lazy stand-ins load the real packages on first use", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const ts = require("typescript") as typeof import("typescript");
        const file = ts.createSourceFile("x.ts", "const a: number = 1;", ts.ScriptTarget.Latest, true);
        expect(file.statements).toHaveLength(1);
        expect(loaded("/typescript/lib/typescript.js")).toBe(true);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { Arborist } = require("@npmcli/arborist") as { Arborist: new (o: object) => { loadActual: unknown } };
        expect(typeof new Arborist({ path: __dirname }).loadActual).toBe("function");
        expect(loaded("/@npmcli/arborist/lib/index.js")).toBe(true);
    });

    test("the closure serializer answers with the stand-in text", async () => {
        const sc = jest.requireMock("@pulumi/pulumi/runtime/closure/serializeClosure") as typeof import("@pulumi/pulumi/runtime/closure/serializeClosure");
        await expect(sc.serializeFunction(() => 1)).resolves.toEqual({ text: serializedProviderStandIn, exportName: "handler", containsSecrets: false });
        await expect(pulumi.runtime.serializeFunction(() => 1, { exportName: "h" })).resolves.toMatchObject({
            text: serializedProviderStandIn,
            exportName: "h",
        });
    });

    test("debuggablePromise still tags the promise and passes its value on, takes no stack trace, and restores the limit", async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const dbg = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T> };
        const limit = Error.stackTraceLimit;
        const p = Promise.resolve(42);
        const tagged = p as Promise<number> & { _debugCtx: string; _debugStackTrace: string };
        await expect(dbg.debuggablePromise(p, "ctx")).resolves.toBe(42);
        expect(tagged._debugCtx).toBe("ctx");
        expect(tagged._debugStackTrace.trim().split("\n")).toEqual([expect.stringMatching(/^Error:?$/)]); // no frame
        expect(Error.stackTraceLimit).toBe(limit);
        expect(limit).toBeGreaterThan(0);
    });
});
