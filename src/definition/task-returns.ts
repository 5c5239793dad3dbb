import { parameterNameProblem } from "../core/parameters.js";
import { RETURN_KINDS, type ParameterKind, type TaskReturn } from "../core/returns.js";
import { nearest } from "../core/suggest.js";
import { isMapping } from "../core/values.js";
import { describeValue } from "../source/zod-issues.js";
import { report, type BuildContext } from "./context.js";
import type { StepInput } from "./step-input.js";

// A task's `returns:` as runnable 0.50 writes it — a list of `{name, kind}` with kind json (default),
// object or metric — and, as a shorthand 0.50's YAML does not take, plain names. Every problem of the
// list is reported (with its position), not only the first.

const ENTRY_KEYS = ["name", "kind"];

function entryName(ctx: BuildContext, input: StepInput, entry: unknown, index: number): string | undefined {
  const path = [...input.path, "returns", index];
  const name = isMapping(entry) ? entry["name"] : entry;
  const at = isMapping(entry) ? [...path, "name"] : path;
  if (isMapping(entry) && !("name" in entry)) {
    report(ctx, path, `${input.label}: returns[${index}] has no "name"; give {name: <parameter>, kind: json | object | metric}`);
    return undefined;
  }
  if (typeof name !== "string" || name.trim() === "") {
    const what = isMapping(entry) ? `returns[${index}].name` : `returns[${index}]`;
    report(ctx, at, `${input.label}: ${what} must be a parameter name or {name, kind}, got ${describeValue(name)}`);
    return undefined;
  }
  const problem = parameterNameProblem(name);
  if (problem) {
    report(ctx, at, `${input.label}: returns[${index}]: ${problem}`);
    return undefined;
  }
  return name;
}

function entryKind(ctx: BuildContext, input: StepInput, entry: unknown, index: number): ParameterKind | undefined {
  if (!isMapping(entry)) return "json";
  let ok = true;
  for (const key of Object.keys(entry)) {
    if (ENTRY_KEYS.includes(key)) continue;
    const near = nearest(key, ENTRY_KEYS);
    report(
      ctx,
      [...input.path, "returns", index, key],
      `${input.label}: returns[${index}]: unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ""}; allowed keys: name, kind`,
      "key",
    );
    ok = false;
  }
  const kind = entry["kind"] ?? "json";
  if (typeof kind === "string" && (RETURN_KINDS as readonly string[]).includes(kind)) return ok ? (kind as ParameterKind) : undefined;
  const near = typeof kind === "string" ? nearest(kind, RETURN_KINDS) : undefined;
  const hint = near ? ` (did you mean "${near}"?)` : "";
  report(
    ctx,
    [...input.path, "returns", index, "kind"],
    `${input.label}: returns[${index}].kind must be one of ${RETURN_KINDS.join(", ")}, got ${describeValue(kind)}${hint}`,
  );
  return undefined;
}

/** The task's declared returns, or undefined after reporting every problem of the list. */
export function taskReturns(ctx: BuildContext, input: StepInput): TaskReturn[] | undefined {
  const value = input.config["returns"];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    report(
      ctx,
      [...input.path, "returns"],
      `${input.label}: "returns" must be a list of parameter names or {name, kind} mappings, got ${describeValue(value)}`,
    );
    return undefined;
  }
  const returns: TaskReturn[] = [];
  const seen = new Map<string, number>();
  let ok = true;
  value.forEach((entry, index) => {
    const name = entryName(ctx, input, entry, index);
    const kind = entryKind(ctx, input, entry, index);
    const first = name === undefined ? undefined : seen.get(name);
    if (name !== undefined && first !== undefined) {
      const why = `returns[${index}] names "${name}" again (returns[${first}] already does); every returned value needs its own name`;
      report(ctx, [...input.path, "returns", index], `${input.label}: ${why}`);
    } else if (name !== undefined) seen.set(name, index);
    if (name === undefined || kind === undefined || first !== undefined) ok = false;
    else returns.push({ name, kind });
  });
  return ok ? returns : undefined;
}
