import type { Comparison } from "../../src/ui/compare.js";
import type { LogPage } from "../../src/ui/log-page.js";
import type { BranchItem, MetricSeries, stepDetails } from "../../src/ui/run-details.js";
import type { RunDigest } from "../../src/ui/run-digest.js";
import type { GraphBranch, GraphNode, StatusCounts } from "../../src/ui/run-graph.js";
import type { RunPage } from "../../src/ui/run-query.js";

export type { BranchItem, Comparison, GraphBranch, GraphNode, LogPage, MetricSeries, RunDigest, RunPage, StatusCounts };

/** A step log location: (step key, branch key) pairs. */
export type Location = ReadonlyArray<readonly [string, string]>;

/** The run page's data. */
export interface RunView {
  run: RunDigest & {
    dag_hash: string | null;
    parameters: Record<string, unknown>;
    /** Kinds of the non-JSON parameters (`object`: the value names an object in the catalog; `metric`). */
    parameter_kinds: Record<string, string>;
    run_config: Record<string, unknown>;
  };
  branch: Location;
  graph: GraphBranch;
}

/** A step's panel data. */
export type StepView = ReturnType<typeof stepDetails>;

/** A page of a composite step's items. */
export interface ItemsView {
  total: number;
  matched: number;
  counts: Record<string, number>;
  offset: number;
  items: BranchItem[];
}

/** An API failure with the server's message. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** GETs a JSON API path (relative to /api/). */
export async function getJson<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== "") query.set(key, String(value));
  const text = query.toString();
  const response = await fetch(`/api/${path}${text ? `?${text}` : ""}`, { headers: { Accept: "application/json" } });
  const body = (await response.json().catch(() => ({}))) as { error?: { message?: string; hint?: string } };
  if (!response.ok) throw new ApiError(body.error?.message ?? `${response.status} ${response.statusText}`, response.status);
  return body as T;
}

/** The URL path of a run's API. */
export const runPath = (runId: string, what?: string): string => `runs/${encodeURIComponent(runId)}${what ? `/${what}` : ""}`;

/** The download URL of a catalog file. */
export const fileUrl = (runId: string, name: string): string => `/api/${runPath(runId, "file")}?name=${encodeURIComponent(name)}`;
