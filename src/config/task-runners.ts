import type { z } from "zod";
import type { Problem } from "../core/errors.js";
import { didYouMean } from "../core/suggest.js";
import { mappingKeys, problemAt, valueAt, type YamlPath, type YamlSource } from "./yaml-source.js";
import { isMapping } from "../core/values.js";

/**
 * The config section for task runners, keyed by runner type (an extension: runnable has none), e.g.
 * `task_runners: {python: {interpreter: .venv/bin/python, notebook_python: /usr/bin/python3, kernel: python3}}`.
 */
export const TASK_RUNNERS_KEY = "task_runners";

/** The object keys a zod object schema accepts (through optional/default wrappers), when it can tell. */
function keysOf(schema: unknown): string[] {
  let current = schema as { _zod?: { def?: { type?: string; innerType?: unknown; shape?: Record<string, unknown> } } } | undefined;
  for (let depth = 0; depth < 16 && current?._zod?.def; depth++) {
    const def = current._zod.def;
    if (def.type === "object" && def.shape) return Object.keys(def.shape);
    current = def.innerType as typeof current;
  }
  return [];
}

/** Checks a `task_runners` block at `path`: known runner types, each with a config its schema accepts. */
export function readTaskRunners(
  source: YamlSource,
  path: YamlPath,
  schemas: Readonly<Record<string, z.ZodType>>,
): { configs: Record<string, unknown>; problems: Problem[] } {
  const block = valueAt(source, path);
  const known = Object.keys(schemas);
  const where = path.join(".");
  if (block === null || block === undefined) return { configs: {}, problems: [] };
  if (!isMapping(block)) {
    return {
      configs: {},
      problems: [problemAt(source, path, `${where} must be a mapping of task runner type to its settings (types: ${known.join(", ")})`, "value")],
    };
  }
  const configs: Record<string, unknown> = {};
  const problems: Problem[] = [];
  for (const type of mappingKeys(source, path) ?? Object.keys(block)) {
    const schema = schemas[type];
    if (!schema) {
      problems.push(
        problemAt(source, [...path, type], `unknown task runner "${type}" in ${where}; known task runners: ${known.join(", ")}.${didYouMean(type, known)}`),
      );
      continue;
    }
    const parsed = schema.safeParse(block[type] ?? {});
    if (parsed.success) {
      configs[type] = parsed.data;
      continue;
    }
    for (const issue of parsed.error.issues) problems.push(...issueProblems(source, [...path, type], schema, issue));
  }
  return { configs, problems };
}

function issueProblems(source: YamlSource, base: YamlPath, schema: z.ZodType, issue: z.core.$ZodIssue): Problem[] {
  const at = [...base, ...issue.path.map((p) => (typeof p === "number" ? p : String(p)))];
  if (issue.code === "unrecognized_keys") {
    const allowed = keysOf(schema);
    return issue.keys.map((key) =>
      problemAt(source, [...at, key], `unknown key "${key}" in ${at.join(".")} (allowed keys: ${allowed.join(", ") || "none"}).${didYouMean(key, allowed)}`),
    );
  }
  return [problemAt(source, at, `${at.join(".")}: ${issue.message}`, "value")];
}
