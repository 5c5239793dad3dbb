/** The env-var tracking example in TypeScript: npx runnable execute -f examples/experiment-tracking/env.ts */
import { pipeline, shell } from "runnable-ts";

export default pipeline({
  steps: [
    shell({
      name: "shell",
      command: ['export runnable_TRACK_spam="hello"', `export runnable_TRACK_eggs='{"ham": "world"}'`, 'export runnable_TRACK_answer="42.0"'].join("\n"),
    }),
  ],
});
