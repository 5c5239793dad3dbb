import { basename } from "node:path";
import { z } from "zod";
import { RunnableError, type Problem } from "../core/errors.js";
import { analyseDag, invalidPipeline } from "../definition/build-graph.js";
import { serialiseGraph } from "../definition/serialise.js";
import { issueFindings } from "../source/zod-issues.js";
import type { JobRecord } from "./job-run.js";
import type { PipelineSource } from "./load-pipeline-source.js";

const docPath = z.array(z.union([z.string(), z.number()]));
const located = { file: z.string(), line: z.number().int(), col: z.number().int() };

/** What `Pipeline.execute()` of the Python SDK sends: runnable's YAML `dag`, where each step was written, problems found. */
export const sdkPayloadSchema = z.object({
  version: z.literal(1),
  dag: z.record(z.string(), z.unknown()),
  problems: z.array(z.object({ message: z.string(), path: docPath, ...located })),
  positions: z.array(z.object({ path: docPath, ...located })),
  file: z.string(),
  /** Present when the script ran a job (`PythonJob(...).execute()`): what the run records of it. */
  job: z
    .object({
      definition_file: z.string(),
      task: z.record(z.string(), z.unknown()),
      catalog_settings: z.array(z.string()),
      store_copy: z.boolean(),
    })
    .optional(),
  arguments: z
    .object({
      configuration_file: z.string(),
      run_id: z.string(),
      tag: z.string(),
      parameters_file: z.string(),
      use_cached: z.string(),
      log_level: z.string(),
      output_pipeline_definition: z.string(),
    })
    .partial()
    .default({}),
});

/** A parsed SDK payload. */
export type SdkPayload = z.infer<typeof sdkPayloadSchema>;

/** Parses the JSON text of a payload (a protocol fault is an INTERNAL error: both ends are ours). */
export function parseSdkPayload(text: string): SdkPayload {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RunnableError("INTERNAL", `the Python SDK sent a pipeline that is not JSON: ${(error as Error).message}`);
  }
  const parsed = sdkPayloadSchema.safeParse(value);
  if (!parsed.success) {
    const [first] = issueFindings(parsed.error.issues, value, sdkPayloadSchema);
    const where = first && first.path.length > 0 ? `${first.path.join(".")}: ` : "";
    throw new RunnableError(
      "INTERNAL",
      `the Python SDK sent an unexpected pipeline (${where}${first?.issue.message}); are the Python package and the command line from the same runnable-ts version?`,
    );
  }
  return parsed.data;
}

/** Places a problem at the source line of the innermost step (or pipeline) its path is under. */
function locate(problem: Problem, positions: SdkPayload["positions"]): Problem {
  const path = problem.path ?? "";
  let best: SdkPayload["positions"][number] | undefined;
  for (const position of positions) {
    const key = position.path.join(".");
    if ((path === key || path.startsWith(`${key}.`)) && (!best || key.length > best.path.join(".").length)) best = position;
  }
  return best ? { ...problem, file: best.file, line: best.line, col: best.col } : problem;
}

/**
 * The pipeline of an SDK payload, validated like YAML: every problem (the SDK's own and the graph's) is
 * reported at once, each at the line of the Python code that made the step. Records `dag_hash: ""` and
 * `pipeline_file: ""` as runnable does for SDK runs.
 */
export function sdkPipelineSource(payload: SdkPayload, cwd: string): PipelineSource {
  const analysed = analyseDag(payload.dag, { baseDir: cwd, cwd });
  const own: Problem[] = payload.problems.map((p) => ({ message: p.message, file: p.file, line: p.line, col: p.col, path: p.path.join(".") }));
  const taken = new Set(own.map((p) => p.path));
  const graphProblems = analysed.problems.filter((p) => !taken.has(p.path)).map((p) => locate(p, payload.positions));
  const problems = [...own, ...graphProblems];
  if (problems.length > 0 || !analysed.graph) throw invalidPipeline(`Pipeline ${payload.file || "(Python SDK)"}`, problems);
  const graph = analysed.graph;
  const name = typeof payload.dag["name"] === "string" && payload.dag["name"] ? payload.dag["name"] : basename(payload.file || "pipeline.py");
  const job = payload.job ? jobRecordOf(payload.job) : undefined;
  return { kind: "graph", graph, serialised: serialiseGraph(graph), name, file: null, dagHash: "", ...(job ? { job } : {}) };
}

function jobRecordOf(job: NonNullable<SdkPayload["job"]>): JobRecord {
  return { definitionFile: job.definition_file, executionMode: "python", task: job.task, catalogSettings: job.catalog_settings, storeCopy: job.store_copy };
}
