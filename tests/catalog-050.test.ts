import { writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRunLog, runCli, scratchDir } from "./helpers/cli.js";

// runnable 0.50's catalog behaviour through the real command line (issue 18, item 4): YAML
// `catalog: {put, store_copy: false}`, a get of such a file, the put after a failed task, and the
// fingerprint identity asked for in the catalog's config.

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
afterAll(() => cleanup());

const pipeline = (steps: string) => `dag:\n  start_at: write\n  steps:\n${steps}    success:\n      type: success\n    fail:\n      type: fail\n`;
const shell = (name: string, command: string, next: string, extra = "") =>
  `    ${name}:\n      type: task\n      command_type: shell\n      command: ${JSON.stringify(command)}\n      next: ${next}\n${extra}`;
const entries = (log: Record<string, any>, step: string) =>
  log.steps[step].data_catalog.filter((e: { name: string }) => !e.name.endsWith(".execution.log")).map((e: any) => [e.stage, e.name, e.data_hash]);
const SHA_HELLO = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"; // sha256("hello\n"), as 0.50 records it

describe("catalog store_copy: false in YAML", () => {
  it("records the hash (as runnable 0.50) without copying the file into the catalog", async () => {
    await writeFile(
      join(dir, "nocopy.yaml"),
      pipeline(shell("write", "echo hello > a.txt", "success", "      catalog:\n        put: [a.txt]\n        store_copy: false\n")),
    );
    const result = await runCli(["execute", "nocopy.yaml", "nocopy", "-q"], { cwd: dir });
    expect(result.stdout, result.stderr).toBe("nocopy SUCCESS\n");
    const log = await readRunLog(dir, "nocopy");
    expect(entries(log, "write")).toEqual([["put", "a.txt", SHA_HELLO]]);
    expect(log.run_config.dag.steps.write.catalog).toEqual({ get: [], put: ["a.txt"], store_copy: false });
    expect(existsSync(join(dir, ".catalog", "nocopy", "a.txt"))).toBe(false);
  });

  it("fails a later get of such a file (runnable 0.50 cannot find it either), naming the step that did not copy it", async () => {
    await writeFile(
      join(dir, "nocopy-get.yaml"),
      pipeline(
        shell("write", "echo hello > b.txt", "remove", "      catalog:\n        put: [b.txt]\n        store_copy: false\n") +
          shell("remove", "rm b.txt", "read") +
          shell("read", "cat b.txt", "success", "      catalog:\n        get: [b.txt]\n"),
      ),
    );
    const result = await runCli(["execute", "nocopy-get.yaml", "nocopy-get", "-q"], { cwd: dir });
    expect(result.stdout).toBe("nocopy-get FAIL\n");
    const log = await readRunLog(dir, "nocopy-get");
    expect(log.steps.read.status).toBe("FAIL");
    expect(log.steps.read.attempts[0].message).toBe(
      'Did not find any files matching b.txt in .catalog/nocopy-get (step "write" put files with store_copy: false, which records their hash without copying them into the catalog)',
    );
  });
});

describe("the catalog put of a failed task (runnable 0.50: what exists is put)", () => {
  it("puts the files the failed task left, and skips the patterns that match nothing", async () => {
    await writeFile(
      join(dir, "put-on-fail.yaml"),
      pipeline(shell("write", "echo hello > left.txt && exit 1", "success", "      on_failure: fail\n      catalog:\n        put: [left.txt, never/*.csv]\n")),
    );
    const result = await runCli(["execute", "put-on-fail.yaml", "put-on-fail", "-q"], { cwd: dir });
    expect(result.stdout, result.stderr).toBe("put-on-fail FAIL\n");
    const log = await readRunLog(dir, "put-on-fail");
    expect(log.steps.write.attempts[0].message).toBe("Command failed with exit code 1");
    expect(entries(log, "write")).toEqual([["put", "left.txt", SHA_HELLO]]);
  });

  it("still fails a successful task whose put matches nothing", async () => {
    await writeFile(join(dir, "put-missing.yaml"), pipeline(shell("write", "true", "success", "      catalog:\n        put: [missing.txt]\n")));
    const result = await runCli(["execute", "put-missing.yaml", "put-missing", "-q"], { cwd: dir });
    expect(result.stdout).toBe("put-missing FAIL\n");
    expect((await readRunLog(dir, "put-missing")).steps.write.attempts[0].message).toContain("Did not find any files matching missing.txt");
  });
});

describe("the fingerprint identity, where the catalog's config asks for it", () => {
  it("records runnable 0.50's fingerprint for files from the threshold on, the SHA-256 below it", async () => {
    await writeFile(
      join(dir, "fingerprint.yaml"),
      "catalog:\n  type: file-system\n  config:\n    large_file_hash: fingerprint\n    large_file_threshold_bytes: 3000000\n",
    );
    const command = "head -c 3000000 /dev/zero > big.bin && echo hello > small.txt";
    await writeFile(join(dir, "two-files.yaml"), pipeline(shell("write", command, "success", "      catalog:\n        put: [big.bin, small.txt]\n")));
    const result = await runCli(["execute", "two-files.yaml", "fingerprinted", "-c", "fingerprint.yaml", "-q"], { cwd: dir });
    expect(result.stdout, result.stderr).toBe("fingerprinted SUCCESS\n");
    const log = await readRunLog(dir, "fingerprinted");
    // sha256("3000000" + first MiB + last MiB) of 3,000,000 zero bytes, as runnable/utils.py computes it
    const { createHash } = await import("node:crypto");
    const MiB = 1024 * 1024;
    const expected = createHash("sha256").update("3000000").update(Buffer.alloc(MiB)).update(Buffer.alloc(MiB)).digest("hex");
    expect(entries(log, "write")).toEqual([
      ["put", "big.bin", expected],
      ["put", "small.txt", SHA_HELLO],
    ]);
    expect(log.run_config.catalog_handler).toMatchObject({ large_file_hash: "fingerprint", large_file_threshold_bytes: 3000000 });
  });
});
