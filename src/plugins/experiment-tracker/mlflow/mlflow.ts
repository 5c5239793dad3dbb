import { messageOf } from "../../../core/errors.js";
import type { Status } from "../../../core/run-log.js";
import type { ExperimentTracker, MetricPoint, TrackedRun } from "../../../ports/experiment-tracker.js";
import type { PluginContext } from "../../../ports/plugin.js";
import {
  createMlflowClient,
  mlflowFailureOf,
  type MlflowBatch,
  type MlflowClientStats,
  type MlflowKeyValue,
} from "./mlflow-client.js";
import {
  emptyPending,
  isMetricValue,
  MLFLOW_LIMITS,
  pendingIsFull,
  sanitiseKey,
  takeBatch,
  truncateCodePoints,
} from "./mlflow-mapping.js";
import { createParamLedger } from "./mlflow-params.js";

/** The validated `config` of the `mlflow` tracker. */
export interface MlflowTrackerConfig {
  server_url: string;
  headers?: Record<string, string> | undefined;
  timeout_ms: number;
  experiment_name?: string | undefined;
}

/** Test and benchmark hooks of {@link createMlflowTracker}. */
export interface MlflowTrackerDeps {
  fetch?: typeof fetch;
  /** How long published points wait to be batched before a request is sent (default 100 ms). */
  lingerMs?: number;
  /** First retry delay of the client (default 200 ms). */
  backoffMs?: number;
}

/** The `mlflow` tracker, plus its client's counters for benchmarks. */
export interface MlflowTracker extends ExperimentTracker {
  stats(): MlflowClientStats;
}

const RUN_STATUS: Partial<Record<Status, "FINISHED" | "FAILED">> = { SUCCESS: "FINISHED", FAIL: "FAILED" };

/**
 * Mirrors a run to MLflow: one MLflow run per runnable run, numbers as metrics, other values as
 * `<key>_<step>` params, sent in background batches. Never throws; problems end in one warning per run.
 */
