import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isRunnableError } from "../../core/errors.js";
import type { DataCatalog } from "../../core/run-log.js";
import type { Catalog } from "../../ports/catalog.js";

/** Options of {@link catalogContract}. */
export interface CatalogContractOptions {
  /** False for catalogs that keep nothing (e.g. `do-nothing`): round trips are then not expected. */
  storesFiles?: boolean;
}

const sha256 = (content: string): string => createHash("sha256").update(content).digest("hex");

/** Resolves when the promise rejects with CATALOG_ERROR or resolves with no entries; fails otherwise. */
async function refusedOrHarmless(operation: Promise<DataCatalog[]>): Promise<void> {
  try {
    expect(await operation).toEqual([]);
  } catch (error) {
    if (!isRunnableError(error, "CATALOG_ERROR")) throw error;
  }
}

function expectValidEntry(entry: DataCatalog, stage: DataCatalog["stage"]): void {
  expect(entry.stage).toBe(stage);
  expect(entry.name).not.toBe("");
  expect(entry.data_hash).toMatch(/^[0-9a-f]{64}$/);
  expect(typeof entry.catalog_relative_path).toBe("string");
  expect(typeof entry.catalog_handler_location).toBe("string");
}

/**
 * The promises every Catalog keeps, as a vitest suite. `makeCatalog(cwd)` builds a fresh catalog whose
 * working directory is `cwd` (a new temp folder per test, with a sibling `outside/` that must stay untouched).
 */
