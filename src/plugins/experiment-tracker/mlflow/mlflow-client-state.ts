import { withRetry } from "../../../io/retry.js";
import type { MlflowClientOptions, MlflowClientStats, MlflowExperiment, MlflowMetric } from "./mlflow-client.js";
import { bodyFailure, httpFailure, mlflowFailureOf, parseBody, retryOf, sendFailure } from "./mlflow-failures.js";

// What one MLflow client holds (where the server is, how to reach it, its counters) and how a request
// goes: sent with a timeout, tried again after a refused connection or a busy status (429, 502, 503,
// 504) up to `attempts` times, waiting the server's Retry-After or a doubling backoff.

/** The state of one MLflow client. */
export interface MlflowClientState {
  /** The server without trailing slashes. */
  readonly serverUrl: string;
  /** `<serverUrl>/api/2.0/mlflow/`. */
  readonly base: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  /** Tries per request for retryable failures. */
  readonly attempts: number;
  /** First retry delay; doubles per retry. */
  readonly backoffMs: number;
  readonly counters: MlflowClientStats;
}

/** A client's state from its options, with their defaults. */
export function clientState(options: MlflowClientOptions): MlflowClientState {
  const serverUrl = options.serverUrl.replace(/\/+$/, "");
  return {
    serverUrl,
    base: `${serverUrl}/api/2.0/mlflow/`,
    headers: { ...options.headers },
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? 5000,
    attempts: Math.max(1, options.attempts ?? 3),
    backoffMs: options.backoffMs ?? 200,
    counters: { requests: 0, points: 0 },
  };
}

/** Calls one REST endpoint (GET with a query, POST with a JSON body); failures throw `TRACKER_ERROR`. */
export function call<T>(state: MlflowClientState, method: "GET" | "POST", path: string, payload: Record<string, unknown>): Promise<T> {
  const headers: Record<string, string> = { ...state.headers };
  let url = path;
  const init: RequestInit = { method, headers };
  if (method === "GET") url += `?${new URLSearchParams(payload as Record<string, string>).toString()}`;
  else {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(payload);
  }
  return withRetry(() => send<T>(state, path, url, init), {
    retryable: (error) => retryOf(error) !== undefined,
    attempts: state.attempts,
    deadlineMs: Number.POSITIVE_INFINITY,
    delayMs: (error, attempt) => retryOf(error)?.afterMs ?? state.backoffMs * 2 ** (attempt - 1),
  });
}

/** One try of a request: the answer's JSON object, or a failure that says whether to try again. */
async function send<T>(state: MlflowClientState, path: string, url: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    state.counters.requests += 1;
    response = await state.fetch(state.base + url, { ...init, signal: AbortSignal.timeout(state.timeoutMs) });
  } catch (error) {
    throw sendFailure(path, error, state.timeoutMs);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw bodyFailure(path, response.status, error, state.timeoutMs);
  }
  if (response.ok) return parseBody<T>(path, text);
  throw httpFailure(path, response, text);
}

/** The experiment of that name, or null when there is none. */
export async function getExperimentByName(state: MlflowClientState, name: string): Promise<MlflowExperiment | null> {
  try {
    const query = { experiment_name: name };
    return (await call<{ experiment: MlflowExperiment }>(state, "GET", "experiments/get-by-name", query)).experiment;
  } catch (error) {
    if (mlflowFailureOf(error)?.errorCode === "RESOURCE_DOES_NOT_EXIST") return null;
    throw error;
  }
}

/** Every recorded value of one metric, page after page. */
export async function getMetricHistory(state: MlflowClientState, runId: string, key: string): Promise<MlflowMetric[]> {
  const all: MlflowMetric[] = [];
  let pageToken: string | undefined;
  do {
    const query: Record<string, unknown> = { run_id: runId, metric_key: key, max_results: "25000" };
    if (pageToken) query["page_token"] = pageToken;
    type Page = { metrics?: MlflowMetric[]; next_page_token?: string };
    const body = await call<Page>(state, "GET", "metrics/get-history", query);
    all.push(...(body.metrics ?? []));
    pageToken = body.next_page_token;
  } while (pageToken);
  return all;
}
