/**
 * The test MariaDB servers (tests/support/mariadb.ts) run side by side in parallel suites. At
 * start-up mariadbd deletes every `#sql*` file in its tmpdir, so with a shared tmpdir a server
 * starting in one suite deleted the on-disk temporary tables of a server another suite was using
 * (mariadb-dump then failed with "Error on delete of '/tmp/#sql-temptable-...MAD'"). Each server
 * has its own tmpdir now: a session's temporary table outlives another server's start.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import { MariaDbServer } from "../support/mariadb";
import { requireTool } from "../support/tools";

const servers: MariaDbServer[] = [];
afterAll(async () => {
    for (const s of servers) await s.stop();
});

test("a temporary table on disk survives the start of another server", async () => {
    const a = await MariaDbServer.start();
    servers.push(a);
    a.sql("CREATE DATABASE t");
    const session = new Promise<{ code: number; out: string }>((resolve) =>
        execFile(
            requireTool("mariadb"),
            [
                `--defaults-extra-file=${a.clientCnf}`,
                "t",
                "--batch",
                "--skip-column-names",
                "-e",
                "CREATE TEMPORARY TABLE tmp (id INT) ENGINE=Aria; INSERT INTO tmp VALUES (1), (2); SELECT SLEEP(6); SELECT COUNT(*) FROM tmp; DROP TEMPORARY TABLE tmp;",
            ],
            (e, stdout, stderr) => resolve({ code: e ? Number(e.code) : 0, out: `${stdout}${stderr}` }),
        ),
    );
    // The temporary table's Aria files exist in A's own tmpdir before B starts.
    const deadline = Date.now() + 5000;
    while (!fs.readdirSync(a.tmpdir).some((f) => f.startsWith("#sql")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(fs.readdirSync(a.tmpdir).filter((f) => f.startsWith("#sql")).length).toBeGreaterThan(0);
    servers.push(await MariaDbServer.start());
    const r = await session;
    expect(r).toEqual({ code: 0, out: "0\n2\n" });
});
