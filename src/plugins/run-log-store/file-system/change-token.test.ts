import { appendFile, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sampleRunHeader } from "../../../testing/contracts/run-log-store.samples.js";
import { folderChangeToken, RACY_MS } from "./change-token.js";
import { createFileSystemRunLogStore } from "./file-system.js";

// Issue 20 (runs list --sort over 10,000 runs): the folder store's change token lets the digest cache
// skip listing an unchanged store. It must change on every add, change and removal, and never be
// trusted while a change may still share its timestamp.

const later = Date.now() + 60_000;

describe("folderChangeToken", () => {
  let folder = "";
  beforeEach(async () => void (folder = await mkdtemp(path.join(os.tmpdir(), "fs-change-token-"))));
  afterEach(() => rm(folder, { recursive: true, force: true }));

  it("changes when a run is added, changed (snapshot or journal) or removed", async () => {
    const store = createFileSystemRunLogStore({ folder });
    await store.create(sampleRunHeader("a"));
    await store.flush("a");
    const seen = [await folderChangeToken(folder, later)];
    await store.create(sampleRunHeader("b"));
    await store.flush("b");
    seen.push(await folderChangeToken(folder, later));
    await store.setStatus("a", "FAIL");
    seen.push(await folderChangeToken(folder, later));
    await store.flush("a");
    seen.push(await folderChangeToken(folder, later));
    await store.delete("b");
    seen.push(await folderChangeToken(folder, later));
    expect(seen.every((token) => typeof token === "string")).toBe(true);
    expect(new Set(seen).size).toBe(seen.length);
    expect(await folderChangeToken(folder, later)).toBe(seen.at(-1));
  });

  it("sees an append to a journal that leaves the folder's entries alone", async () => {
    const journal = path.join(folder, "a.journal.jsonl");
    await writeFile(journal, '{"op":"status","location":[],"payload":"PROCESSING"}\n');
    const before = await folderChangeToken(folder, later);
    await appendFile(journal, '{"op":"status","location":[],"payload":"SUCCESS"}\n');
    expect(await folderChangeToken(folder, later)).not.toBe(before);
  });

  it("is unknown (null) while the folder or a journal changed too recently to be told apart", async () => {
    await writeFile(path.join(folder, "a.json"), "{}");
    expect(await folderChangeToken(folder)).toBeNull();
    const old = (Date.now() - 10 * RACY_MS) / 1000;
    await utimes(folder, old, old);
    expect(await folderChangeToken(folder)).toEqual(expect.any(String));
    await writeFile(path.join(folder, "a.journal.jsonl"), "");
    await utimes(folder, old, old);
    expect(await folderChangeToken(folder)).toBeNull();
  });

  it("names a missing folder as such", async () => {
    expect(await folderChangeToken(path.join(folder, "nothing"))).toBe("none");
  });
});
