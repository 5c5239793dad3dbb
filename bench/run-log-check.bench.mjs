// The run log checks of the stores (issue 17): the fast structural check of a whole run log read back
// (`isRunLogShape`, run on every read and before every whole-log write) and of one update (`isOpShape`,
// run before every write and on every journal line), against zod's `safeParse` of the same schemas.
// A map of 10,000 items with three steps each: 30,001 step logs.
import { performance } from "node:perf_hooks";
import { isOpShape, isRunLogShape } from "../dist/plugins/run-log-store/shared/run-log-shape.js";
import { runLogSchema } from "../dist/plugins/run-log-store/shared/run-log-schema.js";
import { sampleRunHeader, sampleStepLog } from "../dist/testing/contracts/run-log-store.samples.js";
import { report } from "./report.mjs";

function bigRunLog(items) {
  const branches = {};
  for (let i = 0; i < items; i++) {
    const key = `each.${i}`;
    const steps = {};
    for (const name of ["a", "b", "c"]) steps[`${key}.${name}`] = sampleStepLog(`${key}.${name}`);
    branches[key] = { internal_name: key, status: "SUCCESS", steps, parameters: { item: i } };
  }
  return { ...sampleRunHeader("bench"), steps: { each: { ...sampleStepLog("each", "map"), branches } } };
}

function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function timeMs(fn, repeats) {
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    fn();
    times.push(performance.now() - started);
  }
  return median(times);
}

/** Prints the time of the fast checks and of zod on a 30,001-step run log and on 100,000 step updates. */
export async function runLogCheckBenchmarks() {
  const run = JSON.parse(JSON.stringify(bigRunLog(10_000)));
  if (!isRunLogShape(run) || !runLogSchema.safeParse(run).success) throw new Error("the bench run log should be valid");
  const fast = timeMs(() => isRunLogShape(run), 15);
  const zod = timeMs(() => runLogSchema.safeParse(run), 3);
  const step = { op: "step", location: [["each", "each.1"]], seq: 1, payload: { ...sampleStepLog("each.1.a"), branches: {} } };
  const ops = timeMs(() => {
    for (let i = 0; i < 100_000; i++) if (!isOpShape(step)) throw new Error("the bench update should be valid");
  }, 5);
  report({
    id: "runlog.check-30001",
    label: "run log check of 30,001 step logs, isRunLogShape",
    value: fast,
    unit: "ms",
    note: `zod safeParse ${zod.toFixed(0)} ms`,
  });
  report({ id: "runlog.op-check", label: "isOpShape of a step update", value: (ops * 1000) / 100_000, unit: "µs" });
}

if (import.meta.url === `file://${process.argv[1]}`) await runLogCheckBenchmarks();
