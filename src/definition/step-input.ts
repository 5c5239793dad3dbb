import type { z } from "zod";
import type { TaskNode } from "../core/graph.js";
import { report } from "./context.js";
import type { BuildContext } from "./context.js";
import type { DocPath } from "./types.js";
import { reportIssues } from "./zod-problems.js";

/** What every node builder gets: the node's names and where its definition is. */
export interface StepInput {
  name: string;
  internalName: string;
  internalBranchName: string;
  config: Record<string, unknown>;
  path: DocPath;
  /** `step "<internal name>" (<kind>)`, the start of every message about this step. */
  label: string;
}

/** The names every node built from `input` has (the finished node gets its `source` from a {@link Locate}). */
export function nodeBase(_ctx: BuildContext, input: StepInput): Pick<TaskNode, "name" | "internalName" | "internalBranchName"> {
  return { name: input.name, internalName: input.internalName, internalBranchName: input.internalBranchName };
}

/** Gives a finished node its `source`: see {@link sourceLocator}. */
export type Locate = <N extends { source?: TaskNode["source"] }>(node: N) => N;

/**
 * What gives the steps of one graph (the steps under `graphPath`) their `source` (file, line, col),
 * when something is known. The position is looked up when `source` is read (only messages read it):
 * finding positions needs the YAML document's full parse, which a pipeline without problems never pays
 * for. One getter serves every step of the graph (it finds the step by its name), so the nodes keep one
 * shape: a getter of its own per node made each node a shape of its own, ~30 µs a step of 10,000.
 */
export function sourceLocator(ctx: BuildContext, graphPath: DocPath): Locate {
  const { file, positionOf } = ctx.source;
  if (file === undefined && !positionOf) return (node) => node;
  const stepsPath = [...graphPath, "steps"];
  const descriptor = {
    enumerable: true,
    configurable: true,
    get(this: { name: string }): TaskNode["source"] {
      return { ...(file !== undefined && { file }), ...positionOf?.([...stepsPath, this.name], "key") };
    },
  };
  return (node) => Object.defineProperty(node, "source", descriptor);
}

/** `next`, `on_failure` and `overrides` of a validated non-terminal step. */
export function traversalOf(data: { next: string; on_failure?: string | undefined; overrides?: Record<string, string> | undefined }) {
  return { next: data.next, onFailure: data.on_failure ?? "", overrides: { ...data.overrides } };
}

/** Reports zod issues of a step, with a clearer message for a missing `next`. */
export function reportStepIssues(ctx: BuildContext, error: z.ZodError, input: StepInput, schema: z.ZodType): void {
  const missingNext = input.config.next === undefined || input.config.next === null || input.config.next === "";
  const issues = error.issues.filter((issue) => !(missingNext && issue.path[0] === "next"));
  if (missingNext) {
    const message = `${input.label} has no "next": every step except success and fail must name the step that runs after it (e.g. next: success)`;
    report(ctx, input.config.next === undefined ? input.path : [...input.path, "next"], message, "key");
  }
  reportIssues(ctx, issues, input.config, input.path, { label: input.label, schema });
}
