/**
 * Runs a pipeline from a script with `pipeline.execute()` (no CLI). Run with:
 *   npx tsx examples/typescript/script.ts
 */
import { pipeline, shell, typescript } from "runnable-ts";

const hello = pipeline({
  name: "script",
  steps: [
    shell({ name: "greet", command: 'export RUNNABLE_PRM_who="world"' }),
    typescript({ name: "shout", function: ({ who }: { who: string }) => ({ shouted: who.toUpperCase() }) }),
  ],
});

const runLog = await hello.execute({ tag: "from-a-script" });
console.log(`${runLog.run_id}: ${runLog.status}, shouted=${String(runLog.parameters.shouted)}`);
