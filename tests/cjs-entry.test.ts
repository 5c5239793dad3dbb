import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO } from "./helpers/cli.js";

// cjs/entry.cjs, what `require("runnable-ts")` runs: where Node.js cannot require() the ES module (Node 20
// before 20.19, or a module with top-level await, which no Node.js can require), the entry gives load() and
// says how to use it for any other name. tests/consumer-npm.test.ts covers the path where require() works.

const { commonJsEntry } = createRequire(import.meta.url)(join(REPO, "cjs", "entry.cjs")) as {
  commonJsEntry: (specifier: string, target: string) => Record<string, unknown> & { load: () => Promise<Record<string, unknown>> };
};

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "runnable-cjs-entry-"));
  await writeFile(join(dir, "async.mjs"), "await Promise.resolve();\nexport const answer = 42;\n");
  await writeFile(join(dir, "plain.mjs"), "export const answer = 42;\n");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("the CommonJS entry", () => {
  it("hands out the ES module's exports and load() where require() of it works", async () => {
    const entry = commonJsEntry("plain", join(dir, "plain.mjs"));
    expect(entry["answer"]).toBe(42);
    expect((await entry.load())["answer"]).toBe(42);
  });

  it("gives load() where the ES module cannot be required, and says so for any other name", async () => {
    const entry = commonJsEntry("runnable-ts", join(dir, "async.mjs"));
    expect((await entry.load())["answer"]).toBe(42);
    expect(() => entry["answer"]).toThrow(
      /runnable-ts is an ES module, which this Node\.js \(v[\d.]+\) cannot require\(\): load it with `const \{ answer \} = await require\("runnable-ts"\)\.load\(\)`/,
    );
  });
});
