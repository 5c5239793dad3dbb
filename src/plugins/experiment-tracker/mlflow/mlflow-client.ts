import { type MlflowClientState, call, clientState, getExperimentByName, getMetricHistory } from "./mlflow-client-state.js";
import { failure } from "./mlflow-failures.js";

export { type MlflowFailure, mlflowFailureOf } from "./mlflow-failures.js";

/** An MLflow metric as the REST API takes and returns it. */
export interface MlflowMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/** An MLflow param or tag. */
export interface MlflowKeyValue {
  key: string;
  value: string;
}

/** One `runs/log-batch` payload (without the run id). */
export interface MlflowBatch {
  metrics: MlflowMetric[];
  params: MlflowKeyValue[];
  tags: MlflowKeyValue[];
}

/** The parts of an MLflow run the tracker and the tests read. */
export interface MlflowRun {
  info: { run_id: string; experiment_id: string; run_name?: string; status: string; end_time?: number };
  data: { metrics?: MlflowMetric[]; params?: MlflowKeyValue[]; tags?: MlflowKeyValue[] };
}

/** What `runs/create` needs. */
export interface MlflowNewRun {
  experimentId: string;
  runName: string;
  startTime: number;
  tags: MlflowKeyValue[];
}

/** An MLflow experiment. */
export interface MlflowExperiment {
  experiment_id: string;
  name: string;
}

/** Counters of one client, for benchmarks: HTTP requests sent (retries included) and values delivered. */
export interface MlflowClientStats {
  requests: number;
  points: number;
}

/** Options of {@link createMlflowClient}. */
export interface MlflowClientOptions {
  /** The tracking server, e.g. `http://127.0.0.1:5000` (a path prefix is kept). */
  serverUrl: string;
  headers?: Record<string, string>;
  /** Per-request timeout (default 5000 ms). */
  timeoutMs?: number;
  /** Attempts per request for retryable failures (default 3). */
  attempts?: number;
  /** First retry delay; doubles per retry (default 200 ms). */
  backoffMs?: number;
  /** Injected `fetch` (tests); defaults to the global one. */
  fetch?: typeof fetch;
}

/** A small MLflow REST client (API 2.0) on `fetch`. Failures throw `TRACKER_ERROR` (see {@link mlflowFailureOf}). */
export interface MlflowClient {
  readonly serverUrl: string;
  getExperimentByName(name: string): Promise<MlflowExperiment | null>;
  createExperiment(name: string): Promise<string>;
  createRun(input: MlflowNewRun): Promise<MlflowRun>;
  logBatch(runId: string, batch: MlflowBatch): Promise<void>;
  updateRun(runId: string, status: "RUNNING" | "FINISHED" | "FAILED" | "KILLED", endTime?: number): Promise<void>;
  setTag(runId: string, key: string, value: string): Promise<void>;
  searchRuns(experimentIds: string[], filter: string, maxResults?: number): Promise<MlflowRun[]>;
  getRun(runId: string): Promise<MlflowRun>;
  /** Every recorded value of one metric (all pages). */
  getMetricHistory(runId: string, key: string): Promise<MlflowMetric[]>;
  stats(): MlflowClientStats;
}

/** Creates an MLflow REST client: its state (mlflow-client-state.ts) and the API's calls over it. */
export function createMlflowClient(options: MlflowClientOptions): MlflowClient {
  const state = clientState(options);
  return {
    serverUrl: state.serverUrl,
    getExperimentByName: (name) => getExperimentByName(state, name),
    async createExperiment(name) {
      return (await call<{ experiment_id: string }>(state, "POST", "experiments/create", { name })).experiment_id;
    },
    createRun: (input) => createRun(state, input),
    async logBatch(runId, batch) {
      await call(state, "POST", "runs/log-batch", { run_id: runId, ...batch });
      state.counters.points += batch.metrics.length + batch.params.length + batch.tags.length;
    },
    async updateRun(runId, status, endTime) {
      const payload = endTime === undefined ? { run_id: runId, status } : { run_id: runId, status, end_time: endTime };
      await call(state, "POST", "runs/update", payload);
    },
    async setTag(runId, key, value) {
      await call(state, "POST", "runs/set-tag", { run_id: runId, key, value });
    },
    async searchRuns(experimentIds, filter, maxResults = 100) {
      const payload = { experiment_ids: experimentIds, filter, max_results: maxResults };
      return (await call<{ runs?: MlflowRun[] }>(state, "POST", "runs/search", payload)).runs ?? [];
    },
    async getRun(runId) {
      return (await call<{ run: MlflowRun }>(state, "GET", "runs/get", { run_id: runId })).run;
    },
    getMetricHistory: (runId, key) => getMetricHistory(state, runId, key),
    stats: () => ({ ...state.counters }),
  };
}

async function createRun(state: MlflowClientState, { experimentId, runName, startTime, tags }: MlflowNewRun): Promise<MlflowRun> {
  const payload = { experiment_id: experimentId, run_name: runName, start_time: startTime, tags };
  const created = (await call<{ run?: MlflowRun }>(state, "POST", "runs/create", payload)).run;
  if (!created?.info?.run_id) throw failure("MLflow runs/create: the answer holds no run", { kind: "rejected", status: 200, errorCode: null });
  return created;
}
