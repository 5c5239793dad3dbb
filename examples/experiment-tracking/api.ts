/** API tracking in TypeScript: npx runnable execute -f examples/experiment-tracking/api.ts */
import { pipeline, typescript } from "runnable-ts";
import { emitMetrics } from "./tracking.js";

export default pipeline({ steps: [typescript({ name: "emit metrics", function: emitMetrics })] });
