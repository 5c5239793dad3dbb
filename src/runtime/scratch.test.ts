import { existsSync, statSync } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createScratch } from "./scratch.js";

describe("scratch folders of attempts", () => {
  it("empties a released folder and hands it to the next attempt; dispose removes everything", async () => {
    const scratch = createScratch();
    const first = await scratch.attemptDir();
    expect(statSync(first).mode & 0o777).toBe(0o700);
    await writeFile(join(first, "env.dump"), "secret");
    await scratch.releaseDir(first);
    await new Promise((done) => setTimeout(done, 100)); // emptied in the background
    expect(await readdir(first)).toEqual([]);
    const [again, other] = [await scratch.attemptDir(), await scratch.attemptDir()];
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    await writeFile(join(other, "left"), "x");
    await scratch.releaseDir(other); // dispose waits for it
    await scratch.dispose();
    expect(existsSync(first)).toBe(false);
    expect(existsSync(other)).toBe(false);
  });
});
