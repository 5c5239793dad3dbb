import { NODE_KINDS } from "../core/graph.js";
import type { CatalogSpec, Node, StubNode, TaskNode, TaskSpec } from "../core/graph.js";
import { catalogPatternProblem } from "../core/catalog-patterns.js";
import { childName, stepNameProblem } from "../core/names.js";
import { buildDag, buildMap, buildParallel } from "./build-composite.js";
import { buildConditional, buildLoop } from "./build-control.js";
import { describeValue } from "../source/zod-issues.js";
import { report } from "./context.js";
import type { BuildContext } from "./context.js";
import { NOTEBOOK_KEYS, STUB_KEYS, stubSchema, taskSchema } from "./node-schemas.js";
import { type Locate, nodeBase, reportStepIssues, traversalOf } from "./step-input.js";
import { taskReturns } from "./task-returns.js";
import type { StepInput } from "./step-input.js";
import { nearest } from "../core/suggest.js";
import type { DocPath } from "./types.js";
import { isMapping } from "../core/values.js";
import { withoutWrittenForm } from "./written-form.js";

/** Node kinds known to the definition layer. */
export type NodeKind = (typeof NODE_KINDS)[number];

/** The kind named by a step's `type`, or undefined (and a problem) when missing or unknown. */
function stepKind(ctx: BuildContext, config: Record<string, unknown>, path: DocPath, internalName: string): NodeKind | undefined {
  const type = config.type;
  const known = NODE_KINDS.join(", ");
  if (type === undefined || type === null) {
    report(ctx, path, `step "${internalName}" has no "type"; add one of: ${known}`, "key");
    return undefined;
  }
  if (typeof type === "string" && (NODE_KINDS as readonly string[]).includes(type)) return type as NodeKind;
  const near = typeof type === "string" ? nearest(type, NODE_KINDS) : undefined;
  const hint = near === undefined ? "" : ` (did you mean "${near}"?)`;
  report(ctx, [...path, "type"], `step "${internalName}": unknown type ${describeValue(type)}${hint}; known types: ${known}`);
  return undefined;
}

/** Builds one step of a graph; undefined when it has problems (all of them are reported). `locate` gives it its `source`. */
export function buildStep(ctx: BuildContext, internalBranchName: string, name: string, config: unknown, path: DocPath, locate: Locate): Node | undefined {
  const internalName = childName(internalBranchName, name);
  const nameProblem = stepNameProblem(name);
  if (nameProblem) report(ctx, path, `${nameProblem} (rename the step)`, "key");
  if (!isMapping(config)) {
    report(ctx, path, `step "${internalName}" must be a mapping with at least a "type" key, got ${describeValue(config)}`);
    return undefined;
  }
  const kind = stepKind(ctx, config, path, internalName);
  if (!kind) return undefined;
  // runnable's own written form (the SDK's runnable-pipeline.yaml) carries keys of its own: checked and set aside.
  const input = withoutWrittenForm(ctx, kind, { name, internalName, internalBranchName, config, path, label: `step "${internalName}" (${kind})` });
  const before = ctx.problems.length;
  const node = buildByKind(ctx, kind, input);
  return nameProblem || ctx.problems.length > before || !node ? undefined : locate(node);
}

function buildByKind(ctx: BuildContext, kind: NodeKind, input: StepInput): Node | undefined {
  switch (kind) {
    case "task":
      return buildTask(ctx, input);
    case "stub":
      return buildStub(ctx, input);
    case "success":
    case "fail":
      return buildTerminal(ctx, kind, input);
    case "parallel":
      return buildParallel(ctx, input);
    case "map":
      return buildMap(ctx, input);
    case "dag":
      return buildDag(ctx, input);
    case "conditional":
      return buildConditional(ctx, input);
    case "loop":
      return buildLoop(ctx, input);
  }
}

type CatalogInput = { get?: string[] | undefined; put?: string[] | undefined; store_copy?: boolean | undefined } | null | undefined;

