import type { DagNode, Graph, MapNode, ParallelNode } from "../core/graph.js";
import { DAG_BRANCH, MAP_PLACEHOLDER, stepNameProblem } from "../core/names.js";
import { report } from "./context.js";
import type { BuildContext } from "./context.js";
import { loadDagDefinition } from "./dag-include.js";
import { dagSchema, mapSchema, parallelSchema } from "./node-schemas.js";
import { nodeBase, reportStepIssues, traversalOf } from "./step-input.js";
import type { StepInput } from "./step-input.js";
import { isMapping } from "../core/values.js";

/** Builds a `parallel` step and each of its branches. */
export function buildParallel(ctx: BuildContext, input: StepInput): ParallelNode | undefined {
  const parsed = parallelSchema.safeParse(input.config);
  if (!parsed.success) reportStepIssues(ctx, parsed.error, input, parallelSchema);
  const raw = input.config.branches;
  if (!isMapping(raw)) return undefined;
  const branchesPath = [...input.path, "branches"];
  if (Object.keys(raw).length === 0) {
    report(ctx, branchesPath, `${input.label}: "branches" is empty; a parallel step needs at least one branch`);
  }
  const branches: Record<string, Graph> = {};
  for (const [key, value] of Object.entries(raw)) {
    const problem = stepNameProblem(key, "branch name");
    if (problem) report(ctx, [...branchesPath, key], `${input.label}: ${problem} (rename the branch)`, "key");
    const graph = ctx.buildBranch(ctx, value, [...branchesPath, key], `${input.internalName}.${key}`);
    if (graph) branches[key] = graph;
  }
  if (!parsed.success) return undefined;
  return { kind: "parallel", ...nodeBase(ctx, input), ...traversalOf(parsed.data), branches };
}

/** Builds a `map` step and its branch. */
export function buildMap(ctx: BuildContext, input: StepInput): MapNode | undefined {
  const parsed = mapSchema.safeParse(input.config);
  if (!parsed.success) reportStepIssues(ctx, parsed.error, input, mapSchema);
  const raw = input.config.branch;
  let branch: Graph | undefined;
  if (raw === undefined || raw === null) {
    report(ctx, input.path, `${input.label}: missing required key "branch" (the graph run once per item)`, "key");
  } else {
    branch = ctx.buildBranch(ctx, raw, [...input.path, "branch"], `${input.internalName}.${MAP_PLACEHOLDER}`);
  }
  if (!parsed.success || !branch) return undefined;
  const { iterate_on, iterate_as, reducer } = parsed.data;
  return {
    kind: "map",
    ...nodeBase(ctx, input),
    ...traversalOf(parsed.data),
    iterateOn: iterate_on,
    iterateAs: iterate_as,
    branch,
    reducer: reducer ?? null,
  };
}

/** Builds a `dag` step from the file named by its `dag_definition`, or from its inline `dag` (SDK pipelines). */
export function buildDag(ctx: BuildContext, input: StepInput): DagNode | undefined {
  const parsed = dagSchema.safeParse(input.config);
  if (!parsed.success) reportStepIssues(ctx, parsed.error, input, dagSchema);
  const { dag_definition: definition, dag: inline } = input.config;
  const branchName = `${input.internalName}.${DAG_BRANCH}`;
  if ((definition === undefined) === (inline === undefined)) {
    report(ctx, input.path, `${input.label}: give exactly one of "dag_definition" (a YAML file to include) and "dag" (the nested graph)`, "key");
    return undefined;
  }
  if (inline !== undefined) {
    const graph = ctx.buildBranch(ctx, inline, [...input.path, "dag"], branchName);
    if (!parsed.success || !graph) return undefined;
    return { kind: "dag", ...nodeBase(ctx, input), ...traversalOf(parsed.data), dagDefinition: "", branch: graph };
  }
  if (typeof definition !== "string" || definition.trim() === "") return undefined;
  const branch = loadDagDefinition(ctx, input, definition, branchName);
  if (!parsed.success || !branch) return undefined;
  return { kind: "dag", ...nodeBase(ctx, input), ...traversalOf(parsed.data), dagDefinition: definition, branch };
}
