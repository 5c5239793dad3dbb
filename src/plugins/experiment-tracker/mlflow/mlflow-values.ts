import { isMapping } from "../../../core/values.js";
import type { MetricPoint } from "../../../ports/experiment-tracker.js";
import type { MlflowMetric } from "./mlflow-client.js";
import { isMetricValue, MLFLOW_LIMITS, paramName, sanitiseKey } from "./mlflow-mapping.js";

// What one step attempt's points become in MLflow, as runnable's tracker made them: numbers are
// metrics at their step; other values are params named `<key>_<step>`. A key recorded at one step
// only is a plain value in the run log (runnable collapses it), which runnable's `publish_data` read
// as `{step: value}` when it is a mapping: `eggs = {"ham": "world"}` became the param `eggs_ham`. The
// tracker flattens such a mapping the same way (and logs its numbers as metrics `eggs_ham`, where
// runnable failed on them).

/** A param to log: its MLflow name, its value (as JSON gives it) and where it came from, for warnings. */
export interface ParamValue {
  name: string;
  value: unknown;
}

/** The metrics and params of one step attempt's points. */
export interface MirroredValues {
  metrics: MlflowMetric[];
  params: ParamValue[];
}

function metric(key: string, value: number, point: MetricPoint): MlflowMetric {
  return { key: sanitiseKey(key), value, step: Math.trunc(point.step), timestamp: Math.trunc(point.time_ms) };
}

/** Maps points to MLflow metrics and params (see above). */
export function mirroredValues(points: Iterable<MetricPoint>): MirroredValues {
  const all = [...points];
  const perKey = new Map<string, number>();
  for (const point of all) perKey.set(point.key, (perKey.get(point.key) ?? 0) + 1);
  const out: MirroredValues = { metrics: [], params: [] };
  for (const point of all) {
    const { key, value } = point;
    if (isMetricValue(value)) out.metrics.push(metric(key, value, point));
    else if (isMapping(value) && perKey.get(key) === 1 && Object.keys(value).length > 0) {
      for (const [sub, inner] of Object.entries(value)) {
        const name = `${key}_${sub}`;
        if (isMetricValue(inner)) out.metrics.push(metric(name, inner, point));
        else out.params.push({ name: sanitiseKey(name, MLFLOW_LIMITS.keyLength), value: inner });
      }
    } else out.params.push({ name: paramName(key, point.step), value });
  }
  return out;
}