function catalogOf(catalog: CatalogInput): CatalogSpec | null {
  if (!catalog) return null;
  return { get: [...(catalog.get ?? [])], put: [...(catalog.put ?? [])], ...(catalog.store_copy === false ? { storeCopy: false as const } : {}) };
}

/** Reports catalog patterns that are empty, absolute or walk up with `..` (refused before any step runs). */
function checkCatalogPatterns(ctx: BuildContext, input: StepInput, catalog: CatalogInput): boolean {
  let ok = true;
  for (const stage of ["get", "put"] as const) {
    for (const [index, pattern] of (catalog?.[stage] ?? []).entries()) {
      const problem = catalogPatternProblem(pattern);
      if (!problem) continue;
      const root = stage === "put" ? "the working directory" : "the run's catalog";
      const why = `catalog ${stage} pattern ${describeValue(pattern)} ${problem}; patterns are globs relative to ${root} (e.g. "data/*.csv")`;
      report(ctx, [...input.path, "catalog", stage, index], `${input.label}: ${why}`);
      ok = false;
    }
  }
  return ok;
}

function checkNotebookKeys(ctx: BuildContext, input: StepInput): void {
  const commandType = input.config.command_type ?? "python";
  if (commandType === "notebook") return;
  for (const key of NOTEBOOK_KEYS) {
    if (!(key in input.config)) continue;
    const why = `is only allowed when command_type is notebook (this task's command_type is ${describeValue(commandType)})`;
    report(ctx, [...input.path, key], `${input.label}: "${key}" ${why}`, "key");
  }
}

function buildTask(ctx: BuildContext, input: StepInput): TaskNode | undefined {
  const parsed = taskSchema.safeParse(input.config);
  checkNotebookKeys(ctx, input);
  const returns = taskReturns(ctx, input);
  if (!parsed.success) {
    reportStepIssues(ctx, parsed.error, input, taskSchema);
    return undefined;
  }
  if (!checkCatalogPatterns(ctx, input, parsed.data.catalog) || !returns) return undefined;
  const { type: _type, next, on_failure, overrides, catalog, max_attempts, secrets, command_type, command, returns: _returns, ...rest } = parsed.data;
  const extra = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  const task: TaskSpec = { command_type: command_type ?? "python", command, ...extra };
  return {
    kind: "task",
    ...nodeBase(ctx, input),
    ...traversalOf({ next, on_failure, overrides }),
    task,
    catalog: catalogOf(catalog),
    maxAttempts: max_attempts ?? 1,
    secrets: [...(secrets ?? [])],
    // Kept even when empty: `returns: []` marks a runnable 0.50 task (what its function returns beyond them is ignored).
    ...(input.config["returns"] != null && { returns }),
  };
}

function buildStub(ctx: BuildContext, input: StepInput): StubNode | undefined {
  const parsed = stubSchema.safeParse(input.config);
  if (!parsed.success) {
    reportStepIssues(ctx, parsed.error, input, stubSchema);
    return undefined;
  }
  if (!checkCatalogPatterns(ctx, input, parsed.data.catalog)) return undefined;
  const extra = Object.fromEntries(Object.entries(input.config).filter(([key]) => !STUB_KEYS.includes(key)));
  return {
    kind: "stub",
    ...nodeBase(ctx, input),
    ...traversalOf(parsed.data),
    catalog: catalogOf(parsed.data.catalog),
    maxAttempts: parsed.data.max_attempts ?? 1,
    extra,
  };
}

function buildTerminal(ctx: BuildContext, kind: "success" | "fail", input: StepInput): Node | undefined {
  const extraKeys = Object.keys(input.config).filter((key) => key !== "type");
  for (const key of extraKeys) {
    report(ctx, [...input.path, key], `${input.label}: unknown key "${key}"; success and fail steps accept only "type"`, "key");
  }
  return extraKeys.length ? undefined : { kind, ...nodeBase(ctx, input) };
}
