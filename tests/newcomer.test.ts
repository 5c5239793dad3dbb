import { execFileSync } from "node:child_process";
import { mkdir, utimes, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, runMain, scratchDir } from "./helpers/cli.js";
import { NEEDS, describeNeeding, itNeeding } from "./helpers/requirements.js";
import { noPostgres, postgresUrl } from "./helpers/store-servers.js";
import { startUi } from "./helpers/ui-server.js";

// What a newcomer tripped over (issue 23), each as the newcomer met it: through the command line.

let dir = "";
let cleanup: () => Promise<void> = async () => undefined;
beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
afterAll(() => cleanup());

const noPython = (() => {
  try {
    execFileSync("python3", ["--version"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "python3 is not installed";
  }
})();

describe("runnable validate: every problem of the python tasks in one pass", () => {
  itNeeding(NEEDS.python, noPython)("reports a missing module, a missing submodule and a missing function together", async () => {
    const work = join(dir, "validate");
    await mkdir(join(work, "pkg"), { recursive: true });
    await writeFile(join(work, "pkg", "__init__.py"), "");
    await writeFile(join(work, "pkg", "mod.py"), "def real():\n    pass\n");
    const step = (name: string, command: string, next: string) => `    ${name}:\n      type: task\n      command: ${command}\n      next: ${next}\n`;
    await writeFile(
      join(work, "pipeline.yaml"),
      `dag:\n  start_at: a\n  steps:\n${step("a", "pkg.mod.missing_function", "b")}${step("b", "no_such_module_xyz.train", "c")}${step("c", "pkg.nosub.fn", "d")}${step("d", "json.dumps", "success")}`,
    );
    const result = await runMain(["validate", "pipeline.yaml"], { cwd: work });
    expect(result.code).toBe(2);
    const lines = result.stderr.split("\n").filter((line) => line.startsWith("pipeline.yaml:"));
    expect(lines).toEqual([
      'pipeline.yaml:4:5: step "a": module pkg.mod (pkg/mod.py) has no function "missing_function"',
      expect.stringMatching(
        /^pipeline\.yaml:8:5: step "b": module no_such_module_xyz not found: neither no_such_module_xyz\.py nor no_such_module_xyz\/__init__\.py exists under the working directory \(.*\), and python3 cannot import "no_such_module_xyz" \(check the spelling, or install it: python3 -m pip install no_such_module_xyz\)$/,
      ),
      expect.stringMatching(/^pipeline\.yaml:12:5: step "c": module pkg\.nosub not found: neither pkg\/nosub\.py nor pkg\/nosub\/__init__\.py exists/),
    ]);
  });
});

describeNeeding(NEEDS.postgres, noPostgres)("a PostgreSQL run log store without a password", () => {
  it("says the server wants a password and where to give it, exit 2 (not pg's SASL message, exit 70)", async () => {
    const work = join(dir, "pg");
    await mkdir(work, { recursive: true });
    const url = new URL(postgresUrl!);
    url.password = "";
    await writeFile(join(work, "config.yaml"), `run_log_store:\n  type: postgres\n  config:\n    connection_url: ${url.toString()}\n    retry_seconds: 0\n`);
    await writeFile(join(work, "pipeline.yaml"), "dag:\n  start_at: a\n  steps:\n    a:\n      type: stub\n      next: success\n");
    // A real process: pg reads ~/.pgpass and PGPASSWORD from the process' own environment.
    const result = await runCli(["execute", "-f", "pipeline.yaml", "-c", "config.yaml"], { cwd: work, env: { HOME: work, PGPASSWORD: "" } });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`the server asks for a password for user "${url.username}" and none was given`);
    expect(result.stderr).toContain("PGPASSWORD, or in ~/.pgpass");
    expect(result.stderr).not.toContain("SASL");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});

describe("runs gc --older-than: durations as a reader reads them", () => {
  it("refuses an ambiguous 1m (minute or month?) with a hint, exit 2, deleting nothing", async () => {
    const result = await runMain(["runs", "gc", "--older-than", "1m"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--older-than "1m" is ambiguous: "1m" may mean 1 minute or 1 month');
    expect(result.stderr).toContain("Write 1min for minutes or 1mo for months");
  });

  it("accepts 30d, 12h, 90m, 6mo and says when a dry run finds nothing", async () => {
    const work = join(dir, "gc");
    await mkdir(work, { recursive: true });
    await writeFile(join(work, "pipeline.yaml"), "dag:\n  start_at: a\n  steps:\n    a:\n      type: stub\n      next: success\n");
    expect((await runMain(["execute", "-q", "-f", "pipeline.yaml", "--run-id", "old-1"], { cwd: work })).code).toBe(0);
    const weekAgo = new Date(Date.now() - 7 * 86_400_000);
    await utimes(join(work, ".run_log_store", "old-1.json"), weekAgo, weekAgo);
    for (const age of ["30d", "6mo"]) {
      const dry = await runMain(["runs", "gc", "--older-than", age, "--dry-run"], { cwd: work });
      expect(dry).toMatchObject({ code: 0, stdout: `no runs older than ${age}: nothing would be deleted\n` });
    }
    for (const age of ["12h", "90m"]) {
      expect(await runMain(["runs", "gc", "--older-than", age, "--dry-run"], { cwd: work })).toMatchObject({ code: 0, stdout: "would delete old-1\n" });
    }
  });
});

/** GET `path` from `base` with the Host header the URL names; resolves with the status code. */
function statusOf(base: string, path: string): Promise<number> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname.replace(/^\[|\]$/g, ""), port: url.port, path, headers: { Host: url.host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("runnable ui --host 0.0.0.0", () => {
  it("prints addresses another machine can use (this machine's name and addresses), not 127.0.0.1", async () => {
    const ui = await startUi(dir, ["--host", "0.0.0.0"]);
    try {
      const port = new URL(ui.url).port;
      const urls = ui.output().match(/^http:\/\/\S+$/gm) ?? [];
      expect(urls[0]).toMatch(new RegExp(`^http://${hostname()}:${port}/\\?token=`));
      expect(urls.join("\n")).not.toContain("127.0.0.1");
      expect(urls.join("\n")).not.toContain("0.0.0.0");
      if (urls.length > 1) expect(ui.output()).toContain("listening on every interface (0.0.0.0); reachable from other machines at:");
      // Each printed address reaches the server (through an address of this machine, not loopback).
      for (const url of urls.slice(1)) expect(await statusOf(url, new URL(url).pathname + new URL(url).search)).toBe(303);
    } finally {
      await ui.stop();
    }
  }, 60_000);
});
