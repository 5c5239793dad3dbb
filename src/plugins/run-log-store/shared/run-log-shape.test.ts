import { describe, expect, it } from "vitest";
import { newBranchLog, newStepLog } from "../../../core/run-log.js";
import { sampleRunHeader, sampleStepLog } from "../../../testing/contracts/run-log-store.samples.js";
import { mutants } from "../../../testing/json-mutants.js";
import { isOpShape, isRunLogShape } from "./run-log-shape.js";
import { runLogSchema, runOpSchema } from "./run-log-schema.js";

// The fast check must agree with the zod schema (the schema stays the reference and the error reporter).
function sample() {
  const map = { ...sampleStepLog("m", "map"), branches: { "m.a": { ...newBranchLog("m.a"), steps: { "m.a.t": sampleStepLog("m.a.t") } } } };
  return { ...sampleRunHeader("r-1"), steps: { first: sampleStepLog("first"), m: map } } as Record<string, any>;
}

const breakages: Array<[string, (run: Record<string, any>) => void]> = [
  ["a missing run_id", (run) => delete run.run_id],
  ["a bad run status", (run) => (run.status = "DONE")],
  ["a step without attempts", (run) => delete run.steps.first.attempts],
  ["a bad start time", (run) => (run.steps.first.attempts[0].start_time = "yesterday")],
  ["attempt 0", (run) => (run.steps.first.attempts[0].attempt_number = 0)],
  ["a bad duration", (run) => (run.steps.first.attempts[0].duration = "1 s")],
  ["a nested step with a bad status", (run) => (run.steps.m.branches["m.a"].steps["m.a.t"].status = "OK")],
  ["a branch without steps", (run) => delete run.steps.m.branches["m.a"].steps],
  [
    "a catalog entry with a bad stage",
    (run) => (run.steps.first.data_catalog = [{ name: "x", data_hash: "", catalog_relative_path: "", catalog_handler_location: "", stage: "copy" }]),
  ],
  [
    "a code identity with a number",
    (run) =>
      (run.steps.first.code_identities = [
        { code_identifier: 1, code_identifier_type: null, code_identifier_dependable: null, code_identifier_url: null, code_identifier_message: null },
      ]),
  ],
  ["run_config without an executor", (run) => delete run.run_config.executor],
  ["a dag step without a type", (run) => (run.run_config.dag.steps = { a: { name: "a" } })],
  ["mock as a string", (run) => (run.steps.first.mock = "no")],
];

describe("isRunLogShape", () => {
  it("accepts a valid run log, as the schema does", () => {
    expect(runLogSchema.safeParse(sample()).success).toBe(true);
    expect(isRunLogShape(sample())).toBe(true);
  });
  for (const [what, breakIt] of breakages) {
    it(`rejects ${what}, as the schema does`, () => {
      const run = sample();
      breakIt(run);
      expect(runLogSchema.safeParse(run).success).toBe(false);
      expect(isRunLogShape(run)).toBe(false);
    });
  }
});

/** A run log with every part the format has: retried attempts with metrics, composites, additive fields, both dag forms. */
function richRunLog(): Record<string, any> {
  const failed = {
    ...sampleStepLog("train").attempts[0]!,
    status: "FAIL",
    message: "boom",
    user_defined_metrics: { loss: 2 },
    metric_times_ms: { loss: "1767322245000" },
  };
  const train = {
    ...sampleStepLog("train"),
    attempts: [failed, { ...sampleStepLog("train").attempts[0]!, attempt_number: 2, duration: "0:00:01", metric_times_ms: { loss: { "0": 1767322245000 } } }],
    output_parameters: { model: "m.pkl" },
  };
  const branch = (key: string, steps: Record<string, unknown>) => ({ ...newBranchLog(key), status: "SUCCESS", steps, parameters: { item: key } });
  const fan = {
    ...sampleStepLog("fan", "parallel"),
    attempts: [],
    branches: { "fan.a": branch("fan.a", { "fan.a.t": sampleStepLog("fan.a.t") }), "fan.b": branch("fan.b", {}) },
  };
  const skipped = {
    ...newStepLog("old", "old", "stub"),
    status: "SUCCESS",
    mock: true,
    code_identities: [{ ...sampleStepLog("x").code_identities[0]!, code_identifier: null, code_identifier_dependable: null, code_identifier_url: null }],
  };
  const header = sampleRunHeader("r-rich");
  const dag = {
    start_at: "train",
    name: "rich",
    description: null,
    steps: {
      train: { type: "task", name: "train", internal_name: "train", is_composite: false },
      fan: { type: "parallel", name: "fan", internal_branch_name: "", next: "success" },
    },
  };
  return {
    ...header,
    initial_parameters: { x: 0 },
    run_config: { ...header.run_config, variables: { a: "1" }, dag, extra_setting: 1 },
    steps: { train, fan, old: skipped, success: sampleStepLog("success", "success") },
    extra_field: [1],
  };
}

/** One update of each kind, as the stores write them. */
function sampleOps(): unknown[] {
  const location = [["fan", "fan.a"]];
  return [
    { op: "status", location: [], payload: "SUCCESS" },
    { op: "parameters", location: [], payload: { x: 1 } },
    { op: "run_config", location: [], payload: sampleRunHeader("r").run_config },
    { op: "step", location, seq: 3, payload: { ...sampleStepLog("fan.a.t"), _location: location } },
    { op: "branch", location, seq: 1, payload: { ...newBranchLog("fan.a"), steps: { "fan.a.t": { anything: true } } } },
    { op: "remove", location, payload: "fan.a.t" },
  ];
}

describe("the fast checks, held to the zod schemas on thousands of seeded mutants", () => {
  it("accept the samples, as the schemas do", () => {
    for (const run of [sample(), richRunLog()]) expect([runLogSchema.safeParse(run).success, isRunLogShape(run)]).toEqual([true, true]);
    for (const op of sampleOps()) expect([runOpSchema.safeParse(op).success, isOpShape(op)]).toEqual([true, true]);
  });

  it("isRunLogShape agrees with runLogSchema", () => {
    let accepted = 0;
    for (const mutant of mutants([sample(), richRunLog()], 2500, 1)) {
      const expected = runLogSchema.safeParse(mutant).success;
      if (isRunLogShape(mutant) !== expected) expect.fail(`disagree (zod: ${expected}) on ${JSON.stringify(mutant)}`);
      if (expected) accepted++;
    }
    // both answers must be well represented, or the mutants test little
    expect(accepted).toBeGreaterThan(250);
    expect(accepted).toBeLessThan(2250);
  });

  it("isOpShape agrees with runOpSchema", () => {
    let accepted = 0;
    for (const mutant of mutants(sampleOps(), 2000, 2)) {
      const expected = runOpSchema.safeParse(mutant).success;
      if (isOpShape(mutant) !== expected) expect.fail(`disagree (zod: ${expected}) on ${JSON.stringify(mutant)}`);
      if (expected) accepted++;
    }
    expect(accepted).toBeGreaterThan(200);
    expect(accepted).toBeLessThan(1800);
  });
});
