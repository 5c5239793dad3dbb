import type { MetricPoint } from "../../../ports/experiment-tracker.js";
import type { MlflowKeyValue } from "./mlflow-client.js";
import { MLFLOW_LIMITS, paramName, paramText, truncateCodePoints } from "./mlflow-mapping.js";

/** Remembers the params of one MLflow run, because MLflow refuses to change a param once logged. */
export interface ParamLedger {
  /** Records params already in the MLflow run (when another process created it). */
  seed(params: readonly MlflowKeyValue[]): void;
  /** The param to send for a non-metric point, or null when it is already there or would change it. */
  admit(stepName: string, point: MetricPoint): MlflowKeyValue | null;
}

/** Creates a ledger that warns (once per param) about truncated values and refused changes. */
export function createParamLedger(warn: (message: string) => void): ParamLedger {
  const values = new Map<string, string>();
  const warned = new Set<string>();
  const warnOnce = (key: string, message: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    warn(message);
  };
  return {
    seed(params) {
      for (const param of params) values.set(param.key, param.value);
    },
    admit(stepName, point) {
      const name = paramName(point.key, point.step);
      const text = paramText(point.value);
      const value = truncateCodePoints(text, MLFLOW_LIMITS.paramValueLength);
      if (value !== text) {
        warnOnce(
          `truncated:${name}`,
          `MLflow param "${name}" (step "${stepName}") is longer than ${MLFLOW_LIMITS.paramValueLength} characters, ` +
            "the most MLflow keeps; it was truncated there (the full value remains in the run log)",
        );
      }
      const previous = values.get(name);
      if (previous === value) return null;
      if (previous !== undefined) {
        warnOnce(
          `changed:${name}`,
          `MLflow param "${name}" already holds another value and MLflow params cannot change; the value from ` +
            `step "${stepName}" was not mirrored (it remains in the run log). Record it at another step to keep both.`,
        );
        return null;
      }
      values.set(name, value);
      return { key: name, value };
    },
  };
}
