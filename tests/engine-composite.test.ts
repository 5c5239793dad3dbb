// runnable's composite examples (YAML) on the engine harness: the real engine and real shell tasks,
// store and catalog in memory — what tests/composite.test.ts asserts of the same examples run by the CLI.
import { describe, expect, it } from "vitest";
import { graphOfFile, realTaskServices, runGraph } from "../src/testing/engine-harness.js";
import type { MemoryCatalog } from "../src/testing/fakes.js";
import { contractErrors } from "./helpers/cli.js";
import { statuses } from "./helpers/composite.js";
import { COMPOSITE_CASES } from "./helpers/composite-examples.js";

describe("composite examples on the engine harness (real shell tasks, in-memory store and catalog)", () => {
  it.each(COMPOSITE_CASES.map((c, index) => [c.files[0], index] as const))("%s", async (file, index) => {
    const c = COMPOSITE_CASES[index]!;
    const services = await realTaskServices();
    const runId = `composite-${index}`;
    const log = await runGraph(await graphOfFile(file), services, { runId });
    expect(await contractErrors(log)).toEqual([]);
    expect(log.status).toBe(c.status);
    expect(statuses(log.steps)).toEqual(c.steps);
    if (c.parameters) expect(log.parameters).toMatchObject(c.parameters);
    const files = (services.catalog as MemoryCatalog).files;
    await c.check?.(log, async (name) => {
      const content = files.get(`${runId}/${name}`);
      if (!content) throw new Error(`no ${name} in the catalog of ${runId}`);
      return new TextDecoder().decode(content);
    });
  });
});
