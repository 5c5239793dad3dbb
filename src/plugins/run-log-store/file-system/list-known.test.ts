import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sampleRunHeader } from "../../../testing/contracts/run-log-store.samples.js";
import { createFileSystemRunLogStore } from "./file-system.js";

// Issue 20: `list({ known })` does not read a run again when its files have not changed since the
// caller's summary of it (the CLI's digest cache and the run browser list 10,000 runs this way).

describe("file-system list with known summaries", () => {
  let folder = "";
  beforeEach(async () => void (folder = await mkdtemp(path.join(os.tmpdir(), "fs-list-known-"))));
  afterEach(() => rm(folder, { recursive: true, force: true }));

  it("answers unchanged runs from the known summaries and reads changed ones", async () => {
    const store = createFileSystemRunLogStore({ folder });
    for (const id of ["a", "b"]) {
      await store.create(sampleRunHeader(id));
      await store.flush(id);
    }
    const listed = await store.list();
    // A made-up tag proves the known summary was used instead of the file.
    const known = new Map(listed.map((s) => [s.run_id, { ...s, tag: `known-${s.run_id}` }]));
    expect((await store.list({ known })).map((s) => [s.run_id, s.tag]).sort()).toEqual([
      ["a", "known-a"],
      ["b", "known-b"],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.setStatus("b", "FAIL");
    await store.flush("b");
    const again = new Map((await store.list({ known })).map((s) => [s.run_id, s]));
    expect(again.get("a")!.tag).toBe("known-a");
    expect(again.get("b")).toMatchObject({ tag: listed.find((s) => s.run_id === "b")!.tag, status: "FAIL" });
  });
});
