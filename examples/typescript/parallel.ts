/**
 * runnable's concepts/parallel.yaml in TypeScript: two branches, each a pipeline with its own
 * terminal names. TypeScript tasks in parallel branches share this process safely: each sees only its
 * own branch's parameters and records its own metrics.
 * Run with: npx runnable execute -f examples/typescript/parallel.ts
 */
import { parallel, pipeline, stub, success, track, typescript } from "runnable-ts";

const xgboost = pipeline({
  steps: [
    stub({ name: "Prepare for XGBoost" }),
    typescript({
      name: "Train XGBoost",
      function: () => {
        track({ accuracy: 0.91 });
        return { xgboost_accuracy: 0.91 };
      },
    }),
    success("XGBoost success"),
  ],
});

const randomForest = pipeline({
  steps: [
    typescript({
      name: "Train RF Model",
      function: () => {
        track({ accuracy: 0.87 });
        return { rf_accuracy: 0.87 };
      },
    }),
    success("RF Model Success"),
  ],
});

export default pipeline({
  description: "A stubbed parallel pipeline; both branches' results are merged back at fan-in",
  steps: [
    stub({ name: "Get Features" }),
    parallel({ name: "Train Models", branches: { XGBoost: xgboost, "RF model": randomForest } }),
    typescript({
      name: "Ensemble Modelling",
      function: (parameters: { xgboost_accuracy: number; rf_accuracy: number }) => ({
        best: Math.max(parameters.xgboost_accuracy, parameters.rf_accuracy),
      }),
    }),
    stub({ name: "Run Inference" }),
  ],
});
