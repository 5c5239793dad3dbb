import { describe, expect, it } from "vitest";
import { RunnableError } from "../core/errors.js";
import type { DataCatalog } from "../core/run-log.js";
import type { PutOptions } from "../ports/catalog.js";
import { graphOf, runGraph, testServices } from "../testing/engine-harness.js";
import { memoryCatalog, scriptedRunner } from "../testing/fakes.js";

/** A memory catalog that records each put's options, and fails a get of what it does not hold, as the real ones do. */
function recordingCatalog() {
  const catalog = memoryCatalog();
  const puts: { pattern: string; options: PutOptions | undefined }[] = [];
  return {
    puts,
    catalog: {
      ...catalog,
      put: (pattern: string, runId: string, options?: PutOptions): Promise<DataCatalog[]> => {
        puts.push({ pattern, options });
        return options?.allowMissing && pattern.startsWith("missing") ? Promise.resolve([]) : catalog.put(pattern, runId, options);
      },
      get: async (pattern: string, runId: string): Promise<DataCatalog[]> => {
        const got = await catalog.get(pattern, runId);
        if (got.length === 0) throw new RunnableError("CATALOG_ERROR", `Did not find any files matching ${pattern} in memory/${runId}`);
        return got;
      },
    },
  };
}

const task = (command: string, next: string, catalog?: Record<string, unknown>) => ({
  type: "task",
  command_type: "shell",
  command,
  next,
  ...(catalog ? { catalog } : {}),
});
const cataloged = (entries: DataCatalog[]) => entries.filter((e) => !e.name.endsWith(".execution.log")).map((e) => `${e.stage} ${e.name}`);
const dagOf = (steps: Record<string, unknown>) => ({
  start_at: Object.keys(steps)[0],
  steps: { ...steps, success: { type: "success" }, fail: { type: "fail" } },
});

describe("a step's catalog get and put", () => {
  it("puts with storeCopy: false where the step says store_copy: false, and copies otherwise", async () => {
    const { catalog, puts } = recordingCatalog();
    const runner = scriptedRunner({ a: [{}], b: [{}] });
    const graph = graphOf(dagOf({ one: task("a", "two", { put: ["x.csv"], store_copy: false }), two: task("b", "success", { put: ["y.csv"] }) }));
    const log = await runGraph(graph, testServices({ catalog, runner }));
    expect(log.status).toBe("SUCCESS");
    // An attempt's put also carries its start, its step and the claim of concurrent branches (catalog-puts.ts).
    const attempt = { since: expect.any(Number), owner: expect.stringMatching(/^step /), claim: expect.any(Function) };
    expect(puts).toEqual([
      { pattern: "x.csv", options: { storeCopy: false, ...attempt } },
      { pattern: "y.csv", options: attempt },
    ]);
    expect(catalog.files.has("test-run/x.csv")).toBe(false);
    expect(cataloged(log.steps["one"]!.data_catalog)).toEqual(["put x.csv"]);
  });

  it("after a failed attempt, puts what exists (patterns matching nothing are skipped) and keeps the task's failure", async () => {
    const { catalog, puts } = recordingCatalog();
    const runner = scriptedRunner({ a: [{ fail: "exit 1" }] });
    const graph = graphOf(dagOf({ one: task("a", "success", { put: ["left.txt", "missing/*.csv"] }) }));
    const log = await runGraph(graph, testServices({ catalog, runner }));
    expect(log.steps["one"]!.status).toBe("FAIL");
    expect(log.steps["one"]!.attempts[0]!.message).toBe("exit 1");
    expect(puts.map((p) => p.options)).toEqual([expect.objectContaining({ allowMissing: true }), expect.objectContaining({ allowMissing: true })]);
    expect(cataloged(log.steps["one"]!.data_catalog)).toEqual(["put left.txt"]);
  });

  it("says why a get finds nothing when a step of the pipeline puts with store_copy: false", async () => {
    const { catalog } = recordingCatalog();
    const runner = scriptedRunner({ a: [{}], b: [{}] });
    const graph = graphOf(dagOf({ one: task("a", "two", { put: ["x.csv"], store_copy: false }), two: task("b", "success", { get: ["x.csv"] }) }));
    const log = await runGraph(graph, testServices({ catalog, runner }));
    expect(log.steps["two"]!.attempts[0]!.message).toBe(
      'Did not find any files matching x.csv in memory/test-run (step "one" put files with store_copy: false, which records their hash without copying them into the catalog)',
    );
    const plain = graphOf(dagOf({ two: task("b", "success", { get: ["x.csv"] }) }));
    const other = await runGraph(plain, testServices({ catalog: recordingCatalog().catalog, runner: scriptedRunner({ b: [{}] }) }));
    expect(other.steps["two"]!.attempts[0]!.message).toBe("Did not find any files matching x.csv in memory/test-run");
  });
});
