import type { z } from "zod";
import type { Problem } from "../core/errors.js";
import { didYouMean } from "../core/suggest.js";
import { substituteVariables } from "./variables.js";
import { problemAt } from "../source/positions.js";
import { issueProblems } from "../source/zod-issues.js";
import { mappingKeys, valueAt, type YamlPath, type YamlSource } from "./yaml-source.js";
import { isMapping } from "../core/values.js";

/** A service entry to check: where it is, which types exist, and the variables (executor only). */
export interface ServiceEntryInput {
  service: string;
  source: YamlSource;
  /** Path of the entry in its file, e.g. `["catalog"]` or `["defaults", "catalog"]`. */
  path: YamlPath;
  /** Config schema of each known type of this service. */
  schemas: Readonly<Record<string, z.ZodType>>;
  /** Variables to substitute into string values of the config, or null for none. */
  variables: Readonly<Record<string, string>> | null;
}

/** The outcome of checking a service entry: its choice when valid, and every problem found. */
export interface ServiceEntryResult {
  choice?: { type: string; config: unknown };
  problems: Problem[];
}

const ENTRY_KEYS = ["type", "config"];
const dotted = (path: YamlPath): string => path.join(".");
function checkShape(input: ServiceEntryInput, raw: unknown): Problem[] {
  const { source, path, service } = input;
  if (!isMapping(raw)) {
    return [problemAt(source, path, `${dotted(path)} must be a mapping with "type" and an optional "config", e.g. {type: ...}`)];
  }
  const problems: Problem[] = [];
  for (const key of mappingKeys(source, path) ?? Object.keys(raw)) {
    if (ENTRY_KEYS.includes(key)) continue;
    const hint = didYouMean(key, ENTRY_KEYS);
    problems.push(problemAt(source, [...path, key], `unknown key "${key}" in ${dotted(path)}: a service has only "type" and "config".${hint}`));
  }
  const known = Object.keys(input.schemas).join(", ");
  if (raw.type === undefined) {
    problems.push(problemAt(source, path, `${dotted(path)} needs a "type"; known ${service} types: ${known}`));
  } else if (typeof raw.type !== "string") {
    problems.push(problemAt(source, [...path, "type"], `${dotted(path)}.type must be a string; known ${service} types: ${known}`, "value"));
  } else if (!Object.hasOwn(input.schemas, raw.type)) {
    const hint = didYouMean(raw.type, Object.keys(input.schemas));
    const message = `unknown ${service} type "${raw.type}"; known types: ${known}.${hint}`;
    problems.push(problemAt(source, [...path, "type"], message, "value"));
  }
  return problems;
}

function configIssueProblems(input: ServiceEntryInput, type: string, schema: z.ZodType, config: unknown, issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issueProblems(
    issues,
    { source: input.source, at: [...input.path, "config"], input: config, schema },
    {
      unknownKey: ({ key, path, allowed }) => {
        const allowedText = allowed.length > 0 ? `allowed keys: ${allowed.join(", ")}` : "no keys are allowed";
        return `unknown key "${key}" in ${dotted(path)} of ${input.service} type ${type} (${allowedText}).${didYouMean(key, allowed)}`;
      },
      invalid: ({ path, issue }) => `${dotted(path)}: ${issue.message}`,
      invalidAt: "key",
    },
  );
}

/** Checks one `{type, config}` entry: shape, known type, variables (when given) and the type's config schema. */
export function readServiceEntry(input: ServiceEntryInput): ServiceEntryResult {
  const raw = valueAt(input.source, input.path);
  const problems = checkShape(input, raw);
  // Unknown keys beside a good type do not stop the config check: every problem is reported at once.
  if (!isMapping(raw) || typeof raw.type !== "string" || !Object.hasOwn(input.schemas, raw.type)) return { problems };
  const type = raw.type;
  const schema = input.schemas[type]!;
  let config: unknown = raw.config ?? {};
  if (input.variables) {
    const substituted = substituteVariables(config, input.variables);
    config = substituted.value;
    for (const problem of substituted.problems) {
      const at = [...input.path, "config", ...problem.path];
      problems.push(problemAt(input.source, at, `${dotted(at)}: ${problem.message}`, "value"));
    }
  }
  const parsed = schema.safeParse(config);
  if (!parsed.success) problems.push(...configIssueProblems(input, type, schema, config, parsed.error.issues));
  return problems.length > 0 ? { problems } : { choice: { type, config: parsed.data }, problems };
}
