// Issue 19, item 3 (and the dotenv and bad-input items of 8): every file the command line reads is a
// regular file under a documented size, refused quickly with exit 2 otherwise — `/dev/zero` used to
// hang with memory growing by gigabytes. The probe's "inputs that never end" section, re-run.
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, symlink, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, runCli } from "./helpers/cli.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "runnable-bounded-"));
  await writeFile(join(dir, "p.yaml"), "dag:\n  start_at: a\n  steps:\n    a: {type: stub, next: success}\n");
  await writeFile(join(dir, "include.yaml"), "dag:\n  start_at: d\n  steps:\n    d: {type: dag, dag_definition: zero.yaml, next: success}\n");
  await symlink("/dev/zero", join(dir, "zero.yaml"));
  await writeFile(join(dir, "dotenv.yaml"), "secrets:\n  type: dotenv\n  config:\n    location: /dev/urandom\n");
  execFileSync("mkfifo", [join(dir, "fifo.yaml")]);
  // Sparse files: their size is what is refused, before a byte is read.
  await writeFile(join(dir, "huge.yaml"), "");
  await truncate(join(dir, "huge.yaml"), 65 * 1024 * 1024);
  await writeFile(join(dir, "huge-config.yaml"), "");
  await truncate(join(dir, "huge-config.yaml"), 17 * 1024 * 1024);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const CASES: Array<[string, string[], RegExp]> = [
  ["-f /dev/zero", ["-f", "/dev/zero"], /pipeline file \/dev\/zero is a character device, not a regular file/],
  ["-f /dev/urandom", ["-f", "/dev/urandom"], /is a character device, not a regular file/],
  ["-f a FIFO", ["-f", "fifo.yaml"], /is a pipe \(FIFO\), not a regular file/],
  ["-f a directory", ["-f", "."], /is a directory/],
  ["-f a 65 MB file", ["-f", "huge.yaml"], /is 65 MB, more than the 64 MB allowed/],
  ["-c /dev/zero", ["-f", "p.yaml", "-c", "/dev/zero"], /configuration file \/dev\/zero is a character device/],
  ["-c a FIFO", ["-f", "p.yaml", "-c", "fifo.yaml"], /configuration file fifo\.yaml is a pipe \(FIFO\)/],
  ["-c a 17 MB file", ["-f", "p.yaml", "-c", "huge-config.yaml"], /is 17 MB, more than the 16 MB allowed/],
  ["-p /dev/zero", ["-f", "p.yaml", "-p", "/dev/zero"], /parameters file \/dev\/zero is a character device/],
  ["-p /dev/urandom", ["-f", "p.yaml", "-p", "/dev/urandom"], /parameters file \/dev\/urandom is a character device/],
  ["-p a FIFO", ["-f", "p.yaml", "-p", "fifo.yaml"], /parameters file fifo\.yaml is a pipe/],
  ["-p a 65 MB file", ["-f", "p.yaml", "-p", "huge.yaml"], /is 65 MB, more than the 64 MB allowed/],
  ["dag_definition linked to /dev/zero", ["-f", "include.yaml"], /dag_definition file "zero\.yaml" is a character device/],
  ["a dotenv file at /dev/urandom", ["-f", "p.yaml", "-c", "dotenv.yaml"], /The secrets file \/dev\/urandom is a character device.*dotenv\.yaml/],
];

describe("inputs that never end are refused at once (exit 2, a clear message)", () => {
  it.each(CASES)("execute %s", async (_label, args, message) => {
    const started = Date.now();
    const result = await runCli(["execute", ...args], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain("internal error");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it.each(CASES.filter(([label]) => !label.startsWith("-f")))("validate %s agrees", async (_label, args, message) => {
    const [, file, ...rest] = args;
    const result = await runCli(["validate", file!, ...rest], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe("a large valid pipeline file costs memory in proportion to its size", () => {
  /** Peak resident memory (bytes) of `runnable ...args`, measured by GNU time. */
  const peakRss = async (args: string[]): Promise<number> => {
    const report = join(dir, "time.txt");
    execFileSync("/usr/bin/time", ["-o", report, "-f", "%M", process.execPath, join(REPO, "bin/runnable.js"), ...args], { cwd: dir, stdio: "ignore" });
    return Number((await readFile(report, "utf8")).trim().split("\n").at(-1)) * 1024;
  };

  it("a 30 MB description: validate within 10x its size, execute within 20x (it was ~46x, Python's json.dumps emulation built the text a character at a time)", async () => {
    const size = 30 * 1024 * 1024;
    await writeFile(
      join(dir, "described.yaml"),
      `dag:\n  description: "${"lorem ipsum ".repeat(size / 12)}"\n  start_at: a\n  steps:\n    a: {type: stub, next: success}\n`,
    );
    expect(await peakRss(["validate", "described.yaml"])).toBeLessThan(10 * size);
    expect(await peakRss(["execute", "-f", "described.yaml", "-q"])).toBeLessThan(20 * size);
  }, 120_000);
});

describe("the project's bad-input corpus: what the probe found unnamed", () => {
  it("an empty `dag:` names dag; a catalog location containing the working directory and a malformed connection_url name the config file", async () => {
    await writeFile(join(dir, "empty.yaml"), "dag:\n");
    const empty = await runCli(["validate", "empty.yaml"], { cwd: dir });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('empty.yaml:1:1: "dag" (the pipeline) must be a mapping with "start_at" and "steps", got an empty value');
    await writeFile(join(dir, "catalog.yaml"), "catalog:\n  type: file-system\n  config:\n    catalog_location: ..\n");
    const catalog = await runCli(["execute", "-f", "p.yaml", "-c", "catalog.yaml"], { cwd: dir });
    expect(catalog.code).toBe(2);
    expect(catalog.stderr).toMatch(/catalog_location "\.\." contains the working directory .* \(the catalog configured in catalog\.yaml\)/);
    await writeFile(join(dir, "pg.yaml"), 'run_log_store:\n  type: postgres\n  config:\n    connection_url: "postgres://u:s3cret@host:port/db"\n');
    const pg = await runCli(["validate", "p.yaml", "-c", "pg.yaml"], { cwd: dir });
    expect(pg.code, pg.stderr).toBe(2);
    expect(pg.stderr).toContain("connection_url postgres://u:***@host:port/db is not a valid URL (the run_log_store configured in pg.yaml)");
    expect(pg.stderr).not.toContain("s3cret");
    expect(pg.stderr).not.toContain("internal error");
  });

  it("a dotenv file that does not exist is refused before the run (validate agrees), not when a step asks", async () => {
    await writeFile(join(dir, "missing-env.yaml"), "secrets:\n  type: dotenv\n  config:\n    location: nowhere.env\n");
    for (const args of [
      ["execute", "-f", "p.yaml", "-c", "missing-env.yaml", "--run-id", "no-dotenv"],
      ["validate", "p.yaml", "-c", "missing-env.yaml"],
    ]) {
      const result = await runCli(args, { cwd: dir });
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stderr).toContain("Did not find the secrets file nowhere.env");
      expect(result.stderr).toContain("missing-env.yaml");
    }
  });
});
