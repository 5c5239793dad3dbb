import { createHash, randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PluginContext } from "../../../ports/plugin.js";
import { catalogContract } from "../../../testing/contracts/catalog.contract.js";
import { createFileSystemCatalog } from "./file-system.js";
import { fileSystemCatalogConfigSchema, fileSystemCatalogPlugin } from "./index.js";

const context = (cwd: string, warnings: string[] = []): PluginContext => ({
  cwd,
  env: {},
  warn: (message) => warnings.push(message),
});
const sha256 = (content: string | Buffer): string => createHash("sha256").update(content).digest("hex");

catalogContract("file-system", (cwd) => createFileSystemCatalog({ catalog_location: ".catalog" }, context(cwd)));
catalogContract("file-system (plug-in, catalog outside cwd)", (cwd) =>
  fileSystemCatalogPlugin.create(fileSystemCatalogConfigSchema.parse({ catalog_location: "../store" }), context(cwd)),
);

describe("file-system catalog", () => {
  let cwd = "";
  const catalog = () => createFileSystemCatalog({ catalog_location: ".catalog" }, context(cwd));
  const write = async (relative: string, content: string | Buffer = relative): Promise<void> => {
    await mkdir(path.dirname(path.join(cwd, relative)), { recursive: true });
    await writeFile(path.join(cwd, relative), content);
  };
  const read = (relative: string) => readFile(path.join(cwd, relative), "utf8");
  const exists = (relative: string) =>
    stat(path.join(cwd, relative)).then(
      () => true,
      () => false,
    );

  beforeEach(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), "fs-catalog-"));
  });
  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  describe("plug-in definition", () => {
    it("defaults catalog_location to .catalog and rejects unknown keys", () => {
      expect(fileSystemCatalogPlugin.configSchema.parse({})).toEqual({ catalog_location: ".catalog" });
      expect(fileSystemCatalogPlugin.configSchema.safeParse({ compute_data_folder: "." }).success).toBe(false);
      expect(fileSystemCatalogPlugin.configSchema.safeParse({ catalog_location: 3 }).success).toBe(false);
    });

    it("records catalog_location as configured", async () => {
      const created = await fileSystemCatalogPlugin.create(fileSystemCatalogConfigSchema.parse({ catalog_location: "data/cat" }), context(cwd));
      expect(created.type).toBe("file-system");
      expect(created.recordedConfig).toEqual({ catalog_location: "data/cat" });
    });

    it.each([".", "..", "./"])("refuses catalog_location %j that contains the working directory", (location) => {
      expect(() => createFileSystemCatalog({ catalog_location: location }, context(cwd))).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
    });
  });

  describe("put", () => {
    it("mirrors the working tree under <catalog_location>/<run_id>/ and records runnable's fields", async () => {
      await write("data/hello.txt", "hello");
      const entries = await catalog().put("data/hello.txt", "fixed");
      expect(entries).toEqual([
        {
          name: "data/hello.txt",
          data_hash: sha256("hello"),
          catalog_relative_path: "fixed/data/hello.txt",
          catalog_handler_location: ".catalog",
          stage: "put",
        },
      ]);
      expect(await read(".catalog/fixed/data/hello.txt")).toBe("hello");
    });

    it("matches dot files, skips directories and never copies the catalog into itself", async () => {
      await write(".env.sample");
      await write("a/b/c.txt");
      await mkdir(path.join(cwd, "empty-dir"));
      const first = await catalog().put("**/*", "run-1");
      expect(first.map((e) => e.name)).toEqual([".env.sample", "a/b/c.txt"]);
      const second = await catalog().put("**/*", "run-2");
      expect(second.map((e) => e.name)).toEqual([".env.sample", "a/b/c.txt"]);
    });

    it("accepts ./ prefixes and records clean names", async () => {
      await write("out/x.csv");
      expect((await catalog().put("./out/*.csv", "r")).map((e) => e.name)).toEqual(["out/x.csv"]);
      expect((await catalog().put("./out/x.csv", "r")).map((e) => e.name)).toEqual(["out/x.csv"]);
    });

    it("fails with CATALOG_ERROR naming the pattern and folder when nothing matches", async () => {
      await mkdir(path.join(cwd, "dir"));
      await expect(catalog().put("nothing*.txt", "r")).rejects.toMatchObject({
        code: "CATALOG_ERROR",
        message: `Did not find any files matching nothing*.txt in ${cwd}`,
        hint: expect.stringContaining("relative to the working directory"),
      });
      await expect(catalog().put("dir", "r")).rejects.toMatchObject({ code: "CATALOG_ERROR" });
    });

    it.each(["/etc/passwd", "../x", "a/../../x", "..", "{a,..}/x", "@(..)/x", ""])("refuses pattern %j", async (pattern) => {
      await expect(catalog().put(pattern, "r")).rejects.toMatchObject({ code: "CATALOG_ERROR" });
    });

    it("says the pattern escapes the working directory", async () => {
      await expect(catalog().put("../x", "r")).rejects.toThrow(/"\.\.\/x" escapes the working directory/);
    });

    it("allows names that merely contain two dots", async () => {
      await write("v1..2.txt");
      expect((await catalog().put("v1..2.txt", "r")).map((e) => e.name)).toEqual(["v1..2.txt"]);
    });

    it("keeps the file mode and leaves no temp files", async () => {
      await write("run.sh", "#!/bin/sh\n");
      await chmod(path.join(cwd, "run.sh"), 0o755);
      await catalog().put("run.sh", "r");
      expect((await stat(path.join(cwd, ".catalog/r/run.sh"))).mode & 0o777).toBe(0o755);
      expect(await readdir(path.join(cwd, ".catalog/r"))).toEqual(["run.sh"]);
    });

    it("hashes large files by streaming", async () => {
      const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
      await write("big.bin", big);
      const [entry] = await catalog().put("big.bin", "r");
      expect(entry?.data_hash).toBe(sha256(big));
      expect((await stat(path.join(cwd, ".catalog/r/big.bin"))).size).toBe(big.length);
    });

    it("does not follow symbolic links that lead outside the working directory", async () => {
      const outside = await mkdtemp(path.join(os.tmpdir(), "fs-catalog-outside-"));
      try {
        await writeFile(path.join(outside, "secret.txt"), "secret");
        await symlink(path.join(outside, "secret.txt"), path.join(cwd, "link.txt"));
        await symlink(outside, path.join(cwd, "linkdir"));
        await write("real.txt");
        expect((await catalog().put("**/*", "r")).map((e) => e.name)).toEqual(["real.txt"]);
        await expect(catalog().put("link.txt", "r")).rejects.toMatchObject({ code: "CATALOG_ERROR" });
        await expect(catalog().put("linkdir/secret.txt", "r")).rejects.toMatchObject({ code: "CATALOG_ERROR" });
      } finally {
        await rm(outside, { recursive: true, force: true });
      }
    });

    it("copies a file named literally through a link that stays inside", async () => {
      await write("data/real.txt", "inside");
      await symlink(path.join(cwd, "data/real.txt"), path.join(cwd, "alias.txt"));
      const [entry] = await catalog().put("alias.txt", "r");
      expect(entry).toMatchObject({ name: "alias.txt", data_hash: sha256("inside") });
    });

    it.each(["", "../up", "a/b", ".hidden", "x".repeat(200)])("refuses run id %j", async (runId) => {
      await write("f.txt");
      await expect(catalog().put("f.txt", runId)).rejects.toMatchObject({ code: "CATALOG_ERROR" });
    });
  });

  describe("get", () => {
    it("copies from the run's area into the working directory with get entries consistent with put", async () => {
      await write("data/a.txt", "A");
      await catalog().put("data/a.txt", "r1");
      await rm(path.join(cwd, "data"), { recursive: true });
      expect(await catalog().get("data/*", "r1")).toEqual([
        {
          name: "data/a.txt",
          data_hash: sha256("A"),
          catalog_relative_path: "r1/data/a.txt",
          catalog_handler_location: ".catalog",
          stage: "get",
        },
      ]);
      expect(await read("data/a.txt")).toBe("A");
    });

    it("skips execution logs unless the pattern names one exactly", async () => {
      const cat = catalog();
      await cat.putContent("step.execution.log", "log", "r");
      await cat.putContent("item.execution.log_1_b", "log", "r");
      await cat.putContent("result.txt", "ok", "r");
      expect((await cat.get("*", "r")).map((e) => e.name)).toEqual(["result.txt"]);
      expect((await cat.get("step.execution.log", "r")).map((e) => e.name)).toEqual(["step.execution.log"]);
      await expect(cat.get("*.execution.log", "r")).rejects.toMatchObject({ code: "CATALOG_ERROR" });
    });

    it("fails naming the run's area when it is missing or nothing matches", async () => {
      await expect(catalog().get("x.txt", "r9")).rejects.toMatchObject({
        code: "CATALOG_ERROR",
        message: `Did not find any files matching x.txt in ${path.join(".catalog", "r9")}`,
        hint: expect.stringContaining("put"),
      });
    });

    it("says the pattern escapes the catalog", async () => {
      await expect(catalog().get("../other/x", "r")).rejects.toThrow(/escapes the catalog/);
    });

    it("refuses to write through a symbolic link in the working directory that leads outside", async () => {
      const outside = await mkdtemp(path.join(os.tmpdir(), "fs-catalog-outside-"));
      try {
        await write("data/a.txt", "A");
        await catalog().put("data/a.txt", "r");
        await rm(path.join(cwd, "data"), { recursive: true });
        await symlink(outside, path.join(cwd, "data"));
        await expect(catalog().get("data/a.txt", "r")).rejects.toMatchObject({ code: "CATALOG_ERROR" });
        expect(await readdir(outside)).toEqual([]);
      } finally {
        await rm(outside, { recursive: true, force: true });
      }
    });
  });

  describe("putContent", () => {
    it("writes text and bytes atomically under the run and records them", async () => {
      const cat = catalog();
      const [text] = await cat.putContent("logs/step.execution.log", "out\n", "r");
      const [bytes] = await cat.putContent("./blob.bin", new Uint8Array([1, 2, 3]), "r");
      expect(text).toMatchObject({ name: "logs/step.execution.log", catalog_relative_path: "r/logs/step.execution.log" });
      expect(bytes).toMatchObject({ name: "blob.bin", data_hash: sha256(Buffer.from([1, 2, 3])) });
      expect(await read(".catalog/r/logs/step.execution.log")).toBe("out\n");
      expect(await readdir(path.join(cwd, ".catalog/r"))).toEqual(["blob.bin", "logs"]);
    });

    it.each(["../escape.txt", "/abs.txt", "", "a/../../b"])("refuses name %j", async (name) => {
      await expect(catalog().putContent(name, "x", "r")).rejects.toMatchObject({ code: "CATALOG_ERROR" });
    });
  });

  describe("syncBetweenRuns", () => {
    it("copies the whole previous area except execution logs, into existing folders too", async () => {
      const cat = catalog();
      await cat.putContent("a/b/deep.txt", "deep", "old");
      await cat.putContent("top.txt", "top", "old");
      await cat.putContent("a/step.execution.log", "log", "old");
      await cat.putContent("a/existing.txt", "mine", "new");
      await cat.syncBetweenRuns("old", "new");
      const area = path.join(cwd, ".catalog/new");
      expect((await readdir(area, { recursive: true })).sort()).toEqual(
        ["a", "a/b", "a/b/deep.txt", "a/existing.txt", "top.txt"].map((p) => p.split("/").join(path.sep)),
      );
    });

    it("fails when the previous run has no catalog", async () => {
      await expect(catalog().syncBetweenRuns("ghost", "new")).rejects.toMatchObject({
        code: "CATALOG_ERROR",
        message: expect.stringContaining("ghost"),
      });
      expect(await exists(".catalog/new")).toBe(false);
    });

    it("is a no-op when both ids are the same", async () => {
      const cat = catalog();
      await cat.putContent("x.txt", "x", "same");
      await cat.syncBetweenRuns("same", "same");
      expect(await readdir(path.join(cwd, ".catalog/same"))).toEqual(["x.txt"]);
    });
  });
  describe("store_copy and the fingerprint (runnable 0.50)", () => {
    const MiB = 1024 * 1024;
    const fingerprint = (bytes: Buffer) =>
      createHash("sha256")
        .update(String(bytes.length))
        .update(bytes.subarray(0, MiB))
        .update(bytes.subarray(bytes.length - MiB))
        .digest("hex");

    it("store_copy: false records the hash without making the run's catalog folder", async () => {
      await write("data/big.csv", "a,b\n");
      const [entry] = await catalog().put("data/*.csv", "no-copy", { storeCopy: false });
      expect(entry).toEqual({
        name: "data/big.csv",
        data_hash: sha256("a,b\n"),
        catalog_relative_path: "no-copy/data/big.csv",
        catalog_handler_location: ".catalog",
        stage: "put",
      });
      expect(await exists(".catalog/no-copy")).toBe(false);
    });

    it("identifies files from the threshold on by runnable 0.50's fingerprint, when asked, in put, get and store_copy: false", async () => {
      const config = fileSystemCatalogConfigSchema.parse({ large_file_hash: "fingerprint", large_file_threshold_bytes: 3 * MiB });
      const cat = await fileSystemCatalogPlugin.create(config, context(cwd));
      expect(cat.recordedConfig).toEqual({ catalog_location: ".catalog", large_file_hash: "fingerprint", large_file_threshold_bytes: 3 * MiB });
      const big = randomBytes(3 * MiB + 5);
      await write("big.bin", big);
      await write("small.bin", "small");
      const put = await cat.put("*.bin", "fp");
      expect(put.map((e) => [e.name, e.data_hash])).toEqual([
        ["big.bin", fingerprint(big)],
        ["small.bin", sha256("small")],
      ]);
      expect((await readFile(path.join(cwd, ".catalog/fp/big.bin"))).equals(big)).toBe(true);
      await rm(path.join(cwd, "big.bin"));
      expect((await cat.get("big.bin", "fp")).map((e) => e.data_hash)).toEqual([fingerprint(big)]);
      expect((await cat.put("big.bin", "fp2", { storeCopy: false })).map((e) => e.data_hash)).toEqual([fingerprint(big)]);
      expect((await catalog().put("big.bin", "full")).map((e) => e.data_hash)).toEqual([sha256(big)]);
    });
  });
});
