/**
 * Step-wise API tracking in TypeScript; with an MLflow config it mirrors to MLflow:
 *   npx runnable execute -f examples/experiment-tracking/api-step.ts -c examples/configs/mlflow-config.yaml --tag demo-runnable
 */
import { pipeline, typescript } from "runnable-ts";
import { emitStepwiseMetrics } from "./tracking.js";

export default pipeline({ steps: [typescript({ name: "emit metrics", function: emitStepwiseMetrics })] });
