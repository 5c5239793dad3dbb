// Issue 19, item 4: a store server that stops answering without closing its connections (frozen with
// SIGSTOP: the kernel keeps accepting, nothing replies) is reported within seconds as a warning; a
// short stall is waited out; beyond the configured bound (timeout_seconds per request, retry_seconds
// in all) the run stops cleanly and `runnable retry` finishes it. A PostgreSQL restart shorter than
// retry_seconds is survived, the lease taken again. Real servers, private to this file. The probe's
// "stalled servers" section, re-run.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, runCli } from "./helpers/cli.js";
import { startCli, until } from "./helpers/processes.js";
import { S3_TEST_ENV, noPostgres, noS3 } from "./helpers/store-servers.js";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A pipeline whose first step says it started, then the walk goes on for a while. */
const PIPELINE = `dag:
  start_at: first
  steps:
    first: {type: task, command_type: shell, command: "touch started; sleep 0.5", next: second}
    second: {type: task, command_type: shell, command: "sleep 0.5", next: third}
    third: {type: task, command_type: shell, command: "sleep 0.5", next: success}
`;

/** Sends `signal` to every pid (errors ignored: a process may be gone). */
function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

const NO_DEPRECATION = /DeprecationWarning|concurrent/i;

describe.skipIf(noPostgres)(`a stalled or restarted PostgreSQL server${noPostgres ? ` (skipped: ${noPostgres})` : ""}`, () => {
  let dir = "";
  let url = "";
  const state = () => join(dir, "pg.env");
  const server = (command: string) => run("bash", [join(REPO, "scripts/postgres-server.sh"), command], { env: { ...process.env, RUNNABLE_PG_STATE: state() } });
  /** The postmaster and its backends: freezing them all is a frozen server. */
  const serverPids = (): number[] => {
    const data = /^PG_DIR=(.*)$/m.exec(readFileSync(state(), "utf8"))?.[1];
    const postmaster = Number(readFileSync(join(data!, "data", "postmaster.pid"), "utf8").split("\n")[0]);
    const children = execFileSync("pgrep", ["-P", String(postmaster)], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map(Number);
    return [postmaster, ...children];
  };
  const config = (extra: string) => `run_log_store:\n  type: postgres\n  config: {connection_url: "${url}"${extra}}\n`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "runnable-stalls-pg-"));
    url = (await server("start")).stdout.trim();
    await writeFile(join(dir, "p.yaml"), PIPELINE);
  }, 90_000);
  afterAll(async () => {
    await server("stop").catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it("a 6 s freeze is reported within seconds and waited out: the run succeeds", async () => {
    await writeFile(join(dir, "c.yaml"), config(""));
    await rm(join(dir, "started"), { force: true });
    const cli = startCli(["execute", "-f", "p.yaml", "-c", "c.yaml", "--run-id", "frozen-short"], { cwd: dir });
    await until(() => existsSync(join(dir, "started")), 20_000, "the first step");
    const pids = serverPids();
    signalAll(pids, "SIGSTOP");
    try {
      await until(() => /has not answered for 3 s/.test(cli.output()), 8_000, "the stall warning");
      await sleep(2_000);
    } finally {
      signalAll(pids, "SIGCONT");
    }
    const result = await cli.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warning: run_log_store postgres \(127\.0\.0\.1:\d+\/runnable as postgres\) has not answered for 3 s/);
    expect(result.stderr).not.toMatch(NO_DEPRECATION);
  }, 60_000);

  it("a freeze past timeout_seconds and retry_seconds stops the run cleanly; retry finishes it", async () => {
    await writeFile(join(dir, "c.yaml"), config(", timeout_seconds: 2, retry_seconds: 2"));
    await rm(join(dir, "started"), { force: true });
    const cli = startCli(["execute", "-f", "p.yaml", "-c", "c.yaml", "--run-id", "frozen-long"], { cwd: dir });
    await until(() => existsSync(join(dir, "started")), 20_000, "the first step");
    const pids = serverPids();
    const frozenAt = Date.now();
    signalAll(pids, "SIGSTOP");
    try {
      await until(() => /has not answered for 3 s|is unreachable/.test(cli.output()), 8_000, "the stall to be reported");
      expect(Date.now() - frozenAt).toBeLessThan(8_000);
      await sleep(10_000);
    } finally {
      signalAll(pids, "SIGCONT");
    }
    const result = await cli.exited;
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/run_log_store postgres \(.*\) is unreachable/);
    expect(result.stderr).toContain("runnable retry");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toMatch(NO_DEPRECATION);
    const retried = await runCli(["retry", "frozen-long", "-c", "c.yaml", "-q"], { cwd: dir });
    expect(retried.code, retried.stdout + retried.stderr).toBe(0);
    const shown = JSON.parse((await runCli(["runs", "show", "frozen-long", "-c", "c.yaml", "--json"], { cwd: dir })).stdout);
    expect(shown.status).toBe("SUCCESS");
  }, 90_000);

  it("a restart shorter than retry_seconds is survived, and the lease is taken again (live, on the new server)", async () => {
    await writeFile(join(dir, "c.yaml"), config(""));
    await writeFile(join(dir, "long.yaml"), PIPELINE.replace('command: "sleep 0.5", next: third', 'command: "touch restarted-wait; sleep 25", next: third'));
    await rm(join(dir, "started"), { force: true });
    const cli = startCli(["execute", "-f", "long.yaml", "-c", "c.yaml", "--run-id", "restarted"], { cwd: dir });
    await until(() => existsSync(join(dir, "started")), 20_000, "the first step");
    await server("halt");
    await sleep(2_000);
    await server("resume");
    // While the long step runs after the restart, the run's lease is renewed on a new session: live again.
    // Right after the restart it reads stale (its session is gone) until a heartbeat (every 5 s) renews
    // it, so the test waits for that rather than looking at one moment (a loaded machine is slower).
    await until(() => existsSync(join(dir, "restarted-wait")), 20_000, "the long step");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const live = async () =>
        (await client.query("SELECT public.runnable_lease_stale(l) AS stale FROM public.runnable_leases l WHERE run_id = 'restarted'")).rows;
      await until(async () => JSON.stringify(await live()) === JSON.stringify([{ stale: false }]), 22_000, "the lease taken again on a new session");
      expect(await live()).toEqual([{ stale: false }]);
    } finally {
      await client.end();
    }
    const result = await cli.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(NO_DEPRECATION);
  }, 90_000);
});

