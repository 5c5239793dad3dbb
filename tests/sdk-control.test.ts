// The TypeScript SDK's conditional() and loop(): runnable 0.50's Conditional and Loop built in code.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRunnableError } from "../src/core/errors.js";
import { conditional, loop, pipeline, shell, stub, typescript } from "../src/sdk/index.js";

let cwd: string;
beforeAll(async () => (cwd = await mkdtemp(join(tmpdir(), "runnable-sdk-control-"))));
afterAll(() => rm(cwd, { recursive: true, force: true }));
const quiet = () => ({ cwd, env: {}, warn: () => {} });

describe("conditional() and loop() in the TypeScript SDK", () => {
  it("picks the branch by the parameter's value and loops until breakOn, each iteration on the last one's parameters", async () => {
    const log = await pipeline({
      steps: [
        typescript({ name: "toss", function: () => ({ toss: "heads", n: 0 }) }),
        conditional({
          name: "pick",
          on: "toss",
          branches: {
            heads: pipeline({ steps: [typescript({ name: "h", function: () => ({ side: "heads" }) })] }),
            tails: pipeline({ steps: [stub({ name: "t" })] }),
          },
        }),
        loop({
          name: "again",
          branch: pipeline({ steps: [typescript({ name: "inc", function: ({ n }: { n: number }) => ({ n: n + 1, done: n + 1 >= 3 }) })] }),
          breakOn: "done",
          maxIterations: 10,
        }),
      ],
    }).execute(quiet());
    expect(log.status).toBe("SUCCESS");
    expect(Object.keys(log.steps.pick!.branches)).toEqual(["pick.heads"]);
    expect(Object.keys(log.steps.again!.branches)).toEqual(["again.0", "again.1", "again.2"]);
    expect(log.parameters).toMatchObject({ side: "heads", n: 3, done: true });
    expect(log.run_config.dag).toMatchObject({ steps: { again: { type: "loop", max_iterations: 10, break_on: "done" }, pick: { parameter: "toss" } } });
  });

  it("runs default when no key matches; index_as reaches subprocess tasks", async () => {
    const log = await pipeline({
      steps: [
        typescript({ name: "set", function: () => ({ mode: "slow" }) }),
        conditional({
          name: "pick",
          on: "mode",
          branches: { fast: pipeline({ steps: [stub({ name: "f" })] }) },
          default: pipeline({ steps: [stub({ name: "d" })] }),
        }),
        loop({
          name: "again",
          indexAs: "i",
          breakOn: "stop",
          maxIterations: 3,
          branch: pipeline({ steps: [shell({ name: "s", command: 'export RUNNABLE_PRM_seen="$i"' })] }),
        }),
      ],
    }).execute(quiet());
    expect(Object.keys(log.steps.pick!.branches)).toEqual(["pick.default"]);
    expect(log.parameters).toMatchObject({ seen: 2 });
  });

  it("refuses a loop without a bound and a parameter runnable 0.50 would refuse, with every problem", async () => {
    const error = await pipeline({
      steps: [
        conditional({ name: "pick", on: "my_mode", branches: { a: pipeline({ steps: [stub({ name: "x" })] }) } }),
        loop({ name: "again", breakOn: "stop", maxIterations: 0, branch: pipeline({ steps: [stub({ name: "y" })] }) }),
      ],
    })
      .execute(quiet())
      .catch((e: unknown) => e);
    expect(isRunnableError(error)).toBe(true);
    const messages = (error as { problems: { message: string }[] }).problems.map((p) => p.message);
    expect(messages).toEqual([
      expect.stringContaining('step "pick" (conditional): "parameter" must be the name of the parameter whose value picks the branch (letters and digits only'),
      expect.stringContaining('step "again" (loop): "max_iterations" must be an integer >= 1'),
    ]);
  });
});
