import type { ConditionalNode, Graph, LoopNode } from "../core/graph.js";
import { DEFAULT_BRANCH, LOOP_PLACEHOLDER, stepNameProblem } from "../core/names.js";
import { isMapping } from "../core/values.js";
import { report } from "./context.js";
import type { BuildContext } from "./context.js";
import { conditionalSchema, loopSchema } from "./node-schemas.js";
import { nodeBase, reportStepIssues, traversalOf } from "./step-input.js";
import type { StepInput } from "./step-input.js";

// runnable 0.50's control steps: `conditional` (one branch chosen by a parameter's value) and `loop`
// (one branch repeated until a boolean parameter is true, at most `max_iterations` times).

/** Builds a `conditional` step, its branches and its optional `default` branch. */
export function buildConditional(ctx: BuildContext, input: StepInput): ConditionalNode | undefined {
  const parsed = conditionalSchema.safeParse(input.config);
  if (!parsed.success) reportStepIssues(ctx, parsed.error, input, conditionalSchema);
  const raw = input.config.branches;
  const fallback = input.config.default;
  const branchesPath = [...input.path, "branches"];
  const branches: Record<string, Graph> = {};
  if (isMapping(raw)) {
    if (Object.keys(raw).length === 0) report(ctx, branchesPath, `${input.label}: "branches" is empty; a conditional step needs at least one branch`);
    for (const [key, value] of Object.entries(raw)) {
      if (!checkKey(ctx, input, key, fallback !== undefined && fallback !== null)) continue;
      const graph = ctx.buildBranch(ctx, value, [...branchesPath, key], `${input.internalName}.${key}`);
      if (graph) branches[key] = graph;
    }
  }
  let defaultBranch: Graph | null = null;
  if (fallback !== undefined && fallback !== null) {
    defaultBranch = ctx.buildBranch(ctx, fallback, [...input.path, "default"], `${input.internalName}.${DEFAULT_BRANCH}`) ?? null;
    if (!defaultBranch) return undefined;
  }
  if (!parsed.success) return undefined;
  const { parameter } = parsed.data;
  return { kind: "conditional", ...nodeBase(ctx, input), ...traversalOf(parsed.data), parameter, branches, default: defaultBranch };
}

/** A branch key must be a usable branch name, distinct from the `default:` branch's record. */
function checkKey(ctx: BuildContext, input: StepInput, key: string, hasDefault: boolean): boolean {
  const at = [...input.path, "branches", key];
  const problem = stepNameProblem(key, "branch name");
  if (problem) {
    report(ctx, at, `${input.label}: ${problem} (rename the branch)`, "key");
    return false;
  }
  if (key === DEFAULT_BRANCH && hasDefault) {
    report(
      ctx,
      at,
      `${input.label}: a branch keyed "default" and a "default:" branch would both be recorded as "${input.internalName}.default"; rename the branch`,
      "key",
    );
    return false;
  }
  return true;
}

/** Builds a `loop` step and its branch (internal name `<step>.loop_variable_placeholder`). */
export function buildLoop(ctx: BuildContext, input: StepInput): LoopNode | undefined {
  const parsed = loopSchema.safeParse(input.config);
  if (!parsed.success) reportStepIssues(ctx, parsed.error, input, loopSchema);
  const raw = input.config.branch;
  let branch: Graph | undefined;
  if (raw === undefined || raw === null) {
    report(ctx, input.path, `${input.label}: missing required key "branch" (the graph run once per iteration)`, "key");
  } else {
    branch = ctx.buildBranch(ctx, raw, [...input.path, "branch"], `${input.internalName}.${LOOP_PLACEHOLDER}`);
  }
  if (!parsed.success || !branch) return undefined;
  const { max_iterations, break_on, index_as } = parsed.data;
  return {
    kind: "loop",
    ...nodeBase(ctx, input),
    ...traversalOf(parsed.data),
    branch,
    maxIterations: max_iterations,
    breakOn: break_on,
    indexAs: index_as ?? "",
  };
}
