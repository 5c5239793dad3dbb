/**
 * runnable 0.50's returns in TypeScript: one value, a tuple with a metric and an object (any value
 * v8.serialize takes), passed to the next task as it was.
 * Run with: npx runnable execute -f examples/typescript/returns.ts
 */
import { metric, object, pipeline, typescript } from "runnable-ts";

export default pipeline({
  steps: [
    typescript({ name: "rows", function: () => [3, 1, 2], returns: ["rows"] }),
    typescript({
      name: "fit",
      function: ({ rows }: { rows: number[] }) => [Math.max(...rows) / 4, new Map([["weights", new Float64Array(rows)]])],
      returns: [metric("score"), object("model")],
    }),
    typescript({
      name: "use",
      function: ({ model }: { model: Map<string, Float64Array> }) => ({ total: model.get("weights")!.reduce((a, b) => a + b, 0) }),
    }),
  ],
});
