import type { MetricPoint, TrackedRun } from "../../../ports/experiment-tracker.js";
import { mlflowTrackerConfigSchema } from "./index.js";
import type { MlflowBatch, MlflowMetric } from "./mlflow-client.js";
import { createMlflowTracker, type MlflowTrackerDeps } from "./mlflow.js";

// An in-memory MLflow tracking server behind a `fetch` for the tracker's unit tests (the real server
// is in mlflow.integration.test.ts and tests/tracking.test.ts).

/** A run the fake server holds. */
export interface FakeRun {
  run_id: string;
  experiment_id: string;
  run_name: string;
  status: string;
  end_time?: number;
  tags: Map<string, string>;
  params: Map<string, string>;
  metrics: MlflowMetric[];
}

/** What the fake server holds. */
interface FakeState {
  experiments: Map<string, string>;
  runs: Map<string, FakeRun>;
  batches: MlflowBatch[];
}

const ok = (body: unknown = {}) => new Response(JSON.stringify(body), { status: 200 });
const fail = (code: string, status = 400) => new Response(JSON.stringify({ error_code: code, message: code }), { status });
const info = (run: FakeRun) => ({ run_id: run.run_id, experiment_id: run.experiment_id, run_name: run.run_name, status: run.status });
const pairs = (map: Map<string, string>) => [...map].map(([key, value]) => ({ key, value }));

function logBatch({ runs, batches }: FakeState, body: Record<string, unknown>): Response {
  const run = runs.get(String(body["run_id"]))!;
  const batch = body as unknown as MlflowBatch;
  const { metrics, params, tags } = batch;
  if (metrics.length + params.length + tags.length > 1000 || params.length > 100 || tags.length > 100) return fail("INVALID_PARAMETER_VALUE");
  for (const p of batch.params) if (run.params.has(p.key) && run.params.get(p.key) !== p.value) return fail("INVALID_PARAMETER_VALUE");
  batches.push(batch);
  for (const p of batch.params) run.params.set(p.key, p.value);
  for (const t of batch.tags) run.tags.set(t.key, t.value);
  run.metrics.push(...batch.metrics);
  return ok();
}

function createRun({ runs }: FakeState, body: Record<string, unknown>): Response {
  const run: FakeRun = {
    run_id: `mlrun${runs.size}`,
    experiment_id: String(body["experiment_id"]),
    run_name: String(body["run_name"]),
    status: "RUNNING",
    tags: new Map(),
    params: new Map(),
    metrics: [],
  };
  for (const t of body["tags"] as { key: string; value: string }[]) run.tags.set(t.key, t.value);
  runs.set(run.run_id, run);
  return ok({ run: { info: info(run), data: {} } });
}

/** `runs/search` for the filters the tracker writes: tags compared with `=` and `attributes.run_name`. */
function searchRuns({ runs }: FakeState, body: Record<string, unknown>): Response {
  const filter = String(body["filter"]);
  const wanted = [...filter.matchAll(/tags\.`([^`]+)` = (?:'([^']*)'|"([^"]*)")/g)].map((m) => [m[1]!, m[2] ?? m[3]!] as const);
  const name = /attributes\.run_name = '([^']*)'/.exec(filter)?.[1];
  const found = [...runs.values()]
    .reverse() // newest first, as MLflow orders a search by default
    .filter((r) => wanted.every(([key, value]) => r.tags.get(key) === value) && (name === undefined || r.run_name === name))
    .slice(0, Number(body["max_results"] ?? 100));
  return ok({ runs: found.map((r) => ({ info: info(r), data: { params: pairs(r.params), tags: pairs(r.tags) } })) });
}

function route(state: FakeState, path: string, body: Record<string, unknown>): Response {
  const { experiments, runs } = state;
  switch (path) {
    case "experiments/get-by-name": {
      const id = experiments.get(String(body["experiment_name"]));
      return id === undefined ? fail("RESOURCE_DOES_NOT_EXIST", 404) : ok({ experiment: { experiment_id: id, name: body["experiment_name"] } });
    }
    case "experiments/create": {
      if (experiments.has(String(body["name"]))) return fail("RESOURCE_ALREADY_EXISTS");
      experiments.set(String(body["name"]), String(experiments.size));
      return ok({ experiment_id: experiments.get(String(body["name"])) });
    }
    case "runs/create":
      return createRun(state, body);
    case "runs/search":
      return searchRuns(state, body);
    case "runs/log-batch":
      return logBatch(state, body);
    case "runs/update": {
      const run = runs.get(String(body["run_id"]))!;
      run.status = String(body["status"]);
      if (body["end_time"] !== undefined) run.end_time = Number(body["end_time"]);
      return ok();
    }
    default:
      return fail("ENDPOINT_NOT_FOUND", 404);
  }
}

/** An in-memory MLflow tracking server behind a `fetch`, enough for the tracker's calls. */
export function fakeMlflow() {
  const state: FakeState = { experiments: new Map([["Default", "0"]]), runs: new Map(), batches: [] };
  const calls: string[] = [];
  const hooks = {
    before: null as ((path: string, body: Record<string, unknown>) => Response | undefined) | null,
    delayMs: 0,
  };
  const fetchFn = async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const path = url.pathname.replace("/api/2.0/mlflow/", "");
    const body = init.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : Object.fromEntries(url.searchParams);
    calls.push(path);
    if (hooks.delayMs) await new Promise((resolve) => setTimeout(resolve, hooks.delayMs));
    return hooks.before?.(path, body) ?? route(state, path, body);
  };
  return { fetch: fetchFn as typeof fetch, ...state, calls, hooks };
}

/** A run id, tag, pipeline and commit. */
export const RUN: TrackedRun = { runId: "bold-turing-0042", tag: "exp-a", pipelineName: "train", gitCommit: "abc123" };
/** A metric point (value at step, recorded at time_ms). */
export const point = (key: string, value: unknown, step = 0, time_ms = 1_700_000_000_000): MetricPoint => ({ key, value, step, time_ms });

/** A tracker on a fresh fake server, the warnings it gave and the only MLflow run made. */
export function setup(config: Record<string, unknown> = {}, deps: MlflowTrackerDeps = {}) {
  const server = fakeMlflow();
  const warnings: string[] = [];
  const parsed = mlflowTrackerConfigSchema.parse({ server_url: "http://mlflow.test", ...config });
  const context = { cwd: "/", env: {}, warn: (m: string) => warnings.push(m) };
  const tracker = createMlflowTracker({ ...parsed, server_url: parsed.server_url ?? "http://mlflow.test" }, context, {
    fetch: server.fetch,
    lingerMs: 5,
    backoffMs: 1,
    ...deps,
  });
  const only = () => [...server.runs.values()][0]!;
  return { server, warnings, tracker, only };
}