export function catalogContract(name: string, makeCatalog: (cwd: string) => Catalog | Promise<Catalog>, options: CatalogContractOptions = {}): void {
  const stores = options.storesFiles ?? true;

  describe(`Catalog contract: ${name}`, () => {
    let base = "";
    let cwd = "";
    let outside = "";
    let catalog: Catalog;

    beforeEach(async () => {
      base = await mkdtemp(path.join(os.tmpdir(), "catalog-contract-"));
      cwd = path.join(base, "work");
      outside = path.join(base, "outside");
      await mkdir(cwd);
      await mkdir(outside);
      await writeFile(path.join(outside, "secret.txt"), "do not copy");
      catalog = await makeCatalog(cwd);
    });

    afterEach(async () => {
      await rm(base, { recursive: true, force: true });
    });

    const outsideUntouched = async (): Promise<void> => {
      expect(await readdir(outside)).toEqual(["secret.txt"]);
      expect(await readdir(base)).not.toContain("planted.txt");
    };

    it("has a type and a JSON-serialisable recordedConfig", () => {
      expect(catalog.type).toMatch(/^[a-z0-9-]+$/);
      expect(JSON.parse(JSON.stringify(catalog.recordedConfig))).toEqual(catalog.recordedConfig);
    });

    it("declares its traits (what other plug-ins' rules read instead of its type name)", () => {
      expect(catalog.traits.copies).toBe(stores);
      expect(["none", "folder", "server"]).toContain(catalog.traits.sharing);
      if (catalog.traits.sharing === "server") expect(catalog.traits.server?.addressSetting).toEqual(expect.any(String));
    });

    it("putContent never throws for a valid name and records what it stored", async () => {
      const entries = await catalog.putContent("step.execution.log", "hello\n", "run-1");
      if (!stores) return expect(entries).toEqual([]);
      expect(entries).toHaveLength(1);
      expectValidEntry(entries[0]!, "put");
      expect(entries[0]).toMatchObject({ name: "step.execution.log", data_hash: sha256("hello\n") });
      expect(entries[0]!.catalog_relative_path).toContain("step.execution.log");
    });

    it("put records every matching file with its sha256", async () => {
      await mkdir(path.join(cwd, "data"));
      await writeFile(path.join(cwd, "data", "a.csv"), "a");
      await writeFile(path.join(cwd, "data", "b.csv"), "bb");
      const entries = await catalog.put("data/*.csv", "run-1");
      if (!stores) return expect(entries).toEqual([]);
      expect(entries.map((e) => [e.name, e.data_hash])).toEqual([
        ["data/a.csv", sha256("a")],
        ["data/b.csv", sha256("bb")],
      ]);
      for (const e of entries) expectValidEntry(e, "put");
    });

    it("get brings back what put stored, replacing the working copy", async () => {
      await writeFile(path.join(cwd, "model.txt"), "v1");
      await catalog.put("model.txt", "run-1");
      await writeFile(path.join(cwd, "model.txt"), "changed");
      const entries = await catalog.get("model.txt", "run-1");
      if (!stores) return expect(entries).toEqual([]);
      expect(await readFile(path.join(cwd, "model.txt"), "utf8")).toBe("v1");
      expect(entries).toHaveLength(1);
      expectValidEntry(entries[0]!, "get");
      expect(entries[0]).toMatchObject({ name: "model.txt", data_hash: sha256("v1") });
    });

    it("keeps runs apart", async () => {
      await writeFile(path.join(cwd, "only-in-run-1.txt"), "x");
      await catalog.put("only-in-run-1.txt", "run-1");
      await rm(path.join(cwd, "only-in-run-1.txt"));
      if (!stores) return expect(await catalog.get("only-in-run-1.txt", "run-2")).toEqual([]);
      await expect(catalog.get("only-in-run-1.txt", "run-2")).rejects.toMatchObject({ code: "CATALOG_ERROR" });
    });

    it("fails with CATALOG_ERROR when nothing matches (or returns nothing when storing nothing)", async () => {
      const put = () => catalog.put("missing/*.bin", "run-1");
      const get = () => catalog.get("missing.bin", "run-1");
      if (!stores) {
        expect(await put()).toEqual([]);
        return expect(await get()).toEqual([]);
      }
      await expect(put()).rejects.toMatchObject({ code: "CATALOG_ERROR" });
      await expect(get()).rejects.toMatchObject({ code: "CATALOG_ERROR" });
    });

    it("put with storeCopy: false records each file's hash as a copying put would, without copying it (a later get finds nothing)", async () => {
      await mkdir(path.join(cwd, "data"));
      await writeFile(path.join(cwd, "data", "big.bin"), "large content");
      await writeFile(path.join(cwd, "kept.txt"), "kept");
      await catalog.put("kept.txt", "run-1");
      const recorded = await catalog.put("data/*.bin", "run-1", { storeCopy: false });
      if (!stores) return expect(recorded).toEqual([]);
      expect(recorded).toEqual([expect.objectContaining({ name: "data/big.bin", data_hash: sha256("large content"), stage: "put" })]);
      expectValidEntry(recorded[0]!, "put");
      expect(await readFile(path.join(cwd, "data", "big.bin"), "utf8")).toBe("large content");
      await expect(catalog.get("data/big.bin", "run-1")).rejects.toMatchObject({ code: "CATALOG_ERROR" });
      await expect(catalog.readFile("run-1", "data/big.bin")).rejects.toMatchObject({ code: "CATALOG_ERROR" });
      expect((await catalog.get("kept.txt", "run-1")).map((e) => e.data_hash)).toEqual([sha256("kept")]);
    });

    it("put with allowMissing records nothing for a pattern that matches nothing, and what exists otherwise", async () => {
      expect(await catalog.put("missing/*.bin", "run-1", { allowMissing: true })).toEqual([]);
      expect(await catalog.put("missing.bin", "run-1", { allowMissing: true })).toEqual([]);
      await writeFile(path.join(cwd, "left.txt"), "left");
      const entries = await catalog.put("left.txt", "run-1", { allowMissing: true });
      if (!stores) return expect(entries).toEqual([]);
      expect(entries.map((e) => [e.name, e.data_hash])).toEqual([["left.txt", sha256("left")]]);
    });

    it("refuses or ignores patterns and names that leave the working directory or catalog", async () => {
      const escapes = ["../outside/secret.txt", "../outside/*", "/etc/hostname", "a/../../outside/*", "{x,../outside/*}"];
      for (const pattern of escapes) {
        await refusedOrHarmless(catalog.put(pattern, "run-1"));
        await refusedOrHarmless(catalog.get(pattern, "run-1"));
      }
      for (const bad of ["../../outside/planted.txt", "../../../planted.txt"]) {
        await catalog.putContent(bad, "x", "run-1").then(
          () => undefined,
          (error: unknown) => expect(isRunnableError(error, "CATALOG_ERROR")).toBe(true),
        );
      }
      await outsideUntouched();
    });

    it("reads a stored file by its entry name and refuses paths that leave the run's catalog", async () => {
      await mkdir(path.join(cwd, "data"));
      await writeFile(path.join(cwd, "data", "a.csv"), "a,b\n1,2\n");
      await catalog.put("data/a.csv", "run-1");
      await catalog.put("data/a.csv", "run-2");
      const bad = ["../run-2/data/a.csv", "/etc/hostname", "data/../../run-2/data/a.csv", "", "data"];
      for (const relative of bad) {
        await expect(catalog.readFile("run-1", relative)).rejects.toMatchObject({ code: "CATALOG_ERROR" });
      }
      if (!stores) return expect(catalog.readFile("run-1", "data/a.csv")).rejects.toMatchObject({ code: "CATALOG_ERROR" });
      const file = await catalog.readFile("run-1", "data/a.csv");
      expect(file.size).toBe(8);
      const chunks: Uint8Array[] = [];
      for await (const chunk of file.open()) chunks.push(chunk);
      expect(Buffer.concat(chunks).toString("utf8")).toBe("a,b\n1,2\n");
    });

    it("deleteRun removes one run's files, says how much it freed and leaves other runs alone", async () => {
      await writeFile(path.join(cwd, "model.txt"), "12345");
      await catalog.put("model.txt", "run-1");
      await catalog.put("model.txt", "run-2");
      const freed = await catalog.deleteRun("run-1");
      expect(freed.freedBytes).toBe(stores ? 5 : 0);
      expect((await catalog.deleteRun("run-1")).freedBytes).toBe(0);
      expect(await readFile(path.join(cwd, "model.txt"), "utf8")).toBe("12345");
      await refusedOrHarmless(catalog.get("model.txt", "run-1"));
      if (stores) expect((await catalog.get("model.txt", "run-2")).map((e) => e.data_hash)).toEqual([sha256("12345")]);
      await outsideUntouched();
    });

    it("syncBetweenRuns makes the previous run's files available to the new run", async () => {
      await writeFile(path.join(cwd, "carried.txt"), "carried");
      await catalog.put("carried.txt", "run-1");
      await rm(path.join(cwd, "carried.txt"));
      await catalog.syncBetweenRuns("run-1", "run-2");
      const entries = await catalog.get("carried.txt", "run-2");
      if (!stores) return expect(entries).toEqual([]);
      expect(entries.map((e) => e.data_hash)).toEqual([sha256("carried")]);
      expect(await readFile(path.join(cwd, "carried.txt"), "utf8")).toBe("carried");
    });
  });
}
