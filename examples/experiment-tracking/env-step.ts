/** Step-wise env-var tracking in TypeScript: npx runnable execute -f examples/experiment-tracking/env-step.ts */
import { pipeline, shell } from "runnable-ts";

export default pipeline({
  steps: [
    shell({
      name: "shell",
      command: [
        'export RUNNABLE_TRACK_spam_STEP_0="hello"',
        `export RUNNABLE_TRACK_eggs_STEP_0='{"ham": "world"}'`,
        'export RUNNABLE_TRACK_spam_STEP_1="hey"',
        `export RUNNABLE_TRACK_eggs_STEP_1='{"ham": "universe"}'`,
        'export RUNNABLE_TRACK_answer="42.0"',
      ].join("\n"),
    }),
  ],
});
