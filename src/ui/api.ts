import { z } from "zod";
import { RunnableError } from "../core/errors.js";
import type { LogLocation, RunLog } from "../core/run-log.js";
import type { Catalog, StoredFile } from "../ports/catalog.js";
import { compareRuns } from "./compare.js";
import { unsafeRelativePath } from "./http-safety.js";
import { readLogPage } from "./log-pages.js";
import { branchItems, runMetrics, stepDetails } from "./run-details.js";
import { type RunDigest, digestFromSummary, digestRun } from "./run-digest.js";
import { runGraph } from "./run-graph.js";
import type { RunIndex } from "./run-index.js";
import { queryRuns } from "./run-query.js";
import { type SweepCache, goalsParam, sweepLines, sweepsOf, sweepTables } from "./sweep-api.js";
import { stepAtLocation } from "./walk.js";

/** What an API handler answers: JSON, or a stored file to stream. */
export type ApiAnswer = { json: unknown } | { file: StoredFile; name: string };

/** What the handlers read from. */
export interface ApiContext {
  index: RunIndex;
  catalog: Catalog;
  /** Sweeps derived from run logs the index handed out. */
  sweeps: SweepCache;
  /** Digests of run logs the index handed out (a live run's page asks every second). */
  digests: WeakMap<RunLog, RunDigest>;
}

const locationSchema = z.array(z.tuple([z.string(), z.string()]));

function badRequest(message: string, hint?: string): RunnableError {
  return new RunnableError("CLI_USAGE", message, hint ? { hint } : {});
}

function parseLocation(text: string | null, what: string): LogLocation {
  if (text === null || text === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest(`The ${what} parameter is not JSON`, 'It is a list of [step key, branch key] pairs, e.g. [["m","m.a"]].');
  }
  const result = locationSchema.safeParse(parsed);
  if (!result.success) throw badRequest(`The ${what} parameter is not a list of [step key, branch key] pairs`);
  return result.data;
}

const intParam = (params: URLSearchParams, name: string): number | undefined => {
  const text = params.get(name);
  if (text === null || text === "") return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw badRequest(`The ${name} parameter must be a whole number ≥ 0, not "${text}"`);
  return value;
};

const optional = (params: URLSearchParams, name: string): string | undefined => params.get(name) ?? undefined;

async function digestOf(ctx: ApiContext, run: RunLog): Promise<RunDigest> {
  const listed = (await ctx.index.digests()).find((d) => d.run_id === run.run_id);
  const summary =
    listed ?? digestFromSummary({ run_id: run.run_id, status: run.status, tag: run.tag, pipeline_file: run.run_config.pipeline_file, updated_ms: null });
  let digest = ctx.digests.get(run);
  if (!digest) ctx.digests.set(run, (digest = digestRun(run, summary)));
  return { ...digest, stale: summary.stale, updated_ms: summary.updated_ms };
}

async function runsList(ctx: ApiContext, params: URLSearchParams): Promise<ApiAnswer> {
  const wait = intParam(params, "wait");
  await ctx.index.digests();
  if (wait) await ctx.index.settled(Math.min(wait, 30_000));
  const query = {
    status: optional(params, "status"),
    tag: optional(params, "tag"),
    pipeline: optional(params, "pipeline"),
    q: optional(params, "q"),
    filter: optional(params, "filter"),
    sort: optional(params, "sort"),
    goals: goalsParam(params),
    offset: intParam(params, "offset"),
    limit: intParam(params, "limit"),
  };
  return { json: { ...queryRuns(await ctx.index.digests(), query, ctx.index.pending()), listed_ms: ctx.index.listedMs() } };
}

