/**
 * runnable's parallel-fail.yaml in TypeScript: `step 1` of branch_a fails, so branch_a ends in its
 * `fail` step, `step 2` (the parallel step) fails, and the run ends in the top-level `fail` (exit 1).
 * Run with: npx runnable execute -f examples/typescript/parallel-fail.ts
 */
import { parallel, pipeline, shell, stub } from "runnable-ts";

const branchA = pipeline({
  steps: [shell({ name: "step 1", command: "exit 1 # This will fail" }), stub({ name: "step 2" })],
});
const branchB = pipeline({ steps: [stub({ name: "step 1" }), stub({ name: "step 2" })] });

export default pipeline({
  steps: [
    stub({ name: "step 1" }),
    parallel({ name: "step 2", branches: { branch_a: branchA, branch_b: branchB } }),
    stub({ name: "step 3" }),
  ],
});
