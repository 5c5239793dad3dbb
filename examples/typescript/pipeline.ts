/**
 * A pipeline in TypeScript: steps run in list order, the last one to success.
 * Run with: npx runnable execute -f examples/typescript/pipeline.ts -p examples/concepts/parameters.yaml
 */
import { pipeline, shell, stub, typescript } from "runnable-ts";
import { prepare, train } from "./tasks.js";

export default pipeline({
  name: "typescript-sdk",
  description: "The same graph as functions.yaml, built in code",
  steps: [
    typescript({ name: "prepare", function: prepare }),
    typescript({ name: "train", function: train, maxAttempts: 2 }),
    typescript({ name: "report", command: "examples/typescript/tasks.ts#default" }),
    shell({ name: "archive", command: "mkdir -p out && echo done > out/marker.txt", catalog: { put: ["out/marker.txt"] } }),
    stub({ name: "finish" }),
  ],
});