export function createMlflowTracker(
  config: MlflowTrackerConfig,
  context: PluginContext,
  deps: MlflowTrackerDeps = {},
): MlflowTracker {
  const client = createMlflowClient({
    serverUrl: config.server_url,
    timeoutMs: config.timeout_ms,
    ...(config.headers ? { headers: config.headers } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.backoffMs !== undefined ? { backoffMs: deps.backoffMs } : {}),
  });
  const lingerMs = deps.lingerMs ?? 100;
  const pending = emptyPending();
  const params = createParamLedger(context.warn);
  const stepPoints = new Map<string, number>();
  const lost = { metrics: 0, params: 0 };
  const s = {
    run: null as { experimentId: string; runId: string } | null,
    unavailable: null as string | null,
    rejected: null as string | null,
    flushing: null as Promise<void> | null,
    again: false,
    timer: null as ReturnType<typeof setTimeout> | null,
    ended: false,
  };

  function countLost(batch: { metrics: unknown[]; params: unknown[] }): void {
    lost.metrics += batch.metrics.length;
    lost.params += batch.params.length;
  }

  function dropPending(): void {
    countLost(pending);
    pending.metrics.length = 0;
    pending.params.length = 0;
    pending.tags.clear();
  }

  function noteFailure(error: unknown): void {
    const failure = mlflowFailureOf(error);
    if (!failure || failure.kind === "unavailable") s.unavailable ??= messageOf(error);
    else s.rejected ??= messageOf(error);
  }

  async function resolveExperiment(name: string): Promise<string> {
    const found = await client.getExperimentByName(name);
    if (found) return found.experiment_id;
    try {
      return await client.createExperiment(name);
    } catch (error) {
      // Another process created it between our lookup and our create.
      if (mlflowFailureOf(error)?.errorCode !== "RESOURCE_ALREADY_EXISTS") throw error;
      const raced = await client.getExperimentByName(name);
      if (!raced) throw error;
      return raced.experiment_id;
    }
  }

  /** Reuses the MLflow run another process of the same runnable run created (one MLflow run per run). */
  async function findExistingRun(experimentId: string, runId: string): Promise<string | null> {
    if (runId.includes("'")) return null;
    const runs = await client.searchRuns([experimentId], `tags.\`runnable.run_id\` = '${runId}'`, 1);
    const existing = runs[0];
    if (!existing) return null;
    params.seed(existing.data.params ?? []);
    if (existing.info.status !== "RUNNING") await client.updateRun(existing.info.run_id, "RUNNING");
    return existing.info.run_id;
  }

  function runTags(run: TrackedRun): MlflowKeyValue[] {
    const tags: MlflowKeyValue[] = [
      { key: "runnable.run_id", value: run.runId },
      { key: "runnable.pipeline", value: run.pipelineName },
    ];
    if (run.gitCommit) tags.push({ key: "mlflow.source.git.commit", value: run.gitCommit });
    if (run.tag) tags.push({ key: "runnable.tag", value: run.tag });
    return tags.map((tag) => ({ key: tag.key, value: truncateCodePoints(tag.value, MLFLOW_LIMITS.tagValueLength) }));
  }

  async function createRun(experimentId: string, run: TrackedRun): Promise<string> {
    const input = { experimentId, runName: run.runId, startTime: Date.now(), tags: runTags(run) };
    return (await client.createRun(input)).info.run_id;
  }

  async function startRun(run: TrackedRun): Promise<void> {
    try {
      const experimentId = await resolveExperiment(config.experiment_name ?? (run.tag || "Default"));
      const existing = await findExistingRun(experimentId, run.runId);
      const runId = existing ?? (await createRun(experimentId, run));
      s.run = { experimentId, runId };
      // The run's parameters become MLflow params under their own names (a retried run's are there already).
      for (const [key, value] of Object.entries(run.parameters ?? {})) {
        const param = params.parameter(key, value);
        if (param) pending.params.push(param);
      }
      schedule();
    } catch (error) {
      // Without an MLflow run nothing can be mirrored.
      s.unavailable ??= messageOf(error);
      dropPending();
    }
  }

  async function send(runId: string, batch: MlflowBatch): Promise<void> {
    try {
      await client.logBatch(runId, batch);
    } catch (error) {
      noteFailure(error);
      const failure = mlflowFailureOf(error);
      const hasOthers = batch.metrics.length + batch.tags.length > 0;
      if (failure?.kind === "rejected" && batch.params.length > 0 && hasOthers) {
        // One bad param fails the whole request: keep the metrics by resending them alone.
        countLost({ metrics: [], params: batch.params });
        return send(runId, { ...batch, params: [] });
      }
      countLost(batch);
    }
  }

  async function drain(): Promise<void> {
    while (s.run && !s.unavailable) {
      const batch = takeBatch(pending);
      if (!batch) break;
      await send(s.run.runId, batch);
    }
    if (s.unavailable) dropPending();
  }

  function kick(): void {
    if (s.timer) clearTimeout(s.timer);
    s.timer = null;
    if (s.flushing) {
      s.again = true;
      return;
    }
    s.flushing = drain().finally(() => {
      s.flushing = null;
      if (s.again) {
        s.again = false;
        kick();
      }
    });
  }

  function schedule(): void {
    if (!s.run || s.unavailable) return;
    if (pendingIsFull(pending)) return kick();
    if (s.timer) return;
    s.timer = setTimeout(kick, lingerMs);
    s.timer.unref?.();
  }

  function buffer(stepName: string, points: Iterable<MetricPoint>): void {
    let seen = 0;
    for (const point of points) {
      seen++;
      if (isMetricValue(point.value)) {
        const { key, value, step, time_ms } = point;
        pending.metrics.push({ key: sanitiseKey(key), value, step: Math.trunc(step), timestamp: Math.trunc(time_ms) });
        continue;
      }
      const param = params.admit(stepName, point);
      if (param) pending.params.push(param);
    }
    const count = (stepPoints.get(stepName) ?? 0) + seen;
    stepPoints.set(stepName, count);
    pending.tags.set(sanitiseKey(`runnable.step.${stepName}`), String(count));
  }

  async function publish(stepName: string, points: Iterable<MetricPoint>): Promise<void> {
    try {
      buffer(stepName, points);
    } catch (error) {
      // e.g. a value JSON cannot encode; the tracker must never fail the run
      s.rejected ??= messageOf(error);
    }
    if (s.unavailable) dropPending();
    else schedule();
  }

  async function finish(status: Status): Promise<void> {
    if (s.timer) clearTimeout(s.timer);
    s.timer = null;
    while (s.flushing) await s.flushing;
    await drain();
    if (!s.run || s.unavailable) return;
    try {
      await client.updateRun(s.run.runId, RUN_STATUS[status] ?? "KILLED", Date.now());
    } catch (error) {
      noteFailure(error);
    }
  }

  function summary(): string | null {
    const reason = s.unavailable ?? s.rejected;
    if (!reason) return null;
    const what = s.unavailable ? "unreachable" : "rejected some data";
    return (
      `MLflow at ${client.serverUrl} ${what} (${reason}): ${lost.metrics} metric points and ${lost.params} ` +
      "params not mirrored; they remain in the run log"
    );
  }

  return {
    type: "mlflow",
    recordedConfig: {
      server_url: config.server_url,
      timeout_ms: config.timeout_ms,
      ...(config.experiment_name !== undefined ? { experiment_name: config.experiment_name } : {}),
    },
    startRun,
    publish,
    async endRun(status) {
      if (s.ended) return;
      s.ended = true;
      await finish(status).catch(noteFailure);
      const message = summary();
      if (message) context.warn(message);
    },
    runUrl() {
      if (!s.run) return undefined;
      return `${client.serverUrl}/#/experiments/${encodeURIComponent(s.run.experimentId)}/runs/${encodeURIComponent(s.run.runId)}`;
    },
    clientContext() {
      if (!s.run) return {};
      const { experimentId, runId } = s.run;
      const headers = { ...config.headers };
      return { tracking_uri: client.serverUrl, experiment_id: experimentId, run_id: runId, headers };
    },
    stats: () => client.stats(),
  };
}
