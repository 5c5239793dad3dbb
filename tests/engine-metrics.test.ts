// Metrics of attempts on the engine harness (real shell tasks, store in memory): what each attempt and
// the step record. runnable's tracking examples and MLflow are in tests/tracking.test.ts.
import { describe, expect, it } from "vitest";
import { graphOf, realTaskServices, runGraph } from "../src/testing/engine-harness.js";

const shellStep = (command: string, extra: Record<string, unknown> = {}) =>
  graphOf({ start_at: "a", steps: { a: { type: "task", command_type: "shell", command, next: "success", ...extra } } });

describe("metrics on the engine", () => {
  it("keeps the metrics of a failed attempt on that attempt", async () => {
    const graph = shellStep("export RUNNABLE_TRACK_try=$RUNNABLE_STEP_ATTEMPT\ntest $RUNNABLE_STEP_ATTEMPT = 2\n", { max_attempts: 2 });
    const log = await runGraph(graph, await realTaskServices());
    expect(log.status).toBe("SUCCESS");
    expect(log.steps.a!.attempts[0]).toMatchObject({ status: "FAIL", user_defined_metrics: { try: 1 } });
    expect(log.steps.a!.attempts[1]!.user_defined_metrics).toBeUndefined();
    expect(log.steps.a!.user_defined_metrics).toEqual({ try: 2 });
  });

  it("keeps keys containing _STEP_ whole and a lone non-zero step with its step number", async () => {
    const graph = shellStep("export RUNNABLE_TRACK_MY_STEP_SIZE=3\nexport RUNNABLE_TRACK_lr_STEP_5=0.1\nexport RUNNABLE_TRACK_x_STEP_y=1\n");
    const log = await runGraph(graph, await realTaskServices());
    expect(log.status).toBe("SUCCESS");
    expect(log.steps.a!.user_defined_metrics).toEqual({ MY_STEP_SIZE: 3, lr: { "5": 0.1 }, x_STEP_y: 1 });
  });
});