async function runPage(ctx: ApiContext, runId: string, params: URLSearchParams): Promise<ApiAnswer> {
  const run = await ctx.index.run(runId);
  const branch = parseLocation(params.get("branch"), "branch");
  const graph = runGraph(run, branch);
  if (!graph) throw new RunnableError("RUN_NOT_FOUND", `Run ${runId} has no branch at ${JSON.stringify(branch)}`);
  const { dag: _dag, ...config } = run.run_config;
  const kinds = run.parameter_kinds ?? {};
  return {
    json: {
      run: { ...(await digestOf(ctx, run)), dag_hash: run.dag_hash, parameters: run.parameters, parameter_kinds: kinds, run_config: config },
      branch,
      graph,
    },
  };
}

async function stepOf(ctx: ApiContext, runId: string, params: URLSearchParams) {
  const run = await ctx.index.run(runId);
  const location = parseLocation(params.get("loc"), "loc");
  const key = params.get("key") ?? "";
  const step = stepAtLocation(run, location, key);
  if (!step) throw new RunnableError("RUN_NOT_FOUND", `Run ${runId} has no step "${key}" at ${JSON.stringify(location)}`);
  return { step, location };
}

function catalogName(params: URLSearchParams): string {
  const name = params.get("name") ?? "";
  const problem = unsafeRelativePath(name);
  if (problem)
    throw new RunnableError("CATALOG_ERROR", `Refusing catalog path ${JSON.stringify(name)}: it ${problem}`, {
      hint: "Use a name from the step's catalog entries.",
    });
  return name;
}

async function compare(ctx: ApiContext, params: URLSearchParams): Promise<ApiAnswer> {
  const ids = (params.get("runs") ?? "")
    .split(",")
    .map((id) => id.trim())
    .filter(Boolean);
  if (ids.length < 2) throw badRequest("Compare needs two or more run ids: ?runs=a,b");
  const runs = await Promise.all(ids.map((id) => ctx.index.run(id)));
  return { json: compareRuns(runs, await Promise.all(runs.map((run) => digestOf(ctx, run))), goalsParam(params)) };
}

/** Answers a GET of the read-only API; `parts` are the decoded path segments after `/api/`. */
export async function answerApi(ctx: ApiContext, parts: string[], params: URLSearchParams): Promise<ApiAnswer> {
  const [first, runId, what, ...rest] = parts;
  if (rest.length === 0 && first === "health" && runId === undefined) return { json: { ok: true } };
  if (first === "compare" && runId === undefined) return compare(ctx, params);
  if (first !== "runs" || rest.length > 0) throw new RunnableError("FILE_NOT_FOUND", `No API at /api/${parts.join("/")}`);
  if (runId === undefined) return runsList(ctx, params);
  if (what === undefined) return runPage(ctx, runId, params);
  if (what === "metrics") return { json: { series: runMetrics(await ctx.index.run(runId)) } };
  if (what === "sweeps") return { json: { sweeps: sweepTables(sweepsOf(ctx.sweeps, await ctx.index.run(runId), goalsParam(params))) } };
  if (what === "sweep-lines") {
    const sweeps = sweepsOf(ctx.sweeps, await ctx.index.run(runId), goalsParam(params));
    return { json: sweepLines(sweeps, params.get("step") ?? "", params.get("metric") ?? "") };
  }
  if (what === "step") {
    const { step, location } = await stepOf(ctx, runId, params);
    return { json: stepDetails(step, location) };
  }
  if (what === "items") {
    const { step, location } = await stepOf(ctx, runId, params);
    const query = { q: optional(params, "q"), status: optional(params, "status"), offset: intParam(params, "offset"), limit: intParam(params, "limit") };
    return { json: branchItems(step, location, query) };
  }
  if (what === "log") {
    const page = { q: optional(params, "q"), offset: intParam(params, "offset"), limit: intParam(params, "limit") };
    return { json: await readLogPage(ctx.catalog, runId, catalogName(params), page) };
  }
  if (what === "file") {
    const name = catalogName(params);
    await ctx.index.run(runId);
    return { file: await ctx.catalog.readFile(runId, name), name };
  }
  throw new RunnableError("FILE_NOT_FOUND", `No API at /api/${parts.join("/")}`);
}
