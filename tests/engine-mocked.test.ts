// runnable's mocked executor configs on the engine harness: the real `mocked` executor (its config
// from examples/configs/), real shell tasks, store and catalog in memory. What the CLI adds (the run's
// recorded config, catalog copies, refusing a bad patch before running) is in tests/mocked.test.ts.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { RunLog } from "../src/core/run-log.js";
import type { Services } from "../src/engine/services.js";
import { executorOf, graphOfFile, realTaskServices, runGraph } from "../src/testing/engine-harness.js";
import { scriptedRunner } from "../src/testing/fakes.js";
import { statuses } from "./helpers/composite.js";

const mockFlags = (log: RunLog) => Object.fromEntries(Object.entries(log.steps).map(([name, step]) => [name, step.mock]));

/** Services with the executor of a config file; Python steps follow `python` (a script of the functions' results). */
async function servicesFor(configFile: string, python: Parameters<typeof scriptedRunner>[0] = {}): Promise<Services> {
  const real = await realTaskServices({ executor: await executorOf({ file: configFile }) });
  const scripted = scriptedRunner(python, ["python"]);
  return { ...real, taskRunner: (type) => (type === "python" ? scripted : real.taskRunner(type)) };
}

/** examples/python/map.yaml's producer: what chunk_files returns. */
const CHUNKS = { "examples.python.map.chunk_files": [{ parameters: { stride: 10, chunks: [0, 10, 20, 30, 40] } }] };

describe("the mocked executor on the engine (runnable's mocked configs)", () => {
  it("mocked-config-unittest: the patched step runs for real, so the run takes the success path", async () => {
    const graph = await graphOfFile("examples/on-failure.yaml");
    const plain = await runGraph(graph, await realTaskServices(), { runId: "onf-plain" });
    expect(statuses(plain.steps)).toEqual({ "step 1": "FAIL", "step 3": "SUCCESS", success: "SUCCESS" });
    const log = await runGraph(graph, await servicesFor("examples/configs/mocked-config-unittest.yaml"), { runId: "onf-mocked" });
    expect(statuses(log.steps)).toEqual({ "step 1": "SUCCESS", "step 2": "SUCCESS", "step 3": "SUCCESS", success: "SUCCESS" });
    expect(mockFlags(log)).toEqual({ "step 1": false, "step 2": true, "step 3": true, success: false });
    expect(log.steps["step 1"]!.data_catalog.map((entry) => entry.name)).toEqual(["step_1.execution.log"]);
    expect(log.run_config.executor.patches).toEqual({ "step 1": { command: "exit 0" } });
  });

  it("mocked-config with a map: the patched producer runs, the map's tasks are mocked", async () => {
    const services = await servicesFor("examples/configs/mocked-config.yaml", CHUNKS);
    const log = await runGraph(await graphOfFile("examples/python/map.yaml"), services, { runId: "mock-map" });
    expect(log.status).toBe("SUCCESS");
    expect(log.steps["chunk files"]!.mock).toBe(false);
    const branches = Object.keys(log.steps["iterate and execute"]!.branches);
    expect(branches).toEqual(["0", "10", "20", "30", "40"].map((item) => `iterate and execute.${item}`));
    for (const key of branches)
      expect(log.steps["iterate and execute"]!.branches[key]!.steps[`${key}.execute`]).toMatchObject({ mock: true, status: "SUCCESS" });
    expect(log.parameters).toMatchObject({ chunks: [0, 10, 20, 30, 40], stride: 10 });
  });

  it("mocked-config-simple with mocked_map_parameters.yaml: the map's list comes from the parameters file", async () => {
    const graph = await graphOfFile("examples/python/map.yaml");
    const services = await servicesFor("examples/configs/mocked-config-simple.yaml");
    const parameters = parse(await readFile("examples/mocked_map_parameters.yaml", "utf8"));
    const log = await runGraph(graph, services, { runId: "mock-map-params", parameters });
    expect(log.steps["chunk files"]!.mock).toBe(true);
    expect(Object.keys(log.steps["iterate and execute"]!.branches)).toHaveLength(5);
    const bare = await runGraph(graph, services, { runId: "mock-map-bare" });
    expect(bare.status).toBe("FAIL");
    expect(bare.steps["iterate and execute"]!.message).toContain("Expected parameter chunks not present");
  });
});
