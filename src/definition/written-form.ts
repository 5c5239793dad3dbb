import { describeValue } from "../source/zod-issues.js";
import { report } from "./context.js";
import type { BuildContext } from "./context.js";
import type { StepInput } from "./step-input.js";

// What runnable writes when it writes a pipeline itself (its serialised graph, runnable.md §2.10: the
// SDK's runnable-pipeline.yaml for executors that run elsewhere, `run_config.dag`): beside each step's
// own keys, its `name`, a task's `node_name`, a composite's `is_composite`, a dag step's
// `internal_branch_name` and nested `branch`. February-2024 runnable reads that form back with
// `runnable execute -f`, so it is accepted here: the keys are checked, then set aside before the step's
// schema sees the step.

/** The keys runnable writes for itself, by step kind. */
const WRITTEN_KEYS: Readonly<Record<string, readonly string[]>> = {
  task: ["name", "node_name"],
  stub: ["name"],
  success: ["name"],
  fail: ["name"],
  parallel: ["name", "is_composite"],
  map: ["name", "is_composite"],
  dag: ["name", "is_composite", "internal_branch_name"],
  conditional: ["name", "is_composite"],
  loop: ["name", "is_composite"],
};

function checkWritten(ctx: BuildContext, input: StepInput, key: string, value: unknown): void {
  const at = [...input.path, key];
  if (key === "name" || key === "node_name") {
    if (value !== input.name) {
      const why = `"${key}" is ${describeValue(value)} but the step is named "${input.name}": runnable writes the step's own name there; remove the key or make them equal`;
      report(ctx, at, `${input.label}: ${why}`);
    }
  } else if (key === "is_composite" && typeof value !== "boolean") {
    report(ctx, at, `${input.label}: "is_composite" must be true or false (runnable writes true for composite steps)`);
  } else if (key === "internal_branch_name" && typeof value !== "string") {
    report(ctx, at, `${input.label}: "internal_branch_name" must be a string (runnable writes <step>.dag)`);
  }
}

/**
 * A written dag step carries its graph twice: the file it was read from (`dag_definition`, read again as
 * runnable does) and the graph itself (`branch`), which stands in for the file when there was none (an
 * SDK pipeline's dag, written with `dag_definition: ""`).
 */
function writtenDagBranch(config: Record<string, unknown>): Record<string, unknown> {
  if (!Object.hasOwn(config, "branch")) return config;
  const { branch, dag_definition: file, ...rest } = config;
  return typeof file === "string" && file.trim() !== "" ? { ...rest, dag_definition: file } : { ...rest, dag: branch };
}

/** The step as its schema expects it: runnable's own written keys checked and set aside (the input itself is not changed). */
export function withoutWrittenForm(ctx: BuildContext, kind: string, input: StepInput): StepInput {
  const keys = (WRITTEN_KEYS[kind] ?? []).filter((key) => Object.hasOwn(input.config, key));
  const dagWritten = kind === "dag" && Object.hasOwn(input.config, "branch");
  if (keys.length === 0 && !dagWritten) return input;
  const config: Record<string, unknown> = { ...input.config };
  for (const key of keys) {
    checkWritten(ctx, input, key, config[key]);
    delete config[key];
  }
  return { ...input, config: dagWritten ? writtenDagBranch(config) : config };
}
