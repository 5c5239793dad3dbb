import { describe, expect, it } from "vitest";
import type { RunOp } from "../shared/run-ops.js";
import { emptyIndex, indexPlacement, placementOf, placementProblemAt } from "../shared/placement-index.js";
import { journalLine } from "./journal.js";

const step = (name: string) => ({
  name,
  internal_name: name,
  status: "SUCCESS" as const,
  step_type: "task",
  message: "é",
  mock: false,
  code_identities: [],
  attempts: [],
  user_defined_metrics: {},
  branches: {},
  data_catalog: [],
});

describe("journal lines", () => {
  it("are JSON.stringify({op, location, seq, payload}) however they are put together", () => {
    const ops: RunOp[] = [
      { op: "status", location: [], payload: "SUCCESS" },
      { op: "step", location: [["m", "m.0"]], payload: step("m.0.a"), seq: 3 },
      { op: "step", location: [], payload: step("a") },
      { op: "branch", location: [["m", 'm."x"\u2028']], payload: { internal_name: 'm."x"\u2028', status: "CREATED", steps: {} }, seq: 0 },
      { op: "remove", location: [["p", "p.b"]], payload: "p.b.fail" },
    ];
    for (const op of ops) {
      const seq = "seq" in op && op.seq !== undefined ? { seq: op.seq } : {};
      expect(journalLine(op)).toBe(JSON.stringify({ op: op.op, location: op.location, ...seq, payload: op.payload }));
    }
  });

  it("place updates by their parents, with the messages of a misplaced write", () => {
    const index = emptyIndex();
    const top: RunOp = { op: "step", location: [], payload: step("m") };
    const branch: RunOp = { op: "branch", location: [["m", "m.0"]], payload: { internal_name: "m.0", status: "CREATED", steps: {} } };
    const inner: RunOp = { op: "step", location: [["m", "m.0"]], payload: step("m.0.a") };
    expect(placementProblemAt(index, placementOf(inner))).toBe('cannot put step log "m.0.a": there is no branch log at step "m" > branch "m.0"');
    expect(placementProblemAt(index, placementOf(branch))).toBe('cannot put branch log "m.0": there is no step log "m" at the top level');
    for (const op of [top, branch, inner]) {
      expect(placementProblemAt(index, placementOf(op))).toBeUndefined();
      indexPlacement(index, placementOf(op));
    }
    indexPlacement(index, placementOf({ op: "remove", location: [], payload: "m" }));
    expect(placementProblemAt(index, placementOf(branch))).toMatch(/no step log "m"/);
  });
});
