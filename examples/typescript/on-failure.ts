/**
 * Explicit links: a failing step routes to a recovery step with onFailure; the run still succeeds.
 * Run with: npx runnable execute -f examples/typescript/on-failure.ts
 */
import { pipeline, shell, stub, typescript } from "runnable-ts";
import { explode } from "./tasks.js";

const recover = stub({ name: "step 3" });

export default pipeline({
  steps: [
    typescript({ name: "step 1", function: explode, onFailure: recover }),
    stub({ name: "step 2", next: recover }),
    recover,
    shell({ name: "step 4", command: "echo finished" }),
  ],
});
