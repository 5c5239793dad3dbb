import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { getParameter, pipeline, setParameter, shell, stub, track, typescript } from "runnable-ts";
import { callTask, runWithMocks } from "runnable-ts/testing";
import { REPO } from "./helpers/cli.js";

/** Every package a built module imports, following the package's own files. */
function externalImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const external = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/(?:import|export)[^"']*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)) {
      const target = match[1] ?? match[2]!;
      if (target.startsWith(".")) {
        const path = resolve(dirname(file), target);
        if (existsSync(path)) visit(path);
      } else external.add(target.startsWith("@") ? target.split("/").slice(0, 2).join("/") : target.split("/")[0]!);
    }
  };
  visit(entry);
  return external;
}

describe("runnable-ts/testing", () => {
  it("needs nothing but the package's own dependencies (no vitest, no ajv)", () => {
    const packages = externalImports(join(REPO, "dist/testing/index.js"));
    const own = Object.keys(JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).dependencies);
    for (const name of packages) if (!name.startsWith("node:")) expect(own, `imports ${name}`).toContain(name);
    expect(packages.has("vitest")).toBe(false);
    expect(packages.has("ajv")).toBe(false);
  });

  it("runs a pipeline with tasks mocked, one patched with a function and one with a command", async () => {
    const training = pipeline({
      steps: [
        shell({ name: "download", command: "exit 3" }),
        typescript({ name: "train", function: () => ({ score: 0 }) }),
        shell({ name: "report", command: "export RUNNABLE_PRM_reported=yes" }),
        stub({ name: "done" }),
      ],
    });
    const log = await runWithMocks(training, {
      patches: { train: ({ lr }) => ({ score: (lr as number) * 2 }), report: { command: 'export RUNNABLE_PRM_reported=\\"patched\\"' } },
      parameters: { lr: 0.5 },
    });
    expect(log.status).toBe("SUCCESS");
    expect(log.steps.download).toMatchObject({ mock: true, status: "SUCCESS" });
    expect(log.steps.train).toMatchObject({ mock: false, status: "SUCCESS" });
    expect(log.steps.done!.mock).toBe(true);
    expect(log.parameters).toEqual({ lr: 0.5, score: 1, reported: "patched" });
    expect(log.run_config.executor.service_name).toBe("testing-mocked");
  });

  it("calls a task function with a fake context, so track() and getParameter() work in a unit test", async () => {
    const trainer = async ({ epochs }: Record<string, unknown>) => {
      for (let epoch = 1; epoch <= (epochs as number); epoch++) track({ loss: 1 / epoch }, epoch);
      setParameter({ model: "m-1" });
      console.log(`trained with ${getParameter<string>("optimizer")}`);
      return { epochs_done: epochs };
    };
    const called = await callTask(trainer, { parameters: { epochs: 3, optimizer: "adam" } });
    expect(called.metrics).toEqual({ loss: { "1": 1, "2": 0.5, "3": 1 / 3 } });
    expect(called.parameters).toEqual({ model: "m-1", epochs_done: 3 });
    expect(called.output).toBe("trained with adam\n");
    await expect(callTask(() => getParameter("missing"))).rejects.toThrow("Parameter missing is not set before");
  });
});
