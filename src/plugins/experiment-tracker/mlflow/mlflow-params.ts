import type { MlflowKeyValue } from "./mlflow-client.js";
import { MLFLOW_LIMITS, paramText, sanitiseKey, truncateCodePoints } from "./mlflow-mapping.js";

/** Remembers the params of one MLflow run, because MLflow refuses to change a param once logged. */
export interface ParamLedger {
  /** Records params already in the MLflow run (when another process created it). */
  seed(params: readonly MlflowKeyValue[]): void;
  /** The param to send under `name` (already a valid key), or null when it is already there or would change it; `from` is for warnings. */
  admit(name: string, value: unknown, from: string): MlflowKeyValue | null;
  /** The param to send for one of the run's parameters (logged under its own name), or null likewise. */
  parameter(key: string, value: unknown): MlflowKeyValue | null;
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
  const admitAs = (name: string, raw: unknown, from: string): MlflowKeyValue | null => {
    const text = paramText(raw);
    const value = truncateCodePoints(text, MLFLOW_LIMITS.paramValueLength);
    if (value !== text) {
      warnOnce(
        `truncated:${name}`,
        `MLflow param "${name}" (${from}) is longer than ${MLFLOW_LIMITS.paramValueLength} characters, ` +
          "the most MLflow keeps; it was truncated there (the full value remains in the run log)",
      );
    }
    const previous = values.get(name);
    if (previous === value) return null;
    if (previous !== undefined) {
      warnOnce(
        `changed:${name}`,
        `MLflow param "${name}" already holds another value and MLflow params cannot change; the value from ` +
          `${from} was not mirrored (it remains in the run log). Record it at another step to keep both.`,
      );
      return null;
    }
    values.set(name, value);
    return { key: name, value };
  };
  return {
    seed(params) {
      for (const param of params) values.set(param.key, param.value);
    },
    admit: admitAs,
    parameter: (key, value) => admitAs(sanitiseKey(key), value, "the run's parameters"),
  };
}
