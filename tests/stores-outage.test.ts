import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REPO, runCli, scratchDir } from "./helpers/cli.js";
import { noPostgres } from "./helpers/store-servers.js";
import { NEEDS, describeNeeding } from "./helpers/requirements.js";

/**
 * A database that goes away mid-run, on a private PostgreSQL cluster this test halts and resumes: the
 * run fails with a clear message naming the store, is recorded FAIL once the server is back (nothing
 * half-written: the interrupted step stays as last stored), and `runnable retry` then completes it.
 */

const run = promisify(execFile);
const script = join(REPO, "scripts/postgres-server.sh");
let stateFile = "";
let url = "";
let cleanup: () => Promise<void> = async () => undefined;
const server = (command: string) => run("bash", [script, command], { env: { ...process.env, RUNNABLE_PG_STATE: stateFile } });

const PIPELINE = `dag:
  start_at: slow
  steps:
    slow: {type: task, command_type: shell, command: "sleep 3", next: after}
    after: {type: task, command_type: shell, command: "echo after", next: success}
    success: {type: success}
    fail: {type: fail}
`;

describeNeeding(NEEDS.postgres, noPostgres)("postgres store outage", () => {
  let dir = "";
  beforeAll(async () => {
    ({ dir, cleanup } = await scratchDir());
    stateFile = join(dir, "pg.env");
    url = (await server("start")).stdout.trim();
    await writeFile(join(dir, "pipeline.yaml"), PIPELINE);
    await writeFile(join(dir, "config.yaml"), `run_log_store:\n  type: postgres\n  config: {connection_url: "${url}", retry_seconds: 1}\n`);
  }, 60_000);
  afterAll(async () => {
    await server("stop").catch(() => undefined);
    await cleanup();
  });

  it("fails the run clearly, records it FAIL when the server is back, and lets retry finish it", async () => {
    const runId = `outage-${randomUUID().slice(0, 8)}`;
    const running = runCli(["execute", "-f", "pipeline.yaml", "-c", "config.yaml", "--run-id", runId], { cwd: dir });
    // Halt while the slow step runs (its PROCESSING log is stored), however slowly the command started.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const deadline = Date.now() + 20_000;
    client.on("error", () => undefined);
    const started = async (): Promise<boolean> =>
      (await client.query("SELECT to_regclass('public.runnable_entities') IS NOT NULL AS ok")).rows[0].ok === true &&
      ((await client.query("SELECT 1 FROM public.runnable_entities WHERE run_id = $1 AND name = 'slow'", [runId])).rowCount ?? 0) > 0;
    while (!(await started())) {
      if (Date.now() > deadline) {
        await client.end();
        throw new Error(`the run did not start: ${JSON.stringify(await running)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await client.end();
    await server("halt");
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    await server("resume");
    const result = await running;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error: run_log_store postgres \(127\.0\.0\.1:\d+\/runnable as postgres\) is unreachable: could not write step log "slow"/);
    expect(result.stderr).toContain(`run ${runId} is recorded FAIL`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const shown = JSON.parse((await runCli(["runs", "show", runId, "-c", "config.yaml", "--json"], { cwd: dir })).stdout);
    expect(shown.status).toBe("FAIL");
    expect(Object.keys(shown.steps)).toEqual(["slow"]);
    expect(shown.steps.slow.status).toBe("PROCESSING"); // as last stored: its end could not be written
    const retried = await runCli(["retry", runId, "-c", "config.yaml", "-q"], { cwd: dir });
    expect(retried.code, retried.stderr).toBe(0);
    const done = JSON.parse((await runCli(["runs", "show", runId, "-c", "config.yaml", "--json"], { cwd: dir })).stdout);
    expect(done.status).toBe("SUCCESS");
    expect(Object.keys(done.steps)).toEqual(["slow", "after", "success"]);
  }, 60_000);
});
