import type { z } from "zod";
import type { Problem } from "../core/errors.js";
import { didYouMean } from "../core/suggest.js";
import { problemAt } from "../source/positions.js";
import { issueProblems } from "../source/zod-issues.js";
import { mappingKeys, valueAt, type YamlPath, type YamlSource } from "./yaml-source.js";
import { isMapping } from "../core/values.js";

/**
 * The config section for task runners, keyed by runner type (an extension: runnable has none), e.g.
 * `task_runners: {python: {interpreter: .venv/bin/python, notebook_python: /usr/bin/python3, kernel: python3}}`.
 */
export const TASK_RUNNERS_KEY = "task_runners";

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
    problems.push(...runnerIssueProblems(source, [...path, type], schema, block[type] ?? {}, parsed.error.issues));
  }
  return { configs, problems };
}

function runnerIssueProblems(source: YamlSource, at: YamlPath, schema: z.ZodType, input: unknown, issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issueProblems(
    issues,
    { source, at, input, schema },
    {
      unknownKey: ({ key, path, allowed }) =>
        `unknown key "${key}" in ${path.join(".")} (allowed keys: ${allowed.join(", ") || "none"}).${didYouMean(key, allowed)}`,
      invalid: ({ path, issue }) => `${path.join(".")}: ${issue.message}`,
    },
  );
}