describe.skipIf(noS3)(`a stalled S3 server${noS3 ? ` (skipped: ${noS3})` : ""}`, () => {
  let dir = "";
  let endpoint = "";
  let pid = 0;
  const state = () => join(dir, "s3.env");
  const server = (command: string) => run("bash", [join(REPO, "scripts/s3-server.sh"), command], { env: { ...process.env, RUNNABLE_S3_STATE: state() } });
  const config = (extra: string) =>
    `run_log_store:\n  type: s3\n  config: {bucket: stalls, prefix: runs, endpoint_url: "${endpoint}", force_path_style: true${extra}}\n`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "runnable-stalls-s3-"));
    endpoint = (await server("start")).stdout.trim();
    pid = Number(/^S3_PID=(\d+)$/m.exec(readFileSync(state(), "utf8"))?.[1]);
    await writeFile(join(dir, "p.yaml"), PIPELINE);
    const { S3Client, CreateBucketCommand } = await import("@aws-sdk/client-s3");
    const s3 = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
    await s3.send(new CreateBucketCommand({ Bucket: "stalls" }));
  }, 90_000);
  afterAll(async () => {
    signalAll([pid], "SIGCONT");
    await server("stop").catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it("a 6 s freeze is reported within seconds and waited out: the run succeeds", async () => {
    await writeFile(join(dir, "c.yaml"), config(""));
    await rm(join(dir, "started"), { force: true });
    const cli = startCli(["execute", "-f", "p.yaml", "-c", "c.yaml", "--run-id", "s3-short"], { cwd: dir, env: S3_TEST_ENV });
    await until(() => existsSync(join(dir, "started")), 20_000, "the first step");
    signalAll([pid], "SIGSTOP");
    try {
      await until(() => /has not answered for 3 s/.test(cli.output()), 8_000, "the stall warning");
      await sleep(2_000);
    } finally {
      signalAll([pid], "SIGCONT");
    }
    const result = await cli.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warning: run_log_store s3 \(s3:\/\/stalls\/runs\) has not answered for 3 s/);
  }, 60_000);

  it("a freeze past timeout_seconds and retry_seconds stops the run cleanly; retry finishes it", async () => {
    await writeFile(join(dir, "c.yaml"), config(", timeout_seconds: 2, retry_seconds: 2"));
    await rm(join(dir, "started"), { force: true });
    const cli = startCli(["execute", "-f", "p.yaml", "-c", "c.yaml", "--run-id", "s3-long"], { cwd: dir, env: S3_TEST_ENV });
    await until(() => existsSync(join(dir, "started")), 20_000, "the first step");
    signalAll([pid], "SIGSTOP");
    try {
      await until(() => /has not answered for 3 s|is unreachable/.test(cli.output()), 8_000, "the stall to be reported");
      await sleep(10_000);
    } finally {
      signalAll([pid], "SIGCONT");
    }
    const result = await cli.exited;
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/s3:\/\/stalls\/runs\/ is unreachable/);
    expect(result.stderr).toContain("runnable retry");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const retried = await runCli(["retry", "s3-long", "-c", "c.yaml", "-q"], { cwd: dir, env: S3_TEST_ENV });
    expect(retried.code, retried.stdout + retried.stderr).toBe(0);
  }, 90_000);
});
