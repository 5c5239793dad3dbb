import { messageOf } from "../../../core/errors.js";
import type { MetricPoint } from "../../../ports/experiment-tracker.js";
import type { MlflowBatch, MlflowClient } from "./mlflow-client.js";
import { mlflowFailureOf } from "./mlflow-failures.js";
import { isMetricValue, pendingIsFull, type PendingData, sanitiseKey, takeBatch } from "./mlflow-mapping.js";
import type { ParamLedger } from "./mlflow-params.js";

// What the `mlflow` tracker holds for one run, and how buffered points reach the server: published
// points wait in `pending` for `lingerMs` (or until a batch is full), then one drain at a time sends
// them in batches. A failure never throws: it is remembered for the run's closing warning.

/** The state of one `mlflow` tracker (one runnable run). */
export interface MlflowState {
  readonly client: MlflowClient;
  readonly lingerMs: number;
  readonly pending: PendingData;
  readonly params: ParamLedger;
  /** Points published per step, mirrored as the `runnable.step.<name>` tag. */
  readonly stepPoints: Map<string, number>;
  /** Points and params that could not be mirrored. */
  readonly lost: { metrics: number; params: number };
  /** The MLflow run, once created (or found). */
  run: { experimentId: string; runId: string } | null;
  /** Why the server cannot be reached (nothing more is sent). */
  unavailable: string | null;
  /** Why the server refused some data (the rest is still sent). */
  rejected: string | null;
  /** The drain in progress. */
  flushing: Promise<void> | null;
  /** Points arrived during a drain: drain again after it. */
  again: boolean;
  timer: ReturnType<typeof setTimeout> | null;
  ended: boolean;
}

function countLost(state: MlflowState, batch: { metrics: unknown[]; params: unknown[] }): void {
  state.lost.metrics += batch.metrics.length;
  state.lost.params += batch.params.length;
}

/** Forgets what is waiting (the server is gone), counting it as lost. */
export function dropPending(state: MlflowState): void {
  countLost(state, state.pending);
  state.pending.metrics.length = 0;
  state.pending.params.length = 0;
  state.pending.tags.clear();
}

/** Remembers the first failure of each kind for the closing warning. */
export function noteFailure(state: MlflowState, error: unknown): void {
  const failure = mlflowFailureOf(error);
  if (!failure || failure.kind === "unavailable") state.unavailable ??= messageOf(error);
  else state.rejected ??= messageOf(error);
}

async function send(state: MlflowState, runId: string, batch: MlflowBatch): Promise<void> {
  try {
    await state.client.logBatch(runId, batch);
  } catch (error) {
    noteFailure(state, error);
    const failure = mlflowFailureOf(error);
    const hasOthers = batch.metrics.length + batch.tags.length > 0;
    if (failure?.kind === "rejected" && batch.params.length > 0 && hasOthers) {
      // One bad param fails the whole request: keep the metrics by resending them alone.
      countLost(state, { metrics: [], params: batch.params });
      return send(state, runId, { ...batch, params: [] });
    }
    countLost(state, batch);
  }
}

/** Sends everything pending, batch after batch. */
export async function drain(state: MlflowState): Promise<void> {
  while (state.run && !state.unavailable) {
    const batch = takeBatch(state.pending);
    if (!batch) break;
    await send(state, state.run.runId, batch);
  }
  if (state.unavailable) dropPending(state);
}

function kick(state: MlflowState): void {
  if (state.timer) clearTimeout(state.timer);
  state.timer = null;
  if (state.flushing) {
    state.again = true;
    return;
  }
  state.flushing = drain(state).finally(() => {
    state.flushing = null;
    if (state.again) {
      state.again = false;
      kick(state);
    }
  });
}

/** Starts a drain now when a batch is full, else after `lingerMs`. */
export function schedule(state: MlflowState): void {
  if (!state.run || state.unavailable) return;
  if (pendingIsFull(state.pending)) {
    kick(state);
    return;
  }
  if (state.timer) return;
  state.timer = setTimeout(() => kick(state), state.lingerMs);
  state.timer.unref?.();
}

/** Adds a step's points to what is pending: numbers as metrics, other values as params. */
export function buffer(state: MlflowState, stepName: string, points: Iterable<MetricPoint>): void {
  let seen = 0;
  for (const point of points) {
    seen++;
    if (isMetricValue(point.value)) {
      const { key, value, step, time_ms } = point;
      state.pending.metrics.push({ key: sanitiseKey(key), value, step: Math.trunc(step), timestamp: Math.trunc(time_ms) });
      continue;
    }
    const param = state.params.admit(stepName, point);
    if (param) state.pending.params.push(param);
  }
  const count = (state.stepPoints.get(stepName) ?? 0) + seen;
  state.stepPoints.set(stepName, count);
  state.pending.tags.set(sanitiseKey(`runnable.step.${stepName}`), String(count));
}

/** The closing warning: what went wrong and what was not mirrored; null when all went well. */
export function summary(state: MlflowState): string | null {
  const reason = state.unavailable ?? state.rejected;
  if (!reason) return null;
  const what = state.unavailable ? "unreachable" : "rejected some data";
  return (
    `MLflow at ${state.client.serverUrl} ${what} (${reason}): ${state.lost.metrics} metric points and ${state.lost.params} ` +
    "params not mirrored; they remain in the run log"
  );
}
