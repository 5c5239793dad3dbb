import { RunnableError } from "../../../core/errors.js";

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

/** Why a request failed: `unavailable` = network, timeout or 429/502/503/504 after retries. */
export interface MlflowFailure {
  kind: "unavailable" | "rejected";
  status: number | null;
  errorCode: string | null;
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

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const MAX_RETRY_AFTER_MS = 2000;

/** Extracts the failure details a client error carries (null for other errors). */
export function mlflowFailureOf(error: unknown): MlflowFailure | null {
  const cause = (error as { cause?: unknown } | null)?.cause as { mlflow?: MlflowFailure } | undefined;
  return cause?.mlflow ?? null;
}

function failure(message: string, mlflow: MlflowFailure, original?: unknown): RunnableError {
  return new RunnableError("TRACKER_ERROR", message, { cause: { mlflow, original } });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function retryDelay(response: Response | null, attempt: number, backoffMs: number): number {
  const header = Number(response?.headers.get("retry-after"));
  if (Number.isFinite(header) && header > 0) return Math.min(header * 1000, MAX_RETRY_AFTER_MS);
  return backoffMs * 2 ** (attempt - 1);
}

/** Creates an MLflow REST client. */
export function createMlflowClient(options: MlflowClientOptions): MlflowClient {
  const serverUrl = options.serverUrl.replace(/\/+$/, "");
  const base = `${serverUrl}/api/2.0/mlflow/`;
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoffMs = options.backoffMs ?? 200;
  const counters: MlflowClientStats = { requests: 0, points: 0 };

  async function once(path: string, init: RequestInit): Promise<Response> {
    counters.requests += 1;
    return doFetch(base + path, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  }

  async function call<T>(method: "GET" | "POST", path: string, payload: Record<string, unknown>): Promise<T> {
    const headers: Record<string, string> = { ...options.headers };
    let url = path;
    const init: RequestInit = { method, headers };
    if (method === "GET") url += `?${new URLSearchParams(payload as Record<string, string>).toString()}`;
    else {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(payload);
    }
    for (let attempt = 1; ; attempt += 1) {
      let response: Response | null = null;
      try {
        response = await once(url, init);
      } catch (error) {
        const timedOut = (error as Error | null)?.name === "TimeoutError";
        // A timed-out request may have been applied (log-batch is not idempotent): never resend it.
        if (timedOut || attempt >= attempts) {
          const why = timedOut ? `no answer within ${timeoutMs} ms` : `cannot connect (${networkReason(error)})`;
          throw failure(`MLflow ${path}: ${why}`, { kind: "unavailable", status: null, errorCode: null }, error);
        }
      }
      if (response) {
        let text: string;
        try {
          text = await response.text();
        } catch (error) {
          // The headers came but the body stalled (or broke off): the request may have been applied, so it is not sent again.
          const why =
            (error as Error | null)?.name === "TimeoutError"
              ? `the answer stalled (no complete body within ${timeoutMs} ms)`
              : `the answer broke off (${networkReason(error)})`;
          throw failure(`MLflow ${path}: ${why}`, { kind: "unavailable", status: response.status, errorCode: null }, error);
        }
        if (response.ok) return parseBody<T>(path, text);
        if (!RETRY_STATUSES.has(response.status) || attempt >= attempts) throw httpFailure(path, response, text);
      }
      await sleep(retryDelay(response, attempt, backoffMs));
    }
  }

  async function getExperimentByName(name: string): Promise<MlflowExperiment | null> {
    try {
      const query = { experiment_name: name };
      return (await call<{ experiment: MlflowExperiment }>("GET", "experiments/get-by-name", query)).experiment;
    } catch (error) {
      if (mlflowFailureOf(error)?.errorCode === "RESOURCE_DOES_NOT_EXIST") return null;
      throw error;
    }
  }

  async function getMetricHistory(runId: string, key: string): Promise<MlflowMetric[]> {
    const all: MlflowMetric[] = [];
    let pageToken: string | undefined;
    do {
      const query: Record<string, unknown> = { run_id: runId, metric_key: key, max_results: "25000" };
      if (pageToken) query["page_token"] = pageToken;
      type Page = { metrics?: MlflowMetric[]; next_page_token?: string };
      const body = await call<Page>("GET", "metrics/get-history", query);
      all.push(...(body.metrics ?? []));
      pageToken = body.next_page_token;
    } while (pageToken);
    return all;
  }

  return {
    serverUrl,
    getExperimentByName,
    async createExperiment(name) {
      return (await call<{ experiment_id: string }>("POST", "experiments/create", { name })).experiment_id;
    },
    async createRun({ experimentId, runName, startTime, tags }) {
      const payload = { experiment_id: experimentId, run_name: runName, start_time: startTime, tags };
      const created = (await call<{ run?: MlflowRun }>("POST", "runs/create", payload)).run;
      if (!created?.info?.run_id) throw failure("MLflow runs/create: the answer holds no run", { kind: "rejected", status: 200, errorCode: null });
      return created;
    },
    async logBatch(runId, batch) {
      await call("POST", "runs/log-batch", { run_id: runId, ...batch });
      counters.points += batch.metrics.length + batch.params.length + batch.tags.length;
    },
    async updateRun(runId, status, endTime) {
      const payload = endTime === undefined ? { run_id: runId, status } : { run_id: runId, status, end_time: endTime };
      await call("POST", "runs/update", payload);
    },
    async setTag(runId, key, value) {
      await call("POST", "runs/set-tag", { run_id: runId, key, value });
    },
    async searchRuns(experimentIds, filter, maxResults = 100) {
      const payload = { experiment_ids: experimentIds, filter, max_results: maxResults };
      return (await call<{ runs?: MlflowRun[] }>("POST", "runs/search", payload)).runs ?? [];
    },
    async getRun(runId) {
      return (await call<{ run: MlflowRun }>("GET", "runs/get", { run_id: runId })).run;
    },
    getMetricHistory,
    stats: () => ({ ...counters }),
  };
}

function parseBody<T>(path: string, text: string): T {
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch (error) {
    const why = `MLflow ${path}: the answer is not JSON; is the server_url an MLflow tracking server?`;
    throw failure(why, { kind: "rejected", status: 200, errorCode: null }, error);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw failure(`MLflow ${path}: the answer is not a JSON object; is the server_url an MLflow tracking server?`, {
      kind: "rejected",
      status: 200,
      errorCode: null,
    });
  }
  return body as T;
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  return cause?.code ?? cause?.message ?? (error as Error | null)?.message ?? String(error);
}

function httpFailure(path: string, response: Response, text: string): RunnableError {
  let errorCode: string | null = null;
  let message = text.slice(0, 500);
  try {
    const body = JSON.parse(text) as { error_code?: string; message?: string };
    errorCode = body.error_code ?? null;
    message = body.message ?? message;
  } catch {
    // not JSON (e.g. a proxy's HTML page): keep the raw text
  }
  const kind = RETRY_STATUSES.has(response.status) ? "unavailable" : "rejected";
  const label = errorCode ? `${response.status} ${errorCode}` : `HTTP ${response.status}`;
  return failure(`MLflow ${path}: ${label}: ${message}`, { kind, status: response.status, errorCode });
}
