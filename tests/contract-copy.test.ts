import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./helpers/cli.js";

const shared = resolve(REPO, "../shared/contracts/run-log.schema.json");

describe("the run log contract shipped with the package", () => {
  it.skipIf(!existsSync(shared))("is the shared contract, unchanged", () => {
    expect(JSON.parse(readFileSync(resolve(REPO, "contracts/run-log.schema.json"), "utf8"))).toEqual(JSON.parse(readFileSync(shared, "utf8")));
  });
});
