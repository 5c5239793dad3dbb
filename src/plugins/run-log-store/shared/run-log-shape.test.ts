import { describe, expect, it } from "vitest";
import { newBranchLog } from "../../../core/run-log.js";
import { sampleRunHeader, sampleStepLog } from "../../../testing/contracts/run-log-store.samples.js";
import { isRunLogShape } from "./run-log-shape.js";
import { runLogSchema } from "./run-log-schema.js";

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
