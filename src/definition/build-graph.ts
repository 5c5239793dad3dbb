import { RunnableError, formatProblem } from "../core/errors.js";
import type { Problem } from "../core/errors.js";
import { NODE_KINDS } from "../core/graph.js";
import type { Graph, Node } from "../core/graph.js";
import { childName, nestingProblem } from "../core/names.js";
import { buildStep } from "./build-node.js";
import type { NodeKind } from "./build-node.js";
import { checkGraph } from "./check-graph.js";
import type { StepInfo } from "./check-graph.js";
import { describeValue } from "../source/zod-issues.js";
import { report } from "./context.js";
import type { BuildContext } from "./context.js";
import { realPathOf } from "./files.js";
import { sourceLocator } from "./step-input.js";
import { graphSchema } from "./node-schemas.js";
import type { AnalysedDag, BuildGraphOptions, DocPath } from "./types.js";
import { reportIssues } from "./zod-problems.js";
import { isMapping } from "../core/values.js";

/** Validates a dag block (YAML `dag:` or an SDK object) and builds its graph, collecting every problem. */
export function analyseDag(dag: unknown, options: BuildGraphOptions): AnalysedDag {
  const problems: Problem[] = [];
  const ctx: BuildContext = {
    source: { ...(options.file !== undefined && { file: options.file }), ...(options.positionOf && { positionOf: options.positionOf }) },
    baseDir: options.baseDir,
    cwd: options.cwd ?? process.cwd(),
    includeStack: options.sourcePath ? [realPathOf(options.sourcePath)] : [],
    problems,
    buildBranch: buildBranchGraph,
  };
  const graph = buildBranchGraph(ctx, options.owned ? dag : cloneInput(dag), options.rootPath ?? ["dag"], "");
  return { graph: problems.length === 0 ? graph : undefined, problems };
}

/** Like {@link analyseDag} but throws one PIPELINE_INVALID error listing every problem. */
export function buildGraph(dag: unknown, options: BuildGraphOptions): Graph {
  const { graph, problems } = analyseDag(dag, options);
  if (graph) return graph;
  throw invalidPipeline(options.file === undefined ? "The pipeline definition" : `Pipeline ${options.file}`, problems);
}

/** The PIPELINE_INVALID error for `problems` (sorted by file, line, col), one per line under a header. */
export function invalidPipeline(subject: string, found: Problem[]): RunnableError {
  const problems = sortProblems(found);
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const lines = problems.map(formatProblem).join("\n");
  const located = problems.some((problem) => problem.line !== undefined);
  return new RunnableError("PIPELINE_INVALID", `${subject} has ${count}:\n${lines}`, {
    problems,
    hint: located
      ? "Fix every problem listed; each starts with file:line:col of the offending key or value."
      : "Fix every problem listed; each names the step (and key) it is about.",
  });
}

/** Problems in reading order: files in order of first appearance, then line and column. */
function sortProblems(problems: Problem[]): Problem[] {
  const files = [...new Set(problems.map((p) => p.file))];
  const key = (p: Problem): number[] => [files.indexOf(p.file), p.line ?? Number.MAX_SAFE_INTEGER, p.col ?? Number.MAX_SAFE_INTEGER];
  return [...problems].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    return ka[0]! - kb[0]! || ka[1]! - kb[1]! || ka[2]! - kb[2]!;
  });
}

/** Works on a copy so that nothing built later can reach into (or change) the caller's object. */
function cloneInput(dag: unknown): unknown {
  try {
    return structuredClone(dag);
  } catch {
    return dag;
  }
}

/** Builds one graph (top level or branch); undefined when it or anything inside has problems. */
function buildBranchGraph(ctx: BuildContext, value: unknown, path: DocPath, internalBranchName: string): Graph | undefined {
  const where = internalBranchName ? `branch "${internalBranchName}"` : "the pipeline";
  const tooDeep = nestingProblem(internalBranchName);
  if (tooDeep) {
    report(ctx, path, `${where.length > 80 ? "a branch" : where}: ${tooDeep}`, "key");
    return undefined;
  }
  if (!isMapping(value)) {
    // The top level names its key: "the pipeline" alone does not say what to fix in `dag:` left empty.
    const what = internalBranchName ? where : `"dag" (the pipeline)`;
    report(ctx, path, `${what} must be a mapping with "start_at" and "steps", got ${describeValue(value)}`);
    return undefined;
  }
  const before = ctx.problems.length;
  // The steps are checked one by one below: parsing them as the schema's record too copied every step
  // (superlinear: ~20 ms for 10,000 steps, ~0.9 s for 100,000).
  const parsed = graphSchema.safeParse(isMapping(value.steps) ? { ...value, steps: {} } : value);
  if (!parsed.success) reportIssues(ctx, parsed.error.issues, value, path, { label: where, schema: graphSchema });
  const nodes = new Map<string, Node>();
  const infos: StepInfo[] = [];
  const steps = isMapping(value.steps) ? value.steps : {};
  const locate = sourceLocator(ctx, path);
  for (const [name, config] of Object.entries(steps)) {
    const stepPath = [...path, "steps", name];
    infos.push(stepInfo(name, config, stepPath));
    const node = buildStep(ctx, internalBranchName, name, config, stepPath, locate);
    if (node) nodes.set(name, node);
  }
  addTerminals(ctx, infos, nodes, internalBranchName, where);
  const startAt = typeof value.start_at === "string" ? value.start_at : undefined;
  checkGraph(ctx, { steps: infos, startAt, path, where, internalBranchName });
  if (ctx.problems.length > before || !parsed.success) return undefined;
  const { name = "", description = null, start_at } = parsed.data;
  return { name, description, startAt: start_at, internalBranchName, nodes };
}

function stepInfo(name: string, config: unknown, path: DocPath): StepInfo {
  const raw = isMapping(config) ? config : {};
  const kind = (NODE_KINDS as readonly unknown[]).includes(raw.type) ? (raw.type as NodeKind) : undefined;
  const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
  // terminal steps have no edges (a `next` on one is reported by the step builder)
  if (kind === "success" || kind === "fail") return { name, kind, next: undefined, onFailure: undefined, path };
  return { name, kind, next: text(raw.next), onFailure: text(raw.on_failure), path };
}

/** Adds `success`/`fail` nodes a graph lacks (§2.6, as the SDK does) and reports duplicates. */
function addTerminals(ctx: BuildContext, infos: StepInfo[], nodes: Map<string, Node>, internalBranchName: string, where: string): void {
  for (const kind of ["success", "fail"] as const) {
    const found = infos.filter((info) => info.kind === kind);
    const [first, ...extra] = found;
    for (const info of extra) {
      const message = `${where} has more than one ${kind} step ("${first?.name}" and "${info.name}"); keep exactly one`;
      report(ctx, info.path as DocPath, message, "key");
    }
    if (first) continue;
    const taken = infos.find((info) => info.name === kind);
    if (taken?.kind !== undefined) {
      const message = `${where} has no ${kind} step, and the name "${kind}" (used for the one added automatically) is taken by a ${taken.kind} step; rename that step or add a step with "type: ${kind}"`;
      report(ctx, taken.path as DocPath, message, "key");
    } else if (!taken) {
      infos.push({ name: kind, kind, next: undefined, onFailure: undefined, path: undefined });
      nodes.set(kind, { kind, name: kind, internalName: childName(internalBranchName, kind), internalBranchName });
    }
  }
}
